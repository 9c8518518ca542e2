// The one way cs opens a file that may not be one: Claude's (registry, jobs, transcripts), the
// trash's manifests, and cs's own files read or written in place (its database and journal, its
// settings and markers), where anything may stand. A FIFO, a device, a folder, or a symlink to
// one (`/dev/zero`): a plain open() or read of those blocks forever or never ends. Opened without
// blocking, then kept only if fstat says it is a regular file.
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs'
import { CsError, EXIT, type Reason } from './errors.ts'
import { moveAsideLine } from './quote.ts'

// O_NONBLOCK: opening a FIFO with no writer returns at once; O_NOCTTY: a terminal device
// never becomes cs's controlling terminal. Neither changes how a regular file reads.
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0)

/** The largest file of Claude's that cs reads whole (a registry entry is under 1 KB). */
const SMALL_FILE_MAX = 1024 * 1024

/** An open descriptor and its stat, for a regular file only; null for anything else or none. */
export function openRegular(path: string): { fd: number; stat: Stats } | null {
  let fd: number
  try {
    fd = openSync(path, FLAGS)
  } catch {
    return null
  }
  try {
    const stat = fstatSync(fd)
    if (stat.isFile()) return { fd, stat }
  } catch {
    // fall through: closed below
  }
  closeSync(fd)
  return null
}

/** A regular file's text, or null: missing, not a regular file, or over maxBytes. */
export function readRegular(path: string, maxBytes = SMALL_FILE_MAX): string | null {
  return readRegularBytes(path, maxBytes)?.toString('utf8') ?? null
}

/** readRegular's bytes, not decoded. A file whose size says 0 (the kernel's, /proc/PID/cmdline)
 *  is read to its end, up to maxBytes. */
export function readRegularBytes(path: string, maxBytes = SMALL_FILE_MAX): Buffer | null {
  const file = openRegular(path)
  if (!file) return null
  try {
    if (file.stat.size > maxBytes) return null
    const sized = file.stat.size > 0
    const buf = Buffer.allocUnsafe(sized ? file.stat.size : Math.min(maxBytes, 64 * 1024))
    return buf.subarray(0, readStart(file.fd, buf, buf.length))
  } catch {
    return null
  } finally {
    closeSync(file.fd)
  }
}

/** Reads the first `bytes` of the open file into buf; how many it got (fewer at its end). */
export function readStart(fd: number, buf: Buffer, bytes: number): number {
  let got = 0
  while (got < bytes) {
    const n = readSync(fd, buf, got, bytes - got, got)
    if (n === 0) break
    got += n
  }
  return got
}

/** The error for a setting that names a file cs hands to another program (ssh -F, the driver's
 *  TLS files) when it is not a regular file: a FIFO would keep that program waiting for good, a
 *  folder or nothing fail it with less to go on. Null when unset or a file. */
export function fileSettingError(key: string, path: string | null): CsError | null {
  if (path === null) return null
  let st: Stats | undefined
  try {
    st = statSync(path)
  } catch {
    st = undefined // missing, or behind a folder it cannot enter
  }
  if (st?.isFile()) return null
  const kind = !st ? 'not there' : st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a folder' : 'not a regular file'
  return new CsError(`${key} names ${path}, which is ${kind}`, EXIT.usage, `cs config set ${key} FILE, or cs config unset ${key}`)
}

/** The error for one of cs's own files (its database and SQLite's files beside it, its journal)
 *  that is there but is no regular file: SQLite or an append would wait forever on a FIFO, or fail
 *  on it. Null for a regular file or none. `what` names it in the error. */
export function notAFile(path: string, what: string, reason?: Reason): CsError | null {
  let st: Stats | undefined
  try {
    st = statSync(path, { throwIfNoEntry: false })
  } catch {
    return null // unreadable: opening it says why
  }
  if (!st || st.isFile()) return null
  const kind = st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a folder' : st.isSocket() ? 'a socket' : 'a device'
  return new CsError(
    `${what} ${path} is ${kind}, not a file`,
    EXIT.failure,
    `move it away (${moveAsideLine(path)}); cs makes a new one`,
    reason
  )
}

/** Throws notAFile's error, if any. */
export function refuseIfNotAFile(path: string, what: string): void {
  const e = notAFile(path, what)
  if (e) throw e
}

/**
 * Writes data to path whole: into a file of this process's beside it, then renamed over it, so
 * that a reader (claude starting, the picker, bin/cs) never meets half a file and a failed write
 * (a full disk) leaves the path as it was and nothing beside it. `sync`: on disk before the rename.
 */
export function replaceFile(path: string, data: string | Buffer, o: { mode?: number; sync?: boolean } = {}): void {
  const tmp = `${path}.${process.pid}.tmp`
  try {
    const fd = openSync(tmp, 'w', o.mode ?? 0o666)
    try {
      writeFileSync(fd, data)
      if (o.sync) fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    // write(2)'s error names no file, open(2)'s the temporary one: this one is what the user knows
    const err = e as NodeJS.ErrnoException
    if (err && typeof err === 'object' && (err.path === undefined || err.path === tmp)) err.path = path
    throw e
  }
}

/** A path's stat, or undefined when there is none to be had: gone, a link that loops (ELOOP), a
 *  folder that cannot be searched (EACCES). A walk leaves that entry out and goes on. */
export function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })
  } catch {
    return undefined
  }
}

/** Creates or empties a marker file that cs keeps for its mtime: a FIFO put there fails at once
 *  (ENXIO) instead of waiting for a reader. */
export function touchMarker(path: string): void {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NONBLOCK ?? 0)
  closeSync(openSync(path, flags, 0o600))
}

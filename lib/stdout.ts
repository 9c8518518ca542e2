// Everything cs prints, written to fd 1 (stdout) and fd 2 (stderr) at once: process.stdout is
// created only on a terminal (its size, a question asked), process.stderr never. For a pipe
// each is a socket whose modules (net, stream) take some 5 ms of a start to load, and whose
// writes end in an 'error' event when the reader went away.
// A long answer has its pieces copied into one reused buffer, written when full: `cs ls --json`
// at 10,000 sessions is some 7 MB, and held as one string, or as a buffer per write, memory
// touched for the first time costs more than everything else it does (bench/dashboard.ts).
import { fstatSync, statSync, writeSync } from 'node:fs'
import type { CsError } from './errors.ts'
import { visible } from './untrusted.ts'

const CHUNK = 64 * 1024
const [OPEN, COMMA, NEWLINE] = Buffer.from('[,\n')
const pause = new Int32Array(new SharedArrayBuffer(4))

/** Writes all of buf[from, to) to fd; false when its reader went away (EPIPE). */
function writeRange(fd: number, buf: Buffer, from: number, to: number): boolean {
  while (from < to) {
    try {
      from += writeSync(fd, buf, from, to - from)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EPIPE') return false
      // Node made stdout non-blocking (a pipe): the reader is behind, wait for it
      if (code !== 'EAGAIN') throw e
      Atomics.wait(pause, 0, 0, 1)
    }
  }
  return true
}

/** Writes text to stdout; false when its reader went away (`cs ls | head`), which is no failure. */
export function out(text: string): boolean {
  const bytes = Buffer.from(text)
  return writeRange(1, bytes, 0, bytes.length)
}

/** Writes text to stderr. A stderr that cannot be written (closed, a full disk) is left be:
 *  there is nowhere to say so. */
export function outErr(text: string): void {
  const bytes = Buffer.from(text)
  try {
    writeRange(2, bytes, 0, bytes.length)
  } catch {
    // nowhere to report it
  }
}

/** A line of cs's on stderr, `cs: TEXT`: what it quotes (a name, a path, another machine's
 *  words) made visible, never written to the terminal as it is. */
export const say = (text: string): void => outErr(visible(`cs: ${text}\n`))

/** A CsError as cs says it: its message, then its fix on a line of its own. */
export const sayError = (e: CsError): void => say(e.hint ? `${e.message}\n    ${e.hint}` : e.message)

/** Whether stdout is a terminal: only a character device other than /dev/null can be one (a
 *  pipe, a file or /dev/null is known from fstat, without creating process.stdout, whose
 *  stream modules take some 3 ms to load). */
export function stdoutIsTTY(): boolean {
  try {
    const st = fstatSync(1)
    if (!st.isCharacterDevice() || st.rdev === statSync('/dev/null', { throwIfNoEntry: false })?.rdev) return false
    return Boolean(process.stdout.isTTY)
  } catch {
    return false // fd 1 closed
  }
}

/** The terminal's size, or null when stdout is not one. */
export const terminalSize = (): { columns: number; rows: number } | null =>
  stdoutIsTTY() ? { columns: process.stdout.columns, rows: process.stdout.rows } : null

/** The columns a table or picker lines are laid out for: the terminal's, else (a pipe, a file)
 *  120, as tmux/list.sh assumes where it has no terminal either. */
export const layoutColumns = (): number => terminalSize()?.columns || 120

/**
 * Writes the rows, JSON texts, to fd as one JSON array laid out as lib/format.ts jsonArray lays
 * it out (a row a line), with a newline; the runs of rows in turn. A Buffer in a run is several
 * rows already joined by `,\n` (the store's blocks: Store historyChunks), written as it is. False
 * when its reader went away (`cs ls --json | head`). Rows are copied into the buffer one by one,
 * the separators between them written as bytes: 10,000 rows take no step more than reading them.
 */
export function writeArray(runs: Iterable<string | Buffer>[], fd = 1): boolean {
  const buf = Buffer.allocUnsafe(CHUNK)
  buf[0] = OPEN
  let n = 1
  let rows = 0
  for (const run of runs)
    for (const row of run) {
      if (typeof row !== 'string') {
        if (row.length === 0) continue
        if (n + 2 > CHUNK) {
          if (!writeRange(fd, buf, 0, n)) return false
          n = 0
        }
        if (rows++) buf[n++] = COMMA
        buf[n++] = NEWLINE
        if (!writeRange(fd, buf, 0, n) || !writeRange(fd, row, 0, row.length)) return false
        n = 0
        continue
      }
      const separator = rows++ ? 2 : 1 // ",\n" or "\n"
      // a UTF-8 byte for each UTF-16 unit at most, three for the rest: room for the worst case
      if (n + separator + row.length * 3 > CHUNK) {
        if (!writeRange(fd, buf, 0, n)) return false
        n = 0
      }
      if (separator === 2) buf[n++] = COMMA
      buf[n++] = NEWLINE
      if (n + row.length * 3 <= CHUNK) n += buf.write(row, n)
      else {
        // a row larger than the buffer: written on its own
        const big = Buffer.from(row)
        if (!writeRange(fd, buf, 0, n) || !writeRange(fd, big, 0, big.length)) return false
        n = 0
      }
    }
  const end = rows ? '\n]\n' : ']\n'
  if (n + end.length > CHUNK) {
    if (!writeRange(fd, buf, 0, n)) return false
    n = 0
  }
  n += buf.write(end, n)
  return writeRange(fd, buf, 0, n)
}

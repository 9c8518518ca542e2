// A lock between the cs processes of this host: a file made with O_EXCL holding its taker's pid
// and that process's start time, so that a pid used again (after a reboot, say) is not taken for
// the holder. A lock whose holder is gone (killed, crashed) is taken over, by one process at a time.
import { closeSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { CsError } from './errors.ts'
import { processAlive, procStat } from './registry.ts'
import { readRegular, refuseIfNotAFile } from './regular-file.ts'

/** A file being written by its taker a moment ago: held. Older and empty: a taker that died. */
const FRESH_MS = 2000

/** This process as a lock names it: pid and start time (none where there is no /proc). */
const self = () => `${process.pid} ${procStat(process.pid)?.start ?? ''}`.trim()

/** Takes the lock at file if it is free; false while another live process holds it. */
export function tryLock(file: string): boolean {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  for (;;) {
    if (create(file, self())) return true
    refuseIfNotAFile(file, 'the lock') // a folder there would never be let go
    const holder = readRegular(file) // no FIFO waited on
    if (holder === null) continue // let go meanwhile
    if (held(file, holder) || !takeOver(file, holder)) return false
  }
}

export function unlock(file: string): void {
  remove(file)
}

/** fn run holding the lock, waited for up to waitMs (then `busy` is thrown). Synchronous: the
 *  wait blocks this process, as the commands that need it have nothing else to do meanwhile. */
export function withLock<T>(file: string, waitMs: number, busy: () => CsError, fn: () => T): T {
  const deadline = Date.now() + waitMs
  while (!tryLock(file)) {
    if (Date.now() > deadline) throw busy()
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
  }
  try {
    return fn()
  } finally {
    unlock(file)
  }
}

/** withLock for work that awaits: the wait lets the rest of the process go on meanwhile. */
export async function withLockAsync<T>(file: string, waitMs: number, busy: () => CsError, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs
  while (!tryLock(file)) {
    if (Date.now() > deadline) throw busy()
    await new Promise((r) => setTimeout(r, 50))
  }
  try {
    return await fn()
  } finally {
    unlock(file)
  }
}

/** Makes file holding text; false when it exists. A write that fails leaves no file. */
function create(file: string, text: string): boolean {
  let fd: number
  try {
    fd = openSync(file, 'wx', 0o600)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  }
  try {
    writeSync(fd, text)
  } catch (e) {
    remove(file) // an empty lock would look held
    throw e
  } finally {
    closeSync(fd)
  }
  return true
}

/** Whether the holder a lock file names runs: the same pid started at the same time. */
function held(file: string, holder: string): boolean {
  if (holder === '') return young(file) // being written
  const [pid, start] = holder.split(' ')
  const n = Number(pid)
  if (!Number.isSafeInteger(n) || n <= 0 || !processAlive(n)) return false
  return !start || procStat(n)?.start === start
}

/** Removes a dead holder's lock, under a guard that only one taker holds: false when another
 *  takes it over now. The lock is removed only if it still names that holder. */
function takeOver(file: string, holder: string): boolean {
  const guard = `${file}.takeover`
  if (!create(guard, self())) {
    if (young(guard)) return false
    remove(guard) // left by a taker that died: the next attempt makes it again
    return false
  }
  try {
    if (readRegular(file) === holder) remove(file)
    return true
  } finally {
    remove(guard)
  }
}

function young(file: string): boolean {
  const st = statSync(file, { throwIfNoEntry: false })
  return st !== undefined && Date.now() - st.mtimeMs < FRESH_MS
}

/** Removes file; gone already is no failure, anything else is (a read-only folder). */
function remove(file: string): void {
  try {
    unlinkSync(file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
}

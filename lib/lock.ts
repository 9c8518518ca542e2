// A lock between the cs processes of this host: a file made with O_EXCL holding its taker's pid.
// A lock whose process is gone (killed, crashed) is taken over.
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { CsError } from './errors.ts'
import { readRegular } from './regular-file.ts'

/** Takes the lock at file if it is free; false when another live process holds it. */
export function tryLock(file: string): boolean {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return true
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      if (holderAlive(file)) return false
      try {
        unlinkSync(file)
      } catch {} // taken over by another meanwhile: try again
    }
  }
}

export function unlock(file: string): void {
  try {
    unlinkSync(file)
  } catch {}
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

function holderAlive(file: string): boolean {
  const text = readRegular(file) // no FIFO waited on
  if (text === null) return false // gone meanwhile (or no file): try again
  if (text === '') return true // being written: its holder is alive
  const pid = Number(text)
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

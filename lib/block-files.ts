// The history's blocks (lib/store-sqlite.ts) as files beside the database: a listing of every
// row reads each block through one reused buffer, where a blob read from SQLite walked its
// overflow pages into fresh memory twice (SQLite's, then a Buffer's): 6 of the 10 ms that 6.4 MB
// of blocks took. The database stays the truth: a block's row names its file and size, and a
// file is never changed once named: a block built again gets a new file. So a listing that read
// a block's name reads that block's text, or finds the file gone (swept by a newer build) or not
// what was named (a crash before the file reached the disk), and reads the block's rows instead.
import { closeSync, constants, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openRegular, readStart } from './regular-file.ts'

/** The names this module gives: nothing else in the folder is read or removed. */
const NAME = /^[0-9a-z]+-[0-9]+-[0-9]+\.json$/
let made = 0
const [OPEN, CLOSE] = Buffer.from('{}')

/** Writes a new block file into dir (made if missing) and returns its name. A failure (a full
 *  disk, a folder that cannot be written) is thrown: the block stays unbuilt. */
export function writeBlock(dir: string, text: Buffer): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const name = `${Date.now().toString(36)}-${process.pid}-${made++}.json`
  // O_EXCL: never through a file or link already there
  const fd = openSync(join(dir, name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
  try {
    writeFileSync(fd, text) // all of it
  } catch (e) {
    closeSync(fd)
    rmSync(join(dir, name), { force: true })
    throw e
  }
  closeSync(fd)
  return name
}

/** Reuses one buffer for every block a listing reads: what it returns holds until the next call. */
export class BlockReader {
  private buf = Buffer.alloc(0)
  constructor(private readonly dir: string) {}

  /** The text of the block file `name`, if it is a regular file of exactly `bytes` bytes that
   *  reads as rows; else null (gone, replaced, cut short). */
  read(name: string, bytes: number): Buffer | null {
    if (!NAME.test(name)) return null
    // not join(): its normalising of the folder's path, at each of a listing's 25 blocks, took
    // 0.4 ms; a name NAME passes holds no `/` or `..`
    const file = openRegular(`${this.dir}/${name}`)
    if (!file) return null
    try {
      if (file.stat.size !== bytes) return null
      if (this.buf.length < bytes) this.buf = Buffer.allocUnsafe(Math.max(bytes, 2 * this.buf.length))
      if (readStart(file.fd, this.buf, bytes) !== bytes) return null
      // rows, each an object: not a file the disk lost on a crash (zeros where text was)
      if (bytes > 0 && (this.buf[0] !== OPEN || this.buf[bytes - 1] !== CLOSE)) return null
      return this.buf.subarray(0, bytes)
    } catch {
      return null
    } finally {
      closeSync(file.fd)
    }
  }
}

/** Removes the block files of dir that `keep` does not name: those of blocks built again or
 *  dropped. Only while the database's write lock is held, so that no build is between writing a
 *  file and naming it. A listing still reading an older build's file falls back to its rows. */
export function sweepBlocks(dir: string, keep: Set<string>): void {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return // none yet
  }
  dropBlocks(dir, names.filter((name) => NAME.test(name) && !keep.has(name)))
}

/** Removes these block files of dir: those of a build that was rolled back (only this process
 *  wrote them, and no block names them, so no lock is needed), or those sweepBlocks found. */
export function dropBlocks(dir: string, names: string[]): void {
  for (const name of names)
    try {
      rmSync(join(dir, name), { force: true })
    } catch {
      // not a file (a folder of that name), or not ours to remove: left, as it costs nothing
    }
}

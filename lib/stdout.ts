// A long answer written to stdout: its pieces copied into one reused buffer, written when full.
// `cs ls --json` at 10,000 sessions is some 7 MB: held as one string, or as a buffer per write,
// memory touched for the first time costs more than everything else it does (bench/dashboard.ts).
import { writeSync } from 'node:fs'

const CHUNK = 64 * 1024
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

/** Writes the pieces to fd in order; false when its reader went away (`cs ls --json | head`). */
export function writeAll(pieces: Iterable<string>, fd = 1): boolean {
  const buf = Buffer.allocUnsafe(CHUNK)
  let n = 0
  for (const piece of pieces) {
    // a UTF-8 byte for each UTF-16 unit at most, three for the rest: room for the worst case
    if (n + piece.length * 3 > CHUNK) {
      if (!writeRange(fd, buf, 0, n)) return false
      n = 0
      if (piece.length * 3 > CHUNK) {
        const big = Buffer.from(piece)
        if (!writeRange(fd, big, 0, big.length)) return false
        continue
      }
    }
    n += buf.write(piece, n)
  }
  return writeRange(fd, buf, 0, n)
}

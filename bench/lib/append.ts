// Records to append to a transcript while a bench runs: the file's own, so the parser meets
// what a session really writes.
import { closeSync, openSync, readSync, statSync } from 'node:fs'

/** Up to `bytes` of the file's own last complete lines. */
export function tailLines(path: string, bytes: number): Buffer {
  const size = statSync(path).size
  const len = Math.min(size, 4 * bytes)
  const buf = Buffer.alloc(len)
  const fd = openSync(path, 'r')
  readSync(fd, buf, 0, len, size - len)
  closeSync(fd)
  const lines = buf.subarray(buf.indexOf(10) + 1, buf.lastIndexOf(10) + 1)
  return lines.subarray(0, lines.lastIndexOf(10, bytes) + 1)
}

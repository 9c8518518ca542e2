// Reading a file from its end: the last lines of a transcript that may be 500 MB, without
// reading what comes before them.
import { closeSync, readSync } from 'node:fs'
import { CsError } from './errors.ts'
import { openRegular } from './regular-file.ts'
import { isWholeObject } from './transcript.ts'

export interface TailOptions {
  /** bytes read at a time */
  chunk?: number
  /** longer lines are skipped (never held in memory): a huge tool result, an image */
  maxLine?: number
}

const NL = 0x0a

/**
 * The file's complete lines, last first. A last line without its newline is one only when it is
 * a whole JSON object (lib/transcript.ts isWholeObject, as the index reads it): else it is still
 * being written, and left out. Stops reading as soon as the caller stops iterating.
 */
export function* linesFromEnd(path: string, o: TailOptions = {}): Generator<string> {
  const chunk = o.chunk ?? 64 * 1024
  const maxLine = o.maxLine ?? 4 * 1024 * 1024
  const file = openRegular(path)
  if (!file) throw new CsError(`cannot read ${path}: not a regular file`, undefined, 'a transcript is a plain file')
  const fd = file.fd
  try {
    let pos = file.stat.size
    let parts: Buffer[] = [] // the line being assembled, right to left
    let held = 0
    let oversize = false
    let atEnd = true // what follows the file's last newline: a record only when whole
    const keep = (piece: Buffer) => {
      if (oversize || piece.length === 0) return
      held += piece.length
      if (held > maxLine) {
        oversize = true
        parts = []
      } else parts.unshift(piece)
    }
    const take = (): string | null => {
      const bytes = oversize ? null : Buffer.concat(parts)
      const line = bytes === null || (atEnd && !isWholeObject(bytes)) ? null : bytes.toString('utf8')
      parts = []
      held = 0
      oversize = false
      atEnd = false
      return line
    }
    while (pos > 0) {
      const n = Math.min(chunk, pos)
      pos -= n
      const buf = Buffer.allocUnsafe(n)
      readSync(fd, buf, 0, n, pos)
      let end = n
      for (
        let i = buf.lastIndexOf(NL, end - 1);
        i !== -1;
        i = end > 0 ? buf.lastIndexOf(NL, end - 1) : -1
      ) {
        keep(buf.subarray(i + 1, end))
        const line = take()
        if (line) yield line
        end = i
      }
      keep(buf.subarray(0, end))
    }
    const first = take()
    if (first) yield first
  } finally {
    closeSync(fd)
  }
}

// The incremental transcript indexer. Transcripts only grow: per file the store keeps size,
// mtime and the offset read up to; a run stats every session file and reads only what was
// appended (a shrunk or replaced file again from the start). Memory stays flat: one reused
// buffer, grown only for a single line larger than it.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.ts'
import { isSessionFile, projectsDir } from './paths.ts'
import type { FileMark, IndexEntry, Store } from './store.ts'
import { feed, finish, loadParser, newParser, saveParser, type ParserState } from './transcript.ts'

export interface IndexReport {
  seen: number // session files on disk
  read: number // files read (new, grown, or re-read)
  bytes: number // bytes read
  dropped: number // files gone from disk, dropped from the index
  unknownRecords: number // in the files read by this run
  badLines: number // in the files read by this run
}

const CHUNK = 4 * 1024 * 1024

interface Found {
  path: string
  projectDir: string
  id: string
  size: number
  mtimeMs: number
}

/** Every session file under <claudeDir>/projects/*: UUID-named, non-empty, directly in a project folder. */
function walk(root: string): Found[] {
  const found: Found[] = []
  for (const project of readdirOrEmpty(root)) {
    if (!project.isDirectory()) continue
    const dir = join(root, project.name)
    for (const f of readdirOrEmpty(dir)) {
      if (!f.isFile() || !isSessionFile(f.name)) continue
      const path = join(dir, f.name)
      const st = statSync(path, { throwIfNoEntry: false })
      if (!st || st.size === 0) continue
      found.push({ path, projectDir: project.name, id: f.name.slice(0, -6), size: st.size, mtimeMs: st.mtimeMs })
    }
  }
  return found
}

function readdirOrEmpty(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch {
    return [] // no projects folder yet, or a folder that vanished mid-walk
  }
}

/** Where to resume a file: its saved offset and parser state if it only grew, else the start. */
function resumePoint(store: Store, f: Found, mark: FileMark | undefined): { offset: number; parser: ParserState } {
  if (mark && f.size > mark.size && f.mtimeMs >= mark.mtimeMs) {
    const saved = store.parserState(f.path)
    if (saved !== null) {
      try {
        return { offset: mark.offset, parser: loadParser(saved) }
      } catch {
        // a state saved by another parser version: read the file again
      }
    }
  }
  return { offset: 0, parser: newParser() }
}

export function indexTranscripts(config: Config, store: Store, opts: { full?: boolean } = {}): IndexReport {
  const found = walk(projectsDir(config))
  const marks = store.marks()
  const report: IndexReport = { seen: found.length, read: 0, bytes: 0, dropped: 0, unknownRecords: 0, badLines: 0 }
  const entries: IndexEntry[] = []
  let buf: Buffer | null = null

  for (const f of found) {
    const mark = marks.get(f.path)
    marks.delete(f.path)
    if (!opts.full && mark && mark.size === f.size && mark.mtimeMs === f.mtimeMs) continue
    const start = opts.full ? { offset: 0, parser: newParser() } : resumePoint(store, f, mark)
    buf ??= Buffer.allocUnsafe(CHUNK)
    const read = readFrom(f, start.offset, start.parser, buf)
    if (read === null) continue // vanished between stat and open: dropped next run
    buf = read.buf
    const parser = saveParser(start.parser)
    const info = finish(start.parser, { id: f.id, path: f.path, projectDir: f.projectDir })
    entries.push({ mark: { path: f.path, size: f.size, mtimeMs: f.mtimeMs, offset: read.offset }, parser, info })
    report.read++
    report.bytes += read.bytes
    report.unknownRecords += info.unknownRecords
    report.badLines += info.badLines
  }

  const dropped = [...marks.keys()] // indexed before, not on disk (or empty) now
  report.dropped = dropped.length
  store.saveIndex(entries, dropped)
  return report
}

/**
 * Feeds the parser the file's bytes from offset up to the size seen by stat, whole lines only:
 * a trailing partial line is carried to the next chunk, and at the end left for the next run.
 */
function readFrom(f: Found, offset: number, parser: ParserState, buf: Buffer) {
  let fd: number
  try {
    fd = openSync(f.path, 'r')
  } catch {
    return null
  }
  let pos = offset // file position of buf[0]
  let filled = 0 // bytes in buf not yet consumed
  try {
    while (pos + filled < f.size) {
      if (filled === buf.length) buf = grow(buf) // one line longer than the buffer
      const want = Math.min(buf.length - filled, f.size - pos - filled)
      const n = readSync(fd, buf, filled, want, pos + filled)
      if (n === 0) break // truncated while reading: the next run sees the new size
      filled += n
      const consumed = feed(parser, buf, 0, filled)
      if (consumed > 0) {
        buf.copy(buf, 0, consumed, filled)
        filled -= consumed
        pos += consumed
      }
    }
  } finally {
    closeSync(fd)
  }
  return { buf, offset: pos, bytes: pos + filled - offset }
}

function grow(buf: Buffer): Buffer {
  const bigger = Buffer.allocUnsafe(buf.length * 2)
  buf.copy(bigger)
  return bigger
}

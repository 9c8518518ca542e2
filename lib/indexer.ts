// The incremental transcript indexer. Transcripts only grow: per file the store keeps size,
// mtime and the offset read up to; a run stats every session file and reads only what was
// appended (a shrunk or replaced file again from the start). A folder whose listing (names,
// sizes, mtimes) is what the store saw last time costs nothing beyond its stats. Memory stays
// flat: one reused buffer, grown only for a single line larger than it.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { Config } from './config.ts'
import { isSessionFile, projectsDir } from './paths.ts'
import type { FileMark, FolderIndex, IndexChanges, Store } from './store.ts'
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
// Results are saved every so many files read, so that a cold run over 10,000 files does not
// hold them all: the parser states read so far and the folders finished (a folder row is
// written whole; a state saved before its folder's row is harmless, as states are keyed by mark).
const BATCH = 100

interface Found {
  path: string
  size: number
  mtimeMs: number
}

interface Folder {
  path: string
  files: Found[]
  listing: string // names, sizes and mtimes: compared with the stored one
}

/** Every project folder's session files: UUID-named, non-empty, directly in the folder. */
function walk(root: string): Folder[] {
  const folders: Folder[] = []
  for (const name of readdirOrEmpty(root)) {
    const path = join(root, name)
    const files: Found[] = []
    let listing = ''
    for (const file of readdirOrEmpty(path)) {
      if (!isSessionFile(file)) continue
      const filePath = `${path}/${file}`
      const st = statSync(filePath, { throwIfNoEntry: false })
      if (!st || !st.isFile() || st.size === 0) continue
      files.push({ path: filePath, size: st.size, mtimeMs: st.mtimeMs })
      listing += `${file} ${st.size} ${st.mtimeMs}\n`
    }
    if (files.length > 0) folders.push({ path, files, listing })
  }
  return folders
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return [] // no projects folder yet, a file where a folder was expected, or one that vanished
  }
}

/** Where to resume a file: its saved offset and parser state if it only grew, else the start. */
function resumePoint(store: Store, f: Found, mark?: FileMark): { offset: number; parser: ParserState } {
  if (mark && f.size > mark.size && f.mtimeMs >= mark.mtimeMs) {
    const saved = store.parserState(mark)
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
  const report: IndexReport = { seen: 0, read: 0, bytes: 0, dropped: 0, unknownRecords: 0, badLines: 0 }
  const listings = store.listings()
  let changes: IndexChanges = { folders: [], gone: [], parsers: [] }
  let buf: Buffer | null = null

  for (const folder of walk(projectsDir(config))) {
    report.seen += folder.files.length
    const stored = listings.get(folder.path)
    listings.delete(folder.path)
    if (!opts.full && stored === folder.listing) continue // the warm path: nothing changed here
    const known = stored === undefined ? [] : (store.folder(folder.path)?.files ?? [])
    const before = new Map(known.map((f) => [f.mark.path, f]))
    const files: FolderIndex['files'] = []
    let complete = true
    for (const f of folder.files) {
      const prev = before.get(f.path)
      before.delete(f.path)
      if (!opts.full && prev && prev.mark.size === f.size && prev.mark.mtimeMs === f.mtimeMs) {
        files.push(prev)
        continue
      }
      const start = opts.full ? { offset: 0, parser: newParser() } : resumePoint(store, f, prev?.mark)
      buf ??= Buffer.allocUnsafe(CHUNK)
      const read = readFrom(f, start.offset, start.parser, buf)
      if (read === null) {
        complete = false // vanished between stat and open: look again next run
        continue
      }
      buf = read.buf.length > CHUNK ? null : read.buf // let a buffer grown for one huge line go
      const mark = { path: f.path, size: f.size, mtimeMs: f.mtimeMs, offset: read.offset }
      const id = basename(f.path, '.jsonl')
      const info = finish(start.parser, { id, path: f.path, projectDir: basename(folder.path) })
      changes.parsers.push({ mark, state: saveParser(start.parser) })
      files.push({ mark, info })
      report.read++
      report.bytes += read.bytes
      report.unknownRecords += info.unknownRecords
      report.badLines += info.badLines
      if (changes.parsers.length >= BATCH) {
        store.saveIndex(changes)
        changes = { folders: [], gone: [], parsers: [] }
      }
    }
    report.dropped += before.size
    changes.folders.push({ path: folder.path, listing: complete ? folder.listing : '', files })
  }

  for (const path of listings.keys()) {
    report.dropped += store.folder(path)?.files.length ?? 0
    changes.gone.push(path)
  }
  store.saveIndex(changes)
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

// The incremental transcript indexer. Transcripts only grow: per file the store keeps size,
// mtime and the offset read up to; a run reads only what was appended (a shrunk or replaced
// file again from the start). Memory stays flat: one reused buffer, grown only for a single
// line larger than it.
//
// What a run stats is its scope. `full` stats every session file. `hot` (the dashboard and
// every command that shows sessions) stats every project folder, lists again a folder whose
// mtime moved (a file was added or removed), and otherwise stats only the files that can have
// grown: those modified within HOT_MS as last indexed, and the live sessions' (the only
// writers of an old file). A hot run falls back to a full one when the last full run is older
// than config.fullScanSeconds, so that an append cs cannot see (a client outside cs's tmux
// without a registry entry) shows within that interval: the dashboard leaves that walk to a
// background `cs sync`, and `cs sync` (cron's every 5 minutes) runs it when due.
import { accessSync, closeSync, constants, readdirSync, readSync, statSync, utimesSync, type Dirent, type Stats } from 'node:fs'
import { basename, join } from 'node:path'
import type { Config } from './config.ts'
import { isSessionFile, projectsDir, readable } from './paths.ts'
import { openRegular, statOf, touchMarker } from './regular-file.ts'
import type { FileMark, FolderIndex, FolderListing, IndexChanges, Store } from './store.ts'
import { feed, feedLast, finish, loadParser, newParser, saveParser, skippedLine, type ParserState } from './transcript.ts'

type FileIndex = FolderIndex['files'][number]

export interface IndexReport {
  seen: number // session files on disk (in a hot run: as listed, the unchanged folders' too)
  read: number // files read (new, grown, or re-read)
  bytes: number // bytes read
  dropped: number // files gone from disk, dropped from the index
  unknownRecords: number // in the files read by this run
  badLines: number // in the files read by this run
  /** project folders that could not be listed (their permissions): kept as last read */
  unreadable: string[]
}

export interface IndexOptions {
  scope?: 'hot' | 'full' // default full
  full?: boolean // read every file again from the start (a full scope)
  live?: Iterable<string> // ids of live sessions: their files are hot
  walkWhenDue?: boolean // a hot run stats every file when the full walk is due (default true)
  now?: number // the clock (epoch ms)
}

// Reads of this size stay in the CPU's cache while the scanner reads them (4 MB did not: 10 MB
// more peak RSS and slower on the bench's corpora); a longer line grows the buffer.
const CHUNK = 256 * 1024
// A line longer than this is not read but skipped, and counted as a bad line: the buffer would
// hold it whole (a line of 300 MB took 964 MB), and Claude Code writes none this long (it cuts
// tool output far shorter).
export const MAX_LINE = 64 * 1024 * 1024
// Results are saved every so many files read, so that a cold run over 10,000 files does not
// hold them all: the parser states read so far and the folders finished (a folder row is
// written whole; a state saved before its folder's row is harmless, as states are keyed by mark).
const BATCH = 100
/** A file modified this recently (as last indexed) may still be written to. */
const HOT_MS = 24 * 3600_000
// A file that is not hot keeps its parser state only from this size up. A smaller one that grows
// after all (a session resumed days later) is read again from its start, a few ms at most; the
// rest of a history, most of it, saves nothing: a cold index of a thousand files wrote a
// thousand states of 1 KB (a tenth of its time) and a third of the store.
const KEEP_STATE_BYTES = 1024 * 1024
// A folder listed this soon after its mtime may change again within the same mtime tick: its
// mtime is not trusted, and the next run lists it again.
const RACY_MS = 2000

interface Found {
  path: string
  size: number
  mtimeMs: number
  ino: string
}

interface Folder {
  path: string
  /** Its own mtime, trusted when it predates this run (-1: list it again next time); null: not
   *  stat'ed (a full run stats a folder only to write it) */
  mtimeMs: number | null
  /** Its session files' `name size mtimeMs ino` lines, the hot ones first (newestFirst): compared
   *  with the stored listing; parsed into files only for a folder that changed */
  listing: string
}

// The inode tells a file replaced by another of the same size and mtime (an editor's save, a
// restore from a backup) from the file that was read.
const entry = (name: string, st: Stats) => `${name} ${st.size} ${st.mtimeMs} ${st.ino}\n`

/** The files of a listing, in its order. */
function filesOf(folder: string, listing: string): Found[] {
  const files: Found[] = []
  for (const line of listing.split('\n')) {
    if (!line) continue
    const [name, size, mtimeMs, ino] = line.split(' ')
    files.push({ path: `${folder}/${name}`, size: Number(size), mtimeMs: Number(mtimeMs), ino: ino ?? '' })
  }
  return files
}

/** A listing's inodes by path: what the files that were read were. */
const inodesOf = (folder: string, listing: string | undefined) =>
  new Map(filesOf(folder, listing ?? '').map((f) => [f.path, f.ino]))

/** A project folder's session files: UUID-named, non-empty, directly in the folder. A symlink
 * is followed only when it resolves inside the projects folder: nothing outside it is read. */
function list(path: string, mtimeMs: number | null, root: string, since: number): Folder | 'unreadable' {
  const entries: string[] = []
  let hot: HotLine[] | null = null
  const found = entriesOf(path)
  if (found === null) return 'unreadable'
  for (const d of found) {
    if (!isSessionFile(d.name) || !readable(d, `${path}/${d.name}`, root)) continue
    const st = statOf(`${path}/${d.name}`)
    if (!st || !st.isFile() || st.size <= 0) continue
    if (st.mtimeMs > since) (hot ??= []).push({ name: d.name, mtimeMs: st.mtimeMs, line: entry(d.name, st) })
    else entries.push(entry(d.name, st))
  }
  return { path, mtimeMs, listing: hot ? newestFirst(hot) + entries.join('') : entries.join('') }
}

/** A line of a file modified since the listing's `since`, with what orders it. */
interface HotLine {
  name: string
  mtimeMs: number
  line: string
}
/** A listing puts the files modified since `since` first, newest first (then by name), so that a
 *  hot run reads a listing only as far as they go; then the others as they came (the folder's own
 *  order, unchanged while the folder is), where sorting them all cost a full walk a twentieth of
 *  its time. Joined once: a string grown by += is a chain of pieces that survives every scavenge
 *  until it is flattened (a tenth of a full walk's time in GC). */
const newestFirst = (hot: HotLine[]) =>
  hot
    .sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => e.line)
    .join('')

/**
 * The mtime to store for a folder: -1 when it is too recent to trust, as a file added within
 * the same mtime tick (or while the folder was being listed) would not move it again.
 */
function trustedMtime(path: string, mtimeMs: number | null, now: number): number {
  mtimeMs ??= statOf(path)?.mtimeMs ?? -1
  return now - mtimeMs < RACY_MS ? -1 : mtimeMs
}

/**
 * A folder whose own mtime did not move: its stored listing with the hot files stat'ed again
 * (the others as they were), or null when none of those changed. The files modified since
 * `since` lead the listing (newestFirst), and are all it reads but the live sessions' own
 * lines, looked up by name (a live session may have written nothing for days): splitting every
 * line of every hot folder took a tenth of a dashboard's own time.
 */
function relist(path: string, stored: FolderListing, since: number, liveNames: string[]): Folder | 'unreadable' | null {
  // closed to this user since it was listed: its files cannot be stat'ed, which is not their going
  if (!searchable(path)) return 'unreadable'
  const text = stored.listing
  const lineAt = (at: number) => text.slice(at, text.indexOf('\n', at) + 1)
  const again = new Map<string, string>() // each line looked at again, by name: what it is now
  let changed = false
  const lookAgain = (line: string, name: string) => {
    const st = statOf(`${path}/${name}`)
    const now = st && st.isFile() && st.size > 0 ? entry(name, st) : ''
    again.set(name, now)
    changed ||= now !== line
  }
  for (let at = 0; at < text.length; ) {
    const line = lineAt(at)
    const [name, , mtimeMs] = line.split(' ', 3)
    if (!(Number(mtimeMs) > since)) break
    lookAgain(line, name)
    at += line.length
  }
  for (const name of liveNames) {
    // a name followed by a blank starts a line: the other fields are numbers
    const at = again.has(name) ? -1 : text.indexOf(`${name} `)
    if (at >= 0) lookAgain(lineAt(at), name)
  }
  if (!changed) return null
  const hot: HotLine[] = []
  const rest: string[] = []
  for (const old of text.split('\n')) {
    if (!old) continue
    const name = old.slice(0, old.indexOf(' '))
    const line = again.get(name) ?? `${old}\n`
    if (!line) continue // gone
    const mtimeMs = Number(line.split(' ', 3)[2])
    if (mtimeMs > since) hot.push({ name, mtimeMs, line })
    else rest.push(line)
  }
  return { path, mtimeMs: stored.mtimeMs, listing: newestFirst(hot) + rest.join('') }
}

/** Whether a file, by its name and its mtime as last listed, may be written to now: modified
 *  within HOT_MS, or a live session's. */
type HotTest = (name: string, mtimeMs: number) => boolean

function hotTest(live: string[], now: number): HotTest {
  const names = new Set(live.map((id) => `${id}.jsonl`))
  return (name, mtimeMs) => now - mtimeMs < HOT_MS || names.has(name)
}

/**
 * The project folders whose session files changed since they were listed, the folders gone, and
 * the unchanged folders' own mtimes that moved; `unchanged` counts the files of folders skipped.
 * An unchanged folder is let go as soon as it is compared, so that a full walk holds no listing
 * past its own folder (scavenges copying them cost some 5 of a full walk's 115 ms here).
 */
function walk(config: Config, store: Store, full: boolean, opts: IndexOptions, liveIds: string[], now: number) {
  const root = projectsDir(config)
  const liveNames = liveIds.map((id) => `${id}.jsonl`)
  // a hot run reads only the listings that name a hot file (its cost follows the hot set); a
  // full one compares every folder, so it reads them all at once
  const summaries = store.listings(full ? 0 : now - HOT_MS, liveIds)
  const folders: { folder: Folder; stored?: FolderListing }[] = []
  const gone: string[] = []
  const moved: { path: string; mtimeMs: number }[] = []
  const unreadable: string[] = []
  let unchanged = 0
  const top = entriesOf(root)
  // the projects folder closed to this user: every session as last read, none taken for gone
  if (top === null) return { folders, unchanged: 0, moved, unreadable: [root], gone }
  for (const d of top) {
    const path = `${root}/${d.name}`
    if (!readable(d, path, root)) continue
    const summary = summaries.get(path)
    if (summary) summaries.delete(path)
    // a hot run stats the folder first: a file added after this stat moves its mtime again
    const mtimeMs = full ? null : (statOf(path)?.mtimeMs ?? -1)
    const trusted = mtimeMs !== null && summary && summary.listing !== '' && summary.mtimeMs === mtimeMs
    if (trusted && summary.listing === null) {
      unchanged += summary.count // nothing hot in it: not even its listing is read
      continue
    }
    const stored =
      summary?.listing === null
        ? (store.listing(path) ?? undefined)
        : summary && { listing: summary.listing, mtimeMs: summary.mtimeMs }
    const folder = trusted ? relist(path, stored!, now - HOT_MS, liveNames) : list(path, mtimeMs, root, now - HOT_MS)
    if (folder === 'unreadable') {
      // its sessions as last read, not dropped: names and tags would outlive them unseen
      unreadable.push(path)
      unchanged += summary?.count ?? 0
    } else if (!folder) unchanged += summary!.count
    else if (!opts.full && stored?.listing === folder.listing) {
      // no session file changed (something else in the folder may have)
      unchanged += summary!.count
      const mtimeMs = folder.mtimeMs === null ? stored.mtimeMs : trustedMtime(path, folder.mtimeMs, now)
      if (stored.mtimeMs !== mtimeMs) moved.push({ path, mtimeMs })
    } else if (folder.listing) folders.push({ folder, stored })
    else if (stored) gone.push(path) // no session file left in it
  }
  return { folders, unchanged, moved, unreadable, gone: [...gone, ...summaries.keys()] }
}

const countLines = (text: string) => {
  let n = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
  return n
}

function searchable(dir: string): boolean {
  try {
    accessSync(dir, constants.R_OK | constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** A folder's entries: none when there is none (no projects folder yet, a file where a folder
 *  was expected, one that vanished); null when it is there but closed to this user (EACCES),
 *  which is not to be taken for empty. */
function entriesOf(dir: string): Dirent[] | null {
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return code === 'ENOENT' || code === 'ENOTDIR' ? [] : null
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

// When a run last stat'ed every file: the mtime of a file of the state folder, not a row of the
// store, so that a full walk that changed nothing writes nothing there (a transaction, then the
// checkpoint of closing: some 3 ms of a 110 ms `cs sync`), and is known without opening it.
const fullWalkNote = (config: Config) => join(config.stateDir, 'full-walk')

/** When an index run last stat'ed every file (epoch ms; 0: never). */
export const lastFullWalk = (config: Config): number =>
  statSync(fullWalkNote(config), { throwIfNoEntry: false })?.mtimeMs ?? 0

/** Whether the last full walk is older than config.fullScanSeconds. */
export const fullWalkDue = (config: Config, now: number) => now - lastFullWalk(config) >= config.fullScanSeconds * 1000

function noteFullWalk(config: Config, now: number) {
  try {
    touchMarker(fullWalkNote(config))
    utimesSync(fullWalkNote(config), now / 1000, now / 1000)
  } catch {
    // a read-only or full state folder: the walk is due again at the next run
  }
}

/** What an index run that read nothing reports. */
export const nothingRead = (): IndexReport => ({ seen: 0, read: 0, bytes: 0, dropped: 0, unknownRecords: 0, badLines: 0, unreadable: [] })

export function indexTranscripts(config: Config, store: Store, opts: IndexOptions = {}): IndexReport {
  const report = nothingRead()
  const now = opts.now ?? Date.now()
  const full = opts.full || opts.scope !== 'hot' || (opts.walkWhenDue !== false && fullWalkDue(config, now))
  const liveIds = [...(opts.live ?? [])]
  const hot = hotTest(liveIds, now)
  const walked = walk(config, store, full, opts, liveIds, now)
  report.seen = walked.unchanged
  report.unreadable = walked.unreadable
  let changes: IndexChanges = { folders: [], gone: [], parsers: [] }
  let pending = 0 // files read since the last save
  let buf: Buffer | null = null

  for (const { folder, stored } of walked.folders) {
    report.seen += countLines(folder.listing)
    const known = stored === undefined ? [] : (store.folder(folder.path)?.files ?? [])
    const before = new Map(known.map((f) => [f.mark.path, f]))
    const inodes = inodesOf(folder.path, stored?.listing)
    const files: FileIndex[] = []
    let complete = true
    for (const f of filesOf(folder.path, folder.listing)) {
      const found = before.get(f.path)
      before.delete(f.path)
      const was = inodes.get(f.path) // unknown after forget() or from an older listing: trusted
      const prev = found && (!was || was === f.ino) ? found : undefined // another file: read anew
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
      const info = finish(start.parser, { id, path: f.path, projectDir: basename(folder.path), mtimeMs: f.mtimeMs })
      // a state saved while the file was hot goes: `cs sync --full` would leave it at the mark it
      // reads again, and the next append would resume from it instead of from this reading
      const keep = f.size >= KEEP_STATE_BYTES || hot(`${id}.jsonl`, f.mtimeMs)
      if (keep || found) changes.parsers.push({ mark, state: keep ? saveParser(start.parser) : null })
      files.push({ mark, info })
      report.read++
      report.bytes += read.bytes
      report.unknownRecords += info.unknownRecords
      report.badLines += info.badLines
      if (++pending >= BATCH) {
        store.saveIndex(changes)
        changes = { folders: [], gone: [], parsers: [] }
        pending = 0
      }
    }
    report.dropped += before.size
    const listing = complete ? folder.listing : ''
    const mtimeMs = trustedMtime(folder.path, folder.mtimeMs, now)
    changes.folders.push({ path: folder.path, mtimeMs, listing, files })
  }

  for (const path of walked.gone) {
    report.dropped += store.folder(path)?.files.length ?? 0
    changes.gone.push(path)
  }
  store.saveIndex({ ...changes, moved: walked.moved })
  if (full) noteFullWalk(config, now)
  return report
}

/**
 * Feeds the parser the file's bytes from offset up to the size seen by stat, whole lines only:
 * a trailing partial line is carried to the next chunk. At the end, a last line without its
 * newline is read when it is a whole JSON object (lib/transcript.ts feedLast: a client that
 * exited mid-write, a trimmed copy), else left for the next run.
 */
function readFrom(f: Found, offset: number, parser: ParserState, buf: Buffer) {
  // replaced by a FIFO or a device since it was stat'ed: never opened for a blocking read
  const fd = openRegular(f.path)?.fd
  if (fd === undefined) return null
  // the same file (inode), grown, but not by an append: rewritten in place (a backup restored
  // with cp); read from its start
  if (offset > 0 && tailBefore(fd, offset) !== parser.tail) {
    Object.assign(parser, newParser())
    offset = 0
  }
  let pos = offset // file position of buf[0]
  let filled = 0 // bytes in buf not yet consumed
  try {
    while (pos + filled < f.size) {
      if (filled === buf.length && buf.length >= MAX_LINE) {
        const next = lineEnd(fd, pos + filled, f.size, buf)
        if (next < 0) break // not written whole yet: read again from its start next time
        skippedLine(parser)
        pos = next
        filled = 0
        continue
      }
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
    if (filled > 0 && pos + filled === f.size && feedLast(parser, buf, 0, filled) === filled) {
      pos += filled
      filled = 0
    }
    parser.tail = tailBefore(fd, pos)
  } finally {
    closeSync(fd)
  }
  return { buf, offset: pos, bytes: pos + filled - offset }
}

/** How many of a file's bytes before its offset the parser keeps (its tail) to tell an append. */
const TAIL_BYTES = 32

/** The TAIL_BYTES (fewer at the start) before `end`, as one-byte text. */
function tailBefore(fd: number, end: number): string {
  const n = Math.min(TAIL_BYTES, end)
  const bytes = Buffer.allocUnsafe(n)
  const got = n ? readSync(fd, bytes, 0, n, end - n) : 0
  return bytes.toString('latin1', 0, got)
}

/** The file offset just past the next newline at or after `from` (below `size`), or -1. */
function lineEnd(fd: number, from: number, size: number, buf: Buffer): number {
  for (let at = from; at < size; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - at), at)
    if (n === 0) return -1
    const nl = buf.subarray(0, n).indexOf(10)
    if (nl >= 0) return at + nl + 1
    at += n
  }
  return -1
}

function grow(buf: Buffer): Buffer {
  const bigger = Buffer.allocUnsafe(buf.length * 2)
  buf.copy(bigger)
  return bigger
}

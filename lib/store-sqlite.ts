// The SQLite store: the transcript index and cs's own metadata in one file under the state
// folder. WAL and a busy timeout let several cs processes (the tmux hook, the dashboard, a
// sync) use it at once. The only module that imports better-sqlite3.
import Database from 'better-sqlite3'
import { existsSync, mkdirSync, readFileSync, renameSync, statfsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { basename, dirname, join } from 'node:path'
import { deserialize } from 'node:v8'
import type { Config } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { brokenLinkError, fileError } from './file-errors.ts'
import { compareText } from './format.ts'
import { viewOf } from './host-rows.ts'
import {
  appendJournal,
  COMPACT_BYTES,
  journalPath,
  journalSize,
  readJournal,
  replay,
  rewriteJournal,
  snapshot,
  takeBack,
  type Appended,
  type JournalOp,
  type JournalTarget,
  type MetaColumn,
} from './journal.ts'
import { BlockReader, dropBlocks, sweepBlocks, writeBlock } from './block-files.ts'
import { blocksDir, dbPath } from './paths.ts'
import { moveAsideLine, shellWord } from './quote.ts'
import { notAFile, refuseIfNotAFile } from './regular-file.ts'
import type { HostFacts, HostRow, Launch, SessionMeta, SessionView, State, TranscriptInfo } from './session.ts'
import { HISTORY, rowHead, storedRow, type StoredRow } from './rows.ts'
import { MIN, shortIds } from './shortid.ts'
import type { FileMark, FolderIndex, HostRowChange, IndexChanges, MetaChange, RowQuery, Store, StoredAnswer } from './store.ts'
import { buildViews, URGENCY } from './views.ts'
import { say } from './stdout.ts'

/** Bump when the index tables or what the parser derives change: the index is rebuilt. Also
 *  when cs's own tables gain one (6: other hosts' copy, sync state), which migrate() creates.
 *  7: the dashboard's rows; other hosts' copy a row per session. 8: each folder's newest file
 *  and count, so that a warm run reads only the listings of folders with a hot file. 9: a count
 *  of writes to the rows, so that a push finds that none changed without comparing them.
 *  10: the rows tallied by what a listing filters on, so that the table's count of the rest
 *  reads a few tallies, not every row. 11: a folder's files as JSON lines, not v8-serialised.
 *  12: the history's rows kept in blocks too, so that a listing of every row reads a few dozen
 *  blobs, not 10,000 rows. 13: the last full walk noted in a file (lib/indexer.ts), its table
 *  gone; a cs of 12 sharing the state folder rebuilds instead of failing on it. 14: the blocks'
 *  texts in files (lib/block-files.ts), the table naming them. 15: an index of what tells a hot
 *  folder, so that a warm run does not read every folder's row. 16: listings with their hot
 *  files first, newest first (lib/indexer.ts relist reads only their head); from 15, every
 *  folder is listed again once, and nothing is read again. */
const SCHEMA = 17
const MMAP_BYTES = 1 << 30
/** sync_state's keys of a host's ssh answer (Store.hostAnswer): its text, and its digest, cs
 *  version, skipped rows and stamp as JSON. */
const ANSWER_KEY = 'answer:'
const ANSWER_OF_KEY = 'answer-of:'
/** A pull of more rows than this works the short ids out all at once. */
const MANY_IDS = 500

// tally: how many rows have each (urgency, hidden, dup, host), kept by triggers on rows
const TALLY_ADD = (r: string) =>
  `INSERT INTO tally VALUES (${r}.urgency, ${r}.hidden, ${r}.dup, ${r}.host, 1) ON CONFLICT DO UPDATE SET n = n + 1;`
const TALLY_DROP = (r: string) =>
  `UPDATE tally SET n = n - 1 WHERE (urgency, hidden, dup, host) = (${r}.urgency, ${r}.hidden, ${r}.dup, ${r}.host);`
// blocks: a change to a history row marks the block holding it stale
const HISTORY_SHOWN = (r: string) => `${r}.urgency = ${URGENCY.stopped} AND ${r}.dup = 0 AND ${r}.hidden = 0`
const BLOCK_OF = (r: string) => `(SELECT rowid FROM blocks WHERE upper >= ${r}.updated ORDER BY upper LIMIT 1)`
const STALE = (r: string) => `UPDATE blocks SET file = NULL, bytes = NULL WHERE ${HISTORY_SHOWN(r)} AND rowid = ${BLOCK_OF(r)};`
/** A block rebuilt with this many rows or more is cut in pieces of about half as many. */
const BLOCK_SPLIT = 512
/** The first block's upper: SQLite sorts a blob after every text, so it bounds no row. */
const TOP = "x''"
/** A block's upper as read: the first block's, a Buffer, or another's, an updated text. */
type Upper = Buffer | string

// The index, rebuilt from the transcripts whenever SCHEMA changes. One row per project folder:
// its listing and own mtime (a warm run compares them with what it sees and reads nothing more
// of an unchanged folder; its newest file's mtime, count and whether it is listed, kept in the
// index folders_hot too, so that a warm run finds the folders with a hot file without reading
// any folder's row) and its files' marks and infos as tuples, one JSON array a line: as fast to
// load 10,000 sessions from as v8's serialisation (a row per file costs a value per column),
// without the 2.5 ms of loading node:v8 itself, and a live session's line is found and parsed
// alone. Parser states, large and needed only for grown files, live apart, each with the mark it
// was saved at (lib/indexer.ts keeps them for hot and large files only).
const INDEX_TABLES = `
  CREATE TABLE folders (
    path TEXT PRIMARY KEY, mtime_ms REAL NOT NULL, newest REAL NOT NULL, count INTEGER NOT NULL,
    listed INTEGER NOT NULL, listing TEXT NOT NULL, files TEXT NOT NULL
  );
  CREATE TABLE parsers (
    path TEXT PRIMARY KEY, folder TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL,
    offset INTEGER NOT NULL, state TEXT NOT NULL
  );
  CREATE INDEX folders_hot ON folders (path, mtime_ms, newest, count, listed);
  CREATE INDEX parsers_folder ON parsers (folder);
  CREATE TABLE rows (
    host TEXT NOT NULL, id TEXT NOT NULL, folder TEXT, urgency INTEGER NOT NULL, updated TEXT NOT NULL,
    hidden INTEGER NOT NULL, dup INTEGER NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (urgency, updated DESC, id, host)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX rows_key ON rows (host, id);
  CREATE INDEX rows_id ON rows (id);
  CREATE INDEX rows_folder ON rows (folder);
  CREATE TABLE ids (id TEXT PRIMARY KEY, short TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE rows_built (host TEXT NOT NULL);
  CREATE TABLE rows_written (n INTEGER NOT NULL);
  INSERT INTO rows_written VALUES (0);
${Object.entries({ INSERT: 'new', UPDATE: 'new', DELETE: 'old' })
  .map(
    ([op, row]) => `CREATE TRIGGER rows_${op.toLowerCase()}_written AFTER ${op} ON rows
    WHEN ${row}.host = (SELECT host FROM rows_built) BEGIN UPDATE rows_written SET n = n + 1; END;
  CREATE TRIGGER rows_built_${op.toLowerCase()}_written AFTER ${op} ON rows_built
    BEGIN UPDATE rows_written SET n = n + 1; END;`
  )
  .join('\n  ')}
  CREATE TABLE tally (
    urgency INTEGER NOT NULL, hidden INTEGER NOT NULL, dup INTEGER NOT NULL, host TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (urgency, hidden, dup, host)
  ) WITHOUT ROWID;
  CREATE TRIGGER rows_insert_tally AFTER INSERT ON rows BEGIN ${TALLY_ADD('new')} END;
  CREATE TRIGGER rows_delete_tally AFTER DELETE ON rows BEGIN ${TALLY_DROP('old')} END;
  CREATE TRIGGER rows_update_tally AFTER UPDATE OF urgency, hidden, dup, host ON rows
    WHEN (old.urgency, old.hidden, old.dup, old.host) IS NOT (new.urgency, new.hidden, new.dup, new.host)
    BEGIN ${TALLY_DROP('old')} ${TALLY_ADD('new')} END;
  CREATE TABLE holders (id TEXT PRIMARY KEY, folder TEXT NOT NULL, at TEXT NOT NULL, summaries TEXT NOT NULL);
  CREATE TABLE blocks (upper TEXT, file TEXT, bytes INTEGER);
  CREATE UNIQUE INDEX blocks_upper ON blocks (upper);
  CREATE TRIGGER rows_insert_blocks AFTER INSERT ON rows BEGIN ${STALE('new')} END;
  CREATE TRIGGER rows_delete_blocks AFTER DELETE ON rows BEGIN ${STALE('old')} END;
  CREATE TRIGGER rows_update_blocks AFTER UPDATE ON rows BEGIN ${STALE('old')} ${STALE('new')} END;
`
// blocks: the history's rows shown by default (stopped, neither hidden nor another host's
// duplicate) as JSON texts joined as `cs ls --json` prints them, each block those whose updated
// is at most its upper and above the next block's (the first block's bounds none: TOP); its
// text in a file of `bytes` bytes (lib/block-files.ts), file NULL when a row in it changed since
// (the triggers above), rebuilt by the next listing.
// rows: the dashboard's (lib/rows.ts), in its order on disk (a listing reads them in sequence),
// this host's with their project folder; dup: another host's row whose id this host has (the
// index here is the truth: it is not shown); ids: every id of
// rows with its short id (kept right as ids come and go: the shortest prefix no neighbour in
// sorted order shares), so that a listing reads it instead of sorting every id; rows_built: the
// host name they were built for (none: build them); rows_written: how many writes this host's
// rows and rows_built have had (their triggers count them); holders: the files holding legacy summary
// records, which title other files (a change to them rebuilds the rows).
// cs's own records: never dropped by a rebuild.
const OWN_TABLES = `
  CREATE TABLE IF NOT EXISTS meta (id TEXT PRIMARY KEY, name TEXT, tag TEXT, deleted_at TEXT);
  CREATE TABLE IF NOT EXISTS launches (
    host TEXT NOT NULL, tmux_session TEXT NOT NULL, id TEXT NOT NULL, cwd TEXT NOT NULL,
    launched_at TEXT NOT NULL, last_state TEXT, last_seen_at TEXT, args TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (host, tmux_session)
  );
  CREATE TABLE IF NOT EXISTS meta_dirty (
    id TEXT NOT NULL, field TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (id, field)
  );
  CREATE TABLE IF NOT EXISTS host_row (
    host TEXT NOT NULL, id TEXT NOT NULL, row TEXT NOT NULL, PRIMARY KEY (host, id)
  );
  CREATE TABLE IF NOT EXISTS hosts (
    name TEXT PRIMARY KEY, ssh TEXT, cs_version TEXT, last_sync TEXT, heartbeat TEXT,
    fetched_at TEXT, source TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS pushed (id TEXT PRIMARY KEY, hash TEXT NOT NULL);
`

// A file as stored: its name (id, path and project folder follow from it and the folder), its
// mark, then the TranscriptInfo fields. toTuple, infoOf and markOf must agree on the order.
type Tuple = any[]
type FileIndex = FolderIndex['files'][number]

// prettier-ignore
const toTuple = ({ mark, info: i }: FileIndex): Tuple => [
  basename(mark.path), mark.size, mark.mtimeMs, mark.offset,
  i.cwd, i.branch, i.customTitle, i.agentName, i.aiTitle, i.summary, i.firstPrompt, i.lastPrompt,
  i.tag, i.createdAt, i.updatedAt, i.userMessages, i.assistantMessages, i.model, i.tokens.input,
  i.tokens.output, i.tokens.cacheRead, i.tokens.cacheWrite, i.version, i.orphan, i.sidechain,
  i.unknownRecords, i.badLines, i.lastUuid, i.summaries.length ? i.summaries : 0, i.command,
  i.sidechainMessages,
]

/** The line of `lines` that starts with `start`, or null. */
function lineOf(lines: string, start: string): string | null {
  const first = lines.startsWith(start)
  const at = first ? 0 : lines.indexOf(`\n${start}`) + 1
  if (at === 0 && !first) return null
  const end = lines.indexOf('\n', at)
  return lines.slice(at, end < 0 ? undefined : end)
}

// shared by the infos of the files that hold none (nearly all): read, never added to
const NO_SUMMARIES: TranscriptInfo['summaries'] = []

// prettier-ignore
const infoOf = (folder: string, projectDir: string, t: Tuple): TranscriptInfo => ({
  id: t[0].slice(0, -6), path: `${folder}/${t[0]}`, projectDir,
  cwd: t[4], branch: t[5], customTitle: t[6], agentName: t[7], aiTitle: t[8], summary: t[9],
  firstPrompt: t[10], lastPrompt: t[11], tag: t[12], createdAt: t[13], updatedAt: t[14],
  userMessages: t[15], assistantMessages: t[16], model: t[17],
  tokens: { input: t[18], output: t[19], cacheRead: t[20], cacheWrite: t[21] },
  version: t[22], orphan: t[23], sidechain: t[24], unknownRecords: t[25], badLines: t[26],
  lastUuid: t[27], summaries: t[28] || NO_SUMMARIES, command: t[29], sidechainMessages: t[30],
})

const markOf = (folder: string, t: Tuple): FileMark => ({
  path: `${folder}/${t[0]}`,
  size: t[1],
  mtimeMs: t[2],
  offset: t[3],
})

type Holder = Pick<TranscriptInfo, 'updatedAt' | 'summaries'>

/** A legacy summary record in file A whose leafUuid is file B's last message titles B; the latest wins. */
function summariesByLeaf(holders: Holder[]): Map<string, string> {
  const byLeaf = new Map<string, string>()
  const sorted = holders.slice().sort((a, b) => compareText(a.updatedAt ?? '', b.updatedAt ?? ''))
  for (const h of sorted) for (const s of h.summaries) byLeaf.set(s.leafUuid, s.summary)
  return byLeaf
}

function resolveSummaries(all: TranscriptInfo[], byLeaf: Map<string, string>): void {
  if (byLeaf.size === 0) return
  for (const t of all) {
    const s = t.lastUuid === null ? undefined : byLeaf.get(t.lastUuid)
    if (s !== undefined) t.summary = s
  }
}

const corrupt = (file: string, why: string) =>
  new CsError(
    `cannot open the database ${file}: ${why}`,
    undefined,
    `move it away (${moveAsideLine(file, '.bad')}): it is a cache of the transcripts ` +
      `plus cs's names and tags, rebuilt on the next run`,
    'damaged'
  )

const COLUMN: Record<MetaChange['field'], MetaColumn> = { name: 'name', tag: 'tag', deletedAt: 'deleted_at' }
const FIELD: Record<MetaColumn, MetaChange['field']> = { name: 'name', tag: 'tag', deleted_at: 'deletedAt' }

/** What a SQLite failure means to the user: the store is damaged, cannot be written, or busy. */
function storeError(file: string, e: unknown): unknown {
  if (e instanceof CsError) return e
  const code = (e as { code?: unknown })?.code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return e
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) return corrupt(file, (e as Error).message)
  if (/^SQLITE_BUSY|^SQLITE_LOCKED/.test(code))
    return new CsError(`the database ${file} is busy: another cs holds it`, undefined, 'run the command again')
  if (/^SQLITE_(READONLY|FULL|IOERR|CANTOPEN|PERM|AUTH)/.test(code)) {
    // SQLite's own files beside it: a FIFO at -shm cannot be mapped ("disk I/O error"); a link
    // to nothing where the database should be
    const beside = notAFile(`${file}-shm`, "the database's shared-memory file", 'unwritable') ??
      notAFile(`${file}-wal`, "the database's write-ahead log", 'unwritable') ??
      brokenLinkError(file, `cannot open the database ${file}`)
    if (beside) return beside
    const dir = dirname(file)
    const why = diskFull(dir)
      ? 'the disk is full'
      : /READONLY|PERM|AUTH|CANTOPEN/.test(code)
        ? 'it is read-only'
        : `${(e as Error).message}`
    return new CsError(
      `cannot write the database ${file}: ${why}`,
      undefined,
      `${why === 'the disk is full' ? `free some space on ${dir}` : `make ${dir} and the files in it writable`}; ` +
        'nothing was lost, and cs ls, list and info still answer from what was saved',
      'unwritable'
    )
  }
  return e
}

function diskFull(dir: string): boolean {
  try {
    return statfsSync(dir).bavail === 0
  } catch {
    return false
  }
}

/** [key, value] pairs grouped by key. */
function groupBy<K, V>(pairs: [K, V][]): Map<K, V[]> {
  const out = new Map<K, V[]>()
  for (const [k, v] of pairs) out.set(k, [...(out.get(k) ?? []), v])
  return out
}

const SEPARATOR = Buffer.from(',\n') // between the rows of a block
/**
 * A block's rows without those of `ids`: the runs of rows left, each joined as in the block. A
 * row starts its line with its id (lib/rows.ts rowHead); its text holds no newline, and no `{"`
 * inside a string, where JSON escapes the quote.
 */
function* leaving(json: Buffer, ids: string[]): Generator<Buffer> {
  if (ids.length === 0) return yield json
  const gone: [start: number, end: number][] = []
  for (const id of new Set(ids)) {
    // every row of it (one a host)
    const head = Buffer.from(rowHead(id, ''))
    for (let at = json.indexOf(head); at >= 0; at = json.indexOf(head, at + 1)) {
      if (at > 0 && json[at - 1] !== SEPARATOR[1]) continue
      const next = json.indexOf(SEPARATOR, at)
      gone.push([at, next < 0 ? json.length : next])
    }
  }
  gone.sort((x, y) => x[0] - y[0])
  let from = 0
  for (const [start, end] of gone) {
    if (start > from) yield json.subarray(from, start - SEPARATOR.length)
    from = end + SEPARATOR.length
  }
  if (from < json.length) yield json.subarray(from)
}

/** Every method of the store, its SQLite errors turned into CsErrors that say what happened:
 *  those of the rows it returns read as they are consumed (an iterator) too. */
function guarded(file: string, store: Store, setAsideNow: () => string, journal: string): Store {
  const readOnly = store.readOnly()
  const judged = <T>(fn: () => T): T => {
    try {
      return fn()
    } catch (e) {
      // opened for reading only: a write fails for the reason it was
      if (readOnly && /^SQLITE_READONLY/.test((e as { code?: string }).code ?? '')) throw readOnly
      const err = storeError(file, e)
      if (!(err instanceof CsError) || err.reason !== 'damaged' || readOnly) throw err
      // damage found while working: set aside now, so that the next open rebuilds
      throw new CsError(damagedNote(file, setAsideNow(), existsSync(journal)), undefined, 'run the command again', 'damaged')
    }
  }
  function* steps<T>(it: Iterator<T>): Generator<T> {
    try {
      for (let r = judged(() => it.next()); !r.done; r = judged(() => it.next())) yield r.value
    } finally {
      it.return?.() // a reader that stopped early (EPIPE) ends the statement
    }
  }
  const isIterator = (x: unknown): x is Iterator<unknown> =>
    typeof (x as Iterator<unknown> | null)?.next === 'function' && Symbol.iterator in (x as object)
  for (const [key, value] of Object.entries(store))
    if (typeof value === 'function')
      (store as any)[key] = (...args: unknown[]) => {
        const result = judged(() => value(...args))
        return isIterator(result) ? steps(result) : result
      }
  return store
}


/** better-sqlite3's addon, by path: its JS is in cs's bundle (scripts/build.mjs), where the
 *  `bindings` lookup it would do (a dozen paths probed from the caller's file) cannot find it.
 *  First in the checkout's own node_modules, beside lib/ and dist/ alike; else where Node's
 *  resolution finds the package (reading package.json files on the way: 1 ms of every start). */
const ADDON = 'build/Release/better_sqlite3.node'
const beside = fileURLToPath(new URL(`../node_modules/better-sqlite3/${ADDON}`, import.meta.url))
let addon: string | undefined
/** Looked for when a store is opened, not as cs loads: a cs whose dependencies are gone (an npm
 *  ci that failed half way) still runs what needs no store, `cs update` among them. */
function nativeBinding(): string {
  if (addon) return addon
  if (existsSync(beside)) return (addon = beside)
  try {
    return (addon = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), ADDON))
  } catch {
    const checkout = beside.slice(0, beside.lastIndexOf('/node_modules/'))
    throw new CsError(
      "cs's dependencies are not installed: better-sqlite3 is missing",
      EXIT.unavailable,
      `install them: cd ${shellWord(checkout)} && ./install.sh`
    )
  }
}

/** SQLite's addon could not be loaded: built for another Node (after an upgrade), or damaged. */
function addonError(e: unknown): CsError | null {
  if ((e as NodeJS.ErrnoException)?.code !== 'ERR_DLOPEN_FAILED') return null
  const checkout = nativeBinding().slice(0, nativeBinding().lastIndexOf('/node_modules/'))
  return new CsError(
    `cannot load SQLite's addon with node ${process.version}: ${(e as Error).message}`,
    undefined,
    `build it for this node: cd ${shellWord(checkout)} && npm rebuild better-sqlite3`
  )
}

/** The database as last saved, for reading only: where it cannot be written (a read-only
 * folder, a full disk) SQLite cannot make the WAL's shared-memory file, so the file is read
 * into memory, its header marked as not WAL (bytes 18 and 19: the read and write versions). */
function openSaved(file: string): Database.Database {
  const image = readFileSync(file)
  if (image.length >= 20) image[18] = image[19] = 1
  const db = new Database(image, { readonly: true, nativeBinding: nativeBinding() })
  if (db.pragma('user_version', { simple: true }) !== SCHEMA) {
    db.close()
    throw new CsError(`the database ${file} is of another version and cannot be rebuilt here`)
  }
  return db
}

/** Opens (creating or migrating) the database for writing. */
function openWritable(config: Config, file: string): Database.Database {
  const st = statSync(config.stateDir, { throwIfNoEntry: false })
  if (st && !st.isDirectory())
    throw new CsError(
      `cs's state folder ${config.stateDir} is not a folder`,
      undefined,
      `move the file away (${moveAsideLine(config.stateDir)}), or set XDG_STATE_HOME`
    )
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 })
  // SQLite waits up to BUSY_MS for a lock, except where waiting could deadlock: two processes
  // switching a new database to WAL at once, one of them fails at once. Opening changes nothing
  // until the migration commits, so it is tried again, within the same time.
  const deadline = Date.now() + BUSY_MS
  for (;;) {
    const db = new Database(file, { timeout: BUSY_MS, nativeBinding: nativeBinding() })
    try {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      // a statement that fires triggers (rows: lib/rows.ts) keeps a statement journal, which
      // SQLite moves to a temporary file past 64 KB unless temp_store is MEMORY: some 16 writes
      // a row then (building 10,000 rows: 164,000 writes, not 8,600)
      db.pragma('temp_store = MEMORY')
      const version = db.pragma('user_version', { simple: true })
      if (version !== SCHEMA) migrate(db)
      // pages read through a mapping, not a read() and a copy each: a dashboard reads every row.
      // Not while the index is built (a new database, another schema): that run writes every
      // page and reads few back, and mapped pages would count in its memory (13 MB at 10,000
      // sessions).
      else db.pragma(`mmap_size = ${MMAP_BYTES}`)
      return db
    } catch (e) {
      db.close()
      const code = (e as { code?: unknown })?.code
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw e
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
    }
  }
}

/** How long a command waits for another cs that holds the database. */
const BUSY_MS = 5000

/** Moves a damaged database (and its WAL files) aside, kept for a look; returns where. */
function setAside(file: string): string {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`
  for (const suffix of ['', '-wal', '-shm'])
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix)
  return aside
}

const damagedNote = (file: string, aside: string, journal: boolean) =>
  `the database ${file} was damaged: it is set aside as ${aside}; the index is rebuilt from the ` +
  (journal
    ? "transcripts, and cs's names, tags, deletions and launch records come back from cs.journal"
    : "transcripts; with no cs.journal beside it, cs's names, tags, deletions and launch records are only in the copy set aside")

/** A damaged database set aside and made anew (its metadata from the journal, below). Either
 *  step may meet a full or read-only disk: then nothing was saved to answer from, and the error
 *  says what to free, not what the unwritable case of an intact database says. */
function rebuildDamaged(config: Config, file: string): Database.Database {
  let aside: string
  try {
    aside = setAside(file)
  } catch (e) {
    throw cannotRebuild(config, file, 'be set aside', e)
  }
  say(damagedNote(file, aside, existsSync(journalPath(config))))
  try {
    return openWritable(config, file)
  } catch (e) {
    throw cannotRebuild(config, file, 'be made again', e)
  }
}
const cannotRebuild = (config: Config, file: string, what: string, e: unknown) =>
  new CsError(
    `the database ${file} is damaged, and cannot ${what}: ${diskFull(config.stateDir) ? 'the disk is full' : (fileError(e)?.message ?? (e as Error).message)}`,
    undefined,
    `free some space on ${config.stateDir}, or make it writable: the next cs makes the database again, with cs's names and tags from cs.journal`
  )

export function openStore(config: Config): Store {
  const file = dbPath(config)
  const journal = journalPath(config)
  const blocks = blocksDir(config)
  let db: Database.Database
  /** why the store can only be read (null: it can be written) */
  let readOnly: CsError | null = null
  refuseIfNotAFile(file, 'the database')
  try {
    db = openWritable(config, file)
  } catch (e) {
    const err = fileError(e) ?? storeError(file, e)
    // not SQLite's word on the file: its addon, or a bug, which moving the file would not mend
    if (!(err instanceof CsError)) throw addonError(e) ?? e
    if (err.reason === 'damaged' && existsSync(file)) {
      db = rebuildDamaged(config, file)
    } else {
      if (err.reason !== 'unwritable' || !existsSync(file)) throw err
      readOnly = err
      try {
        db = openSaved(file)
      } catch (saved) {
        // nothing saved to answer from: a damaged database on a full or read-only disk
        if ((storeError(file, saved) as CsError)?.reason === 'damaged') throw cannotRebuild(config, file, 'be made again', e)
        throw err
      }
    }
  }
  const statements = new Map<string, Database.Statement>()
  // rows the sync's own values and the blocks of rows took: changes() leaves them out
  let bookkeeping = 0
  const sql = (text: string) => {
    let s = statements.get(text)
    if (!s) statements.set(text, (s = db.prepare(text)))
    return s
  }
  const totalChanges = () => sql('SELECT total_changes()').pluck().get() as number

  // no raw newline inside a line: JSON escapes it in strings
  const tuples = (lines: string): Tuple[] => {
    try {
      return JSON.parse(`[${lines.replaceAll('\n', ',')}]`)
    } catch (e) {
      throw corrupt(file, `an index row is unreadable (${(e as Error).message})`)
    }
  }
  const folder = (path: string): FolderIndex | null => {
    const row = sql('SELECT listing, mtime_ms, files FROM folders WHERE path = ?').raw().get(path) as
      | [string, number, string]
      | undefined
    if (!row) return null
    const projectDir = basename(path)
    const files = tuples(row[2]).map((t) => ({ mark: markOf(path, t), info: infoOf(path, projectDir, t) }))
    return { path, listing: row[0], mtimeMs: row[1], files }
  }
  const putFolder = (f: FolderIndex) => {
    const lines = f.files.map((x) => JSON.stringify(toTuple(x)))
    const files = lines.join('\n')
    const built = rowsBuilt()
    const was = built ? (sql('SELECT files FROM folders WHERE path = ?').pluck().get(f.path) as string | undefined) : undefined
    const newest = f.files.reduce((n, x) => Math.max(n, x.mark.mtimeMs), 0)
    sql(
      'INSERT OR REPLACE INTO folders (path, mtime_ms, newest, count, listed, listing, files) VALUES (?, ?, ?, ?, ?, ?, ?)'
    ).run(f.path, f.mtimeMs, newest, f.files.length, f.listing ? 1 : 0, f.listing, files)
    const kept = new Set(f.files.map((x) => x.mark.path))
    for (const p of sql('SELECT path FROM parsers WHERE folder = ?').pluck().all(f.path) as string[])
      if (!kept.has(p)) sql('DELETE FROM parsers WHERE path = ?').run(p)
    if (!built) return
    // a file whose line is as stored (mark and info) keeps its row as it is
    const same = new Set(was?.split('\n'))
    const changed = new Set(f.files.flatMap((x, i) => (same.has(lines[i]) ? [] : [x.info.id])))
    putLocalRows(f.path, f.files.map((x) => x.info), changed)
  }

  // The dashboard's rows (lib/rows.ts). Written only once built (a cold index does not pay for
  // them: the first listing builds them all), then kept in step by every write that changes them.
  const host = config.host
  const rowsBuilt = () => sql('SELECT host FROM rows_built').pluck().get() === host
  const neighbours = (id: string) =>
    [
      sql('SELECT max(id) FROM ids WHERE id < ?').pluck().get(id) as string | null,
      sql('SELECT min(id) FROM ids WHERE id > ?').pluck().get(id) as string | null,
    ].filter((x): x is string => x !== null)
  /** A new short id for id, in the ids table and in its rows' text. */
  const setShort = (id: string, short: string) => {
    const old = sql('SELECT short FROM ids WHERE id = ?').pluck().get(id) as string | undefined
    if (old === undefined || old === short) return
    sql('UPDATE ids SET short = ? WHERE id = ?').run(short, id)
    sql('UPDATE rows SET json = ? || substr(json, ?) WHERE id = ?').run(rowHead(id, short), rowHead(id, old).length + 1, id)
  }
  const reshort = (id: string) => setShort(id, shortIds([id, ...neighbours(id)]).get(id)!)
  /** An id that may be new: its short id and its neighbours' are worked out again. */
  const idAdded = (id: string, building: boolean) => {
    if (!sql("INSERT OR IGNORE INTO ids (id, short) VALUES (?, '')").run(id).changes || building) return
    for (const x of [id, ...neighbours(id)]) reshort(x)
  }
  /** Rows dropped: an id no row holds any more goes, and its neighbours' short ids are worked out again. */
  const idsMaybeGone = (ids: string[]) => {
    for (const id of ids) {
      if (!sql('SELECT 1 FROM rows WHERE host = ? AND id = ?').get(host, id))
        sql('UPDATE rows SET dup = 0 WHERE id = ? AND dup = 1').run(id)
      if (sql('SELECT 1 FROM rows WHERE id = ?').get(id)) continue
      if (sql('DELETE FROM ids WHERE id = ?').run(id).changes) for (const x of neighbours(id)) reshort(x)
    }
  }
  /** Every short id worked out again at once: cheaper than one by one for many new ids. */
  const reshortAll = () => {
    const ids = sql('SELECT id FROM ids ORDER BY id').pluck().all() as string[]
    for (const [id, short] of shortIds(ids)) setShort(id, short)
  }
  const putRow = (v: SessionView, folder: string | null, building = false) => {
    const r = storedRow(v)
    idAdded(r.id, building)
    writeRow(r, folder, sql('SELECT short FROM ids WHERE id = ?').pluck().get(r.id) as string)
  }
  const writeRow = (r: StoredRow, folder: string | null, short: string) => {
    const dup = r.host !== host && sql('SELECT 1 FROM rows WHERE host = ? AND id = ?').get(host, r.id) ? 1 : 0
    const written = sql(
      'INSERT INTO rows (host, id, folder, urgency, updated, hidden, dup, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (host, id) DO UPDATE SET folder = excluded.folder, urgency = excluded.urgency, ' +
        'updated = excluded.updated, hidden = excluded.hidden, json = excluded.json ' +
        'WHERE json != excluded.json OR folder IS NOT excluded.folder'
    ).run(r.host, r.id, folder, r.urgency, r.updated, r.hidden ? 1 : 0, dup, rowHead(r.id, short) + r.tail).changes
    if (written && r.host === host) sql('UPDATE rows SET dup = 1 WHERE id = ? AND host != ? AND dup = 0').run(r.id, host)
  }
  const metaOf = (ids: string[]) => {
    const rows = sql('SELECT id, name, tag, deleted_at FROM meta WHERE id IN (SELECT value FROM json_each(?))')
      .raw()
      .all(JSON.stringify(ids)) as any[][]
    return new Map<string, SessionMeta>(rows.map((r) => [r[0], { id: r[0], name: r[1], tag: r[2], deletedAt: r[3] }]))
  }
  const heldSummaries = () =>
    summariesByLeaf(
      (sql('SELECT at, summaries FROM holders').raw().all() as [string, string][]).map(([at, text]) => ({
        updatedAt: at || null,
        summaries: JSON.parse(text),
      }))
    )
  /** Drops the rows: the next listing builds them again. */
  const unbuild = () => sql('DELETE FROM rows_built').run()
  /** This host's rows of one project folder's files, rewritten where they differ; `changed`: the
   *  ids whose infos may have changed (default: every one). The holders of legacy summaries must
   *  not have changed (else all rows are built again: they title files of other folders). */
  const putLocalRows = (folderPath: string, files: TranscriptInfo[], changed?: Set<string>) => {
    const before = new Map(
      sql('SELECT id, summaries FROM holders WHERE folder = ?').raw().all(folderPath) as [string, string][]
    )
    const holding = files.filter((t) => t.summaries.length > 0)
    if (holding.length !== before.size || holding.some((t) => before.get(t.id) !== JSON.stringify(t.summaries)))
      return void unbuild()
    const infos = files.flatMap((t) => (changed && !changed.has(t.id) ? [] : [{ ...t }]))
    resolveSummaries(infos, heldSummaries())
    const views = buildViews(infos, metaOf(infos.map((t) => t.id)), [], host, [], new Date())
    // only rows that differ are written: an append to one transcript rewrites its row, not its
    // folder's 50 others (three statements each)
    const stored = new Map(
      (sql('SELECT r.id, json, short FROM rows r JOIN ids USING (id) WHERE host = ? AND folder = ?')
        .raw()
        .all(host, folderPath) as [string, string, string][]).map(([id, json, short]) => [id, { json, short }])
    )
    for (const v of views) {
      const was = stored.get(v.id)
      if (!was || was.json !== rowHead(v.id, was.short) + storedRow(v).tail) putRow(v, folderPath)
    }
    const gone = sql(
      'DELETE FROM rows WHERE host = ? AND folder = ? AND id NOT IN (SELECT value FROM json_each(?)) RETURNING id'
    ).pluck().all(host, folderPath, JSON.stringify(files.map((t) => t.id))) as string[]
    idsMaybeGone(gone)
  }
  const hostRowOf = (text: string): HostRow => JSON.parse(text)
  /** The rows of one id, after its name, tag or deletion changed. */
  const rowsOfId = (id: string) => {
    const at = sql('SELECT folder FROM rows WHERE host = ? AND id = ?').pluck().get(host, id) as string | null | undefined
    const f = at ? folder(at) : null
    if (f) putLocalRows(f.path, f.files.map((x) => x.info))
    const m = metaOf([id]).get(id)
    for (const text of sql('SELECT row FROM host_row WHERE id = ? AND host != ?').pluck().all(id, host) as string[])
      putRow(viewOf(hostRowOf(text), m), null)
  }
  const buildRows = db.transaction(() => {
    if (rowsBuilt()) return
    sql('DELETE FROM rows').run()
    sql('DELETE FROM ids').run()
    sql('DELETE FROM holders').run()
    sql('DELETE FROM blocks').run()
    const all = store.transcripts()
    const holders = all.filter((t) => t.summaries.length > 0)
    for (const t of holders)
      sql('INSERT OR REPLACE INTO holders (id, folder, at, summaries) VALUES (?, ?, ?, ?)').run(
        t.id,
        dirname(t.path),
        t.updatedAt ?? '',
        JSON.stringify(t.summaries)
      )
    const meta = store.meta()
    const rows: [StoredRow, string | null][] = buildViews(all, meta, [], host, [], new Date()).map((v) => [
      storedRow(v),
      v.path && dirname(v.path),
    ])
    for (const r of store.hostRows()) if (r.host !== host) rows.push([storedRow(viewOf(r, meta.get(r.id))), null])
    // every short id worked out first: each row is written once, with its own
    const shorts = shortIds(rows.map(([r]) => r.id))
    const putId = sql('INSERT INTO ids (id, short) VALUES (?, ?)')
    for (const [id, short] of shorts) putId.run(id, short)
    // in the table's own order (its primary key): each row goes at its end, splitting no page
    rows.sort(
      ([x], [y]) =>
        x.urgency - y.urgency || compareText(y.updated, x.updated) || compareText(x.id, y.id) || compareText(x.host, y.host)
    )
    for (const [r, folder] of rows) writeRow(r, folder, shorts.get(r.id)!)
    sql('DELETE FROM rows_built').run()
    sql('INSERT INTO rows_built (host) VALUES (?)').run(host)
  })
  const ensureRows = () => {
    if (!rowsBuilt()) buildRows.immediate()
  }
  /** The history rows shown by default whose updated is in (lower, upper] (lower null: no
   *  bound), in the dashboard's order: a block's, as id, updated and JSON text. */
  const blockRows = (upper: Upper, lower: string | null) =>
    sql(
      `SELECT id, updated, json FROM rows r WHERE ${HISTORY_SHOWN('r')} AND updated <= ?` +
        `${lower === null ? '' : ' AND updated > ?'} ORDER BY urgency, updated DESC, id, host`
    )
      .raw()
      .all(...(lower === null ? [upper] : [upper, lower])) as [id: string, updated: string, json: string][]
  /** The upper of the block after the one bounded by upper, which is its lower bound. */
  const lowerOf = (upper: Upper) =>
    (sql('SELECT upper FROM blocks WHERE upper < ? ORDER BY upper DESC LIMIT 1').pluck().get(upper) as string | undefined) ?? null
  /** the files the build under way wrote: no block names them if it fails */
  let written: string[] = []
  /** Each stale block built again from its rows: one of BLOCK_SPLIT rows or more cut in pieces
   *  (only where updated changes, as blocks are bounded by it), one with none dropped (its rows'
   *  range joins the block above, which holds none of it). The first block always stays. */
  const rebuildBlocks = db.transaction(() => {
    sql(`INSERT OR IGNORE INTO blocks (upper) VALUES (${TOP})`).run()
    const stale = sql('SELECT rowid, upper FROM blocks WHERE file IS NULL').raw().all() as [number, Upper][]
    for (const [rowid, upper] of stale) {
      const rows = blockRows(upper, lowerOf(upper))
      if (rows.length === 0 && typeof upper === 'string') {
        sql('DELETE FROM blocks WHERE rowid = ?').run(rowid)
        continue
      }
      const cuts = [0]
      if (rows.length >= BLOCK_SPLIT)
        for (let k = BLOCK_SPLIT / 2; k <= rows.length - BLOCK_SPLIT / 2; k += BLOCK_SPLIT / 2) {
          while (k < rows.length && rows[k][1] === rows[k - 1][1]) k++
          if (k <= rows.length - BLOCK_SPLIT / 4) cuts.push(k)
        }
      const file = (from: number, to: number) => {
        const text = Buffer.from(rows.slice(from, to).map((r) => r[2]).join(',\n'))
        const name = writeBlock(blocks, text)
        written.push(name)
        return [name, text.length]
      }
      sql('UPDATE blocks SET file = ?, bytes = ? WHERE rowid = ?').run(...file(0, cuts[1] ?? rows.length), rowid)
      for (let p = 1; p < cuts.length; p++)
        sql('INSERT INTO blocks (upper, file, bytes) VALUES (?, ?, ?)').run(rows[cuts[p]][1], ...file(cuts[p], cuts[p + 1] ?? rows.length))
    }
    // the files of blocks built again or dropped, and of a build that failed, under the write lock
    sweepBlocks(blocks, new Set(sql('SELECT file FROM blocks WHERE file IS NOT NULL').pluck().all() as string[]))
  })
  /** Writes to the blocks where the store can be written now: without waiting for another cs's
   *  write lock (a sync's), as their rows can be read instead. */
  const unlessBusy = (write: () => void) => {
    const before = totalChanges()
    db.pragma('busy_timeout = 0')
    try {
      write()
    } catch (e) {
      // a file that could not be written (a full disk) as well: the blocks' rows are read instead
      const code = String((e as { code?: unknown })?.code)
      if (!/^(SQLITE_(BUSY|LOCKED|READONLY|FULL|IOERR)|E[A-Z]+$)/.test(code)) throw e
    } finally {
      db.pragma(`busy_timeout = ${BUSY_MS}`)
      bookkeeping += totalChanges() - before // a copy of the rows, not a change to them
    }
  }
  /** The stale blocks built again. */
  const freshenBlocks = () => {
    const ready = `EXISTS (SELECT 1 FROM blocks WHERE upper = ${TOP}) AND NOT EXISTS (SELECT 1 FROM blocks WHERE file IS NULL)`
    if (sql(`SELECT ${ready}`).pluck().get() === 1) return
    written = []
    unlessBusy(() => {
      try {
        rebuildBlocks.immediate()
      } catch (e) {
        // rolled back (a full disk, a crash of the commit): the files written for it are removed,
        // or each failed build would leave its files to fill what the disk has left
        dropBlocks(blocks, written)
        throw e
      }
    })
  }
  /** Blocks whose files could not be read (lost, damaged) marked stale, so that the next listing
   *  builds them again: only where they still name those files (a newer build swept an older). */
  const loseBlocks = db.transaction((lost: [rowid: number, file: string][]) => {
    for (const [rowid, file] of lost) sql('UPDATE blocks SET file = NULL, bytes = NULL WHERE rowid = ? AND file = ?').run(rowid, file)
  })
  // another host's row whose id this host has is left out; rows built fresh too, their few ids
  // bound one by one (NOT IN over json_each cost 2 µs a row). Only the conditions a query needs
  // are written. `+host`: one host's rows are read in the primary key's order and filtered, not
  // looked up by host and sorted (with 3 hosts of 10,000 rows, 0.4 ms for 50 rows, not 30-110).
  const rowsFilter = (q: RowQuery) => `dup = 0${q.all ? '' : ' AND hidden = 0'}${q.host === null ? '' : ' AND +host = ?'}`
  const filterArgs = (q: RowQuery) => (q.host === null ? [] : [q.host])
  const rowsWhere = (q: RowQuery, urgency: string) =>
    `FROM rows r WHERE ${urgency} AND ${rowsFilter(q)} AND r.id NOT IN (${q.exclude.map(() => '?').join(', ')})`
  const rowsArgs = (q: RowQuery) => [...filterArgs(q), ...q.exclude]
  // a row's JSON as stored, or with the short id given instead (what follows it starts with
  // the name's key: lib/rows.ts)
  const rowText = (q: RowQuery) =>
    Object.keys(q.shorts).length
      ? `coalesce('{"id":' || json_quote(r.id) || ',"short":"' || json_extract(?, '$.' || json_quote(r.id)) ||
          substr(r.json, instr(r.json, '","name":')), r.json)`
      : 'r.json'
  const shortsArg = (q: RowQuery) => (Object.keys(q.shorts).length ? [JSON.stringify(q.shorts)] : [])
  // cs's own metadata: written to the database and, in the same transaction, to the journal
  const raw: JournalTarget = {
    setMeta(column, id, value) {
      sql(
        `INSERT INTO meta (id, ${column}) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET ${column} = excluded.${column}`
      ).run(id, value)
      // emptied, it goes; not for another host's session, whose row says what its host last knew
      // (a deletion undone here would show it deleted again until that host pushes anew)
      sql(
        'DELETE FROM meta WHERE id = ? AND name IS NULL AND tag IS NULL AND deleted_at IS NULL ' +
          'AND NOT EXISTS (SELECT 1 FROM host_row WHERE id = ?)'
      ).run(id, id)
      if (rowsBuilt()) rowsOfId(id)
    },
    saveLaunch(l) {
      sql(
        'INSERT OR REPLACE INTO launches (host, tmux_session, id, cwd, launched_at, last_state, last_seen_at, args) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
      ).run(l.host, l.tmuxSession, l.id, l.cwd, l.launchedAt, l.lastState, l.lastSeenAt, JSON.stringify(l.args))
    },
    noteState(tmuxSession, host, id, state, at) {
      sql(
        'UPDATE launches SET id = ?, last_state = ?, last_seen_at = ? WHERE host = ? AND tmux_session = ?'
      ).run(id, state, at, host, tmuxSession)
    },
    dropLaunch(host, tmuxSession) {
      sql('DELETE FROM launches WHERE host = ? AND tmux_session = ?').run(host, tmuxSession)
    },
  }
  // the journal's lines of the transaction under way, from its first append to its last
  let appended: Appended | null = null
  /** fn in a transaction (one begun inside another is part of it), `immediate`: the write lock
   *  taken first. When the outermost fails, its commit too (refused on a full disk), the journal
   *  lines it appended are taken back: a change the user was told failed never comes back from
   *  the journal when the database is rebuilt. */
  function atomically<T>(fn: () => T, immediate = false): T {
    if (db.inTransaction) return db.transaction(fn)()
    appended = null
    try {
      const run = db.transaction(fn)
      return immediate ? run.immediate() : run()
    } catch (e) {
      if (appended) takeBack(journal, appended)
      throw e
    } finally {
      appended = null
    }
  }
  const journaled = (ops: JournalOp[], also?: () => void) =>
    atomically(() => {
      replay(ops, raw)
      const [from, to] = appendJournal(journal, ops)
      appended = [appended?.[0] ?? from, to]
      also?.()
    })
  // every change is also noted for the shared store: a rename made offline travels at the next sync
  const setMeta = (column: MetaColumn, ids: string[], value: string | null) =>
    journaled(
      ids.map((id) => ({ op: 'meta', id, column, value })),
      () => {
        const dirty = sql('INSERT INTO meta_dirty (id, field, n) VALUES (?, ?, 1) ON CONFLICT (id, field) DO UPDATE SET n = n + 1')
        for (const id of ids) dirty.run(id, FIELD[column])
      }
    )
  const syncValue = (key: string) => (sql('SELECT value FROM sync_state WHERE key = ?').pluck().get(key) as string | undefined) ?? null
  const setSyncValue = (key: string, value: string | null) => {
    const written =
      value === null
        ? sql('DELETE FROM sync_state WHERE key = ?').run(key)
        : sql('INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)').run(key, value)
    bookkeeping += written.changes
  }
  /** A host's kept ssh answer (Store.hostAnswer); without its text unless asked for. It stands
   *  only while the host's rows were last fetched with it: a cs that keeps no answers (an older
   *  one, on this same store) may have replaced them since. */
  function keptAnswer(host: string): StoredAnswer | null {
    const head = sql('SELECT value, (SELECT fetched_at FROM hosts WHERE name = ?) FROM sync_state WHERE key = ?')
      .raw()
      .get(host, ANSWER_OF_KEY + host) as [string, string | null] | undefined
    if (!head) return null
    const [digest, csVersion, skipped, stamp] = JSON.parse(head[0]) as unknown[]
    // another layout (an earlier cs wrote it) is none
    if (typeof digest !== 'string' || typeof csVersion !== 'string' || typeof skipped !== 'number') return null
    if (typeof stamp !== 'string' || !stamp.startsWith(`${head[1]} `)) return null
    const text = () => syncValue(ANSWER_KEY + host) ?? ''
    return { digest, csVersion, skipped, stamp, text }
  }
  // other hosts' rows, one a session: a pull that changes a few rewrites those few
  const saveHostRows = db.transaction(
    (other: string, rows: HostRow[], fetchedAt: string, merge?: { gone: string[]; since?: string }, answer?: StoredAnswer) => {
      if (merge?.since !== undefined && keptAnswer(other)?.stamp !== merge.since) return null
      // compared with what is kept first: every row of the host when replaced whole (an ssh
      // answer, every dashboard run), those named when merged (a pull)
      const kept = merge
        ? sql('SELECT id, row FROM host_row WHERE host = ? AND id IN (SELECT value FROM json_each(?))')
            .raw()
            .all(other, JSON.stringify([...rows.map((r) => r.id), ...merge.gone]))
        : sql('SELECT id, row FROM host_row WHERE host = ?').raw().all(other)
      const had = new Map(kept as [string, string][])
      const named = new Set(rows.map((r) => r.id))
      const gone = merge ? merge.gone : [...had.keys()].filter((id) => !named.has(id))
      const built = rowsBuilt() && other !== host
      const was = (id: string) => {
        const text = had.get(id)
        return text === undefined ? null : hostRowOf(text)
      }
      const changes: HostRowChange[] = []
      for (const id of gone) {
        const before = was(id)
        if (before) changes.push({ before, after: null })
        sql('DELETE FROM host_row WHERE host = ? AND id = ?').run(other, id)
      }
      if (built) {
        for (const id of gone) sql('DELETE FROM rows WHERE host = ? AND id = ?').run(other, id)
        idsMaybeGone(gone)
      }
      // cs's metadata of these ids, and the short ids worked out again: only once a row changed
      let meta: Map<string, SessionMeta> | undefined
      const many = rows.length > MANY_IDS
      for (const r of rows) {
        const text = JSON.stringify(r)
        if (had.get(r.id) === text) continue // unchanged: not written
        sql(
          'INSERT INTO host_row (host, id, row) VALUES (?, ?, ?) ON CONFLICT (host, id) DO UPDATE SET row = excluded.row'
        ).run(other, r.id, text)
        changes.push({ before: was(r.id), after: r })
        if (!built) continue
        meta ??= metaOf(rows.map((x) => x.id))
        putRow(viewOf(r, meta.get(r.id)), null, many)
      }
      if (meta && many) reshortAll()
      sql('UPDATE hosts SET fetched_at = ? WHERE name = ?').run(fetchedAt, other)
      // the answer, the sync's own values: its text, some MB at 10,000 sessions, written only
      // when its digest differs from the last
      const head = syncValue(ANSWER_OF_KEY + other)
      if (!answer || !head || JSON.parse(head)[0] !== answer.digest) setSyncValue(ANSWER_KEY + other, answer ? answer.text() : null)
      setSyncValue(ANSWER_OF_KEY + other, answer ? JSON.stringify([answer.digest, answer.csVersion, answer.skipped, answer.stamp]) : null)
      return changes
    }
  )
  const clearDirty = db.transaction((done: MetaChange[]) => {
    for (const c of done) sql('DELETE FROM meta_dirty WHERE id = ? AND field = ? AND n = ?').run(c.id, c.field, c.n)
  })
  const applyShared = (changes: MetaChange[]) =>
    atomically(() => {
      const dirty = sql('SELECT 1 FROM meta_dirty WHERE id = ? AND field = ?').pluck()
      for (const c of changes)
        if (!dirty.get(c.id, c.field)) journaled([{ op: 'meta', id: c.id, column: COLUMN[c.field], value: c.value }])
    }, true)
  const savePushed = db.transaction((hashes: [string, string | null][]) => {
    for (const [id, hash] of hashes)
      if (hash === null) sql('DELETE FROM pushed WHERE id = ?').run(id)
      else sql('INSERT OR REPLACE INTO pushed (id, hash) VALUES (?, ?)').run(id, hash)
  })

  const saveIndex = db.transaction(({ folders, moved, gone, parsers }: IndexChanges) => {
    for (const f of folders) putFolder(f)
    for (const m of moved ?? []) sql('UPDATE folders SET mtime_ms = ? WHERE path = ?').run(m.mtimeMs, m.path)
    for (const path of gone) {
      sql('DELETE FROM folders WHERE path = ?').run(path)
      sql('DELETE FROM parsers WHERE folder = ?').run(path)
      if (rowsBuilt()) putLocalRows(path, [])
    }
    const putParser = sql(
      'INSERT OR REPLACE INTO parsers (path, folder, size, mtime_ms, offset, state) VALUES (?, ?, ?, ?, ?, ?)'
    )
    for (const { mark: m, state } of parsers)
      if (state === null) sql('DELETE FROM parsers WHERE path = ?').run(m.path)
      else putParser.run(m.path, dirname(m.path), m.size, m.mtimeMs, m.offset, state)
  })
  // An empty listing never matches a walk: the next run looks at the folder again.
  const forget = db.transaction((paths: string[]) => {
    for (const dir of new Set(paths.map((p) => dirname(p)))) {
      const f = folder(dir)
      if (f) putFolder({ ...f, listing: '', files: f.files.filter((x) => !paths.includes(x.mark.path)) })
    }
  })

  let aside: string | null = null // where a damaged database was set aside
  const store: Store = guarded(file, {
    listings(hotSince, live) {
      // a live session's folder is the one its row names (rows_id), once rows are built; before,
      // its file's name is looked for in every listing (50 ms at 50 live sessions, 200 folders)
      const byRow = rowsBuilt()
      const holdsLive = byRow
        ? 'h.path IN (SELECT folder FROM rows WHERE host = ? AND id IN (SELECT value FROM json_each(?)))'
        : "EXISTS (SELECT 1 FROM json_each(?) WHERE instr(f.listing, value || '.jsonl'))"
      // a full walk wants every listing: one scan of the table. A hot run tells the hot folders
      // from the narrow index folders_hot and reads only their rows: the table's hold each
      // folder's listing and files, a few hundred pages for 200 folders
      const rows = (
        hotSince <= 0
          ? sql('SELECT path, listing, mtime_ms, count FROM folders').raw().all()
          : sql(
              `SELECT h.path, f.listing, h.mtime_ms, h.count FROM folders h
               LEFT JOIN folders f ON f.path = h.path AND (NOT h.listed OR h.newest >= ? OR ${holdsLive})`
            )
              .raw()
              .all(hotSince, ...(byRow ? [host] : []), JSON.stringify(live))
      ) as [string, string | null, number, number][]
      return new Map(rows.map(([path, listing, mtimeMs, count]) => [path, { listing, mtimeMs, count }]))
    },
    listing(path) {
      const row = sql('SELECT listing, mtime_ms FROM folders WHERE path = ?').raw().get(path) as [string, number] | undefined
      return row ? { listing: row[0], mtimeMs: row[1] } : null
    },
    folder,
    parserState(m) {
      const state = sql('SELECT state FROM parsers WHERE path = ? AND size = ? AND mtime_ms = ? AND offset = ?')
        .pluck()
        .get(m.path, m.size, m.mtimeMs, m.offset)
      return typeof state === 'string' ? state : null
    },
    saveIndex(changes) {
      const { folders, moved, gone, parsers } = changes
      if (folders.length || moved?.length || gone.length || parsers.length)
        saveIndex.immediate(changes)
    },
    forget: (paths) => forget.immediate(paths),
    transcripts() {
      const all: TranscriptInfo[] = []
      for (const [path, lines] of sql('SELECT path, files FROM folders').raw().all() as [string, string][]) {
        const projectDir = basename(path)
        for (const t of tuples(lines)) all.push(infoOf(path, projectDir, t))
      }
      resolveSummaries(all, summariesByLeaf(all.filter((t) => t.summaries.length > 0)))
      return all
    },
    transcriptsOf(ids) {
      if (ids.length === 0) return []
      ensureRows()
      // each id looked for only in the folder its row names
      const held = sql(
        'SELECT folder, id FROM rows WHERE host = ? AND folder IS NOT NULL AND id IN (SELECT value FROM json_each(?))'
      ).raw().all(host, JSON.stringify(ids)) as [string, string][]
      const folderOf = new Map(held.map(([path, id]) => [id, path]))
      const byFolder = new Map<string, string[]>()
      for (const id of new Set(ids)) {
        const path = folderOf.get(id)
        if (path !== undefined) byFolder.set(path, [...(byFolder.get(path) ?? []), id])
      }
      const infos: TranscriptInfo[] = []
      for (const [path, inIt] of byFolder) {
        const lines = (sql('SELECT files FROM folders WHERE path = ?').pluck().get(path) as string | undefined) ?? ''
        for (const id of inIt) {
          const line = lineOf(lines, `["${id}.jsonl",`)
          if (line !== null) infos.push(infoOf(path, basename(path), tuples(line)[0]))
        }
      }
      resolveSummaries(infos, heldSummaries())
      return infos
    },

    storedRows(q, urgencies, limit) {
      ensureRows()
      const [lo, hi] = urgencies
      return sql(
        `SELECT r.id, urgency, updated, ${rowText(q)} ${rowsWhere(q, 'urgency BETWEEN ? AND ?')}
         ORDER BY urgency, updated DESC, r.id LIMIT ?`
      )
        .raw()
        .all(...shortsArg(q), lo, hi, ...rowsArgs(q), limit ?? -1) as [string, number, string, string][]
    },
    storedTexts(q, urgencies) {
      ensureRows()
      const [lo, hi] = urgencies
      // a row at a time, never one string of them all: 10,000 rows are some 7 MB, and memory
      // touched for the first time costs more than stepping the statement (bench/dashboard.ts)
      return sql(`SELECT ${rowText(q)} ${rowsWhere(q, 'urgency BETWEEN ? AND ?')} ORDER BY urgency, updated DESC, r.id`)
        .pluck()
        .iterate(...shortsArg(q), lo, hi, ...rowsArgs(q)) as IterableIterator<string>
    },
    freshenBlocks() {
      if (!readOnly && rowsBuilt()) freshenBlocks()
    },
    *historyChunks(q) {
      ensureRows()
      if (q.all || q.host !== null || Object.keys(q.shorts).length > 0) return yield* store.storedTexts(q, HISTORY)
      if (!readOnly) freshenBlocks()
      const out = new Set(q.exclude)
      let held: Map<number, string[]> | undefined
      let any = false
      // what is read while the blocks' statement runs shares its snapshot: all of it agrees
      const built = sql('SELECT rowid, upper, file, bytes FROM blocks ORDER BY upper DESC').raw().iterate() as
        IterableIterator<[number, Upper, string | null, number | null]> // prettier-ignore
      const reader = new BlockReader(blocks)
      const lost: [number, string][] = []
      for (const [rowid, upper, file, bytes] of built) {
        any = true
        // the rows built fresh (this host's live sessions are stored as stopped), by block: looked
        // up by id (the planner's own choice, the history's urgency, stepped 10,000 rows: 4 ms)
        held ??= groupBy(
          sql(
            `SELECT ${BLOCK_OF('r')}, id FROM rows r INDEXED BY rows_id` +
              ` WHERE ${HISTORY_SHOWN('r')} AND id IN (SELECT value FROM json_each(?))`
          )
            .raw()
            .all(JSON.stringify(q.exclude)) as [number, string][]
        )
        // a block made stale since (by another cs), or whose file a newer build swept, is read a
        // row at a time
        const json = file === null ? null : reader.read(file, bytes ?? -1)
        if (file !== null && json === null) lost.push([rowid, file])
        if (json !== null) yield* leaving(json, held.get(rowid) ?? [])
        else for (const [id, , text] of blockRows(upper, lowerOf(upper))) if (!out.has(id)) yield text
      }
      if (lost.length > 0 && !readOnly) unlessBusy(() => loseBlocks.immediate(lost))
      if (!any) yield* store.storedTexts(q, HISTORY) // never built: read-only, or the lock was held
    },
    countRows(q, urgencies) {
      ensureRows()
      // the tallies of what the listing reads, less the rows of the few ids it leaves out
      const args = [...urgencies, ...filterArgs(q)]
      const tallied = sql(`SELECT coalesce(sum(n), 0) FROM tally WHERE urgency BETWEEN ? AND ? AND ${rowsFilter(q)}`)
        .pluck()
        .get(...args) as number
      if (q.exclude.length === 0) return tallied
      const left = sql(
        `SELECT count(*) FROM rows WHERE urgency BETWEEN ? AND ? AND ${rowsFilter(q)} AND id IN (${q.exclude.map(() => '?').join(', ')})`
      )
        .pluck()
        .get(...args, ...q.exclude) as number
      return tallied - left
    },
    rowsWritten: () => (rowsBuilt() ? (sql('SELECT n FROM rows_written').pluck().get() as number) : null),
    rowNeighbours(id) {
      ensureRows()
      return neighbours(id).map((x) => [x, sql('SELECT short FROM ids WHERE id = ?').pluck().get(x) as string])
    },
    storedShorts(ids) {
      ensureRows()
      const rows = sql('SELECT id, short FROM ids WHERE id IN (SELECT value FROM json_each(?))').raw().all(JSON.stringify(ids))
      return new Map(rows as [string, string][])
    },
    matchingRows(q, text) {
      ensureRows()
      const rows = (condition: string, ...args: unknown[]) =>
        sql(`SELECT ${rowText(q)} ${rowsWhere({ ...q, all: true }, condition)}`)
          .pluck()
          .all(...shortsArg(q), ...args, ...rowsArgs(q)) as string[]
      // a prefix as a range of the id index (ids are UUIDs, ASCII): from it up to the text with its
      // last character moved on
      const after = text.slice(0, -1) + String.fromCharCode(text.charCodeAt(text.length - 1) + 1)
      const byId = text.length >= MIN ? rows('r.id >= ? AND r.id < ?', text, after) : rows('r.id = ?', text)
      if (byId.length) return byId // a resolver looks no further (names are read from every row)
      // a name in a row's JSON text: a quote inside a JSON string is escaped, so the quoted text
      // after the key is the whole value
      const named = (key: string) => `${JSON.stringify(key)}:${JSON.stringify(text)}`
      return rows('(instr(r.json, ?) > 0 OR instr(r.json, ?) > 0)', named('name'), named('tmuxSession'))
    },
    hasRows(host) {
      ensureRows()
      return sql('SELECT 1 FROM rows WHERE host = ? AND dup = 0').pluck().get(host) !== undefined
    },

    meta(ids) {
      if (ids) return metaOf(ids)
      const rows = sql('SELECT id, name, tag, deleted_at FROM meta').raw().all() as any[][]
      return new Map<string, SessionMeta>(rows.map((r) => [r[0], { id: r[0], name: r[1], tag: r[2], deletedAt: r[3] }]))
    },
    setName: (id, name) => setMeta('name', [id], name),
    setTag: (id, tag) => setMeta('tag', [id], tag),
    // one transaction, the write lock taken first: what is read is what is changed
    setDeleted: (ids, deletedAt, o = {}) =>
      atomically(() => {
        const meta = o.unlessNamed ? metaOf(ids) : null
        const changed = meta ? ids.filter((id) => !meta.get(id)?.name && !meta.get(id)?.tag) : ids
        setMeta('deleted_at', changed, deletedAt)
        o.then?.(changed)
        return changed
      }, true),

    launches() {
      const rows = sql(
        'SELECT id, host, tmux_session, cwd, launched_at, last_state, last_seen_at, args FROM launches'
      ).raw().all() as any[][]
      // prettier-ignore
      return rows.map((r): Launch => ({
        id: r[0], host: r[1], tmuxSession: r[2], cwd: r[3], launchedAt: r[4],
        lastState: r[5] as State | null, lastSeenAt: r[6], args: JSON.parse(r[7]),
      }))
    },
    saveLaunch: (launch) => journaled([{ op: 'launch', launch }]),
    noteState: (tmuxSession, host, id, state, at) => journaled([{ op: 'note', tmuxSession, host, id, state, at }]),
    dropLaunch: (host, tmuxSession) => journaled([{ op: 'drop', host, tmuxSession }]),

    hostRows(of) {
      const texts = (
        of === undefined
          ? sql('SELECT row FROM host_row').pluck().all()
          : sql('SELECT row FROM host_row WHERE host = ?').pluck().all(of)
      ) as string[]
      return texts.map(hostRowOf)
    },
    saveHostRows: (host, rows, fetchedAt, merge, answer) => saveHostRows.immediate(host, rows, fetchedAt, merge, answer),
    hostAnswer: (host) => keptAnswer(host),
    hosts() {
      const rows = sql('SELECT name, ssh, cs_version, last_sync, heartbeat, fetched_at, source FROM hosts').raw().all() as any[][]
      // prettier-ignore
      return rows.map((r): HostFacts => ({
        name: r[0], ssh: r[1], csVersion: r[2], lastSync: r[3], heartbeat: r[4], fetchedAt: r[5], source: r[6],
      }))
    },
    dropHost(host, at) {
      store.saveHostRows(host, [], at)
      sql('DELETE FROM hosts WHERE name = ?').run(host)
      setSyncValue(`pulled:${host}`, null)
    },
    saveHost(h) {
      sql(
        'INSERT INTO hosts (name, ssh, cs_version, last_sync, heartbeat, fetched_at, source) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT (name) DO UPDATE SET ssh = excluded.ssh, cs_version = excluded.cs_version, ' +
          'last_sync = excluded.last_sync, heartbeat = excluded.heartbeat, source = excluded.source, ' +
          'fetched_at = coalesce(excluded.fetched_at, fetched_at)'
      ).run(h.name, h.ssh, h.csVersion, h.lastSync, h.heartbeat, h.fetchedAt, h.source)
    },
    syncValue,
    setSyncValue,
    pushedHashes(ids) {
      const rows = ids
        ? sql('SELECT id, hash FROM pushed WHERE id IN (SELECT value FROM json_each(?))').raw().all(JSON.stringify(ids))
        : sql('SELECT id, hash FROM pushed').raw().all()
      return new Map(rows as [string, string][])
    },
    savePushed: (hashes) => savePushed.immediate(hashes),
    forgetPushed: (notes) =>
      db.transaction(() => {
        sql('DELETE FROM pushed').run()
        for (const [column, field] of Object.entries(FIELD))
          sql(`INSERT INTO meta_dirty (id, field, n) SELECT id, ?, 1 FROM meta WHERE ${column} IS NOT NULL ON CONFLICT (id, field) DO UPDATE SET n = n + 1`).run(field)
        for (const key of notes) setSyncValue(key, null)
      }).immediate(),
    dirtyMeta() {
      const rows = sql(
        'SELECT d.id, d.field, d.n, m.name, m.tag, m.deleted_at FROM meta_dirty d LEFT JOIN meta m ON m.id = d.id'
      ).raw().all() as any[][]
      return rows.map(([id, field, n, name, tag, deletedAt]) => ({
        id, field, n, value: ({ name, tag, deletedAt } as Record<string, string | null>)[field] ?? null,
      }))
    },
    clearDirtyMeta: (done) => clearDirty.immediate(done),
    applySharedMeta: applyShared,

    changes: () => totalChanges() - bookkeeping,

    readOnly: () => readOnly,

    check() {
      const problems: string[] = []
      if (readOnly) problems.push(readOnly.message)
      const mode = db.pragma('journal_mode', { simple: true })
      // opened for reading only, the file's own mode is not seen
      if (mode !== 'wal' && !readOnly) problems.push(`journal mode is ${mode}, not WAL: cs processes would block each other`)
      const integrity = db.pragma('quick_check', { simple: true })
      if (integrity !== 'ok') problems.push(`integrity check: ${integrity}`)
      const pages = (name: string) => Number(db.pragma(name, { simple: true }))
      const bytes = pages('page_count') * pages('page_size')
      const schema = Number(db.pragma('user_version', { simple: true }))
      if (schema !== SCHEMA) problems.push(`schema ${schema}, this cs writes ${SCHEMA}`)
      return { location: `${file} (SQLite, ${readOnly ? 'opened read-only' : mode})`, schema, bytes, problems }
    },
    close: () => db.open && db.close(),
  }, () => {
    // once: a method that calls another (guarded too) meets the damage twice
    if (aside === null) {
      db.close()
      aside = setAside(file)
    }
    return aside
  }, journal)
  if (!readOnly) keepJournal(db, journal, raw, store)
  return store
}

/**
 * A fresh database gets cs's metadata back from the journal; a database without a journal (made
 * by an older cs) starts one from what it holds; a journal grown past COMPACT_BYTES is rewritten
 * as a snapshot. Inside a write transaction, so no other cs appends meanwhile.
 */
function keepJournal(db: Database.Database, journal: string, raw: JournalTarget, store: Store): void {
  const size = journalSize(journal)
  const due = () => db.prepare('SELECT 1 FROM sync_state WHERE key = ?').get(REPLAY_DUE) !== undefined
  if (size !== null && size < COMPACT_BYTES && !due()) return
  db.transaction(() => {
    const now = journalSize(journal)
    if (due()) {
      const read = readJournal(journal)
      if (read === null) {
        // what it holds is nowhere else: kept as it is, and read again by the next run
        say(`warning: cs's journal ${journal} cannot be read: names, tags and launch records come back once it can (check its owner and permissions)`)
        return
      }
      replay(read.ops, raw)
      if (read.skipped) say(`warning: ${read.skipped} unreadable lines of ${journal} skipped`)
      db.prepare('DELETE FROM sync_state WHERE key = ?').run(REPLAY_DUE)
    }
    try {
      if (now === null || now >= COMPACT_BYTES) rewriteJournal(journal, snapshot(store.meta(), store.launches()))
    } catch (e) {
      // a full disk or a read-only folder: the journal stays as it is, and is rewritten at a
      // later open; every command still answers from what was saved
      if (fileError(e)?.reason !== 'unwritable') throw e
    }
  }).immediate()
}

/** A fresh database's note, made with its tables and taken away with the journal's replay into
 *  it: a run that ended between the two (killed, a full disk) leaves it, and the next replays. */
const REPLAY_DUE = 'journal-replay-due'

/** cs's own tables as schema 17 has them: launch records kept no claude arguments before (none,
 *  as they were started with), and another host's rows had no index by id alone. */
function upgradeOwnTables(db: Database.Database): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('launches')").pluck().all()
  if (!columns.includes('args')) db.exec("ALTER TABLE launches ADD COLUMN args TEXT NOT NULL DEFAULT '[]'")
  db.exec('CREATE INDEX IF NOT EXISTS host_row_id ON host_row (id)')
}

/** Creates the tables, or rebuilds the index tables of another schema (cs's own are kept); a
 *  schema that only moved on is brought up to this one. */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    // Another process may have migrated while this one waited for the lock.
    const version = db.pragma('user_version', { simple: true })
    if (version === SCHEMA) return
    if (version === 15 || version === 16) {
      // an empty listing matches no walk: the next lists the folder again, in the new order
      if (version === 15) db.exec("UPDATE folders SET listing = '', listed = 0")
      upgradeOwnTables(db)
      return void db.pragma(`user_version = ${SCHEMA}`)
    }
    // walks: the last full walk up to schema 12
    for (const table of ['files', 'folders', 'parsers', 'walks', 'rows', 'ids', 'rows_built', 'rows_written', 'tally', 'holders', 'blocks'])
      db.exec(`DROP TABLE IF EXISTS ${table}`)
    db.exec(INDEX_TABLES + OWN_TABLES)
    upgradeOwnTables(db)
    // schema 6 counted writes for a replayed `cs ls --json`, gone
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_generation'").pluck().all()
    for (const name of triggers as string[]) db.exec(`DROP TRIGGER IF EXISTS "${name}"`)
    db.exec('DROP TABLE IF EXISTS generation')
    // schema 6 kept other hosts' rows as one blob a host
    const blobs = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'host_rows'").get()
      ? (db.prepare('SELECT host, rows FROM host_rows').raw().all() as [string, Buffer][])
      : []
    const put = db.prepare('INSERT OR REPLACE INTO host_row (host, id, row) VALUES (?, ?, ?)')
    for (const [host, blob] of blobs) for (const r of deserialize(blob) as HostRow[]) put.run(host, r.id, JSON.stringify(r))
    db.exec('DROP TABLE IF EXISTS host_rows')
    if (version === 0) db.prepare('INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)').run(REPLAY_DUE, '1')
    db.pragma(`user_version = ${SCHEMA}`)
  }).immediate()
}

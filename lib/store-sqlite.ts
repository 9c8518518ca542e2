// The SQLite store: the transcript index and cs's own metadata in one file under the state
// folder. WAL and a busy timeout let several cs processes (the tmux hook, the dashboard, a
// sync) use it at once. The only module that imports better-sqlite3.
import Database from 'better-sqlite3'
import { existsSync, mkdirSync, readFileSync, renameSync, statfsSync, statSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { deserialize, serialize } from 'node:v8'
import type { Config } from './config.ts'
import { CsError, fileError } from './errors.ts'
import {
  appendJournal,
  COMPACT_BYTES,
  journalPath,
  journalSize,
  readJournal,
  replay,
  rewriteJournal,
  snapshot,
  type JournalOp,
  type JournalTarget,
  type MetaColumn,
} from './journal.ts'
import { dbPath } from './paths.ts'
import type { HostFacts, HostRow, Launch, SessionMeta, State, TranscriptInfo } from './session.ts'
import type { FileMark, FolderIndex, IndexChanges, MetaChange, Store } from './store.ts'

/** Bump when the index tables or what the parser derives change: the index is rebuilt. Also
 *  when cs's own tables gain one (6: other hosts' copy, sync state), which migrate() creates. */
const SCHEMA = 6

// The index, rebuilt from the transcripts whenever SCHEMA changes. One row per project folder:
// its listing and own mtime (a warm run compares them with what it sees and reads nothing more
// of an unchanged folder) and its files' marks and infos as one v8-serialised array of tuples, the fastest form
// to load 10,000 sessions from (a row per file costs a value per column). Parser states, large
// and needed only for grown files, live apart, each with the mark it was saved at.
const INDEX_TABLES = `
  CREATE TABLE folders (
    path TEXT PRIMARY KEY, listing TEXT NOT NULL, mtime_ms REAL NOT NULL, files BLOB NOT NULL
  );
  CREATE TABLE walks (scope TEXT PRIMARY KEY, at REAL NOT NULL);
  CREATE TABLE parsers (
    path TEXT PRIMARY KEY, folder TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL,
    offset INTEGER NOT NULL, state TEXT NOT NULL
  );
  CREATE INDEX parsers_folder ON parsers (folder);
`
// cs's own records: never dropped by a rebuild.
const OWN_TABLES = `
  CREATE TABLE IF NOT EXISTS meta (id TEXT PRIMARY KEY, name TEXT, tag TEXT, deleted_at TEXT);
  CREATE TABLE IF NOT EXISTS generation (n INTEGER NOT NULL);
  INSERT INTO generation SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM generation);
  CREATE TABLE IF NOT EXISTS launches (
    host TEXT NOT NULL, tmux_session TEXT NOT NULL, id TEXT NOT NULL, cwd TEXT NOT NULL,
    launched_at TEXT NOT NULL, last_state TEXT, last_seen_at TEXT,
    PRIMARY KEY (host, tmux_session)
  );
  CREATE TABLE IF NOT EXISTS meta_dirty (
    id TEXT NOT NULL, field TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (id, field)
  );
  CREATE TABLE IF NOT EXISTS host_rows (host TEXT PRIMARY KEY, rows BLOB NOT NULL);
  CREATE TABLE IF NOT EXISTS hosts (
    name TEXT PRIMARY KEY, ssh TEXT, cs_version TEXT, last_sync TEXT, heartbeat TEXT,
    fetched_at TEXT, source TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS pushed (id TEXT PRIMARY KEY, hash TEXT NOT NULL);
`

// Every write to what views are made of moves the generation, whichever process made it, so
// that output built from them can be served again while it stands still (cs ls --json).
const GENERATION = ['folders', 'meta', 'launches', 'host_rows', 'hosts']
  .flatMap((table) =>
    ['INSERT', 'UPDATE', 'DELETE'].map(
      (op) => `CREATE TRIGGER IF NOT EXISTS ${table}_${op.toLowerCase()}_generation AFTER ${op} ON ${table}
        BEGIN UPDATE generation SET n = n + 1; END;`
    )
  )
  .join('\n')

// A file as stored: its name (id, path and project folder follow from it and the folder), its
// mark, then the TranscriptInfo fields. toTuple and fromTuple must agree on the order.
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

/** A legacy summary record in file A whose leafUuid is file B's last message titles B; the latest wins. */
function resolveSummaries(all: TranscriptInfo[]): void {
  const holders = all.filter((t) => t.summaries.length > 0)
  if (holders.length === 0) return
  holders.sort((a, b) => (a.updatedAt ?? '').localeCompare(b.updatedAt ?? ''))
  const byLeaf = new Map<string, string>()
  for (const h of holders) for (const s of h.summaries) byLeaf.set(s.leafUuid, s.summary)
  for (const t of all) {
    const s = t.lastUuid === null ? undefined : byLeaf.get(t.lastUuid)
    if (s !== undefined) t.summary = s
  }
}

const corrupt = (file: string, why: string) =>
  new CsError(
    `cannot open the database ${file}: ${why}`,
    undefined,
    `move it away (mv ${file} ${file}.bad): it is a cache of the transcripts ` +
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

/** Every method of the store, its SQLite errors turned into CsErrors that say what happened. */
function guarded(file: string, store: Store, setAsideNow: () => string): Store {
  const readOnly = store.readOnly()
  for (const [key, value] of Object.entries(store))
    if (typeof value === 'function')
      (store as any)[key] = (...args: unknown[]) => {
        try {
          return value(...args)
        } catch (e) {
          // opened for reading only: a write fails for the reason it was
          if (readOnly && /^SQLITE_READONLY/.test((e as { code?: string }).code ?? '')) throw readOnly
          const err = storeError(file, e)
          if (!(err instanceof CsError) || err.reason !== 'damaged' || readOnly) throw err
          // damage found while working: set aside now, so that the next open rebuilds
          throw new CsError(damagedNote(file, setAsideNow()), undefined, 'run the command again', 'damaged')
        }
      }
  return store
}


/** The database as last saved, for reading only: where it cannot be written (a read-only
 * folder, a full disk) SQLite cannot make the WAL's shared-memory file, so the file is read
 * into memory, its header marked as not WAL (bytes 18 and 19: the read and write versions). */
function openSaved(file: string): Database.Database {
  const image = readFileSync(file)
  if (image.length >= 20) image[18] = image[19] = 1
  const db = new Database(image, { readonly: true })
  if (db.pragma('user_version', { simple: true }) !== SCHEMA) {
    db.close()
    throw new CsError(`the database ${file} is of another version and cannot be rebuilt here`)
  }
  return db
}

/** Opens (creating or migrating) the database for writing; fresh: it held no tables before. */
function openWritable(config: Config, file: string): { db: Database.Database; fresh: boolean } {
  const st = statSync(config.stateDir, { throwIfNoEntry: false })
  if (st && !st.isDirectory())
    throw new CsError(
      `cs's state folder ${config.stateDir} is not a folder`,
      undefined,
      `move the file away (mv ${config.stateDir} ${config.stateDir}.bak), or set XDG_STATE_HOME`
    )
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 })
  const db = new Database(file, { timeout: 5000 })
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    const version = db.pragma('user_version', { simple: true })
    if (version !== SCHEMA) migrate(db)
    return { db, fresh: version === 0 }
  } catch (e) {
    db.close()
    throw e
  }
}

/** Moves a damaged database (and its WAL files) aside, kept for a look; returns where. */
function setAside(file: string): string {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`
  for (const suffix of ['', '-wal', '-shm'])
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix)
  return aside
}

const damagedNote = (file: string, aside: string) =>
  `the database ${file} was damaged: it is set aside as ${aside}; the index is rebuilt from the ` +
  "transcripts, and cs's names, tags, deletions and launch records come back from cs.journal"

export function openStore(config: Config): Store {
  const file = dbPath(config)
  const journal = journalPath(config)
  let db: Database.Database
  let fresh = false
  /** why the store can only be read (null: it can be written) */
  let readOnly: CsError | null = null
  try {
    ;({ db, fresh } = openWritable(config, file))
  } catch (e) {
    const err = fileError(e) ?? storeError(file, e)
    if (!(err instanceof CsError)) throw corrupt(file, (e as Error).message)
    if (err.reason === 'damaged' && existsSync(file)) {
      process.stderr.write(`cs: ${damagedNote(file, setAside(file))}\n`)
      ;({ db, fresh } = openWritable(config, file))
    } else {
      if (err.reason !== 'unwritable' || !existsSync(file)) throw err
      readOnly = err
      try {
        db = openSaved(file)
      } catch {
        throw err
      }
    }
  }
  const statements = new Map<string, Database.Statement>()
  const sql = (text: string) => {
    let s = statements.get(text)
    if (!s) statements.set(text, (s = db.prepare(text)))
    return s
  }
  const tuples = <T = Tuple>(blob: Buffer): T[] => {
    try {
      return deserialize(blob)
    } catch (e) {
      throw corrupt(file, `an index row is unreadable (${(e as Error).message})`)
    }
  }
  const folder = (path: string): FolderIndex | null => {
    const row = sql('SELECT listing, mtime_ms, files FROM folders WHERE path = ?').raw().get(path) as
      | [string, number, Buffer]
      | undefined
    if (!row) return null
    const projectDir = basename(path)
    const files = tuples(row[2]).map((t) => ({ mark: markOf(path, t), info: infoOf(path, projectDir, t) }))
    return { path, listing: row[0], mtimeMs: row[1], files }
  }
  const putFolder = (f: FolderIndex) => {
    const files = serialize(f.files.map(toTuple))
    sql('INSERT OR REPLACE INTO folders (path, listing, mtime_ms, files) VALUES (?, ?, ?, ?)').run(
      f.path,
      f.listing,
      f.mtimeMs,
      files
    )
    const kept = new Set(f.files.map((x) => x.mark.path))
    for (const p of sql('SELECT path FROM parsers WHERE folder = ?').pluck().all(f.path) as string[])
      if (!kept.has(p)) sql('DELETE FROM parsers WHERE path = ?').run(p)
  }
  // cs's own metadata: written to the database and, in the same transaction, to the journal
  const raw: JournalTarget = {
    setMeta(column, id, value) {
      sql(
        `INSERT INTO meta (id, ${column}) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET ${column} = excluded.${column}`
      ).run(id, value)
      sql('DELETE FROM meta WHERE id = ? AND name IS NULL AND tag IS NULL AND deleted_at IS NULL').run(id)
    },
    saveLaunch(l) {
      sql(
        'INSERT OR REPLACE INTO launches (host, tmux_session, id, cwd, launched_at, last_state, last_seen_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?)'
      ).run(l.host, l.tmuxSession, l.id, l.cwd, l.launchedAt, l.lastState, l.lastSeenAt)
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
  const journaled = (op: JournalOp, also?: () => void) =>
    db.transaction(() => {
      replay([op], raw)
      appendJournal(journal, [op])
      also?.()
    })()
  // every change is also noted for the shared store: a rename made offline travels at the next sync
  const setMeta = (column: MetaColumn, id: string, value: string | null) =>
    journaled({ op: 'meta', id, column, value }, () =>
      sql(
        'INSERT INTO meta_dirty (id, field, n) VALUES (?, ?, 1) ON CONFLICT (id, field) DO UPDATE SET n = n + 1'
      ).run(id, FIELD[column])
    )
  const hostRowsOf = (host: string): HostRow[] => {
    const blob = sql('SELECT rows FROM host_rows WHERE host = ?').pluck().get(host) as Buffer | undefined
    return blob ? tuples<HostRow>(blob) : []
  }
  const saveHostRows = db.transaction(
    (host: string, rows: HostRow[], fetchedAt: string, merge?: { gone: string[] }) => {
      let all = rows
      if (merge) {
        const byId = new Map(hostRowsOf(host).map((r) => [r.id, r]))
        for (const id of merge.gone) byId.delete(id)
        for (const r of rows) byId.set(r.id, r)
        all = [...byId.values()]
      }
      sql('INSERT OR REPLACE INTO host_rows (host, rows) VALUES (?, ?)').run(host, serialize(all))
      sql('UPDATE hosts SET fetched_at = ? WHERE name = ?').run(fetchedAt, host)
    }
  )
  const clearDirty = db.transaction((done: MetaChange[]) => {
    for (const c of done) sql('DELETE FROM meta_dirty WHERE id = ? AND field = ? AND n = ?').run(c.id, c.field, c.n)
  })
  const applyShared = db.transaction((changes: MetaChange[]) => {
    const dirty = sql('SELECT 1 FROM meta_dirty WHERE id = ? AND field = ?').pluck()
    for (const c of changes)
      if (!dirty.get(c.id, c.field)) journaled({ op: 'meta', id: c.id, column: COLUMN[c.field], value: c.value })
  })
  const savePushed = db.transaction((hashes: [string, string | null][]) => {
    for (const [id, hash] of hashes)
      if (hash === null) sql('DELETE FROM pushed WHERE id = ?').run(id)
      else sql('INSERT OR REPLACE INTO pushed (id, hash) VALUES (?, ?)').run(id, hash)
  })

  const saveIndex = db.transaction(({ folders, moved, gone, parsers, fullWalkAt }: IndexChanges) => {
    for (const f of folders) putFolder(f)
    for (const m of moved ?? []) sql('UPDATE folders SET mtime_ms = ? WHERE path = ?').run(m.mtimeMs, m.path)
    if (fullWalkAt !== undefined)
      sql("INSERT OR REPLACE INTO walks (scope, at) VALUES ('full', ?)").run(fullWalkAt)
    for (const path of gone) {
      sql('DELETE FROM folders WHERE path = ?').run(path)
      sql('DELETE FROM parsers WHERE folder = ?').run(path)
    }
    const putParser = sql(
      'INSERT OR REPLACE INTO parsers (path, folder, size, mtime_ms, offset, state) VALUES (?, ?, ?, ?, ?, ?)'
    )
    for (const { mark: m, state } of parsers) putParser.run(m.path, dirname(m.path), m.size, m.mtimeMs, m.offset, state)
  })
  // An empty listing never matches a walk: the next run looks at the folder again.
  const forget = db.transaction((paths: string[]) => {
    for (const dir of new Set(paths.map((p) => dirname(p)))) {
      const f = folder(dir)
      if (f) putFolder({ ...f, listing: '', files: f.files.filter((x) => !paths.includes(x.mark.path)) })
    }
  })

  const store: Store = guarded(file, {
    listings() {
      const rows = sql('SELECT path, listing, mtime_ms FROM folders').raw().all() as [string, string, number][]
      return new Map(rows.map(([path, listing, mtimeMs]) => [path, { listing, mtimeMs }]))
    },
    lastFullWalk: () => (sql("SELECT at FROM walks WHERE scope = 'full'").pluck().get() as number | undefined) ?? 0,
    folder,
    parserState(m) {
      const state = sql('SELECT state FROM parsers WHERE path = ? AND size = ? AND mtime_ms = ? AND offset = ?')
        .pluck()
        .get(m.path, m.size, m.mtimeMs, m.offset)
      return typeof state === 'string' ? state : null
    },
    saveIndex(changes) {
      const { folders, moved, gone, parsers, fullWalkAt } = changes
      if (folders.length || moved?.length || gone.length || parsers.length || fullWalkAt !== undefined)
        saveIndex.immediate(changes)
    },
    forget: (paths) => forget.immediate(paths),
    transcripts() {
      const all: TranscriptInfo[] = []
      for (const [path, blob] of sql('SELECT path, files FROM folders').raw().all() as [string, Buffer][]) {
        const projectDir = basename(path)
        for (const t of tuples(blob)) all.push(infoOf(path, projectDir, t))
      }
      resolveSummaries(all)
      return all
    },

    meta() {
      const rows = sql('SELECT id, name, tag, deleted_at FROM meta').raw().all() as any[][]
      return new Map<string, SessionMeta>(rows.map((r) => [r[0], { id: r[0], name: r[1], tag: r[2], deletedAt: r[3] }]))
    },
    setName: (id, name) => setMeta('name', id, name),
    setTag: (id, tag) => setMeta('tag', id, tag),
    setDeleted: (id, deletedAt) => setMeta('deleted_at', id, deletedAt),

    launches() {
      const rows = sql(
        'SELECT id, host, tmux_session, cwd, launched_at, last_state, last_seen_at FROM launches'
      ).raw().all() as any[][]
      // prettier-ignore
      return rows.map((r): Launch => ({
        id: r[0], host: r[1], tmuxSession: r[2], cwd: r[3], launchedAt: r[4],
        lastState: r[5] as State | null, lastSeenAt: r[6],
      }))
    },
    saveLaunch: (launch) => journaled({ op: 'launch', launch }),
    noteState: (tmuxSession, host, id, state, at) => journaled({ op: 'note', tmuxSession, host, id, state, at }),
    dropLaunch: (host, tmuxSession) => journaled({ op: 'drop', host, tmuxSession }),

    hostRows() {
      const all: HostRow[] = []
      for (const blob of sql('SELECT rows FROM host_rows').pluck().all() as Buffer[]) for (const r of tuples<HostRow>(blob)) all.push(r)
      return all
    },
    saveHostRows: (host, rows, fetchedAt, merge) => saveHostRows.immediate(host, rows, fetchedAt, merge),
    hosts() {
      const rows = sql('SELECT name, ssh, cs_version, last_sync, heartbeat, fetched_at, source FROM hosts').raw().all() as any[][]
      // prettier-ignore
      return rows.map((r): HostFacts => ({
        name: r[0], ssh: r[1], csVersion: r[2], lastSync: r[3], heartbeat: r[4], fetchedAt: r[5], source: r[6],
      }))
    },
    saveHost(h) {
      sql(
        'INSERT INTO hosts (name, ssh, cs_version, last_sync, heartbeat, fetched_at, source) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT (name) DO UPDATE SET ssh = excluded.ssh, cs_version = excluded.cs_version, ' +
          'last_sync = excluded.last_sync, heartbeat = excluded.heartbeat, source = excluded.source, ' +
          'fetched_at = coalesce(excluded.fetched_at, fetched_at)'
      ).run(h.name, h.ssh, h.csVersion, h.lastSync, h.heartbeat, h.fetchedAt, h.source)
    },
    syncValue: (key) => (sql('SELECT value FROM sync_state WHERE key = ?').pluck().get(key) as string | undefined) ?? null,
    setSyncValue(key, value) {
      if (value === null) sql('DELETE FROM sync_state WHERE key = ?').run(key)
      else sql('INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)').run(key, value)
    },
    pushedHashes() {
      return new Map(sql('SELECT id, hash FROM pushed').raw().all() as [string, string][])
    },
    savePushed: (hashes) => savePushed.immediate(hashes),
    dirtyMeta() {
      const rows = sql(
        'SELECT d.id, d.field, d.n, m.name, m.tag, m.deleted_at FROM meta_dirty d LEFT JOIN meta m ON m.id = d.id'
      ).raw().all() as any[][]
      return rows.map(([id, field, n, name, tag, deletedAt]) => ({
        id, field, n, value: ({ name, tag, deletedAt } as Record<string, string | null>)[field] ?? null,
      }))
    },
    clearDirtyMeta: (done) => clearDirty.immediate(done),
    applySharedMeta: (changes) => applyShared.immediate(changes),

    changes: () => sql('SELECT total_changes()').pluck().get() as number,
    generation: () => sql('SELECT n FROM generation').pluck().get() as number,

    readOnly: () => readOnly,

    check() {
      const problems: string[] = []
      if (readOnly) problems.push(readOnly.message)
      const mode = db.pragma('journal_mode', { simple: true })
      if (mode !== 'wal') problems.push(`journal mode is ${mode}, not WAL: cs processes would block each other`)
      const integrity = db.pragma('quick_check', { simple: true })
      if (integrity !== 'ok') problems.push(`integrity check: ${integrity}`)
      const pages = (name: string) => Number(db.pragma(name, { simple: true }))
      const bytes = pages('page_count') * pages('page_size')
      const schema = Number(db.pragma('user_version', { simple: true }))
      if (schema !== SCHEMA) problems.push(`schema ${schema}, this cs writes ${SCHEMA}`)
      return { location: `${file} (SQLite, ${mode})`, schema, bytes, problems }
    },
    close: () => db.open && db.close(),
  }, () => {
    db.close()
    return setAside(file)
  })
  if (!readOnly) keepJournal(db, journal, fresh, raw, store)
  return store
}

/**
 * A fresh database gets cs's metadata back from the journal; a database without a journal (made
 * by an older cs) starts one from what it holds; a journal grown past COMPACT_BYTES is rewritten
 * as a snapshot. Inside a write transaction, so no other cs appends meanwhile.
 */
function keepJournal(db: Database.Database, journal: string, fresh: boolean, raw: JournalTarget, store: Store): void {
  const size = journalSize(journal)
  if (size !== null && !fresh && size < COMPACT_BYTES) return
  db.transaction(() => {
    const now = journalSize(journal)
    if (now !== null && fresh) {
      const { ops, skipped } = readJournal(journal)
      replay(ops, raw)
      if (skipped) process.stderr.write(`cs: warning: ${skipped} unreadable lines of ${journal} skipped\n`)
    }
    if (now === null || now >= COMPACT_BYTES) rewriteJournal(journal, snapshot(store.meta(), store.launches()))
  }).immediate()
}

/** Creates the tables, or rebuilds the index tables of another schema (cs's own are kept). */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    // Another process may have migrated while this one waited for the lock.
    if (db.pragma('user_version', { simple: true }) === SCHEMA) return
    db.exec('DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS folders; DROP TABLE IF EXISTS parsers; DROP TABLE IF EXISTS walks;')
    db.exec(INDEX_TABLES + OWN_TABLES + GENERATION)
    db.pragma(`user_version = ${SCHEMA}`)
  }).immediate()
}

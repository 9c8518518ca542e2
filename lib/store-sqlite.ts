// The SQLite store: the transcript index and cs's own metadata in one file under the state
// folder. WAL and a busy timeout let several cs processes (the tmux hook, the dashboard, a
// sync) use it at once. The only module that imports better-sqlite3.
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import type { Config } from './config.ts'
import { CsError } from './errors.ts'
import { dbPath } from './paths.ts'
import type { Launch, SessionMeta, State, TranscriptInfo } from './session.ts'
import type { FileMark, IndexEntry, Store } from './store.ts'

/** Bump when the index tables or what the parser derives change: the index is rebuilt. */
const SCHEMA = 1

// The index: rebuilt from the transcripts whenever SCHEMA changes. `files` holds one row of
// TranscriptInfo columns per file (read as raw arrays: the fastest way to load 10,000 rows);
// the covering index serves marks() without touching the wide rows; parser states, large and
// needed only for grown files, live apart.
const INDEX_TABLES = `
  CREATE TABLE files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, offset INTEGER NOT NULL,
    id TEXT, project_dir TEXT, cwd TEXT, branch TEXT, custom_title TEXT, agent_name TEXT,
    ai_title TEXT, summary TEXT, first_prompt TEXT, last_prompt TEXT, tag TEXT, created_at TEXT,
    updated_at TEXT, user_messages INTEGER, assistant_messages INTEGER, model TEXT,
    tok_input INTEGER, tok_output INTEGER, tok_cache_read INTEGER, tok_cache_write INTEGER,
    version TEXT, orphan INTEGER, sidechain INTEGER, unknown_records INTEGER, bad_lines INTEGER,
    last_uuid TEXT, summaries TEXT
  );
  CREATE INDEX files_marks ON files (path, size, mtime_ms, offset);
  CREATE TABLE parsers (path TEXT PRIMARY KEY, state TEXT NOT NULL);
`
// cs's own records: never dropped by a rebuild.
const OWN_TABLES = `
  CREATE TABLE IF NOT EXISTS meta (id TEXT PRIMARY KEY, name TEXT, tag TEXT, deleted_at TEXT);
  CREATE TABLE IF NOT EXISTS launches (
    host TEXT NOT NULL, tmux_session TEXT NOT NULL, id TEXT NOT NULL, cwd TEXT NOT NULL,
    launched_at TEXT NOT NULL, last_state TEXT, last_seen_at TEXT,
    PRIMARY KEY (host, tmux_session)
  );
`

const INFO_COLUMNS =
  'id, project_dir, cwd, branch, custom_title, agent_name, ai_title, summary, first_prompt, ' +
  'last_prompt, tag, created_at, updated_at, user_messages, assistant_messages, model, tok_input, ' +
  'tok_output, tok_cache_read, tok_cache_write, version, orphan, sidechain, unknown_records, ' +
  'bad_lines, last_uuid, summaries'

// toRow and fromRow follow INFO_COLUMNS, after the path.
// prettier-ignore
const toRow = (i: TranscriptInfo) => [
  i.id, i.projectDir, i.cwd, i.branch, i.customTitle, i.agentName, i.aiTitle, i.summary,
  i.firstPrompt, i.lastPrompt, i.tag, i.createdAt, i.updatedAt, i.userMessages,
  i.assistantMessages, i.model, i.tokens.input, i.tokens.output, i.tokens.cacheRead,
  i.tokens.cacheWrite, i.version, i.orphan ? 1 : 0, i.sidechain ? 1 : 0, i.unknownRecords,
  i.badLines, i.lastUuid, i.summaries.length ? JSON.stringify(i.summaries) : null,
]

// prettier-ignore
const fromRow = (r: any[]): TranscriptInfo => ({
  path: r[0], id: r[1], projectDir: r[2], cwd: r[3], branch: r[4], customTitle: r[5],
  agentName: r[6], aiTitle: r[7], summary: r[8], firstPrompt: r[9], lastPrompt: r[10], tag: r[11],
  createdAt: r[12], updatedAt: r[13], userMessages: r[14], assistantMessages: r[15], model: r[16],
  tokens: { input: r[17], output: r[18], cacheRead: r[19], cacheWrite: r[20] },
  version: r[21], orphan: r[22] === 1, sidechain: r[23] === 1, unknownRecords: r[24],
  badLines: r[25], lastUuid: r[26], summaries: r[27] === null ? [] : JSON.parse(r[27]),
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

type MetaColumn = 'name' | 'tag' | 'deleted_at'

export function openStore(config: Config): Store {
  const file = dbPath(config)
  let db: Database.Database
  try {
    mkdirSync(config.stateDir, { recursive: true, mode: 0o700 })
    db = new Database(file, { timeout: 5000 })
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    if (db.pragma('user_version', { simple: true }) !== SCHEMA) migrate(db)
  } catch (e) {
    throw new CsError(
      `cannot open the database ${file}: ${(e as Error).message}`,
      undefined,
      `move it away (mv ${file} ${file}.bad): it is a cache of the transcripts plus cs's names and tags, rebuilt on the next run`
    )
  }

  const statements = new Map<string, Database.Statement>()
  const sql = (text: string) => {
    let s = statements.get(text)
    if (!s) statements.set(text, (s = db.prepare(text)))
    return s
  }
  const setMeta = (column: MetaColumn, id: string, value: string | null) =>
    db.transaction(() => {
      sql(`INSERT INTO meta (id, ${column}) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET ${column} = excluded.${column}`).run(id, value)
      sql('DELETE FROM meta WHERE id = ? AND name IS NULL AND tag IS NULL AND deleted_at IS NULL').run(id)
    })()

  const saveIndex = db.transaction((entries: IndexEntry[], dropped: string[]) => {
    const putFile = sql(
      `INSERT OR REPLACE INTO files (path, size, mtime_ms, offset, ${INFO_COLUMNS}) VALUES (?, ?, ?, ?, ${INFO_COLUMNS.replace(/\w+/g, '?')})`
    )
    const putParser = sql('INSERT OR REPLACE INTO parsers (path, state) VALUES (?, ?)')
    for (const { mark, parser, info } of entries) {
      putFile.run(mark.path, mark.size, mark.mtimeMs, mark.offset, ...toRow(info))
      putParser.run(mark.path, parser)
    }
    for (const path of dropped) {
      sql('DELETE FROM files WHERE path = ?').run(path)
      sql('DELETE FROM parsers WHERE path = ?').run(path)
    }
  })

  return {
    marks() {
      const rows = sql('SELECT path, size, mtime_ms, offset FROM files').raw().all() as any[][]
      const marks = new Map<string, FileMark>()
      for (const r of rows) marks.set(r[0], { path: r[0], size: r[1], mtimeMs: r[2], offset: r[3] })
      return marks
    },
    parserState(path) {
      const state = sql('SELECT state FROM parsers WHERE path = ?').pluck().get(path)
      return typeof state === 'string' ? state : null
    },
    saveIndex(entries, dropped) {
      if (entries.length > 0 || dropped.length > 0) saveIndex.immediate(entries, dropped)
    },
    transcripts() {
      const rows = sql(`SELECT path, ${INFO_COLUMNS} FROM files`).raw().all() as any[][]
      const all = rows.map(fromRow)
      resolveSummaries(all)
      return all.filter((t) => !t.sidechain)
    },

    meta() {
      const rows = sql('SELECT id, name, tag, deleted_at FROM meta').raw().all() as any[][]
      return new Map(rows.map((r) => [r[0], { id: r[0], name: r[1], tag: r[2], deletedAt: r[3] } satisfies SessionMeta]))
    },
    setName: (id, name) => setMeta('name', id, name),
    setTag: (id, tag) => setMeta('tag', id, tag),
    setDeleted: (id, deletedAt) => setMeta('deleted_at', id, deletedAt),

    launches() {
      const rows = sql('SELECT id, host, tmux_session, cwd, launched_at, last_state, last_seen_at FROM launches').raw().all() as any[][]
      // prettier-ignore
      return rows.map((r): Launch => ({
        id: r[0], host: r[1], tmuxSession: r[2], cwd: r[3], launchedAt: r[4],
        lastState: r[5] as State | null, lastSeenAt: r[6],
      }))
    },
    saveLaunch(l) {
      sql(
        'INSERT OR REPLACE INTO launches (host, tmux_session, id, cwd, launched_at, last_state, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
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

    check() {
      const problems: string[] = []
      const mode = db.pragma('journal_mode', { simple: true })
      if (mode !== 'wal') problems.push(`journal mode is ${mode}, not WAL: cs processes would block each other`)
      const integrity = db.pragma('quick_check', { simple: true })
      if (integrity !== 'ok') problems.push(`integrity check: ${integrity}`)
      return { location: `${file} (SQLite, ${mode})`, problems }
    },
    close: () => db.close(),
  }
}

/** Creates the tables, or rebuilds the index tables of another schema (cs's own are kept). */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    // Another process may have migrated while this one waited for the lock.
    if (db.pragma('user_version', { simple: true }) === SCHEMA) return
    db.exec('DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS parsers;')
    db.exec(INDEX_TABLES + OWN_TABLES)
    db.pragma(`user_version = ${SCHEMA}`)
  }).immediate()
}

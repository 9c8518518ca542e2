import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs'
import { journalPath, readJournal } from '../lib/journal.ts'
import { tmpdir } from 'node:os'
import { serialize } from 'node:v8'
import { join } from 'node:path'
import { loadConfig } from '../lib/config.ts'
import { CsError } from '../lib/errors.ts'
import { blocksDir, dbPath } from '../lib/paths.ts'
import type { HostRow, TranscriptInfo } from '../lib/session.ts'
import { openStore } from '../lib/store-sqlite.ts'
import type { HostRowChange, RowQuery, Store } from '../lib/store.ts'
import { listRows } from '../lib/rows.ts'
import { compareText, jsonArray } from '../lib/format.ts'
import { keepAnswer, parseAnswer } from '../lib/hosts.ts'
import { sessionView } from './harness/session-fixtures.ts'

const root = mkdtempSync(join(tmpdir(), 'cs-store-'))
after(() => rmSync(root, { recursive: true, force: true }))
let homes = 0
const freshConfig = () => loadConfig({ HOME: join(root, `home${++homes}`) })

const FOLDER = '/p/-work-proj'

function info(id: string, over: Partial<TranscriptInfo> = {}): TranscriptInfo {
  return {
    id,
    path: `${FOLDER}/${id}.jsonl`,
    projectDir: '-work-proj',
    cwd: '/work/proj',
    branch: 'main',
    customTitle: null,
    agentName: null,
    aiTitle: null,
    summary: null,
    firstPrompt: `prompt of ${id}`,
    lastPrompt: null,
    command: null,
    tag: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-02T00:00:00.000Z',
    userMessages: 2,
    assistantMessages: 3,
    sidechainMessages: 0,
    model: 'claude-sonnet-4-5',
    tokens: { input: 10, output: 20, cacheRead: 30, cacheWrite: 40 },
    version: '2.1.197',
    orphan: false,
    sidechain: false,
    unknownRecords: 0,
    badLines: 0,
    lastUuid: `${id}-last`,
    summaries: [],
    ...over,
  }
}

const file = (i: TranscriptInfo, size = 100) => ({
  mark: { path: i.path, size, mtimeMs: 1700000000123.4567, offset: size - 1 },
  info: i,
})

/** Saves the files as the whole of FOLDER, each with a parser state. */
function save(store: Store, ...files: ReturnType<typeof file>[]) {
  store.saveIndex({
    folders: [{ path: FOLDER, listing: `listing of ${files.length}`, mtimeMs: 1700000000456.5, files }],
    gone: [],
    parsers: files.map((f) => ({ mark: f.mark, state: `state of ${f.info.id}` })),
  })
}

test('keeps each folder whole: listing, marks, infos and the parser states at those marks', () => {
  const store = openStore(freshConfig())
  const a = file(info('a', { orphan: true, tokens: { input: 1, output: 2, cacheRead: 3, cacheWrite: 4 } }), 10)
  const b = file(info('b', { summaries: [{ leafUuid: 'x', summary: 'y' }] }))
  save(store, a, b)
  const listing = { listing: 'listing of 2', mtimeMs: 1700000000456.5 }
  assert.deepEqual(store.listings(0, []), new Map([[FOLDER, { ...listing, count: 2 }]]))
  assert.deepEqual(store.listing(FOLDER), listing)
  // a warm run reads the listing only of a folder with a file modified since then, or a live one
  const newest = Math.max(a.mark.mtimeMs, b.mark.mtimeMs)
  assert.equal(store.listings(newest + 1, []).get(FOLDER)!.listing, null)
  assert.equal(store.listings(newest, []).get(FOLDER)!.listing, 'listing of 2')
  assert.deepEqual(store.folder(FOLDER), { path: FOLDER, ...listing, files: [a, b] })
  assert.equal(store.folder('/p/elsewhere'), null)
  assert.deepEqual(store.transcripts(), [a.info, b.info])
  // a few sessions' (live ones) alone, each line found by its file's name; a prompt holding
  // that text is not taken for it
  const c = file(info('c', { firstPrompt: '\n["b.jsonl",1]\n["a.jsonl",' }))
  save(store, c, a, b)
  assert.deepEqual(store.transcriptsOf(['b', 'a', 'gone', 'b']), [b.info, a.info])
  assert.deepEqual(store.transcriptsOf(['c']), [c.info])
  save(store, a, b)
  assert.equal(store.parserState(a.mark), 'state of a')
  // a state saved at another mark (another process read further) is not this one
  assert.equal(store.parserState({ ...a.mark, offset: 5 }), null)

  save(store, b)
  assert.deepEqual(store.transcripts().map((t) => t.id), ['b'])
  assert.equal(store.parserState(a.mark), null)
  store.saveIndex({ folders: [], gone: [FOLDER], parsers: [] })
  assert.equal(store.listings(0, []).size, 0)
  assert.equal(store.listing(FOLDER), null)
  assert.equal(store.parserState(b.mark), null)
  assert.deepEqual(store.transcripts(), [])
  store.close()
})

test('forget drops files now and makes the next run look at their folder again', () => {
  const store = openStore(freshConfig())
  const a = file(info('a'))
  const b = file(info('b'))
  save(store, a, b)
  store.forget([a.info.path])
  assert.deepEqual(store.transcripts().map((t) => t.id), ['b'])
  assert.equal(store.parserState(a.mark), null)
  assert.equal(store.parserState(b.mark), 'state of b')
  // even when nothing in it is hot
  assert.deepEqual(store.listings(Infinity, []).get(FOLDER), { listing: '', mtimeMs: 1700000000456.5, count: 1 })
  store.close()
})

test('a folder whose own mtime alone moved keeps its files', () => {
  const store = openStore(freshConfig())
  const a = file(info('a'))
  save(store, a)
  store.saveIndex({ folders: [], moved: [{ path: FOLDER, mtimeMs: 5 }], gone: [], parsers: [] })
  assert.deepEqual(store.folder(FOLDER), { path: FOLDER, listing: 'listing of 1', mtimeMs: 5, files: [a] })
  store.close()
})

test('sidechain files are kept and listed (as orphans), every field round-tripped', () => {
  const store = openStore(freshConfig())
  const side = file(info('side', { sidechain: true, orphan: true, command: '/agents' }))
  save(store, side, file(info('main', { sidechainMessages: 4 })))
  assert.equal(store.folder(FOLDER)!.files.length, 2)
  assert.deepEqual(store.transcripts().map((t) => [t.id, t.sidechain, t.orphan, t.command, t.sidechainMessages]), [
    ['side', true, true, '/agents', 0],
    ['main', false, false, null, 4],
  ])
  store.close()
})

test('a legacy summary in one file titles the session whose last message it names; the latest wins', () => {
  const store = openStore(freshConfig())
  const target = info('target')
  const old = info('old', {
    updatedAt: '2025-01-01T00:00:00.000Z',
    summaries: [{ leafUuid: 'target-last', summary: 'Older summary' }],
  })
  const newer = info('newer', {
    updatedAt: '2025-03-01T00:00:00.000Z',
    summaries: [
      { leafUuid: 'elsewhere', summary: 'Not this one' },
      { leafUuid: 'target-last', summary: 'Fixing the parser' },
    ],
  })
  save(store, file(newer), file(target), file(old))
  const byId = new Map(store.transcripts().map((t) => [t.id, t]))
  assert.equal(byId.get('target')!.summary, 'Fixing the parser')
  assert.equal(byId.get('old')!.summary, null)
  assert.deepEqual(byId.get('newer')!.summaries, newer.summaries)
  store.close()
})

test('names, tags and soft deletions are cs metadata; a row with nothing left goes away', () => {
  const store = openStore(freshConfig())
  store.setName('s1', 'api work')
  store.setTag('s1', 'keep')
  store.setDeleted(['s2'], '2025-05-01T00:00:00.000Z')
  assert.deepEqual(store.meta().get('s1'), { id: 's1', name: 'api work', tag: 'keep', deletedAt: null })
  assert.deepEqual(store.meta().get('s2'), { id: 's2', name: null, tag: null, deletedAt: '2025-05-01T00:00:00.000Z' })
  store.setName('s1', null)
  store.setTag('s1', null)
  store.setDeleted(['s2'], null)
  assert.equal(store.meta().size, 0)
  // many at once; a prune's (unlessNamed) leaves out what was named or tagged since it looked
  store.setName('s4', 'named meanwhile')
  store.setTag('s5', 'tagged meanwhile')
  const at = '2025-06-01T00:00:00.000Z'
  assert.deepEqual(store.setDeleted(['s3', 's4', 's5', 's6'], at, { unlessNamed: true }), ['s3', 's6'])
  assert.deepEqual([...store.meta().values()].filter((m) => m.deletedAt === at).map((m) => m.id).sort(), ['s3', 's6'])
  assert.deepEqual(store.setDeleted(['s4', 's5'], at), ['s4', 's5'], 'without it, every one')
  store.close()
  // the journal holds every change: a store rebuilt from it has them all
  const config = freshConfig()
  const first = openStore(config)
  const ids = [U(1), U(2)]
  first.setDeleted(ids, at)
  first.close()
  rmSync(dbPath(config))
  const again = openStore(config)
  assert.deepEqual([...again.meta().keys()].sort(), ids)
  again.close()
})

test('launch records follow /clear and can be dropped', () => {
  const store = openStore(freshConfig())
  const launch = {
    id: 'old-id',
    host: 'box',
    tmuxSession: 'cs-api',
    cwd: '/work/api',
    launchedAt: '2025-05-01T00:00:00.000Z',
    lastState: null,
    lastSeenAt: null,
    args: ['--model', 'opus', 'a word with \'quotes\' and $(x)'],
  }
  store.saveLaunch(launch)
  store.saveLaunch({ ...launch, host: 'other' })
  store.noteState('cs-api', 'box', 'new-id', 'waiting', '2025-05-01T01:00:00.000Z')
  const mine = store.launches().find((l) => l.host === 'box')
  assert.deepEqual(mine, { ...launch, id: 'new-id', lastState: 'waiting', lastSeenAt: '2025-05-01T01:00:00.000Z' })
  store.dropLaunch('box', 'cs-api')
  assert.deepEqual(store.launches().map((l) => l.host), ['other'])
  store.close()
})

test('another schema version rebuilds the index and keeps names, tags and launches', () => {
  const config = freshConfig()
  let store = openStore(config)
  save(store, file(info('a')))
  store.setName('a', 'named')
  store.saveLaunch({ id: 'a', host: 'h', tmuxSession: 't', cwd: '/', launchedAt: 'x', lastState: null, lastSeenAt: null, args: [] })
  store.close()
  const raw = new Database(dbPath(config))
  raw.exec('ALTER TABLE launches DROP COLUMN args') // as made before schema 17
  raw.pragma('user_version = 999')
  raw.close()
  store = openStore(config)
  assert.equal(store.listings(0, []).size, 0)
  assert.deepEqual(store.transcripts(), [])
  assert.equal(store.meta().get('a')?.name, 'named')
  assert.deepEqual(store.launches().map((l) => l.args), [[]])
  store.close()
})

test("launch records of before claude's arguments were kept (schema 16, older journal lines) read as launched with none", () => {
  const config = freshConfig()
  let store = openStore(config)
  save(store, file(info('a')))
  store.saveLaunch({ ...LAUNCH, args: ['--model', 'opus'] })
  store.close()
  const raw = new Database(dbPath(config))
  raw.exec('ALTER TABLE launches DROP COLUMN args')
  raw.pragma('user_version = 16')
  raw.close()
  store = openStore(config)
  assert.deepEqual(store.launches(), [{ ...LAUNCH, args: [] }])
  assert.equal(store.transcripts().length, 1, 'the index is kept: only a column was added')
  store.saveLaunch({ ...LAUNCH, tmuxSession: 'new', args: ['--model', 'opus'] })
  assert.deepEqual(store.launches().find((l) => l.tmuxSession === 'new')?.args, ['--model', 'opus'])
  store.close()
  // a journal line of before: replayed into a database made again
  const { args: _, ...old } = LAUNCH
  writeFileSync(journalPath(config), JSON.stringify({ op: 'launch', launch: old }) + '\n')
  rmSync(dbPath(config))
  store = openStore(config)
  assert.deepEqual(store.launches(), [{ ...LAUNCH, args: [] }])
  store.close()
})

test('the database is created in a private folder and runs in WAL mode', () => {
  const config = freshConfig()
  openStore(config).close()
  assert.equal(statSync(config.stateDir).mode & 0o777, 0o700)
  const raw = new Database(dbPath(config), { readonly: true })
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal')
  raw.close()
})

const U = (n: number) => `${String(n).padStart(8, '0')}-3333-4000-8000-000000000000`
const LAUNCH = { id: U(9), host: 'h', tmuxSession: 't', cwd: '/w', launchedAt: '2025-05-01T00:00:00.000Z', lastState: null, lastSeenAt: null, args: ['--model', 'opus'] }

/** cs's metadata of every kind, through the store. */
function metadata(store: Store) {
  store.setName(U(1), 'named')
  store.setTag(U(2), 'kept')
  store.setDeleted([U(3)], '2025-05-01T00:00:00.000Z')
  store.setName(U(4), 'renamed, then cleared')
  store.setName(U(4), null)
  store.saveLaunch(LAUNCH)
  store.saveLaunch({ ...LAUNCH, tmuxSession: 'gone' })
  store.dropLaunch('h', 'gone')
  store.noteState('t', 'h', U(10), 'idle', '2025-05-02T00:00:00.000Z')
}

function sameMetadata(store: Store) {
  const meta = store.meta()
  assert.equal(meta.get(U(1))?.name, 'named')
  assert.equal(meta.get(U(2))?.tag, 'kept')
  assert.equal(meta.get(U(3))?.deletedAt, '2025-05-01T00:00:00.000Z')
  assert.equal(meta.has(U(4)), false)
  assert.deepEqual(store.launches(), [{ ...LAUNCH, id: U(10), lastState: 'idle', lastSeenAt: '2025-05-02T00:00:00.000Z' }])
}

test('a database that is not one: set aside, rebuilt, and the metadata restored from the journal', () => {
  const config = freshConfig()
  let store = openStore(config)
  save(store, file(info('a')))
  metadata(store)
  store.close()
  writeFileSync(dbPath(config), 'this is not a database, just some bytes '.repeat(200))
  store = openStore(config)
  sameMetadata(store)
  assert.equal(store.listings(0, []).size, 0, 'the index starts again from the transcripts')
  store.close()
  const aside = readdirSync(config.stateDir).filter((f) => f.startsWith('cs.db.damaged-'))
  assert.equal(aside.length, 1, 'the damaged file is kept')
})

test('a journal padded by a crash with 300 MB of NUL bytes still gives a rebuilt database its metadata', () => {
  const config = freshConfig()
  let store = openStore(config)
  metadata(store)
  store.close()
  execFileSync('truncate', ['-s', '300M', journalPath(config)]) // sparse: nothing written to disk
  writeFileSync(dbPath(config), 'this is not a database, just some bytes '.repeat(200))
  store = openStore(config)
  sameMetadata(store)
  store.close()
  assert.ok(statSync(journalPath(config)).size < 4096, 'rewritten as a snapshot of what it held')
})

test('a journal read a chunk at a time keeps a character that a chunk cuts in two', () => {
  const config = freshConfig()
  const line = (id: string, value: string) => JSON.stringify({ op: 'meta', id, column: 'name', value }) + '\n'
  const name = 'aaaaééé—ok'
  const head = line(U(2), name).indexOf('é') // bytes before the first é, all ASCII
  // a padding line long enough that the first é's two bytes lie on both sides of the 1 MiB mark
  const pad = 1024 * 1024 - 1 - head - Buffer.byteLength(line(U(1), 'x')) - Buffer.byteLength(line(U(3), ''))
  const text = line(U(1), 'x') + line(U(3), 'p'.repeat(pad)) + line(U(2), name)
  assert.equal(Buffer.from(text).subarray(1024 * 1024 - 1, 1024 * 1024 + 1).toString(), 'é')
  mkdirSync(config.stateDir, { recursive: true })
  writeFileSync(journalPath(config), text)
  const read = readJournal(journalPath(config))!
  assert.equal(read.skipped, 0)
  assert.equal((read.ops.at(-1) as { value: string }).value, name)
})

test('a journal that cannot be read when a database is rebuilt is kept, and replayed once it can be', () => {
  const config = freshConfig()
  let store = openStore(config)
  metadata(store)
  store.close()
  const saved = readFileSync(journalPath(config))
  rmSync(journalPath(config))
  execFileSync('mkfifo', [journalPath(config)]) // what a read cannot take, as a file of another owner
  writeFileSync(dbPath(config), 'this is not a database, just some bytes '.repeat(200))
  store = openStore(config)
  assert.equal(store.meta().size, 0)
  store.close()
  rmSync(journalPath(config))
  writeFileSync(journalPath(config), saved)
  store = openStore(config)
  sameMetadata(store)
  store.close()
})

test('a database moved away by hand: the metadata comes back; a torn last journal line is skipped, and the next change is a line of its own', () => {
  const config = freshConfig()
  let store = openStore(config)
  metadata(store)
  store.close()
  rmSync(dbPath(config))
  appendFileSync(journalPath(config), '{"op":"meta","id":"' + U(1)) // a crash mid-append
  store = openStore(config)
  sameMetadata(store)
  // glued to the torn line, this change would be lost at the next rebuild
  store.setName(U(5), 'after the cut')
  store.close()
  rmSync(dbPath(config))
  store = openStore(config)
  sameMetadata(store)
  assert.equal(store.meta().get(U(5))?.name, 'after the cut')
  store.close()
})

test('a run that ended between a fresh database and the replay of the journal into it: the next run replays', () => {
  const config = freshConfig()
  let store = openStore(config)
  metadata(store)
  store.close()
  rmSync(dbPath(config))
  store = openStore(config)
  sameMetadata(store)
  store.close()
  // as a run killed (or a disk full) after the tables were made and before the replay leaves it
  const raw = new Database(dbPath(config))
  raw.exec("DELETE FROM meta; DELETE FROM launches; INSERT INTO sync_state (key, value) VALUES ('journal-replay-due', '1')")
  raw.close()
  store = openStore(config)
  sameMetadata(store)
  store.close()
  // replayed once: a name cleared since stays cleared at the next open
  store = openStore(config)
  store.setName(U(1), null)
  store.close()
  store = openStore(config)
  assert.equal(store.meta().get(U(1))?.name ?? null, null)
  store.close()
})

test('a journal that cannot be rewritten (a full disk) is left as it is: the store opens and answers, and compacts it later', () => {
  const config = freshConfig()
  let store = openStore(config)
  metadata(store)
  store.close()
  // past the size at which an open rewrites it as a snapshot
  const line = JSON.stringify({ op: 'meta', id: U(6), column: 'tag', value: 'x'.repeat(1000) }) + '\n'
  appendFileSync(journalPath(config), line.repeat(Math.ceil((4 * 1024 * 1024) / line.length) + 1))
  const size = statSync(journalPath(config)).size
  // the rewrite's new file, a full disk: /dev/full where it goes (replaceFile removes the link)
  symlinkSync('/dev/full', `${journalPath(config)}.${process.pid}.tmp`)
  store = openStore(config)
  sameMetadata(store)
  store.close()
  assert.equal(statSync(journalPath(config)).size, size)
  store = openStore(config)
  store.close()
  assert.ok(statSync(journalPath(config)).size < 4096, 'compacted at the next open')
})

test('damage found while working: set aside at once, the next open rebuilds', () => {
  const config = freshConfig()
  let store = openStore(config)
  save(store, ...Array.from({ length: 30 }, (_, i) => file(info(`f${i}`, { firstPrompt: 'x'.repeat(2000) }))))
  metadata(store)
  store.close()
  // keep the header page, overwrite the rest: the tables' pages are garbage
  const fd = openSync(dbPath(config), 'r+')
  writeSync(fd, Buffer.alloc(64 * 1024, 0xa5), 0, 64 * 1024, 4096)
  closeSync(fd)
  let failed: unknown = null
  try {
    store = openStore(config)
    store.transcripts()
    store.close()
  } catch (e) {
    failed = e
  }
  assert.ok(failed instanceof CsError && failed.reason === 'damaged', String(failed))
  store = openStore(config)
  sameMetadata(store)
  store.close()
})

test('damage met while rows are read as they are consumed: set aside once, as anywhere else', () => {
  const config = freshConfig()
  let store = openStore(config)
  save(store, ...Array.from({ length: 40 }, (_, i) => file(info(`f${i}`))))
  metadata(store)
  const q: RowQuery = { all: false, host: null, exclude: [], shorts: {} }
  assert.equal([...store.historyChunks(q)].length, 1, 'one block of 40 rows')
  store.close()
  // the blocks' table, which only a listing of every row reads, made garbage
  const db = new Database(dbPath(config))
  const root = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'blocks'").pluck().get() as number
  const size = db.pragma('page_size', { simple: true }) as number
  db.close()
  const fd = openSync(dbPath(config), 'r+')
  writeSync(fd, Buffer.alloc(size, 0xa5), 0, size, (root - 1) * size)
  closeSync(fd)
  store = openStore(config)
  let failed: unknown = null
  try {
    for (const _ of store.historyChunks(q)); // a generator: its statements run as it is read
  } catch (e) {
    failed = e
  }
  assert.ok(failed instanceof CsError && failed.reason === 'damaged', String(failed))
  const aside = readdirSync(join(dbPath(config), '..')).filter((f) => f.includes('.damaged-') && f.endsWith('Z'))
  assert.equal(aside.length, 1, aside.join(' '))
  assert.ok(failed.message.includes(aside[0]), 'the note names where it went')
  store.close()
  store = openStore(config)
  sameMetadata(store)
  store.close()
})

test('a database made before the journal starts one from what it holds', () => {
  const config = freshConfig()
  let store = openStore(config)
  metadata(store)
  store.close()
  rmSync(journalPath(config))
  openStore(config).close() // writes the snapshot
  rmSync(dbPath(config))
  store = openStore(config)
  sameMetadata(store)
  store.close()
})

// The dashboard's rows (lib/rows.ts), as the store keeps them.
const EVERY_ROW: RowQuery = { all: true, host: null, exclude: [], shorts: {} }
const listed = (store: Store) =>
  store.storedRows(EVERY_ROW, [0, 4], null).map(([id, , , json]) => ({ id, ...JSON.parse(json) }))
/** Each stored row's text, by host and id, as it is in the database. */
function storedTexts(config: ReturnType<typeof freshConfig>): Map<string, string> {
  const db = new Database(dbPath(config), { readonly: true })
  try {
    return new Map(db.prepare("SELECT host || ' ' || id, json FROM rows").raw().all() as [string, string][])
  } finally {
    db.close()
  }
}
/** countRows (the table's count of the rest, from tallies) agrees with the rows a listing
 *  reads, for every kind of query. */
function countsAgree(store: Store, host: string): void {
  for (const all of [true, false])
    for (const of of [null, host, 'other'])
      for (const exclude of [[], ['aaaa1111'], ['aaaa1111', 'cccc0002']])
        for (const urgencies of [[0, 4], [4, 4], [0, 3]] as [number, number][]) {
          const q: RowQuery = { all, host: of, exclude, shorts: {} }
          assert.equal(store.countRows(q, urgencies), store.storedRows(q, urgencies, null).length, JSON.stringify({ q, urgencies }))
        }
}
/** The history's rows as historyChunks gives them (its blocks cut into rows again: a row's JSON
 *  holds no raw newline) are those storedTexts reads one by one, for every kind of query. */
function chunksAgree(store: Store, host: string, excludes: string[][] = []): void {
  for (const all of [false, true])
    for (const of of [null, host])
      for (const exclude of [[], ['aaaa1111'], ['aaaa1111', 'cccc0002'], ...excludes]) {
        const q: RowQuery = { all, host: of, exclude, shorts: {} }
        // each chunk read as it comes: a block's memory is reused for the next
        const chunks: string[] = []
        for (const c of store.historyChunks(q))
          chunks.push(...(typeof c === 'string' ? [c] : c.length > 0 ? c.toString().split(',\n') : []))
        assert.deepEqual(chunks, [...store.storedTexts(q, [4, 4])], JSON.stringify(q))
      }
}
/** The stored blocks, as the database and their files hold them: upper (null: the first's) and
 *  the rows' ids (null: stale). */
function blocksOf(config: ReturnType<typeof freshConfig>): [string | null, string[] | null][] {
  const db = new Database(dbPath(config), { readonly: true })
  try {
    const rows = db.prepare('SELECT upper, file, bytes FROM blocks ORDER BY upper DESC').raw().all() as
      [string | Buffer, string | null, number | null][] // prettier-ignore
    return rows.map(([upper, file, bytes]) => {
      const json = file === null ? null : readFileSync(join(blocksDir(config), file))
      assert.equal(json?.length ?? null, bytes, `block file ${file} as named`)
      return [typeof upper === 'string' ? upper : null, json && (json.length ? json.toString().split(',\n').map((r) => JSON.parse(r).id) : [])]
    })
  } finally {
    db.close()
  }
}
/** n sessions s0, s1, …, each a minute after the one before: several blocks of history. */
const aMinuteApart = (n: number) =>
  Array.from({ length: n }, (_, i) => file(info(`s${i}`, { updatedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString() })))
/** The block files on disk are exactly those the database names: the others were swept. */
function filesAgree(config: ReturnType<typeof freshConfig>): void {
  const db = new Database(dbPath(config), { readonly: true })
  try {
    const named = db.prepare('SELECT file FROM blocks WHERE file IS NOT NULL').pluck().all() as string[]
    assert.deepEqual(readdirSync(blocksDir(config)).sort(), named.sort())
  } finally {
    db.close()
  }
}
const otherRow = (id: string, over: Partial<HostRow> = {}): HostRow => ({
  id, host: 'other', tmuxSession: null, kind: 'plain', name: null, tag: null, title: `title of ${id}`,
  cwd: '/srv/x', project: 'x', branch: null, state: 'stopped', stateSince: null, createdAt: null,
  updatedAt: '2025-01-01T00:00:00.000Z', userMessages: 1, assistantMessages: 1, model: null,
  tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, deleted: false, csVersion: '0.1.0', ...over,
}) // prettier-ignore

test("the history's blocks: rebuilt only where a row changed, cut when large, the rows one by one would give", () => {
  const config = freshConfig()
  const store = openStore(config)
  const minute = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString()
  // 1,300 sessions: three to a minute, 300 in one minute (a cut cannot fall among them), 20
  // with no time (sorted last)
  const id = (n: number) => (n === 700 ? 'aaaa1111' : `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`)
  const at = (n: number) => (n < 20 ? null : n >= 400 && n < 700 ? minute(400) : minute(Math.floor(n / 3)))
  const files = Array.from({ length: 1300 }, (_, n) => file(info(id(n), { updatedAt: at(n) })))
  const ids = (list: [string | null, string[] | null][]) => list.map(([, rows]) => rows)
  try {
    save(store, ...files)
    assert.equal(listed(store).length, 1300)
    chunksAgree(store, config.host)
    const built = blocksOf(config)
    assert.ok(built.length >= 4, `${built.length} blocks`)
    assert.equal(built[0][0], null, 'the first block bounds nothing')
    assert.equal(built.flatMap(([, rows]) => rows!).length, 1300)
    for (const [, rows] of built) assert.ok(rows!.length < 512 + 300, `a block of ${rows!.length}`)
    const tied = built.filter(([, rows]) => rows!.some((x) => at(files.findIndex((f) => f.info.id === x)) === minute(400)))
    assert.equal(tied.length, 1, 'one minute in one block')
    // rows built fresh left out of their blocks: a block's first, last, first and last, three, all
    const [, one] = built[2]
    const [, two] = built[3]
    chunksAgree(store, config.host, [[one![0]], [one!.at(-1)!], [one![0], one!.at(-1)!], [one![1], one![2], two![0]], one!])

    // one file grew: the block it was in and the first, where it is now, are rebuilt; no other
    const grown = files.map((f, n) => (n === 1000 ? file(info(id(n), { updatedAt: minute(9999), userMessages: 7 }), 200) : f))
    save(store, ...grown)
    const stale = blocksOf(config)
    assert.equal(stale.filter(([, rows]) => rows === null).length, 2, 'two blocks stale')
    chunksAgree(store, config.host)
    const after = blocksOf(config)
    filesAgree(config)
    assert.equal(after[0][1]![0], id(1000))
    const changed = ids(after).filter((rows, i) => JSON.stringify(rows) !== JSON.stringify(ids(built)[i]))
    assert.equal(changed.length, 2, 'the first block and the one it left')

    // a name in the middle of the history: its block alone
    store.setName(id(500), 'named')
    assert.equal(blocksOf(config).filter(([, rows]) => rows === null).length, 1)
    const changes = store.changes()
    chunksAgree(store, config.host)
    assert.equal(store.changes(), changes, 'a block built again is no change (the picker cache stays)')
    assert.ok(blocksOf(config).every(([, rows]) => rows !== null))
    filesAgree(config)

    // most sessions gone: blocks left with no row are dropped, their range joins the one above
    save(store, ...grown.slice(0, 150))
    chunksAgree(store, config.host)
    const few = blocksOf(config)
    assert.ok(few.length < built.length, `${few.length} blocks`)
    assert.equal(few.flatMap(([, rows]) => rows!).length, 150)
    // every one gone: the first block stays, empty
    save(store)
    chunksAgree(store, config.host)
    assert.deepEqual(blocksOf(config), [[null, []]])
    filesAgree(config)
  } finally {
    store.close()
  }
})

test("a block's file gone, cut short, zeroed or replaced: its rows are read instead; a folder that cannot hold them costs speed alone", () => {
  const config = freshConfig()
  const store = openStore(config)
  try {
    save(store, ...aMinuteApart(1200))
    chunksAgree(store, config.host)
    const names = () => readdirSync(blocksDir(config)).sort()
    const [gone, cut, zeroed, fifo] = names()
    assert.ok(fifo, `${names().length} block files`)
    const path = (name: string) => join(blocksDir(config), name)
    rmSync(path(gone))
    writeFileSync(path(cut), readFileSync(path(cut)).subarray(0, 100))
    writeFileSync(path(zeroed), Buffer.alloc(statSync(path(zeroed)).size))
    rmSync(path(fifo))
    execFileSync('mkfifo', [path(fifo)])
    chunksAgree(store, config.host) // no hang on the FIFO, no garbage
    // the next listing builds them again
    chunksAgree(store, config.host)
    assert.ok(blocksOf(config).every(([, rows]) => rows !== null), 'built again')
    filesAgree(config)
    // a file where the folder should be: no block can be written, the rows are read one by one
    store.setName('s3', 'named')
    rmSync(blocksDir(config), { recursive: true })
    writeFileSync(blocksDir(config), 'not a folder')
    chunksAgree(store, config.host)
    assert.ok(blocksOf(config).every(([, rows]) => rows === null), 'left stale, the others lost')
    rmSync(blocksDir(config))
    store.setName('s4', 'named too')
    chunksAgree(store, config.host)
    assert.ok(blocksOf(config).every(([, rows]) => rows !== null), 'built again where it can be')
  } finally {
    store.close()
  }
})

test('a build that fails after writing some of its files leaves none of them behind', () => {
  const config = freshConfig()
  const store = openStore(config)
  const raw = new Database(dbPath(config))
  try {
    // one stale block of 1,200 rows, cut in pieces: the first written by an UPDATE, the others
    // by INSERTs, which fail here as a full disk would fail a later file
    save(store, ...aMinuteApart(1200))
    raw.exec("CREATE TRIGGER fail BEFORE INSERT ON blocks WHEN new.file IS NOT NULL BEGIN SELECT RAISE(ABORT, 'a full disk'); END")
    assert.throws(() => {
      for (const _ of store.historyChunks({ all: false, host: null, exclude: [], shorts: {} }));
    })
    assert.deepEqual(readdirSync(blocksDir(config)), [], 'no file left that no block names')
    raw.exec('DROP TRIGGER fail')
    chunksAgree(store, config.host)
    filesAgree(config)
  } finally {
    raw.close()
    store.close()
  }
})

test("a listing holding an older snapshot while another cs builds every block again and sweeps: its rows as they were", () => {
  const config = freshConfig()
  const a = openStore(config)
  const b = openStore(config)
  const raw = new Database(dbPath(config))
  try {
    save(a, ...aMinuteApart(1500))
    const q: RowQuery = { all: false, host: null, exclude: [], shorts: {} }
    const expected = [...a.storedTexts(q, [4, 4])]
    for (const _ of a.historyChunks(q));
    const rows = (c: string | Buffer) => (typeof c === 'string' ? [c] : c.length ? c.toString().split(',\n') : [])
    const got: string[] = []
    const it = a.historyChunks(q)[Symbol.iterator]()
    got.push(...rows(it.next().value!)) // a's snapshot taken
    raw.exec('UPDATE blocks SET file = NULL, bytes = NULL') // every block stale: b builds them all again
    for (const _ of b.historyChunks(q));
    for (let r = it.next(); !r.done; r = it.next()) got.push(...rows(r.value))
    assert.deepEqual(got, expected)
    assert.ok(blocksOf(config).every(([, ids]) => ids !== null), "none marked lost by a: b's files are not a's")
    filesAgree(config)
  } finally {
    raw.close()
    a.close()
    b.close()
  }
})

test("a stale block is read row by row, not waited for, while another cs holds the write lock", () => {
  const config = freshConfig()
  const store = openStore(config)
  const other = new Database(dbPath(config))
  try {
    save(store, ...Array.from({ length: 50 }, (_, i) => file(info(`s${i}`))))
    listed(store)
    chunksAgree(store, config.host)
    store.setName('s7', 'named')
    other.exec('BEGIN IMMEDIATE') // a sync writing, say
    const started = Date.now()
    chunksAgree(store, config.host)
    assert.ok(Date.now() - started < 2500, `waited ${Date.now() - started} ms (the busy timeout is 5 s)`)
    assert.equal(blocksOf(config)[0][1], null, 'still stale: built by a later listing')
    other.exec('COMMIT')
    chunksAgree(store, config.host)
    assert.notEqual(blocksOf(config)[0][1], null)
  } finally {
    other.close()
    store.close()
  }
})

test("a warm run reads the listing of a live session's folder: found by name, then by its row", () => {
  const store = openStore(freshConfig())
  const [a, b] = [file(info('a')), file(info('b'))]
  const later = a.mark.mtimeMs + 1 // no file modified since: only a live one makes a folder hot
  const listingOf = (live: string[]) => store.listings(later, live).get(FOLDER)!.listing
  save(store, a, b)
  // before the dashboard's rows are built, a live file is looked for by its name in the listings
  assert.equal(listingOf(['b']), null, 'b.jsonl is not named in this listing')
  const naming = 'a.jsonl 100 1 1\nb.jsonl 100 1 1\n'
  store.saveIndex({ folders: [{ path: FOLDER, listing: naming, mtimeMs: 5, files: [a, b] }], gone: [], parsers: [] })
  assert.equal(listingOf(['b']), naming)
  assert.equal(listingOf(['c']), null)
  // once they are built, by the folder of its row: the listing's text is not searched
  assert.equal(listed(store).length, 2)
  save(store, a, b)
  assert.equal(listingOf(['b']), 'listing of 2')
  assert.equal(listingOf(['c', 'a']), 'listing of 2')
  assert.equal(listingOf(['c']), null)
  assert.equal(listingOf([]), null)
  store.close()
})

test("the dashboard's rows are built once, then rewritten only for the sessions that changed", () => {
  const config = freshConfig()
  const store = openStore(config)
  const key = (id: string) => `${config.host} ${id}`
  try {
    save(store, file(info('aaaa1111')), file(info('aaaa2222')), file(info('bbbb3333')))
    assert.deepEqual(
      listed(store).map((r) => [r.id, r.short, r.title]),
      [['aaaa1111', 'aaaa1', 'prompt of aaaa1111'], ['aaaa2222', 'aaaa2', 'prompt of aaaa2222'], ['bbbb3333', 'bbbb', 'prompt of bbbb3333']]
    )
    const built = storedTexts(config)
    countsAgree(store, config.host)
    chunksAgree(store, config.host)
    // one file grew: its row alone is rewritten, and it comes first (newest)
    const grown = info('aaaa2222', { userMessages: 9, updatedAt: '2025-01-05T00:00:00.000Z' })
    save(store, file(info('aaaa1111')), file(grown, 200), file(info('bbbb3333')))
    let now = storedTexts(config)
    assert.notEqual(now.get(key('aaaa2222')), built.get(key('aaaa2222')))
    for (const id of ['aaaa1111', 'bbbb3333']) assert.equal(now.get(key(id)), built.get(key(id)), `${id} untouched`)
    assert.deepEqual(listed(store).map((r) => [r.id, r.messages]), [['aaaa2222', 12], ['aaaa1111', 5], ['bbbb3333', 5]])
    // renamed: that row alone
    store.setName('bbbb3333', 'named')
    const renamed = storedTexts(config)
    assert.notEqual(renamed.get(key('bbbb3333')), now.get(key('bbbb3333')))
    for (const id of ['aaaa1111', 'aaaa2222']) assert.equal(renamed.get(key(id)), now.get(key(id)))
    assert.equal(listed(store).find((r) => r.id === 'bbbb3333').title, 'named')
    // soft-deleted: hidden unless all
    store.setDeleted(['bbbb3333'], '2025-02-01T00:00:00.000Z')
    assert.deepEqual(store.storedRows({ ...EVERY_ROW, all: false }, [0, 4], null).map((r) => r[0]), ['aaaa2222', 'aaaa1111'])
    assert.equal(store.countRows({ ...EVERY_ROW, all: false }, [4, 4]), 2)
    countsAgree(store, config.host)
    chunksAgree(store, config.host)
    // a file gone: its row goes, and the short ids that it lengthened shorten
    save(store, file(info('aaaa1111')), file(info('bbbb3333')))
    assert.deepEqual(listed(store).map((r) => [r.id, r.short]), [['aaaa1111', 'aaaa'], ['bbbb3333', 'bbbb']])
    now = storedTexts(config)
    assert.equal(now.get(key('aaaa1111')), built.get(key('aaaa1111'))!.replace('"short":"aaaa1"', '"short":"aaaa"'), 'its short id alone changed')
    countsAgree(store, config.host)
    chunksAgree(store, config.host)
  } finally {
    store.close()
  }
})

test("live rows built fresh get the short ids of every id shown: the stored ones, or longer beside an id not stored", () => {
  const config = freshConfig()
  const store = openStore(config)
  try {
    save(store, file(info('aaaa1111')), file(info('bbbb3333')), file(info('cccc5555')))
    const live = (id: string) => sessionView({ id, host: config.host, live: true, state: 'idle', updatedAt: '2025-01-09T00:00:00.000Z' })
    const shorts = (...ids: string[]) =>
      listRows(store, ids.map(live), { all: true }).rows.map((r) => JSON.parse(r) as { id: string; short: string; live: boolean })
        .map((r) => `${r.id}=${r.short}${r.live ? ' live' : ''}`)
    // stored, live: as stored, and the others as they were
    assert.deepEqual(shorts('bbbb3333'), ['bbbb3333=bbbb live', 'aaaa1111=aaaa', 'cccc5555=cccc'])
    // one not stored yet beside a stored one: both lengthen, the stored neighbour's row too
    assert.deepEqual(shorts('bbbb3333', 'aaaa1112').sort(), ['aaaa1111=aaaa1111', 'aaaa1112=aaaa1112 live', 'bbbb3333=bbbb live', 'cccc5555=cccc'])
    assert.deepEqual(shorts('cccc5556', 'cccc5555').sort(), ['aaaa1111=aaaa', 'bbbb3333=bbbb', 'cccc5555=cccc5555 live', 'cccc5556=cccc5556 live'])
  } finally {
    store.close()
  }
})

test("rows built at once leave out another host's row of this host's id, even one the table's order puts first", () => {
  const config = freshConfig()
  const store = openStore(config)
  try {
    save(store, file(info('aaaa1111')))
    // live there and newer: written before this host's row by a build (lib/store-sqlite.ts buildRows)
    store.saveHostRows('other', [otherRow('aaaa1111', { state: 'idle', updatedAt: '2025-03-01T00:00:00.000Z' }), otherRow('cccc0001')], 'x')
    assert.deepEqual(listed(store).map((r) => [r.id, r.host, r.short]), [
      ['aaaa1111', config.host, 'aaaa'],
      ['cccc0001', 'other', 'cccc'],
    ])
    countsAgree(store, config.host)
    chunksAgree(store, config.host)
  } finally {
    store.close()
  }
})

test("other hosts' rows are kept one a session: a pull rewrites those it changes; this host's id wins", () => {
  const config = freshConfig()
  const store = openStore(config)
  try {
    save(store, file(info('aaaa1111')))
    store.saveHostRows('other', [otherRow('cccc0001'), otherRow('aaaa1111'), otherRow('cccc0002', { state: 'idle' })], 'x')
    // the live one first; aaaa1111 is this host's
    assert.deepEqual(listed(store).map((r) => [r.id, r.host, r.live]), [
      ['cccc0002', 'other', true],
      ['aaaa1111', config.host, false],
      ['cccc0001', 'other', false],
    ])
    countsAgree(store, config.host)
    chunksAgree(store, config.host)
    // a save says what it changed: as it was and as it is; rows it left alone are not named
    const changes = (c: HostRowChange[] | null) => c!.map((x) => [x.before?.id ?? null, x.before?.title ?? null, x.after?.id ?? null, x.after?.title ?? null])
    const three = [otherRow('cccc0001'), otherRow('aaaa1111'), otherRow('cccc0002', { state: 'idle' })]
    assert.deepEqual(store.saveHostRows('other', three, 'x'), [])
    assert.deepEqual(changes(store.saveHostRows('other', [three[0], { ...three[1], title: 'new' }, otherRow('cccc0003')], 'x')), [
      ['cccc0002', 'title of cccc0002', null, null],
      ['aaaa1111', 'title of aaaa1111', 'aaaa1111', 'new'],
      [null, null, 'cccc0003', 'title of cccc0003'],
    ])
    store.saveHostRows('other', three, 'x')
    const before = storedTexts(config)
    assert.deepEqual(changes(store.saveHostRows('other', [otherRow('cccc0001', { title: 'changed there' })], 'y', { gone: [] })), [
      ['cccc0001', 'title of cccc0001', 'cccc0001', 'changed there'],
    ])
    const after = storedTexts(config)
    assert.notEqual(after.get('other cccc0001'), before.get('other cccc0001'))
    for (const k of ['other cccc0002', 'other aaaa1111']) assert.equal(after.get(k), before.get(k))
    assert.deepEqual(store.hostRows('other').map((r) => r.id).sort(), ['aaaa1111', 'cccc0001', 'cccc0002'])
    // cs's own name wins on another host's row too
    store.setName('cccc0001', 'named here')
    assert.equal(listed(store).find((r) => r.id === 'cccc0001').title, 'named here')
    // this host's transcript gone: the other host's row of that id shows
    store.forget([info('aaaa1111').path])
    assert.deepEqual(listed(store).map((r) => [r.id, r.host]), [['cccc0002', 'other'], ['aaaa1111', 'other'], ['cccc0001', 'other']])
    countsAgree(store, config.host)
    chunksAgree(store, config.host)
    // replaced whole: rows no longer there go
    store.saveHostRows('other', [otherRow('cccc0001')], 'z')
    assert.deepEqual(listed(store).map((r) => r.id), ['cccc0001'])
    countsAgree(store, config.host)
    chunksAgree(store, config.host)
  } finally {
    store.close()
  }
})

test("a schema bump rebuilds the dashboard's rows, cs's names kept", () => {
  const config = freshConfig()
  let store = openStore(config)
  save(store, file(info('aaaa1111')))
  store.setName('aaaa1111', 'named')
  store.saveHostRows('other', [otherRow('cccc0001')], 'x')
  assert.equal(listed(store).length, 2)
  store.close()
  const raw = new Database(dbPath(config))
  raw.pragma('user_version = 999')
  raw.close()
  store = openStore(config)
  try {
    assert.deepEqual(listed(store).map((r) => r.id), ['cccc0001'], "the index is gone, the other hosts' copy kept")
    save(store, file(info('aaaa1111')))
    assert.deepEqual(listed(store).map((r) => [r.id, r.title]), [['aaaa1111', 'named'], ['cccc0001', 'title of cccc0001']])
  } finally {
    store.close()
  }
})

test("a host's ssh answers kept line by line leave the same rows as each answer kept whole", () => {
  // two stores given the same answers: one compares each with the last (keepAnswer), the other
  // takes every answer whole; random answers of the layout cs ls --json writes, with rows
  // changed, new and gone, lines given twice, rows that fail a check, another cs version there,
  // another layout, and another process keeping an answer in between
  let seed = 7
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n))
  const view = (n: number) =>
    sessionView({ id: `cccc000${n}-0000-4000-8000-00000000000${n}`, host: 'b', title: `t${random(3)} ,\n{`, state: (['idle', 'waiting', 'stopped'] as const)[random(3)] })
  const answerOf = (): { text: string; version: string } => {
    const rows = [...Array(8).keys()].filter(() => random(3) > 0).map((n) => JSON.stringify(view(n)))
    if (random(4) === 0) rows.push(JSON.stringify({ ...view(9), host: 'c' })) // fails: another host
    if (random(4) === 0) rows.push(JSON.stringify({ ...view(8), id: '../..' })) // fails: no id
    if (rows.length && random(5) === 0) rows.push(rows[0]) // a line twice
    const text = random(10) === 0 ? JSON.stringify(rows.map((r) => JSON.parse(r))) : `${jsonArray(rows)}\n`
    return { text, version: random(8) === 0 ? '0.3.0' : '0.2.0' }
  }
  const configs = [freshConfig(), freshConfig(), freshConfig()]
  const [byLine, whole, other] = configs.map(openStore)
  const raw = new Database(dbPath(configs[0]))
  try {
    for (const store of [byLine, whole]) listed(store) // the dashboard's rows built: kept as rows change
    for (let round = 0; round < 80; round++) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, round)).toISOString()
      const { text, version } = answerOf()
      const facts = (csVersion: string) => ({ name: 'b', ssh: 'b', csVersion, lastSync: null, heartbeat: at, source: 'ssh' as const })
      let before = byLine.hostAnswer('b')
      if (round > 0) assert.ok(before, 'the answer kept') // else this test compares nothing
      const meanwhile = random(5)
      if (meanwhile === 0) {
        // another process keeps an answer after this one read the kept one
        const other = answerOf()
        keepAnswer(byLine, facts(other.version), other.text, `${at}0`, before)
        if (random(2) === 0) before = byLine.hostAnswer('b')
      } else if (meanwhile === 1) {
        // a cs that keeps no answers replaces the rows (an older one, on this same store): as
        // this one does without an answer, the answer then put back as it was
        const other = answerOf()
        const answer = raw.prepare("SELECT key, value FROM sync_state WHERE key IN ('answer:b', 'answer-of:b')").raw().all()
        byLine.saveHostRows('b', parseAnswer(other.text, 'b', at, other.version).rows, `${at}1`)
        for (const kv of answer) raw.prepare('INSERT OR REPLACE INTO sync_state VALUES (?, ?)').run(kv)
      }
      const kept = keepAnswer(byLine, facts(version), text, at, before)
      assert.equal(byLine.hostAnswer('b')?.text(), text, 'the answer kept for the next')
      const all = parseAnswer(text, 'b', at, version)
      whole.saveHostRows('b', all.rows, at)
      keepAnswer(other, facts(version), text, at, null)
      const rows = (store: Store) => store.hostRows('b').sort((x, y) => compareText(x.id, y.id))
      assert.deepEqual(rows(byLine), rows(whole), `round ${round}`)
      assert.equal(kept.skipped, all.skipped, `round ${round}`)
      assert.deepEqual(listed(byLine), listed(whole), `round ${round}`)
      assert.deepEqual(rows(other), rows(whole))
    }
    // an answer that is no session list changes nothing
    const kept = () => {
      const answer = byLine.hostAnswer('b')
      return answer && { ...answer, text: answer.text() }
    }
    const was = () => [byLine.hostRows('b'), kept(), byLine.hosts()]
    const before = was()
    const late = new Date(Date.UTC(2026, 1, 1)).toISOString()
    const bad = '[\n{"id":}\n]\n'
    assert.throws(() => keepAnswer(byLine, { ...byLine.hosts()[0], csVersion: '0.2.0' }, bad, late, byLine.hostAnswer('b')), CsError)
    assert.deepEqual(was(), before)
    // nor one of escape sequences, which the error's text, quoting it, does not carry
    const hostile = '\u001b]0;OWNED\u0007\u001b[2J\u009b31m'
    assert.throws(
      () => keepAnswer(byLine, { ...byLine.hosts()[0], csVersion: '0.2.0' }, hostile, late, null),
      (e: Error) => e instanceof CsError && /not a session list/.test(e.message) && !/[\u001b\u0007\u009b]/.test(e.message)
    )
    assert.deepEqual(was(), before)
    // kept rows come from elsewhere now (a pull, a forgotten host): the answer is dropped
    byLine.saveHostRows('b', [], 'x')
    assert.equal(raw.prepare("SELECT count(*) FROM sync_state WHERE key IN ('answer:b', 'answer-of:b')").pluck().get(), 0)
  } finally {
    raw.close()
    for (const store of [byLine, whole, other]) store.close()
  }
})

test("a legacy summary record titles another file's row; a change to it rebuilds the rows", () => {
  const config = freshConfig()
  const store = openStore(config)
  try {
    save(store, file(info('aaaa1111')))
    assert.equal(listed(store)[0].title, 'prompt of aaaa1111')
    const holder = info('bbbb2222', { summaries: [{ leafUuid: 'aaaa1111-last', summary: 'legacy title' }] })
    save(store, file(info('aaaa1111')), file(holder))
    assert.equal(listed(store).find((r) => r.id === 'aaaa1111').title, 'legacy title')
    save(store, file(info('aaaa1111')))
    assert.equal(listed(store)[0].title, 'prompt of aaaa1111')
  } finally {
    store.close()
  }
})

test("schema 6's blob of other hosts' rows a host becomes a row a session", () => {
  const config = freshConfig()
  openStore(config).close()
  const raw = new Database(dbPath(config))
  raw.exec('CREATE TABLE host_rows (host TEXT PRIMARY KEY, rows BLOB NOT NULL)')
  raw.prepare('INSERT INTO host_rows (host, rows) VALUES (?, ?)').run('other', serialize([otherRow('cccc0001'), otherRow('cccc0002')]))
  raw.pragma('user_version = 6')
  raw.close()
  const store = openStore(config)
  try {
    assert.deepEqual(store.hostRows('other').map((r) => r.id), ['cccc0001', 'cccc0002'])
    assert.deepEqual(listed(store).map((r) => r.id), ['cccc0001', 'cccc0002'])
  } finally {
    store.close()
  }
})

test("the sync's own values do not count as changes: a sync that moved only them rewrites no picker cache", () => {
  const store = openStore(freshConfig())
  const before = store.changes()
  store.setSyncValue('lastPull', '2026-12-02T11:00:00.000Z')
  store.setSyncValue('lastPull', null)
  assert.equal(store.changes(), before)
  store.setName('0b1c2d3e-0000-4000-8000-000000000001', 'named')
  assert.ok(store.changes() > before, 'a name is shown: it counts')
  store.close()
})

test("a change whose transaction fails after its journal line is written leaves no line: it never comes back", () => {
  const config = freshConfig()
  let store = openStore(config)
  store.setName(U(1), 'kept')
  const journal = () => readFileSync(journalPath(config), 'utf8')
  const before = journal()
  // the failure a refused commit is, after the line was appended: a trigger on the table the
  // change writes last
  const other = new Database(dbPath(config))
  other.exec("CREATE TRIGGER refuse BEFORE INSERT ON meta_dirty BEGIN SELECT RAISE(ABORT, 'refused'); END")
  assert.throws(() => store.setName(U(1), 'failed'), /refused/)
  assert.throws(() => store.setDeleted([U(1), U(2)], '2026-01-01T00:00:00.000Z'), /refused/)
  other.exec('DROP TRIGGER refuse')
  other.close()
  assert.equal(journal(), before)
  // a failure past the writes of a deletion (its record, say) takes its lines back as well
  assert.throws(() => store.setDeleted([U(2)], '2026-01-01T00:00:00.000Z', { then: () => { throw new Error('no room') } }), /no room/)
  assert.equal(journal(), before)
  store.close()
  rmSync(dbPath(config)) // rebuilt from the journal
  store = openStore(config)
  assert.equal(store.meta([U(1)]).get(U(1))?.name, 'kept')
  assert.equal(store.meta([U(2)]).get(U(2)), undefined)
  store.close()
})

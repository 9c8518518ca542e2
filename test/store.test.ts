import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../lib/config.ts'
import { CsError } from '../lib/errors.ts'
import { dbPath } from '../lib/paths.ts'
import type { TranscriptInfo } from '../lib/session.ts'
import { openStore } from '../lib/store-sqlite.ts'
import type { Store } from '../lib/store.ts'

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
  assert.deepEqual(store.listings(), new Map([[FOLDER, listing]]))
  assert.deepEqual(store.folder(FOLDER), { path: FOLDER, ...listing, files: [a, b] })
  assert.equal(store.folder('/p/elsewhere'), null)
  assert.deepEqual(store.transcripts(), [a.info, b.info])
  assert.equal(store.parserState(a.mark), 'state of a')
  // a state saved at another mark (another process read further) is not this one
  assert.equal(store.parserState({ ...a.mark, offset: 5 }), null)

  save(store, b)
  assert.deepEqual(store.transcripts().map((t) => t.id), ['b'])
  assert.equal(store.parserState(a.mark), null)
  store.saveIndex({ folders: [], gone: [FOLDER], parsers: [] })
  assert.equal(store.listings().size, 0)
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
  assert.deepEqual(store.listings().get(FOLDER), { listing: '', mtimeMs: 1700000000456.5 })
  store.close()
})

test('a folder whose own mtime alone moved keeps its files; the last full walk is kept', () => {
  const store = openStore(freshConfig())
  const a = file(info('a'))
  save(store, a)
  assert.equal(store.lastFullWalk(), 0)
  store.saveIndex({ folders: [], moved: [{ path: FOLDER, mtimeMs: 5 }], gone: [], parsers: [], fullWalkAt: 1234.5 })
  assert.deepEqual(store.folder(FOLDER), { path: FOLDER, listing: 'listing of 1', mtimeMs: 5, files: [a] })
  assert.equal(store.lastFullWalk(), 1234.5)
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
  store.setDeleted('s2', '2025-05-01T00:00:00.000Z')
  assert.deepEqual(store.meta().get('s1'), { id: 's1', name: 'api work', tag: 'keep', deletedAt: null })
  assert.deepEqual(store.meta().get('s2'), { id: 's2', name: null, tag: null, deletedAt: '2025-05-01T00:00:00.000Z' })
  store.setName('s1', null)
  store.setTag('s1', null)
  store.setDeleted('s2', null)
  assert.equal(store.meta().size, 0)
  store.close()
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
  store.saveLaunch({ id: 'a', host: 'h', tmuxSession: 't', cwd: '/', launchedAt: 'x', lastState: null, lastSeenAt: null })
  store.close()
  const raw = new Database(dbPath(config))
  raw.pragma('user_version = 999')
  raw.close()
  store = openStore(config)
  assert.equal(store.listings().size, 0)
  assert.deepEqual(store.transcripts(), [])
  assert.equal(store.meta().get('a')?.name, 'named')
  assert.equal(store.launches().length, 1)
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

test('a corrupt database is a CsError naming the file and the fix', () => {
  const config = freshConfig()
  mkdirSync(config.stateDir, { recursive: true })
  writeFileSync(dbPath(config), 'this is not a database, just some bytes '.repeat(200))
  assert.throws(
    () => openStore(config),
    (e: unknown) =>
      e instanceof CsError && e.message.includes(dbPath(config)) && /move it away/.test(e.hint ?? '')
  )
})

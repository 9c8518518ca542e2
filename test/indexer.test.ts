import { describe, test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readFileSync,
  mkdtempSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import Database from 'better-sqlite3'
import { dirname, join, resolve } from 'node:path'
import { loadConfig, type Config } from '../lib/config.ts'
import { fullWalkDue, indexTranscripts, lastFullWalk, MAX_LINE } from '../lib/indexer.ts'
import { dbPath, projectsDir } from '../lib/paths.ts'
import type { TranscriptInfo } from '../lib/session.ts'
import { openStore } from '../lib/store-sqlite.ts'
import type { Store } from '../lib/store.ts'
import { isolatedCs } from './harness/cs.ts'

const REPO = resolve(import.meta.dirname, '..')
const root = mkdtempSync(join(tmpdir(), 'cs-indexer-'))
after(() => rmSync(root, { recursive: true, force: true }))

// Real-format records: chain entries start {"parentUuid":…}, metadata records {"type":…}.
const user = (id: string, uuid: string, text: string) =>
  JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    userType: 'external',
    cwd: '/work/app',
    sessionId: id,
    version: '2.1.197',
    gitBranch: 'main',
    type: 'user',
    message: { role: 'user', content: text },
    uuid,
    timestamp: '2025-06-01T10:00:00.000Z',
  }) + '\n'
const title = (id: string, t: string) => JSON.stringify({ type: 'custom-title', customTitle: t, sessionId: id }) + '\n'
const summary = (leafUuid: string, s: string) => JSON.stringify({ type: 'summary', summary: s, leafUuid }) + '\n'

let n = 0
function setup(): { config: Config; store: Store; project: (name: string) => string } {
  const home = join(root, `home${++n}`)
  const config = loadConfig({ HOME: home })
  const store = openStore(config)
  after(() => store.close())
  const project = (name: string) => {
    const dir = join(projectsDir(config), name)
    mkdirSync(dir, { recursive: true })
    return dir
  }
  return { config, store, project }
}

function session(dir: string, ...lines: string[]): { id: string; path: string } {
  const id = randomUUID()
  const path = join(dir, `${id}.jsonl`)
  writeFileSync(path, lines.join(''))
  return { id, path }
}

const byId = (store: Store, id: string) => store.transcripts().find((t) => t.id === id)
const markOf = (store: Store, path: string) => store.folder(dirname(path))?.files.find((f) => f.mark.path === path)?.mark

test('indexes only UUID-named, non-empty session files directly in project folders', () => {
  const { config, store, project } = setup()
  const dir = project('-work-app')
  const a = session(dir, user('x', 'u1', 'hello'))
  const b = session(project('-work-other'), user('x', 'u2', 'other'))
  writeFileSync(join(dir, 'agent-1a2b3c4d.jsonl'), user('x', 'u3', 'sub'))
  writeFileSync(join(dir, 'notes.jsonl'), user('x', 'u4', 'notes'))
  writeFileSync(join(dir, `${randomUUID()}.orphaned-1700000000000-1a2b3c4d.jsonl`), user('x', 'u5', 'q'))
  writeFileSync(join(dir, `${randomUUID()}.jsonl`), '')
  mkdirSync(join(dir, a.id, 'subagents'), { recursive: true })
  writeFileSync(join(dir, a.id, 'subagents', 'agent-9f8e7d6c.jsonl'), user('x', 'u6', 'sub'))
  writeFileSync(join(dir, a.id, `${randomUUID()}.jsonl`), user('x', 'u7', 'nested'))
  writeFileSync(join(projectsDir(config), `${randomUUID()}.jsonl`), user('x', 'u8', 'top level'))

  const report = indexTranscripts(config, store)
  assert.equal(report.seen, 2)
  assert.equal(report.read, 2)
  assert.deepEqual(store.transcripts().map((t) => t.id).sort(), [a.id, b.id].sort())
  assert.equal(byId(store, a.id)!.projectDir, '-work-app')
  assert.equal(byId(store, a.id)!.path, a.path)
})

test('reads nothing of an unchanged file and only the appended bytes of a grown one', () => {
  const { config, store, project } = setup()
  const s = session(project('-work-app'), title('x', 'first'), user('x', 'u1', 'hello'))
  const first = indexTranscripts(config, store)
  assert.equal(first.bytes, statSync(s.path).size)
  assert.deepEqual({ ...indexTranscripts(config, store), seen: 0 }, { seen: 0, read: 0, bytes: 0, dropped: 0, unknownRecords: 0, badLines: 0, unreadable: [] })

  const added = title('x', 'renamed') + user('x', 'u2', 'more')
  appendFileSync(s.path, added)
  const grown = indexTranscripts(config, store)
  assert.equal(grown.read, 1)
  assert.equal(grown.bytes, Buffer.byteLength(added))
  const t = byId(store, s.id)!
  assert.equal(t.customTitle, 'renamed')
  assert.equal(t.lastUuid, 'u2')
})

test('leaves a half-written last line for the next run, then reads it once complete', () => {
  const { config, store, project } = setup()
  const head = user('x', 'u1', 'hello')
  const line = title('x', 'finished title')
  const s = session(project('-work-app'), head, line.slice(0, 20))
  const r1 = indexTranscripts(config, store)
  assert.equal(r1.badLines, 0)
  assert.equal(markOf(store, s.path)!.offset, Buffer.byteLength(head))
  assert.equal(byId(store, s.id)!.customTitle, null)

  appendFileSync(s.path, line.slice(20))
  const r2 = indexTranscripts(config, store)
  assert.equal(r2.bytes, Buffer.byteLength(line))
  assert.equal(markOf(store, s.path)!.offset, statSync(s.path).size)
  assert.equal(byId(store, s.id)!.customTitle, 'finished title')
})

describe('a last line without its newline (a client that exited mid-write, a trimmed copy)', () => {
  const real = readFileSync(resolve(REPO, 'test/fixtures/real/simple.jsonl'))
  const counts = (t: TranscriptInfo) => [t.userMessages, t.assistantMessages, t.tokens, t.lastUuid, t.badLines]

  test('is read when it is a whole JSON object, and not counted again when its newline arrives', () => {
    const { config, store, project } = setup()
    const whole = session(project('-whole'), real.toString())
    const cut = real.indexOf(10, real.indexOf('"type":"assistant"')) // the answer's newline
    const s = session(project('-home-dev-project'), real.subarray(0, cut).toString())
    indexTranscripts(config, store)
    assert.deepEqual([byId(store, s.id)!.userMessages, byId(store, s.id)!.assistantMessages], [1, 1])
    assert.equal(markOf(store, s.path)!.offset, cut)
    assert.equal(indexTranscripts(config, store, { scope: 'hot' }).read, 0, 'nothing left to read')

    appendFileSync(s.path, real.subarray(cut))
    const r = indexTranscripts(config, store, { scope: 'hot' })
    assert.equal(r.bytes, real.length - cut)
    assert.deepEqual(counts(byId(store, s.id)!), counts(byId(store, whole.id)!))
  })

  test('a title record at the end is not lost: a legacy summary, a custom title', () => {
    const { config, store, project } = setup()
    const dir = project('-work-app')
    const target = session(dir, user('x', 'leaf-1', 'fix the parser'))
    const holder = session(dir, summary('leaf-1', 'Parser fixes').trimEnd()) // 1.0.x: a file of summaries
    const named = session(dir, user('x', 'u2', 'hello'), title('x', 'Release work').trimEnd())
    const r = indexTranscripts(config, store)
    assert.equal(byId(store, target.id)!.summary, 'Parser fixes')
    assert.equal(byId(store, named.id)!.customTitle, 'Release work')
    assert.equal(markOf(store, holder.path)!.offset, statSync(holder.path).size)
    assert.equal(r.badLines, 0)
  })
})

test("a record time far past the file's last write (a skewed clock, a copied file) gives way to the write time", () => {
  const { config, store, project } = setup()
  const dir = project('-work-app')
  const at = (t: string) => (line: string) => line.replace('2025-06-01T10:00:00.000Z', t)
  const future = session(dir, at('2099-01-01T00:00:00.000Z')(user('x', 'u1', 'from a clock far ahead')))
  const plain = session(dir, user('x', 'u2', 'stamped when written'))
  const ahead = session(dir, at('2025-06-01T10:05:00.000Z')(user('x', 'u3', 'five minutes ahead of its write')))
  const written = Date.parse('2025-06-01T10:00:00.000Z')
  for (const f of [future, plain, ahead]) utimesSync(f.path, written / 1000, written / 1000)
  indexTranscripts(config, store)
  const f = byId(store, future.id)!
  assert.deepEqual([f.createdAt, f.updatedAt], ['2025-06-01T10:00:00.000Z', '2025-06-01T10:00:00.000Z'])
  assert.equal(byId(store, plain.id)!.updatedAt, '2025-06-01T10:00:00.000Z')
  assert.equal(byId(store, ahead.id)!.updatedAt, '2025-06-01T10:05:00.000Z', 'minutes ahead: kept')
})

test('a shrunk or replaced file is read again from the start', () => {
  const { config, store, project } = setup()
  const s = session(project('-work-app'), title('x', 'old'), user('x', 'u1', 'hello'), user('x', 'u2', 'again'))
  indexTranscripts(config, store)

  const shorter = title('x', 'short') + user('x', 'u9', 'hi')
  writeFileSync(s.path, shorter)
  const shrunk = indexTranscripts(config, store)
  assert.equal(shrunk.bytes, Buffer.byteLength(shorter))
  assert.equal(byId(store, s.id)!.customTitle, 'short')
  assert.equal(byId(store, s.id)!.lastUuid, 'u9')

  // same size, other content, newer mtime
  const same = title('x', 'SHORT') + user('x', 'u8', 'hi')
  writeFileSync(s.path, same)
  const later = new Date(statSync(s.path).mtimeMs + 5000)
  utimesSync(s.path, later, later)
  const replaced = indexTranscripts(config, store)
  assert.equal(replaced.bytes, Buffer.byteLength(same))
  assert.equal(byId(store, s.id)!.customTitle, 'SHORT')

  // rewritten in place, larger (a backup restored with cp: the same inode, grown): not an append
  const inode = statSync(s.path).ino
  const restored = title('x', 'RESTORED') + user('x', 'u7', 'from the backup') + user('x', 'u6', 'and more')
  writeFileSync(s.path, restored)
  const newer = new Date(statSync(s.path).mtimeMs + 10_000)
  utimesSync(s.path, newer, newer)
  assert.equal(statSync(s.path).ino, inode)
  const read = indexTranscripts(config, store)
  assert.equal(read.bytes, Buffer.byteLength(restored))
  assert.deepEqual([byId(store, s.id)!.customTitle, byId(store, s.id)!.lastUuid, byId(store, s.id)!.userMessages], ['RESTORED', 'u6', 2])
  // and an append after it is read alone
  appendFileSync(s.path, user('x', 'u5', 'appended'))
  const later2 = new Date(newer.getTime() + 10_000)
  utimesSync(s.path, later2, later2)
  assert.equal(indexTranscripts(config, store).bytes, Buffer.byteLength(user('x', 'u5', 'appended')))
  assert.equal(byId(store, s.id)!.userMessages, 3)
})

test('a parser state that cannot be loaded means reading the file again', () => {
  const { config, store, project } = setup()
  const s = session(project('-work-app'), title('x', 'kept'), user('x', 'u1', 'hello'))
  indexTranscripts(config, store)
  store.saveIndex({ folders: [], gone: [], parsers: [{ mark: markOf(store, s.path)!, state: 'not a parser state' }] })
  appendFileSync(s.path, user('x', 'u2', 'more'))
  const r = indexTranscripts(config, store)
  assert.equal(r.bytes, statSync(s.path).size)
  assert.equal(byId(store, s.id)!.customTitle, 'kept')
})

test('a parser state saved at another mark (by a concurrent run) is not resumed from', () => {
  const { config, store, project } = setup()
  const s = session(project('-work-app'), title('x', 'kept'), user('x', 'u1', 'hello'))
  indexTranscripts(config, store)
  const mark = markOf(store, s.path)!
  store.saveIndex({ folders: [], gone: [], parsers: [{ mark: { ...mark, offset: 7 }, state: 'from elsewhere' }] })
  appendFileSync(s.path, user('x', 'u2', 'more'))
  assert.equal(indexTranscripts(config, store).bytes, statSync(s.path).size)
  assert.equal(byId(store, s.id)!.lastUuid, 'u2')
})

test('a removed project folder drops all its sessions', () => {
  const { config, store, project } = setup()
  const dir = project('-work-gone')
  session(dir, user('x', 'u1', 'one'))
  session(dir, user('x', 'u2', 'two'))
  const kept = session(project('-work-kept'), user('x', 'u3', 'three'))
  indexTranscripts(config, store)
  rmSync(dir, { recursive: true })
  const r = indexTranscripts(config, store)
  assert.equal(r.dropped, 2)
  assert.equal(r.read, 0)
  assert.deepEqual(store.transcripts().map((t) => t.id), [kept.id])
})

test('drops vanished and emptied files, and picks up a new project folder', () => {
  const { config, store, project } = setup()
  const gone = session(project('-work-app'), user('x', 'u1', 'hello'))
  const emptied = session(project('-work-app'), user('x', 'u2', 'hello'))
  indexTranscripts(config, store)
  rmSync(gone.path)
  truncateSync(emptied.path, 0)
  const fresh = session(project('-work-new'), user('x', 'u3', 'new here'))
  const r = indexTranscripts(config, store)
  assert.equal(r.dropped, 2)
  assert.deepEqual(store.transcripts().map((t) => t.id), [fresh.id])
  assert.equal(markOf(store, gone.path), undefined)
  assert.equal(markOf(store, fresh.path)!.size, statSync(fresh.path).size)
})

test('a line larger than the read buffer is read whole', () => {
  const { config, store, project } = setup()
  const big = 'x'.repeat(5 * 1024 * 1024)
  const s = session(project('-work-app'), user('x', 'u1', big), title('x', 'after the big line'))
  const r = indexTranscripts(config, store)
  assert.equal(r.bytes, statSync(s.path).size)
  assert.equal(r.badLines, 0)
  assert.equal(byId(store, s.id)!.customTitle, 'after the big line')
  assert.equal(markOf(store, s.path)!.offset, statSync(s.path).size)
})

test('a line longer than MAX_LINE is skipped and counted as bad; one not yet whole waits for its newline', () => {
  const { config, store, project } = setup()
  const huge = user('x', 'u2', 'x'.repeat(MAX_LINE))
  const s = session(project('-work-app'), user('x', 'u1', 'before'), huge.slice(0, -1))
  let r = indexTranscripts(config, store)
  assert.equal(r.badLines, 0, 'not whole yet: nothing said of it')
  assert.equal(markOf(store, s.path)!.offset, Buffer.byteLength(user('x', 'u1', 'before')))
  appendFileSync(s.path, `\n${user('x', 'u3', 'after the huge line')}`)
  r = indexTranscripts(config, store)
  assert.equal(r.badLines, 1)
  const t = byId(store, s.id)!
  assert.deepEqual([t.badLines, t.userMessages, t.firstPrompt, t.lastPrompt], [1, 2, 'before', 'after the huge line'])
  assert.equal(markOf(store, s.path)!.offset, statSync(s.path).size)
})

test('counts lines it did not understand, and --full reads everything again', () => {
  const { config, store, project } = setup()
  const s = session(
    project('-work-app'),
    user('x', 'u1', 'hello'),
    'this is not json\n',
    JSON.stringify({ type: 'a-record-type-from-the-future', sessionId: 'x' }) + '\n'
  )
  const r = indexTranscripts(config, store)
  assert.equal(r.badLines, 1)
  assert.equal(r.unknownRecords, 1)
  assert.equal(byId(store, s.id)!.badLines, 1)
  const full = indexTranscripts(config, store, { full: true })
  assert.equal(full.bytes, statSync(s.path).size)
  assert.equal(byId(store, s.id)!.unknownRecords, 1)
})

test('a legacy summary in one file titles the session that holds its leaf', () => {
  const { config, store, project } = setup()
  const dir = project('-work-app')
  const target = session(dir, user('x', 'leaf-1', 'fix the parser'))
  const holder = session(dir, summary('leaf-1', 'Parser fixes'), user('x', 'u2', 'next thing'))
  indexTranscripts(config, store)
  assert.equal(byId(store, target.id)!.summary, 'Parser fixes')
  assert.notEqual(byId(store, holder.id)!.summary, 'Parser fixes')
})

describe('a hot run stats the project folders and only the files that can have grown', () => {
  const DAY = 24 * 3600_000
  /** A folder with a cold and a hot session, its mtimes set back as on a machine in use. */
  function hotSetup() {
    const { config, store, project } = setup()
    const dir = project('-work-app')
    const cold = session(dir, user('x', 'u1', 'old work'))
    const hot = session(dir, user('x', 'u2', 'today'))
    const now = Date.now()
    const ago = (ms: number) => new Date(now - ms)
    utimesSync(cold.path, ago(3 * DAY), ago(3 * DAY))
    utimesSync(hot.path, ago(3600_000), ago(3600_000))
    utimesSync(dir, ago(3 * DAY), ago(3 * DAY))
    indexTranscripts(config, store, { now }) // the full walk a hot run counts from
    const hotRun = (opts: { live?: string[]; at?: number } = {}) =>
      indexTranscripts(config, store, { scope: 'hot', now: opts.at ?? now + 1000, live: opts.live })
    return { config, store, dir, cold, hot, now, hotRun }
  }

  test('an append to a recently modified file is seen at once', () => {
    const { store, hot, hotRun } = hotSetup()
    appendFileSync(hot.path, title('x', 'renamed today'))
    assert.equal(hotRun().read, 1)
    assert.equal(byId(store, hot.id)!.customTitle, 'renamed today')
  })

  test("an append to an old file is seen at once when it is a live session's", () => {
    const { store, cold, hotRun } = hotSetup()
    appendFileSync(cold.path, title('x', 'resumed'))
    assert.equal(hotRun({ live: [cold.id] }).read, 1)
    assert.equal(byId(store, cold.id)!.customTitle, 'resumed')
  })

  test('an old file keeps no parser state: grown after all, it is read again from its start, once', () => {
    const { store, dir, cold, hot, now, hotRun } = hotSetup()
    assert.equal(store.parserState(markOf(store, cold.path)!), null)
    assert.notEqual(store.parserState(markOf(store, hot.path)!), null)
    appendFileSync(cold.path, user('x', 'u3', 'resumed days later'))
    const r = hotRun({ live: [cold.id] })
    assert.deepEqual([r.read, r.bytes], [1, statSync(cold.path).size])
    assert.deepEqual([byId(store, cold.id)!.userMessages, byId(store, cold.id)!.lastUuid], [2, 'u3'])
    // written to now, it is hot: its state is kept, and the next append is read alone
    const added = user('x', 'u4', 'and more')
    appendFileSync(cold.path, added)
    assert.equal(hotRun({ live: [cold.id] }).bytes, Buffer.byteLength(added))
    assert.equal(byId(store, cold.id)!.userMessages, 3)
    // an old file of a megabyte or more keeps its state: reading it again would cost more
    const big = session(dir, user('x', 'u5', 'x'.repeat(1024 * 1024)))
    utimesSync(big.path, new Date(now - 3 * DAY), new Date(now - 3 * DAY))
    hotRun()
    assert.notEqual(store.parserState(markOf(store, big.path)!), null)
  })

  test('a state saved while a file was hot is dropped when it is read again cold (cs sync --full)', () => {
    const { config, store, hot, now } = hotSetup()
    assert.notEqual(store.parserState(markOf(store, hot.path)!), null)
    // days later, unchanged: read again at the same mark
    indexTranscripts(config, store, { full: true, now: now + 3 * DAY })
    assert.equal(store.parserState(markOf(store, hot.path)!), null)
  })

  test('a listing has its hot files first, newest first: each is seen wherever its name sorts, a cold one below them read from the store', () => {
    const { store, dir, hot, now, hotRun } = hotSetup()
    const newer = session(dir, user('x', 'u3', 'later today'))
    utimesSync(newer.path, new Date(now - 60_000), new Date(now - 60_000))
    // its folder's mtime moved, to a time old enough to trust: listed again once
    utimesSync(dir, new Date(now - 2 * DAY), new Date(now - 2 * DAY))
    assert.equal(hotRun().read, 1)
    // the second of two hot files, then the first: each append alone is read
    appendFileSync(hot.path, title('x', 'second'))
    assert.equal(hotRun({ at: now + 2000 }).read, 1)
    assert.equal(byId(store, hot.id)!.customTitle, 'second')
    appendFileSync(newer.path, title('x', 'first'))
    assert.equal(hotRun({ at: now + 3000 }).read, 1)
    assert.equal(byId(store, newer.id)!.customTitle, 'first')
  })

  test('a store of schema 15 (listings in the folder\'s order) lists every folder again once and reads nothing again', () => {
    const { config, store, dir, cold, hot, now } = hotSetup()
    store.close()
    // as schema 15 could leave it: the cold file's line above the hot one's
    const raw = new Database(dbPath(config))
    const listing = raw.prepare('SELECT listing FROM folders WHERE path = ?').pluck().get(dir) as string
    const lines = listing.split('\n').filter(Boolean)
    const coldFirst = [...lines.filter((l) => l.startsWith(`${cold.id}.`)), ...lines.filter((l) => !l.startsWith(`${cold.id}.`))]
    raw.prepare('UPDATE folders SET listing = ? WHERE path = ?').run(coldFirst.map((l) => `${l}\n`).join(''), dir)
    raw.pragma('user_version = 15')
    raw.close()
    appendFileSync(hot.path, title('x', 'after the update'))
    const reopened = openStore(config)
    const r = indexTranscripts(config, reopened, { scope: 'hot', now: now + 1000 })
    assert.deepEqual([r.read, r.bytes], [1, Buffer.byteLength(title('x', 'after the update'))])
    assert.equal(byId(reopened, hot.id)!.customTitle, 'after the update')
    assert.ok(reopened.listing(dir)!.listing.startsWith(`${hot.id}.jsonl `), 'listed again, newest first')
    reopened.close()
  })

  test('an append to an old file no live session writes waits for the next full walk', () => {
    const { config, store, cold, now, hotRun } = hotSetup()
    appendFileSync(cold.path, title('x', 'written elsewhere'))
    const r = hotRun()
    assert.deepEqual([r.read, r.seen], [0, 2])
    assert.equal(byId(store, cold.id)!.customTitle, null)
    // the interval since the last full walk has passed: this hot run stats everything
    assert.equal(hotRun({ at: now + config.fullScanSeconds * 1000 }).read, 1)
    assert.equal(byId(store, cold.id)!.customTitle, 'written elsewhere')
  })

  test('a full walk that finds nothing changed writes nothing to the store, and is noted all the same', () => {
    const { config, now, hotRun } = hotSetup()
    const wal = `${dbPath(config)}-wal`
    const before = statSync(wal).size
    const due = now + config.fullScanSeconds * 1000
    assert.deepEqual([hotRun({ at: due }).read, statSync(wal).size], [0, before])
    // noted: the hot runs of the next interval stat only what can have grown
    assert.ok(Math.abs(lastFullWalk(config) - due) < 1, 'noted at the walk, to the file system time stamp')
    assert.equal(fullWalkDue(config, due + 1000), false)
    assert.equal(fullWalkDue(config, due + config.fullScanSeconds * 1000), true)
  })

  test('a full run (cs sync) sees an append to an old file', () => {
    const { config, store, cold } = hotSetup()
    appendFileSync(cold.path, title('x', 'synced'))
    assert.equal(indexTranscripts(config, store).read, 1)
    assert.equal(byId(store, cold.id)!.customTitle, 'synced')
  })

  test('a new file is seen and a removed one dropped at once; the listing stays exact', () => {
    const { config, store, dir, cold, hot, hotRun } = hotSetup()
    const fresh = session(dir, user('x', 'u3', 'new'))
    assert.equal(hotRun().read, 1)
    rmSync(hot.path)
    const r = hotRun()
    assert.equal(r.dropped, 1)
    assert.deepEqual(store.transcripts().map((t) => t.id).sort(), [cold.id, fresh.id].sort())
    // a full walk finds nothing that the hot runs missed
    assert.deepEqual({ ...indexTranscripts(config, store), seen: 0 }, { seen: 0, read: 0, bytes: 0, dropped: 0, unknownRecords: 0, badLines: 0, unreadable: [] })
  })

  test('a folder whose mtime moved with no session file changed keeps its files and its new mtime', () => {
    const { store, dir, now, hotRun } = hotSetup()
    const before = store.listing(dir)!
    writeFileSync(join(dir, 'notes.txt'), 'not a session')
    utimesSync(dir, new Date(now - DAY), new Date(now - DAY))
    const r = hotRun()
    assert.deepEqual([r.read, r.seen], [0, 2])
    assert.deepEqual(store.listing(dir), { listing: before.listing, mtimeMs: statSync(dir).mtimeMs })
    // trusted again: the next hot run does not list the folder (its stored listing is not even read)
    assert.equal(store.listings(now, []).get(dir)!.listing, null)
  })

  test('a hot run keeps the entries of the files it did not stat', () => {
    const { config, store, dir, cold, hot, hotRun } = hotSetup()
    const coldMark = markOf(store, cold.path)
    appendFileSync(hot.path, user('x', 'u4', 'more'))
    hotRun()
    assert.deepEqual(markOf(store, cold.path), coldMark)
    assert.equal(markOf(store, hot.path)!.size, statSync(hot.path).size)
    assert.equal(store.listing(dir)!.listing.split('\n').filter(Boolean).length, 2)
    assert.equal(indexTranscripts(config, store).read, 0)
  })
})

test('four processes opening a new store and indexing at once all succeed', async () => {
  const home = join(root, 'concurrent')
  const dir = join(home, '.claude/projects/-work-app')
  mkdirSync(dir, { recursive: true })
  for (let i = 0; i < 200; i++) session(dir, title('x', `t${i}`), user('x', `u${i}`, `prompt ${i}`))
  const child = join(root, 'index-child.ts')
  writeFileSync(
    child,
    `import { loadConfig } from ${JSON.stringify(join(REPO, 'lib/config.ts'))}
import { indexTranscripts } from ${JSON.stringify(join(REPO, 'lib/indexer.ts'))}
import { openStore } from ${JSON.stringify(join(REPO, 'lib/store-sqlite.ts'))}
const config = loadConfig({ HOME: ${JSON.stringify(home)} })
// all at once, on a database none has made yet: two switching it to WAL together is the race
while (Date.now() < Number(process.argv[2])) {}
for (let i = 0; i < 3; i++) {
  const store = openStore(config)
  indexTranscripts(config, store, { full: true })
  store.close()
}
`
  )
  const start = String(Date.now() + 3000) // after every child has loaded its modules
  const run = () =>
    new Promise<{ code: number | null; stderr: string }>((done) => {
      const p = spawn(process.execPath, ['--import', 'tsx', child, start], { cwd: REPO })
      let stderr = ''
      p.stderr.on('data', (d) => (stderr += d))
      p.on('close', (code) => done({ code, stderr }))
    })
  const results = await Promise.all([run(), run(), run(), run()])
  for (const r of results) assert.equal(r.code, 0, r.stderr)
  const config = loadConfig({ HOME: home })
  const store = openStore(config)
  assert.equal(store.transcripts().length, 200)
  store.close()
})

test('cs sync is quiet, reports with --verbose and --json, and is fine without ~/.claude', (tc) => {
  const t = isolatedCs('indexer-cli')
  tc.after(t.cleanup)
  const { home, cs } = t

  const none = cs('sync', '--json')
  assert.equal(none.status, 0, none.stderr)
  assert.deepEqual(JSON.parse(none.stdout), { seen: 0, read: 0, bytes: 0, dropped: 0, unknownRecords: 0, badLines: 0, unreadable: [] })

  const dir = join(home, '.claude/projects/-work-app')
  mkdirSync(dir, { recursive: true })
  const s = session(dir, user('x', 'u1', 'hello'))
  const quiet = cs('sync')
  assert.equal(quiet.status, 0, quiet.stderr)
  assert.equal(quiet.stdout, '')
  appendFileSync(s.path, user('x', 'u2', 'more'))
  const json = cs('sync', '--json')
  assert.equal(json.status, 0, json.stderr)
  assert.deepEqual(JSON.parse(json.stdout), { seen: 1, read: 1, bytes: Buffer.byteLength(user('x', 'u2', 'more')), dropped: 0, unknownRecords: 0, badLines: 0, unreadable: [] })
  const verbose = cs('sync', '--verbose', '--full')
  assert.equal(verbose.status, 0, verbose.stderr)
  assert.match(verbose.stdout, /^1 transcripts: 1 read \(.* MB\), 0 dropped/)
  const bad = cs('sync', '--bogus')
  assert.equal(bad.status, 2)
  assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/)
})

test("a project folder closed to cs's user keeps its sessions as last read, and cs sync says so", { skip: process.getuid?.() !== 0 && 'runs cs as another user: needs root' }, (tc) => {
  // cs as nobody, in a home of its own: root reads any folder, whatever its mode
  const home = mkdtempSync(join(tmpdir(), 'cs-closed-'))
  tc.after(() => rmSync(home, { recursive: true, force: true }))
  const dir = join(home, '.claude/projects/-work-closed')
  mkdirSync(dir, { recursive: true })
  const s = session(dir, user('x', 'u1', 'behind a closed door'))
  spawnSync('chown', ['-R', '65534:65534', home])
  const env = { PATH: process.env.PATH, HOME: home, CS_HOST: 'testhost', CS_TMUX_SOCKET: `cs-test-closed-${process.pid}` }
  const cs = (...args: string[]) =>
    spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, join(REPO, 'bin/cs.mjs'), ...args], { env, encoding: 'utf8' })
  const ids = () => (JSON.parse(cs('ls', '--json').stdout) as { id: string }[]).map((v) => v.id)
  assert.deepEqual(ids(), [s.id])
  chmodSync(dir, 0o000)
  for (const args of [['sync'], ['sync', '--full']]) {
    const r = cs(...args)
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stderr, /warning: 1 project folder cannot be read, .*-work-closed: their sessions are shown as last read/, args.join(' '))
  }
  assert.deepEqual(ids(), [s.id], 'not dropped')
  chmodSync(dir, 0o755)
  assert.equal(cs('sync').stderr, '')
  // the projects folder itself closed: every session as last read, none taken for gone
  const projects = dirname(dir)
  chmodSync(projects, 0o000)
  const closed = cs('sync', '--full')
  assert.match(closed.stderr, /warning: 1 project folder cannot be read, .*projects'?:/)
  assert.deepEqual(ids(), [s.id], 'not dropped')
  chmodSync(projects, 0o755)
})

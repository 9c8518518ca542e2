// withSessions keeps launch records current with live tmux state: the record follows /clear
// (a new claude id in the same tmux session) and a session whose tmux session is gone is DEAD.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { loadConfig } from '../lib/config.ts'
import { noteLive, SEEN_EVERY_MS, withSessions } from '../lib/sessions.ts'
import type { Launch, LiveInfo, SessionView } from '../lib/session.ts'
import { byRecency } from '../lib/views.ts'
import { openStore } from '../lib/store-sqlite.ts'
import { encodeProjectDir } from '../lib/paths.ts'
import type { HostRow } from '../lib/session.ts'
import { resolve } from '../lib/shortid.ts'
import { transcript } from './harness/cs.ts'
import { liveInfo } from './harness/session-fixtures.ts'
import { TestTmux } from './harness/tmux.ts'

const home = mkdtempSync(join(tmpdir(), 'cs-sessions-'))
const tmux = new TestTmux('sessions', { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home })
const config = loadConfig({
  HOME: home,
  CLAUDE_CONFIG_DIR: join(home, '.claude'),
  XDG_STATE_HOME: join(home, 'state'),
  XDG_DATA_HOME: join(home, 'data'),
  XDG_CONFIG_HOME: join(home, 'config'),
  CS_HOST: 'testhost',
  CS_TMUX_SOCKET: tmux.socket,
})
after(() => {
  tmux.cleanup()
  rmSync(home, { recursive: true, force: true })
})

const OLD = 'aaaaaaaa-0000-4000-8000-000000000001'
const NEW = 'bbbbbbbb-0000-4000-8000-000000000002'

const record = (over: Partial<Launch> = {}): Launch => ({
  id: OLD,
  host: 'testhost',
  tmuxSession: 'alpha',
  cwd: home,
  launchedAt: '2026-11-20T10:00:00.000Z',
  lastState: 'idle',
  lastSeenAt: '2026-11-20T10:00:00.000Z',
  args: [],
  ...over,
})

// every record of these tests is live or of another host: no server start is needed
const noServer = () => assert.fail('tmux asked for its start time')

/** A test's own launch records only: the store is shared by the file's tests. */
function dropLaunches(store: ReturnType<typeof openStore>) {
  for (const r of store.launches()) store.dropLaunch(r.host, r.tmuxSession)
}

const launches = () => {
  const store = openStore(config)
  try {
    return store.launches()
  } finally {
    store.close()
  }
}

test('cs commands re-key a launch record after /clear, and a killed session is DEAD', async () => {
  const store = openStore(config)
  store.saveLaunch(record())
  store.close()
  // what tmux holds after /clear in a session cs launched: the hook set the new id
  const pane = tmux.newSession('alpha', home, ['sleep', '600'])
  for (const scope of ['-p', '-s'])
    for (const [k, v] of [
      ['@cs_managed', '1'],
      ['@cs_id', NEW],
      ['@cs_state', 'idle'],
      ['@cs_state_at', String(Math.floor(Date.now() / 1000))],
      ['@cs_transcript', join(home, 't.jsonl')],
      ['@cs_pane', pane],
    ])
      tmux.run('set-option', scope, '-t', pane, k, v)

  const live = await withSessions(config, ({ views }) => views.map((v) => [v.id, v.state, v.live]))
  assert.deepEqual(live, [[NEW, 'idle', true]])
  const none = { waiting: 0, working: 0, idle: 0, dead: 0, stopped: 0 }
  // counted from the dashboard's rows, as they are once a listing has built them
  await withSessions(config, (s) => s.rows({ all: true }))
  assert.deepEqual(await withSessions(config, (s) => s.counts('testhost')), { ...none, idle: 1 })
  const [rekeyed] = launches()
  assert.equal(rekeyed.id, NEW)
  assert.equal(rekeyed.lastState, 'idle')
  assert.ok(rekeyed.lastSeenAt! > record().lastSeenAt!, 'seen live now')

  tmux.run('kill-session', '-t', '=alpha')
  const [dead] = await withSessions(config, ({ views }) => views)
  assert.deepEqual(
    [dead.id, dead.state, dead.live, dead.kind, dead.tmuxSession, dead.stateSince],
    [NEW, 'dead', false, 'tmux', 'alpha', rekeyed.lastSeenAt]
  )
  assert.deepEqual(await withSessions(config, (s) => s.counts('testhost')), { ...none, dead: 1 })
  assert.deepEqual(launches(), [rekeyed], 'a gone session leaves its record as it was')
})

test("a launched session's tmux session renamed (tmux rename-session): its record follows it, not noted dead", async () => {
  const store = openStore(config)
  dropLaunches(store)
  store.saveLaunch(record({ id: NEW, tmuxSession: 'zeta' }))
  store.close()
  const pane = tmux.newSession('zeta', home, ['sleep', '600'])
  for (const scope of ['-p', '-s'])
    for (const [k, v] of [['@cs_managed', '1'], ['@cs_id', NEW], ['@cs_state', 'idle'], ['@cs_state_at', String(Math.floor(Date.now() / 1000))]])
      tmux.run('set-option', scope, '-t', pane, k, v)
  tmux.run('rename-session', '-t', '=zeta', 'work')
  try {
    const shown = await withSessions(config, ({ views }) => views.map((v) => [v.id, v.live, v.tmuxSession]))
    assert.deepEqual(shown, [[NEW, true, 'work']])
    assert.deepEqual(launches().map((r) => [r.id, r.tmuxSession, r.lastState]), [[NEW, 'work', 'idle']])
  } finally {
    tmux.run('kill-session', '-t', '=work')
    const s = openStore(config)
    dropLaunches(s)
    s.close()
  }
})

test('a session killed while tmux runs on is DEAD from when it was seen gone, not from its last sighting', async () => {
  const store = openStore(config)
  dropLaunches(store)
  tmux.newSession('keeps-the-server', home, ['sleep', '600'])
  tmux.newSession('killed', home, ['sleep', '600'])
  // last seen IDLE as the server started; killed two seconds later, while the server ran on
  const started = Number(tmux.run('display-message', '-p', '#{start_time}').trim())
  const lastSeenAt = new Date(started * 1000).toISOString()
  store.saveLaunch(record({ id: NEW, tmuxSession: 'killed', lastSeenAt }))
  store.close()
  await new Promise((r) => setTimeout(r, 2000))
  tmux.run('kill-session', '-t', '=killed')
  const before = Date.now()
  const [dead] = await withSessions(config, ({ views }) => views)
  assert.deepEqual([dead.id, dead.state, dead.tmuxSession], [NEW, 'dead', 'killed'])
  assert.ok(Date.parse(dead.stateSince!) >= before - 1000, `DEAD since ${dead.stateSince}, killed just now`)
  const [noted] = launches()
  assert.deepEqual([noted.lastState, noted.lastSeenAt], ['dead', dead.stateSince])
  // noted once: a later run keeps the time it died
  const [again] = await withSessions(config, ({ views }) => views)
  assert.equal(again.stateSince, dead.stateSince)
  tmux.run('kill-session', '-t', '=keeps-the-server')
  const s = openStore(config)
  s.dropLaunch('testhost', 'killed')
  s.close()
})

test('noteLive asks tmux when its server started only for a record whose session is gone', () => {
  const store = openStore(config)
  dropLaunches(store)
  try {
    const now = new Date('2026-11-20T12:00:00.000Z')
    const ago = (h: number) => new Date(now.getTime() - h * 3600_000).toISOString()
    store.saveLaunch(record({ tmuxSession: 'crashed', lastSeenAt: ago(2) })) // went with its server
    store.saveLaunch(record({ tmuxSession: 'ended', lastSeenAt: ago(1) })) // the server ran on
    store.saveLaunch(record({ tmuxSession: 'ancient', lastSeenAt: ago(48) })) // history by now
    let asked = 0
    const started = () => (asked++, Date.parse(ago(1.5)) / 1000)
    const noted = noteLive(store, [], 'testhost', now, started)
    assert.equal(asked, 1)
    const state = (rs: Launch[]) => Object.fromEntries(rs.map((r) => [r.tmuxSession, [r.lastState, r.lastSeenAt]]))
    assert.deepEqual(state(noted), {
      crashed: ['idle', ago(2)], // `cs revive` brings it back
      ended: ['dead', now.toISOString()],
      ancient: ['idle', ago(48)],
    })
    assert.deepEqual(state(store.launches()), state(noted))
    noteLive(store, [], 'testhost', now, started)
    assert.equal(asked, 2, 'the crashed one is still a candidate')
    for (const name of ['crashed', 'ended', 'ancient']) store.dropLaunch('testhost', name)
    noteLive(store, [], 'testhost', now, started)
    assert.equal(asked, 2, 'nothing gone: no tmux call')
  } finally {
    store.close()
  }
})

test('a record is written only when its id or state changed or its sighting is a minute old', () => {
  const store = openStore(config)
  dropLaunches(store)
  try {
    const now = new Date('2026-11-20T12:00:00.000Z')
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString()
    const running = (tmuxSession: string, id: string, state: LiveInfo['state']) =>
      liveInfo({ host: 'testhost', tmuxSession, id, state })
    const fresh = ago(SEEN_EVERY_MS / 2)
    for (const r of [
      record({ tmuxSession: 'same', lastSeenAt: fresh }),
      record({ tmuxSession: 'busy', lastSeenAt: fresh }),
      record({ tmuxSession: 'old', lastSeenAt: ago(SEEN_EVERY_MS + 1000) }),
      record({ tmuxSession: 'gone', lastSeenAt: fresh }),
      record({ tmuxSession: 'same', host: 'elsewhere', lastSeenAt: fresh }),
    ])
      store.saveLaunch(r)
    const live = [
      running('same', OLD, 'idle'),
      running('busy', OLD, 'working'),
      running('old', OLD, 'idle'),
      liveInfo({ host: 'testhost', tmuxSession: 'gone', id: OLD, kind: 'external' }),
    ]
    // this connection's count of rows written
    const before = store.changes()
    const noted = noteLive(store, live, 'testhost', now, noServer)
    assert.equal(store.changes() - before, 2, 'busy and old written, nothing else')
    const at = now.toISOString()
    const by = (host: string, name: string) =>
      store.launches().find((r) => r.host === host && r.tmuxSession === name)!
    const key = (r: Launch) => `${r.host} ${r.tmuxSession}`
    const sorted = (rs: Launch[]) => rs.sort((a, b) => key(a).localeCompare(key(b)))
    assert.deepEqual(
      [by('testhost', 'busy').lastState, by('testhost', 'busy').lastSeenAt],
      ['working', at]
    )
    assert.equal(by('testhost', 'old').lastSeenAt, at)
    for (const name of ['same', 'gone']) assert.equal(by('testhost', name).lastSeenAt, fresh)
    assert.equal(by('elsewhere', 'same').lastSeenAt, fresh)
    assert.deepEqual(sorted(noted), sorted(store.launches()), 'it returns the records as stored')
    noteLive(store, live, 'testhost', now, noServer)
    assert.equal(store.changes() - before, 2, 'seen again at once: nothing written')
  } finally {
    store.close()
  }
})

test('find answers from the stored rows as resolving among every view does', async () => {
  const store = openStore(config)
  dropLaunches(store)
  const id = (head: string) => `${head}-0000-4000-8000-000000000000`
  const folder = join(config.claudeDir, 'projects', encodeProjectDir(home))
  mkdirSync(folder, { recursive: true })
  const write = (spec: { id: string; title?: string; orphan?: boolean }) =>
    writeFileSync(join(folder, `${spec.id}.jsonl`), transcript({ cwd: home, ...spec }))
  write({ id: id('cafe0001'), title: 'twin' })
  write({ id: id('cafe0002') })
  write({ id: id('beef0001'), orphan: true })
  write({ id: id('beef0002'), title: 'gone' })
  write({ id: id('abcd0001'), title: 'other:dddd' })
  store.setDeleted([id('beef0002')], '2026-11-20T10:00:00.000Z')
  store.setName(id('cafe0002'), 'renamed')
  // a DEAD session of a launch record: built from live state, not stored
  store.saveLaunch(record({ id: id('cafe0002'), tmuxSession: 'alpha', lastSeenAt: new Date().toISOString() }))
  const other = (head: string, over: Partial<HostRow> = {}): HostRow => ({
    id: id(head), host: 'other', tmuxSession: null, kind: 'plain', name: null, tag: null, title: 'x', cwd: '/srv/x',
    project: 'x', branch: null, state: 'stopped', stateSince: null, createdAt: null,
    updatedAt: '2025-01-01T00:00:00.000Z', userMessages: 1, assistantMessages: 1, model: null,
    tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, deleted: false, csVersion: '0.1.0', ...over,
  }) // prettier-ignore
  store.saveHostRows('other', [other('cafe0003'), other('dddd0001', { name: 'twin' }), other('dddd0002', { tmuxSession: 'bravo' }), other('cafe0001')], 'x')
  store.close()
  const queries = [
    id('cafe0001'), 'cafe', 'cafe0001', 'cafe0003', 'dddd', 'dddd0001', 'beef', 'beef0001', ' beef0002 ', 'twin',
    'renamed', 'alpha', 'bravo', 'gone', 'other:cafe', 'other:twin', 'other:other:dddd0002', 'other: cafe0003',
    'testhost:cafe0001', 'nohost:cafe', 'other:dddd', 'caf', 'ab', 'zzzz', 'x:y', ':cafe', '',
  ]
  const answer = (f: () => { host: string; id: string; short: string }) => {
    try {
      const v = f()
      return `${v.host}:${v.id} ${v.short}`
    } catch (e) {
      return (e as Error).message
    }
  }
  await withSessions(config, (s) => s.rows({ all: true })) // the rows built, as the first listing does
  await withSessions(config, (s) => {
    const every = s.store.transcripts
    s.store.transcripts = () => assert.fail('every transcript read: every view built')
    const found = queries.flatMap((q) => [answer(() => s.find(q)), answer(() => s.find(q, { host: 'other' }))])
    s.store.transcripts = every
    const views = s.views
    const expected = queries.flatMap((q) => [
      answer(() => resolve(q, views, config.host)),
      answer(() => resolve(q, views.filter((v) => v.host === 'other'), config.host)),
    ])
    assert.deepEqual(found, expected)
    assert.ok(found.includes(`testhost:${id('cafe0001')} cafe0001`), 'this host\'s id wins over its copy on another')
    assert.ok(found.includes(`other:${id('dddd0002')} dddd0002`), 'a host taken off the front twice')
  })
})

test("a host's sessions that are not live come from the stored rows, newest first, as from every view", async () => {
  const id = (head: string) => `${head}-0000-4000-8000-000000000000`
  const folder = join(config.claudeDir, 'projects', encodeProjectDir(home))
  mkdirSync(folder, { recursive: true })
  const write = (head: string, at: string, more: { orphan?: boolean } = {}) =>
    writeFileSync(join(folder, `${id(head)}.jsonl`), transcript({ id: id(head), cwd: home, at, ...more }))
  write('feed0001', '2026-11-01T10:00:00.000Z')
  write('feed0002', '2026-11-01T10:00:00.000Z')
  write('feed0003', '2026-11-02T10:00:00.000Z')
  write('feed0004', '2026-11-03T10:00:00.000Z', { orphan: true })
  const store = openStore(config)
  dropLaunches(store)
  // DEAD ones, built from live state: one newer than every history row, one between them
  store.saveLaunch(record({ id: id('feed0001'), tmuxSession: 'charlie', lastSeenAt: new Date().toISOString() }))
  store.saveLaunch(record({ id: id('feed0005'), tmuxSession: 'delta', lastSeenAt: new Date().toISOString() }))
  write('feed0005', new Date().toISOString())
  store.setDeleted([id('feed0003')], '2026-11-20T10:00:00.000Z')
  // another host's: its DEAD one older than its history
  const far = (head: string, state: HostRow['state'], updatedAt: string): HostRow => ({
    id: id(head), host: 'far', tmuxSession: 'x', kind: 'tmux', name: null, tag: null, title: 'x', cwd: '/srv/x',
    project: 'x', branch: null, state, stateSince: null, createdAt: null, updatedAt, userMessages: 1,
    assistantMessages: 1, model: null, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, deleted: false,
    csVersion: '0.1.0',
  }) // prettier-ignore
  store.saveHostRows('far', [far('aaaa0001', 'stopped', '2025-06-01T00:00:00.000Z'), far('aaaa0002', 'dead', '2024-01-01T00:00:00.000Z')], 'x')
  store.close()
  const shown = (v: SessionView) => `${v.host}:${v.id} ${v.short} ${v.state}`
  await withSessions(config, (s) => s.rows({ all: true })) // the rows built, as the first listing does
  await withSessions(config, (s) => {
    const every = s.store.transcripts
    s.store.transcripts = () => assert.fail('every transcript read: every view built')
    const got = [...s.notLive(config.host)].map(shown)
    const gotFar = [...s.notLive('far')].map(shown)
    s.store.transcripts = every
    const want = (host: string) => s.views.filter((v) => v.host === host && !v.live).sort(byRecency).map(shown)
    assert.deepEqual(got, want(config.host))
    assert.deepEqual(gotFar, want('far'))
    assert.deepEqual(gotFar.map((g) => g.slice(-4)), ['pped', 'dead'])
    // the DEAD ones merged into the history, not put before it
    const dead = got.flatMap((g, i) => (g.endsWith(' dead') ? [i] : []))
    assert.ok(dead.length === 2 && dead[0] > 0 && dead[1] > dead[0] + 1 && dead[1] < got.length - 1, got.join(', '))
  })
})

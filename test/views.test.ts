import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildViews, isProtected, selectViews } from '../lib/views.ts'
import type { Launch, SessionMeta } from '../lib/session.ts'
import { liveInfo, transcriptInfo } from './harness/session-fixtures.ts'

// the fixtures' transcripts were last written at 2026-11-20T11:00Z
const NOW = new Date('2026-11-20T12:00:00.000Z')
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000).toISOString()

const meta = (m: Partial<SessionMeta> & { id: string }): [string, SessionMeta] => [
  m.id,
  { name: null, tag: null, deletedAt: null, ...m },
]

test('the title falls back from name to ai title, summary, first and last prompt', () => {
  const views = buildViews(
    [
      transcriptInfo({ id: 'a0000001', customTitle: 'custom', agentName: 'agent', aiTitle: 'ai' }),
      transcriptInfo({ id: 'a0000002', agentName: 'agent', aiTitle: 'ai' }),
      transcriptInfo({ id: 'a0000003', aiTitle: 'ai', summary: 'sum' }),
      transcriptInfo({ id: 'a0000004', summary: 'sum' }),
      transcriptInfo({ id: 'a0000005' }),
      transcriptInfo({ id: 'a0000006', firstPrompt: null }),
      transcriptInfo({ id: 'a0000007', firstPrompt: null, lastPrompt: null }),
    ],
    new Map([meta({ id: 'a0000001', name: 'mine' })]),
    [],
    'here',
    [],
    NOW
  )
  const byId = new Map(views.map((v) => [v.id, v]))
  assert.deepEqual(
    [...byId.values()].map((v) => [v.name, v.title]),
    [
      ['mine', 'mine'],
      ['agent', 'agent'],
      [null, 'ai'],
      [null, 'sum'],
      [null, 'fix the tests'],
      [null, 'and the docs'],
      [null, '(session)'],
    ]
  )
})

test('a row carries project, counts, host and short id', () => {
  const [v] = buildViews(
    [transcriptInfo({ id: 'b0000001-x', cwd: '/srv/my app' })],
    new Map(),
    [],
    'box',
    [],
    NOW
  )
  assert.equal(v.project, 'my app')
  assert.equal(v.messages, 7)
  assert.equal(v.host, 'box')
  assert.equal(v.short, 'b000')
  assert.equal(v.state, 'stopped')
  assert.equal(v.live, false)
  assert.equal(v.kind, 'history')
})

test('titles lose control characters and newlines', () => {
  const [v] = buildViews(
    [transcriptInfo({ id: 'c1', firstPrompt: 'line one\n\x1b[31mred\x07  end' })],
    new Map(),
    [],
    'here',
    [],
    NOW
  )
  assert.equal(v.title, 'line one red end')
})

test('live state merges into the transcript row, and a live session without one is a row', () => {
  const views = buildViews(
    [transcriptInfo({ id: 'd0000001' }), transcriptInfo({ id: 'd0000002' })],
    new Map(),
    [
      liveInfo({ id: 'd0000001', kind: 'external', state: 'idle' }),
      liveInfo({ id: 'd0000001', kind: 'tmux', state: 'working', tmuxSession: 'api' }),
      liveInfo({
        id: 'e0000001',
        state: 'waiting',
        name: 'fresh',
        cwd: '/w/new',
        stateSince: '2026-11-21T00:00:00.000Z',
      }),
      liveInfo({ id: null, state: 'dead', tmuxSession: 'gone' }),
    ],
    'here',
    [],
    NOW
  )
  assert.equal(views.length, 4)
  const d1 = views.find((v) => v.id === 'd0000001')!
  assert.equal(d1.state, 'working')
  assert.equal(d1.kind, 'tmux')
  assert.equal(d1.tmuxSession, 'api')
  assert.equal(d1.live, true)
  const fresh = views.find((v) => v.id === 'e0000001')!
  assert.equal(fresh.title, 'fresh')
  assert.equal(fresh.project, 'new')
  assert.equal(fresh.updatedAt, '2026-11-21T00:00:00.000Z')
  const dead = views.find((v) => v.id === '')!
  assert.equal(dead.state, 'dead')
  assert.equal(dead.short, '')
})

test('a sidechain file is an orphan row: hidden by default, listed with --all', () => {
  const views = buildViews(
    [transcriptInfo({ id: 'f1', sidechain: true, orphan: true })],
    new Map(),
    [],
    'here',
    [],
    NOW
  )
  assert.deepEqual(views.map((v) => [v.id, v.orphan]), [['f1', true]])
  assert.deepEqual(selectViews(views, {}), [])
  assert.deepEqual(selectViews(views, { all: true }).map((v) => v.id), ['f1'])
})

test('a session opened by a slash command only is titled by the command', () => {
  const views = buildViews(
    [
      transcriptInfo({ id: 'c1', firstPrompt: null, lastPrompt: null, command: '/orchestrator ship it' }),
      transcriptInfo({ id: 'c2', command: '/model opus' }), // a typed prompt wins
    ],
    new Map(),
    [],
    'here',
    [],
    NOW
  )
  assert.deepEqual(views.map((v) => v.title), ['/orchestrator ship it', 'fix the tests'])
})

test('cs tag wins over the transcript tag, and a cleared cs tag hides it', () => {
  const views = buildViews(
    [
      transcriptInfo({ id: 'g1', tag: 'theirs' }),
      transcriptInfo({ id: 'g2', tag: 'theirs' }),
      transcriptInfo({ id: 'g3', tag: 'theirs' }),
    ],
    new Map([meta({ id: 'g2', tag: 'ours' }), meta({ id: 'g3', tag: '' })]),
    [],
    'here',
    [],
    NOW
  )
  assert.deepEqual(
    views.map((v) => v.tag),
    ['theirs', 'ours', null]
  )
})

const rows = buildViews(
  [
    transcriptInfo({
      id: 'h1',
      updatedAt: '2026-11-01T00:00:00Z',
      aiTitle: 'beta',
      cwd: '/p/Zeta',
    }),
    transcriptInfo({
      id: 'h2',
      updatedAt: '2026-11-03T00:00:00Z',
      aiTitle: 'alpha',
      cwd: '/p/alpha',
    }),
    transcriptInfo({ id: 'h3', updatedAt: '2026-11-02T00:00:00Z', aiTitle: 'gamma', orphan: true }),
    transcriptInfo({ id: 'h4', updatedAt: '2026-11-04T00:00:00Z', aiTitle: 'delta' }),
    transcriptInfo({ id: 'h5', updatedAt: '2026-10-01T00:00:00Z', aiTitle: 'live', orphan: true }),
  ],
  new Map([meta({ id: 'h4', deletedAt: '2026-11-05T00:00:00Z' })]),
  [liveInfo({ id: 'h5', host: 'here', stateSince: '2026-09-01T00:00:00Z' })],
  'here',
  [],
  NOW
)
const ids = (f: Parameters<typeof selectViews>[1]) => selectViews(rows, f).map((v) => v.id)

test("a transcript's tag is shown cleaned, as its title is: no control, escape or bidirectional override", () => {
  const [v] = buildViews([transcriptInfo({ id: 'g9', tag: 't\u202egat\u009b2J\u001b[31m' })], new Map(), [], 'here', [], new Date())
  assert.equal(v.tag, 'tgat')
})

test('live first, then newest first; orphans and deleted hidden unless all', () => {
  assert.deepEqual(ids({}), ['h5', 'h2', 'h1'])
  assert.deepEqual(ids({ all: true }), ['h5', 'h4', 'h2', 'h3', 'h1'])
  assert.deepEqual(ids({ deletedOnly: true }), ['h4'])
})

test('sorting by title and project, filtering by project, host and limit', () => {
  assert.deepEqual(ids({ all: true, sort: 'title' }), ['h2', 'h1', 'h4', 'h3', 'h5'])
  assert.deepEqual(ids({ sort: 'project' }), ['h2', 'h5', 'h1'])
  assert.deepEqual(ids({ project: 'zet' }), ['h1'])
  assert.deepEqual(ids({ host: 'elsewhere' }), [])
  assert.deepEqual(ids({ limit: 2 }), ['h5', 'h2'])
})

test('live, named and tagged sessions are protected', () => {
  const [plain, named, tagged] = buildViews(
    [
      transcriptInfo({ id: 'i1' }),
      transcriptInfo({ id: 'i2', customTitle: 'n' }),
      transcriptInfo({ id: 'i3' }),
    ],
    new Map([meta({ id: 'i3', tag: 'keep' })]),
    [],
    'here',
    [],
    NOW
  )
  assert.deepEqual([plain, named, tagged].map(isProtected), [false, true, true])
  assert.equal(isProtected(rows.find((v) => v.id === 'h5')!), true)
})

const launch = (l: Partial<Launch> & { id: string; tmuxSession: string }): Launch => ({
  host: 'here',
  cwd: '/w/launched',
  launchedAt: hoursAgo(30),
  lastState: 'idle',
  lastSeenAt: hoursAgo(1),
  args: [],
  ...l,
})

test('a launched session that stopped running is DEAD for a day, then history', () => {
  const old = { updatedAt: hoursAgo(48) }
  const views = buildViews(
    [
      transcriptInfo({ id: 'j1', ...old }), // exited an hour ago
      transcriptInfo({ id: 'j2', ...old }), // last seen two days ago
      transcriptInfo({ id: 'j3', updatedAt: hoursAgo(2) }), // its record is old, its transcript not
      transcriptInfo({ id: 'j4', ...old }), // `cs kill` marked it dead
      transcriptInfo({ id: 'j5', ...old }), // launched on another host
    ],
    new Map(),
    [],
    'here',
    [
      launch({ id: 'j1', tmuxSession: 'one' }),
      launch({ id: 'j2', tmuxSession: 'two', lastSeenAt: hoursAgo(48) }),
      launch({ id: 'j3', tmuxSession: 'three', lastSeenAt: hoursAgo(40) }),
      launch({ id: 'j4', tmuxSession: 'four', lastState: 'dead', lastSeenAt: hoursAgo(23) }),
      launch({ id: 'j5', tmuxSession: 'five', host: 'elsewhere' }),
      // died before claude wrote a transcript
      launch({ id: 'j6', tmuxSession: 'six', launchedAt: hoursAgo(1), lastSeenAt: null }),
    ],
    NOW
  )
  const state = (id: string) => views.find((v) => v.id === id)?.state
  assert.deepEqual(
    ['j1', 'j2', 'j3', 'j4', 'j5', 'j6'].map(state),
    ['dead', 'stopped', 'dead', 'dead', 'stopped', 'dead']
  )
  const one = views.find((v) => v.id === 'j1')!
  assert.equal(one.live, false)
  assert.equal(one.kind, 'tmux')
  assert.equal(one.tmuxSession, 'one')
  assert.equal(one.stateSince, hoursAgo(1))
  assert.equal(one.updatedAt, hoursAgo(1))
  const two = views.find((v) => v.id === 'j2')!
  assert.deepEqual([two.kind, two.tmuxSession, two.stateSince], ['history', null, null])
  const six = views.find((v) => v.id === 'j6')!
  assert.deepEqual([six.title, six.cwd, six.createdAt], ['six', '/w/launched', hoursAgo(1)])
  // DEAD since its last sign of life: the transcript written after cs last saw it, else the launch
  assert.equal(views.find((v) => v.id === 'j3')!.stateSince, hoursAgo(2))
  assert.equal(six.stateSince, hoursAgo(1))
})

test('live state wins over a launch record; a record /clear left behind is not DEAD', () => {
  const views = buildViews(
    [transcriptInfo({ id: 'k1' }), transcriptInfo({ id: 'k2' }), transcriptInfo({ id: 'k3' })],
    new Map(),
    [
      liveInfo({ id: 'k1', state: 'working', tmuxSession: 'run' }),
      // the tmux session `clr` now runs k3: its record still holds k2
      liveInfo({ id: 'k3', state: 'idle', tmuxSession: 'clr' }),
    ],
    'here',
    [launch({ id: 'k1', tmuxSession: 'run' }), launch({ id: 'k2', tmuxSession: 'clr' })],
    NOW
  )
  assert.deepEqual(
    views.map((v) => [v.id, v.state, v.live]),
    [
      ['k1', 'working', true],
      ['k2', 'stopped', false],
      ['k3', 'idle', true],
    ]
  )
})

test('DEAD rows sort right after the live ones and show even as orphans', () => {
  const views = buildViews(
    [
      transcriptInfo({ id: 'm1', updatedAt: hoursAgo(0.5) }),
      transcriptInfo({ id: 'm2', updatedAt: hoursAgo(5), orphan: true }),
      transcriptInfo({ id: 'm3', updatedAt: hoursAgo(6) }),
      transcriptInfo({ id: 'm4', updatedAt: hoursAgo(7) }),
    ],
    new Map(),
    [liveInfo({ id: 'm4', tmuxSession: 'up', stateSince: hoursAgo(7) })],
    'here',
    [launch({ id: 'm2', tmuxSession: 'gone', lastSeenAt: hoursAgo(4) })],
    NOW
  )
  assert.deepEqual(
    selectViews(views, {}).map((v) => v.id),
    ['m4', 'm2', 'm1', 'm3']
  )
})

test('who needs you first: WAITING, WORKING, IDLE (newest first in each), then DEAD, then history', () => {
  const live = (id: string, state: 'waiting' | 'working' | 'idle' | 'dead', h: number) =>
    liveInfo({ id, state, stateSince: hoursAgo(h), tmuxSession: id })
  const views = buildViews(
    ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8', 'o9'].map((id) =>
      transcriptInfo({ id, updatedAt: hoursAgo(30) })
    ),
    new Map(),
    [
      // as the dashboard met them: an IDLE one listed above a WAITING one, and above a WORKING one
      live('o1', 'idle', 0.1),
      live('o2', 'waiting', 3),
      live('o3', 'idle', 1),
      live('o4', 'working', 2),
      live('o5', 'dead', 0.2), // its claude exited, its tmux session is still there
      live('o6', 'waiting', 0.5),
    ],
    'here',
    [launch({ id: 'o7', tmuxSession: 'gone', lastSeenAt: hoursAgo(0.05) })],
    NOW
  )
  const order = selectViews(views, {}).map((v) => `${v.id} ${v.state}`)
  assert.deepEqual(order, [
    'o6 waiting',
    'o2 waiting',
    'o4 working',
    'o1 idle',
    'o3 idle',
    'o7 dead',
    'o5 dead',
    'o8 stopped',
    'o9 stopped',
  ])
})

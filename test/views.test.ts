import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildViews, isProtected, selectViews } from '../lib/views.ts'
import type { SessionMeta } from '../lib/session.ts'
import { liveInfo, transcriptInfo } from './harness/session-fixtures.ts'

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
    'here'
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
    'box'
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
    'here'
  )
  assert.equal(v.title, 'line one [31mred end')
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
    'here'
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

test('sidechain transcripts are not sessions', () => {
  const views = buildViews([transcriptInfo({ id: 'f1', sidechain: true })], new Map(), [], 'here')
  assert.deepEqual(views, [])
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
    'here'
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
  'here'
)
const ids = (f: Parameters<typeof selectViews>[1]) => selectViews(rows, f).map((v) => v.id)

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
    'here'
  )
  assert.deepEqual([plain, named, tagged].map(isProtected), [false, true, true])
  assert.equal(isProtected(rows.find((v) => v.id === 'h5')!), true)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { age, alignColumns, colors, displayWidth, jsonRows, renderInfo, renderTable, truncate } from '../lib/format.ts'
import { sessionView, transcriptInfo } from './harness/session-fixtures.ts'

const now = new Date('2026-11-20T12:00:00.000Z')
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString()

test('ages read like 42s, 3m, 2h, 5d, 1y', () => {
  assert.equal(age(ago(42), now), '42s')
  assert.equal(age(ago(3 * 60 + 59), now), '3m')
  assert.equal(age(ago(2 * 3600), now), '2h')
  assert.equal(age(ago(5 * 86400 + 10), now), '5d')
  assert.equal(age(ago(400 * 86400), now), '1y')
  assert.equal(age(null, now), '-')
  assert.equal(age('garbage', now), '-')
})

test('truncation counts terminal cells, wide characters as two', () => {
  assert.equal(displayWidth('日本語'), 6)
  // emoji shown as emoji are wide, from any block; text-style ones are not; combining marks of
  // any script take no cell (the widths wcwidth(3) gives, and a terminal draws)
  assert.equal(displayWidth('done ✅ ship ⭐'), 15)
  assert.equal(displayWidth('🎉 ✨ ⌛ 🆗 🀄'), 14)
  assert.equal(displayWidth('☺'), 1)
  assert.equal(displayWidth('🇫🇷'), 2)
  assert.equal(displayWidth('नमस्ते'), 4)
  assert.equal(displayWidth('שָׁלוֹם'), 4)
  assert.equal(truncate('done ✅ ship ⭐ now', 9), 'done ✅ …')
  assert.equal(truncate('hello world', 8), 'hello w…')
  assert.equal(truncate('日本語のタイトル', 7), '日本語…')
  assert.equal(truncate('short', 8), 'short')
})

test('aligned columns: each as wide as its widest cell, long state text included', () => {
  const text = alignColumns([
    ['NAME', 'STATE', 'SINCE', 'FOLDER'],
    ['api', 'waiting (permission prompt)', '12s', '/w/api'],
    ['名前', 'idle', '3m', '/w/名前'],
  ])
  const lines = text.split('\n')
  // every SINCE and FOLDER cell starts at the same terminal column as its header
  const at = (line: string, cell: string) => displayWidth(line.slice(0, line.indexOf(cell)))
  assert.deepEqual(lines.map((l, i) => at(l, ['SINCE', '12s', '3m'][i])), [35, 35, 35])
  assert.deepEqual(lines.map((l, i) => at(l, ['FOLDER', '/w/api', '/w/名前'][i])), [42, 42, 42])
  assert.ok(!lines.some((l) => l.endsWith(' ')), 'the last column is not padded')
})

const views = [
  sessionView({
    id: 'aaaa-1',
    short: 'aaaa',
    title: 'working on the parser',
    state: 'working',
    stateSince: ago(180),
    live: true,
    updatedAt: ago(60),
  }),
  sessionView({
    id: 'bbbb-1',
    short: 'bbbb',
    title: 'waiting',
    state: 'waiting',
    stateSince: ago(30),
    live: true,
  }),
  sessionView({
    id: 'cccc-1',
    short: 'cccc',
    title: 'history',
    updatedAt: ago(2 * 86400),
    project: 'web',
  }),
  sessionView({ id: 'dddd-1', short: 'dddd', title: 'gone', orphan: true }),
  sessionView({
    id: 'eeee-1',
    short: 'eeee',
    title: 'a very long title that will not fit in a narrow terminal at all',
    deleted: true,
  }),
]

test('the dashboard shows id, title, host, state with its age, project and age', () => {
  const lines = renderTable(views, { now, color: false, width: 200, header: true }).split('\n')
  assert.match(lines[0], /^ID\s+TITLE\s+HOST\s+STATE\s+PROJECT\s+AGE$/)
  assert.match(lines[1], /^aaaa\s+working on the parser\s+here\s+WORKING 3m\s+app\s+1m$/)
  assert.match(lines[2], /WAITING 30s/)
  assert.match(lines[3], /^cccc\s+history\s+here\s+-\s+web\s+2d$/)
  assert.match(lines[4], /\sorphan\s/)
  assert.match(lines[5], /\sdeleted\s/)
  const stateAt = lines[0].indexOf('STATE')
  assert.ok(lines.slice(1).every((l) => l.length > stateAt && l[stateAt - 1] === ' '))
})

test('titles are cut to the terminal width', () => {
  const lines = renderTable(views, { now, color: false, width: 60 }).split('\n')
  assert.ok(
    lines.every((l) => displayWidth(l) <= 60),
    lines.join('\n')
  )
  assert.match(lines[4], /…/)
})

test('a long project or host name gives way too, after the title, instead of wrapping every row', () => {
  const long = 'a-project-folder-with-a-name-of-forty-ch'
  const rows = views.map((v) => ({ ...v, project: long, host: 'build-box-07.example.internal' }))
  const lines = renderTable(rows, { now, color: false, width: 80, header: true }).split('\n')
  assert.ok(
    lines.every((l) => displayWidth(l) <= 80),
    lines.join('\n')
  )
  assert.match(lines[0], /^ID\s+TITLE\s+HOST\s+STATE\s+PROJECT\s+AGE$/)
  assert.match(lines[1], /^aaaa  working o…  build-b…  WORKING 3m   a-project-folder-with-a-name-of-f…  1m$/)
  // wide enough: nothing is cut
  const wide = renderTable(rows, { now, color: false, width: 200 }).split('\n')
  assert.ok(wide[0].includes(long) && wide[0].includes('build-box-07.example.internal'))
})

test('on a narrow terminal (a phone) columns go, project first, then host, then age; id, title and state stay', () => {
  const rows = views.map((v) => ({ ...v, project: 'a-project-folder', host: 'build-box-07' }))
  const heads = (width: number) => {
    const lines = renderTable(rows, { now, color: false, width, header: true }).split('\n')
    assert.ok(
      lines.every((l) => displayWidth(l) <= width),
      `${width}:\n${lines.join('\n')}`
    )
    return lines[0].split(/\s+/)
  }
  assert.deepEqual(heads(70), ['ID', 'TITLE', 'HOST', 'STATE', 'PROJECT', 'AGE'])
  assert.deepEqual(heads(50), ['ID', 'TITLE', 'HOST', 'STATE', 'AGE'])
  assert.deepEqual(heads(42), ['ID', 'TITLE', 'STATE', 'AGE'])
  assert.deepEqual(heads(30), ['ID', 'TITLE', 'STATE'])
  // --verbose's column goes last, and what fits once it is gone comes back
  const counts = new Map(rows.map((v) => [v.id, transcriptInfo({ id: v.id })]))
  const verbose = renderTable(rows, { now, color: false, width: 36, header: true, counts }).split('\n')[0]
  assert.deepEqual(verbose.split(/\s+/), ['ID', 'TITLE', 'STATE', 'AGE'])
  const line = renderTable(rows, { now, color: false, width: 30 }).split('\n')[0]
  assert.match(line, /^aaaa  working o\S*…\s+WORKING 3m$/)
})

test('states are coloured only when asked', () => {
  const plain = renderTable(views, { now, color: false, width: 200 })
  assert.doesNotMatch(plain, /\x1b\[/)
  const coloured = renderTable(views, { now, color: true, width: 200 }).split('\n')
  assert.match(coloured[0], /\x1b\[32mWORKING 3m/)
  assert.match(coloured[1], /\x1b\[33mWAITING/)
  assert.match(coloured[2], /\x1b\[2m-/)
})

test('the dead state is red and idle dim', () => {
  const out = renderTable(
    [
      sessionView({ id: 'x', state: 'dead', live: true }),
      sessionView({ id: 'y', state: 'idle', live: true }),
    ],
    { now, color: true, width: 200 }
  )
  assert.match(out, /\x1b\[31mDEAD/)
  assert.match(out, /\x1b\[2mIDLE/)
})

test('plain lists drop the state; --verbose adds what the parser did not understand', () => {
  const counts = new Map([
    ['cccc-1', transcriptInfo({ id: 'cccc-1', unknownRecords: 2, badLines: 1 })],
  ])
  const lines = renderTable(views, { now, color: false, width: 200, state: false, counts }).split(
    '\n'
  )
  assert.match(lines[2], /^cccc\s+history\s+here\s+web\s+2d\s+2\/1$/)
  assert.match(lines[0], /\s-$/)
})

test('json rows carry the documented fields', () => {
  const [row] = JSON.parse(jsonRows(views.slice(0, 1)))
  for (const key of [
    'id',
    'short',
    'name',
    'title',
    'host',
    'state',
    'cwd',
    'project',
    'branch',
    'createdAt',
    'updatedAt',
    'messages',
    'orphan',
    'deleted',
    'live',
  ])
    assert.ok(key in row, key)
  assert.equal(row.state, 'working')
  const [verbose] = JSON.parse(
    jsonRows(
      views.slice(2, 3),
      new Map([['cccc-1', transcriptInfo({ id: 'cccc-1', badLines: 3 })]])
    )
  )
  assert.equal(verbose.badLines, 3)
})

test('info names paths, times, counts, tokens, model, tag, host and state', () => {
  const t = transcriptInfo({ id: 'cccc-1', unknownRecords: 1, sidechainMessages: 5 })
  const v = sessionView({
    id: 'cccc-1',
    path: t.path,
    model: t.model,
    tokens: t.tokens,
    tag: 'keep',
    messages: 7,
  })
  const out = renderInfo(v, t, now, false)
  for (const re of [
    /^id\s+cccc-1$/m,
    /^transcript\s+\/home\/u\/\.claude/m,
    /^created\s+2026-11-20T10:00:00.000Z \(2h ago\)$/m,
    /^messages\s+7 \(3 user, 4 assistant\): the conversation, subagent turns written inline left out$/m,
    /^with subagents\s+12: the 5 subagent \(sidechain\) turns written inline counted too$/m,
    /^tokens\s+100 in, 200 out, 300 cache read, 400 cache write$/m,
    /^model\s+claude-sonnet-4-5$/m,
    /^tag\s+keep$/m,
    /^host\s+here$/m,
    /^state\s+stopped$/m,
    /^not understood\s+1 unknown records, 0 bad lines$/m,
  ])
    assert.match(out, re)
  const side = transcriptInfo({ id: 'dddd-1', sidechain: true, orphan: true })
  const orphan = renderInfo(sessionView({ id: 'dddd-1', orphan: true }), side, now, false)
  assert.match(orphan, /^orphan\s+yes: a subagent's records only \(sidechain\), no conversation of its own$/m)
  assert.match(orphan, /^messages\s+\d+ \(\d+ user, \d+ assistant\): all of them a subagent's/m)
  assert.doesNotMatch(orphan, /no subagent turns/)
})

test("another host's rows copied more than a minute ago show their age beside the host", () => {
  const now = new Date('2026-01-01T12:00:00Z')
  const rows = [sessionView({ id: 'f1', short: 'f1', host: 'far' }), sessionView({ id: 'n1', short: 'n1', host: 'near' })]
  const fetchedAt = new Map([['far', '2026-01-01T11:55:00Z'], ['near', '2026-01-01T11:59:30Z']])
  const table = renderTable(rows, { now, color: false, width: 200, fetchedAt })
  assert.match(table, /far \(5m ago\)/)
  assert.match(table, /near(?! \()/)
  assert.doesNotMatch(renderTable(rows, { now, color: false, width: 200 }), /ago\)/)
})

test('colors: SGR styles; a style nested in another opens the outer one again after it; none when off', () => {
  const c = colors(true)
  assert.equal(c.red('x'), '\x1b[31mx\x1b[39m')
  assert.equal(c.bold(`a ${c.dim('b')} c`), '\x1b[1ma \x1b[2mb\x1b[22m\x1b[1m c\x1b[22m')
  assert.equal(c.green(`a ${c.yellow('b')} c`), '\x1b[32ma \x1b[33mb\x1b[39m\x1b[32m c\x1b[39m')
  const off = colors(false)
  assert.equal(off.bold(`a ${off.dim('b')}`), 'a b')
})

// The picker: its rows (pure), list.sh against a real tmux server and picker.tsv, and picker.sh
// in a pane, driven with send-keys: it lists, filters, attaches (switch-client) and kills.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { loadConfig } from '../lib/config.ts'
import { displayWidth } from '../lib/format.ts'
import { cellMap, pickerCacheText, writePickerCache } from '../lib/picker-cache.ts'
import { chosen, numberedList, pickerLines, resumable } from '../lib/picker.ts'
import { isolatedCs } from './harness/cs.ts'
import { fakeClaude } from './harness/fake-claude.ts'
import { sessionView } from './harness/session-fixtures.ts'
import { TestTmux, poll } from './harness/tmux.ts'

const LIST = resolve(import.meta.dirname, '../tmux/list.sh')
const PICKER = resolve(import.meta.dirname, '../tmux/picker.sh')
const ACTIONS = resolve(import.meta.dirname, '../tmux/actions.sh')
const t = isolatedCs('picker')
const claude = fakeClaude(join(t.home, 'bin')) // ctrl-n launches through cs: argv recorded
const env = { ...t.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', NO_COLOR: '1', CS_CLAUDE: claude.bin, CS_PICKER_COLUMNS: '120' }
const tmux = new TestTmux('picker', env)
// a second server whose pane runs a client attached to the first: switch-client needs a client
const outer = new TestTmux('picker-outer', env)
after(() => {
  outer.cleanup()
  tmux.cleanup()
  t.cleanup()
})

const HOUR = 3600_000
const ago = (ms: number) => new Date(Date.now() - ms).toISOString()
const view = (over: Parameters<typeof sessionView>[0]) =>
  sessionView({ path: `/t/${over.id}.jsonl`, ...over })
const views = [
  view({
    id: 'aaaa0000-0000-4000-8000-000000000001',
    title: 'old history',
    project: 'api',
    updatedAt: ago(48 * HOUR),
    host: 'testhost',
  }),
  view({
    id: 'bbbb0000-0000-4000-8000-000000000002',
    title: 'a\ttab in it',
    project: 'web',
    updatedAt: ago(HOUR),
    host: 'testhost',
  }),
  view({
    id: 'cccc0000-0000-4000-8000-000000000003',
    title: 'orphan left by clear',
    orphan: true,
    updatedAt: ago(2 * HOUR),
    host: 'testhost',
  }),
  // live when the cache was written; its tmux session has gone since
  view({
    id: 'dddd0000-0000-4000-8000-000000000004',
    title: 'was live',
    state: 'working',
    live: true,
    tmuxSession: 'gone',
    kind: 'tmux',
    updatedAt: ago(3 * HOUR),
    host: 'testhost',
  }),
  // launched by cs, then it died: DEAD, listed after the live ones
  view({
    id: 'abab0000-0000-4000-8000-000000000007',
    title: 'died',
    state: 'dead',
    tmuxSession: 'gone2',
    kind: 'tmux',
    updatedAt: ago(5 * HOUR),
    host: 'testhost',
  }),
  // live in tmux now: tmux lists it, the cache row must not repeat it
  view({
    id: 'eeee0000-0000-4000-8000-000000000005',
    title: 'beta from cache',
    state: 'waiting',
    live: true,
    tmuxSession: 'beta',
    kind: 'tmux',
    updatedAt: ago(HOUR / 12),
    host: 'testhost',
  }),
  view({
    id: 'ffff0000-0000-4000-8000-000000000006',
    title: 'on another host',
    state: 'idle',
    live: true,
    kind: 'tmux',
    tmuxSession: 'x',
    updatedAt: ago(HOUR / 6),
    host: 'far',
  }),
]

/** tmux's id of a session (`$N`): the target of its live row */
const sid = (name: string) => tmux.run('display-message', '-p', '-t', `=${name}:`, '#{session_id}').trim()

/** list.sh's lines as fzf gets them: [target, id, display] */
function list(...args: string[]): string[][] {
  const r = spawnSync(LIST, args, { env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'))
}

before(() => {
  for (const [name, state, title] of [
    ['alpha', 'idle', 'Alpha work'],
    ['beta', 'waiting', 'Beta needs you'],
    ['gamma', 'working', 'Gamma runs'],
  ]) {
    tmux.newSession(name, t.home, ['sh'])
    for (const [opt, value] of [
      ['@cs_managed', '1'],
      ['@cs_state', state],
      ['@cs_title', title],
      ['@cs_cwd', `/work/${name}`],
      ['@cs_state_at', String(Math.floor(Date.now() / 1000) - 120)],
    ])
      tmux.run('set-option', '-t', `=${name}:`, opt, value)
  }
  tmux.run('set-option', '-t', '=beta:', '@cs_id', 'eeee0000-0000-4000-8000-000000000005')
  tmux.newSession('plain', t.home, ['sh']) // no cs session: never listed
  writePickerCache(loadConfig(t.env), views)
})

test('picker rows: the title takes the width fzf has, cut and padded in terminal cells', () => {
  const long = 'a title of a hundred characters, '.repeat(4).slice(0, 100)
  const rows = [
    sessionView({ id: 'x1', title: long, project: 'p', host: 'h' }),
    sessionView({ id: 'x2', title: '日本語のタイトル'.repeat(10), project: 'プロジェクト名前', host: 'h' }),
    sessionView({ id: 'x3', title: 'café ☕ short', project: 'p', host: 'h' }),
  ]
  const shown = (columns: number) =>
    pickerLines(rows, 'h', { columns, color: false }).map((l) => l.split('\t')[2])
  const wide = shown(200)
  assert.ok(wide[0].includes(long), 'not cut at 40 characters on a wide screen')
  const narrow = shown(100)
  assert.ok(narrow[0].includes(`${long.slice(0, 100 - 16 - 12 - 24 - 2)}…`))
  for (const lines of [wide, narrow]) {
    // every column starts at the same cell whatever the title holds: the host, then the age
    const at = (l: string) => displayWidth(l.slice(0, l.lastIndexOf('h  ')))
    assert.deepEqual(lines.map(at), lines.map(() => at(lines[0])), lines.join('\n'))
  }
  // the age takes up to 4 cells (364d)
  const age = narrow[0].slice(narrow[0].lastIndexOf('  ') + 2)
  assert.equal(displayWidth(narrow[0]) - age.length + 4 + 2 + 1, 100, 'fzf\'s pointer and marker, a scroll bar, and the row fill the width')
  assert.equal(cellMap('plain'), '')
  assert.equal(cellMap('é日'), String.fromCharCode(97 + 2 * 3 + 1, 97 + 3 * 3 + 2))
  // runs of plain ASCII between an emoji (4 bytes, 2 cells), a combining accent (2, 0), a control
  // character (1 byte, 1 cell: list.awk's fallback) and shorten's ellipsis (3, 1)
  const [plain, emoji, accent, control, ellipsis] = [[1, 1], [4, 2], [2, 0], [1, 1], [3, 1]].map(([b, c]) =>
    String.fromCharCode(97 + b * 3 + c)
  )
  assert.equal(
    cellMap('ok 😀 e\u0301\u0001 cut…'),
    plain.repeat(3) + emoji + plain.repeat(2) + accent + control + plain.repeat(4) + ellipsis
  )
  const list = resumable(views, 'testhost', '')
  assert.deepEqual(
    list.map((v) => v.title),
    ['beta from cache', 'was live', 'died', 'a\ttab in it', 'old history'] // as the picker: live, DEAD, history
  )
  assert.deepEqual(
    resumable(views, 'testhost', 'API').map((v) => v.title),
    ['old history']
  )
  const numbered = numberedList(pickerLines(list, 'testhost', { columns: 120, color: false }))
  assert.match(numbered.split('\n')[0], /^1  ● WAITING\s+beta from cache\s+app\s+testhost\s+5m$/)
  assert.match(numbered.split('\n')[3], /^4  ○ -\s+a tab in it\s+web\s+testhost\s+1h$/)
  assert.equal(chosen('4', list), list[3])
  for (const bad of ['', '0', '6', 'x', '1.5']) assert.equal(chosen(bad, list), null)
})

test("cs resume's list of 12,000 sessions: more than a megabyte of lines, every one", () => {
  const many = Array.from({ length: 12_000 }, (_, i) =>
    sessionView({ id: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`, title: `session number ${i} of many`, project: 'p', host: 'h' })
  )
  const lines = pickerLines(many, 'h', { columns: 160, color: false })
  assert.ok(lines.join('\n').length > 1 << 20)
  assert.equal(lines.length, many.length)
  assert.equal(lines.at(-1)?.split('\t')[0], many.at(-1)?.id)
})

test('picker.tsv: a header naming the host, one row a session, live first, no tab inside a field', () => {
  const rows = pickerCacheText(views, 'testhost').split('\n').slice(0, -1)
  assert.deepEqual(rows[0].split('\t'), ['#cs-picker', 'testhost'])
  assert.deepEqual(rows.slice(1).map((r) => r.split('\t').length), rows.slice(1).map(() => 10))
  assert.deepEqual(
    rows.slice(1).map((r) => r.split('\t')[0].slice(0, 4)),
    ['eeee', 'dddd', 'ffff', 'abab', 'bbbb', 'cccc', 'aaaa']
  )
})

test('list.sh: live sessions from tmux first, WAITING on top, then history from the cache', () => {
  const [header, ...rows] = list()
  assert.match(header[2], /live and history/)
  assert.deepEqual(
    rows.map((r) => r[0]),
    [
      sid('beta'),
      sid('gamma'),
      sid('alpha'),
      'far:ffff0000-0000-4000-8000-000000000006',
      // live when the cache was written, its tmux session gone since: with the DEAD ones
      'dddd0000-0000-4000-8000-000000000004',
      'abab0000-0000-4000-8000-000000000007',
      'bbbb0000-0000-4000-8000-000000000002',
      'aaaa0000-0000-4000-8000-000000000001',
    ]
  )
  const byTarget = Object.fromEntries(['alpha', 'beta', 'gamma'].map((name) => [sid(name), name]))
  const display = Object.fromEntries(rows.map((r) => [byTarget[r[0]] ?? r[0].replace(/^far:/, '').slice(0, 5), r[2]]))
  // another host's row is acted on as HOST:ID (the same id may be on two hosts); this host's by id
  assert.deepEqual(rows.find((r) => r[0].endsWith('ffff0000-0000-4000-8000-000000000006'))?.slice(0, 2), ['far:ffff0000-0000-4000-8000-000000000006', 'far:ffff0000-0000-4000-8000-000000000006'])
  assert.match(display.beta, /^● WAITING\s+Beta needs you\s+beta\s+testhost\s+2m$/)
  assert.equal(rows[0][1], 'eeee0000-0000-4000-8000-000000000005')
  assert.match(display.ffff0, /^● IDLE\s+on another host\s+app\s+far\s+\d+[smhdy]$/)
  assert.match(display.dddd0, /^● DEAD\s+was live/) // its tmux session is gone since
  assert.match(display.abab0, /^● DEAD\s+died/)
  assert.match(display.bbbb0, /^○ -\s+a tab in it\s+web\s+testhost\s+1h$/)
  // columns line up whoever formatted the row: tmux (live) or cs (cache)
  assert.equal(display.beta.indexOf('beta  '), display.bbbb0.indexOf('web  '))
  assert.equal(display.beta.indexOf('testhost'), display.bbbb0.indexOf('testhost'))
})

test('list.sh run without a UTF-8 locale (cron, a bare container) gives the same live rows: its tmux is told UTF-8 (-u)', () => {
  const utf8 = list()
  const r = spawnSync(LIST, [], { env: { ...env, LANG: 'C', LC_ALL: 'C' }, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'))
  assert.deepEqual(rows.slice(1, 4), utf8.slice(1, 4))
})

test('list.sh ignores a relative XDG_STATE_HOME, as lib/config.ts does: the cache under HOME', () => {
  const home = join(t.home, 'relative-xdg')
  mkdirSync(join(home, '.local'), { recursive: true })
  if (!existsSync(join(home, '.local/state'))) symlinkSync(t.env.XDG_STATE_HOME!, join(home, '.local/state'))
  const r = spawnSync(LIST, [], { env: { ...env, HOME: home, XDG_STATE_HOME: 'state' }, cwd: home, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^aaaa0000-0000-4000-8000-000000000001\t/m) // a history row, from the cache
})

test("list.sh: a cached row whose tmux name runs another session now is gone (DEAD, or history), not hidden behind it", () => {
  const state = join(t.home, 'reused-name')
  const was = (id: string, tmuxSession: string, title: string, live: boolean) =>
    view({ id, title, tmuxSession, kind: 'tmux', live, state: live ? 'idle' : 'stopped', updatedAt: ago(HOUR), host: 'testhost' })
  writePickerCache(loadConfig({ ...env, XDG_STATE_HOME: state }), [
    was('1111aaaa-0000-4000-8000-000000000001', 'beta', 'beta before', true), // beta runs eeee now
    was('2222aaaa-0000-4000-8000-000000000002', 'beta', 'beta long before', false),
    was('3333aaaa-0000-4000-8000-000000000003', 'alpha', 'alpha itself', true), // alpha: no id yet
  ])
  const r = spawnSync(LIST, [], { env: { ...env, XDG_STATE_HOME: state }, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const rows = r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split('\t'))
  assert.deepEqual(rows.map((row) => row[0]), [sid('beta'), sid('gamma'), sid('alpha'), '1111aaaa-0000-4000-8000-000000000001', '2222aaaa-0000-4000-8000-000000000002'])
  assert.match(rows[3][2], /^● DEAD\s+beta before/)
})

test('list.sh: a FIFO where picker.tsv should be holds nothing up: the live rows, no history', () => {
  const home = join(t.home, 'fifo-cache')
  mkdirSync(join(home, 'state/cs'), { recursive: true })
  if (!existsSync(join(home, 'state/cs/picker.tsv'))) execFileSync('mkfifo', [join(home, 'state/cs/picker.tsv')])
  const r = spawnSync(LIST, [], { env: { ...env, XDG_STATE_HOME: join(home, 'state') }, encoding: 'utf8', timeout: 10_000 })
  assert.equal(r.status, 0, `${r.error ?? ''} ${r.stderr}`)
  assert.deepEqual(r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split('\t')[0]), ['beta', 'gamma', 'alpha'].map(sid))
})

test('list.sh modes: ctrl-g moves to everything (orphans too), then live only, then back', () => {
  const modeFile = resolve(t.home, 'mode')
  assert.equal(list(modeFile)[0][2].includes('live and history'), true)
  const all = list(modeFile, 'next')
  assert.match(all[0][2], /everything/)
  assert.match(all.find((r) => r[0].startsWith('cccc'))?.[2] ?? '', /^○ orphan/)
  assert.equal(readFileSync(modeFile, 'utf8').trim(), 'all')
  const live = list(modeFile, 'next')
  assert.deepEqual(
    live.slice(1).map((r) => r[0].slice(0, 5)),
    [...['beta', 'gamma', 'alpha'].map(sid), 'far:f']
  )
  assert.match(list(modeFile, 'next')[0][2], /live and history/)
})

test("the preview shows a live session's screen until it has a transcript, and a history row's exchanges or why not", async () => {
  const preview = (...args: string[]) => spawnSync('sh', [ACTIONS, 'preview', ...args], { env, encoding: 'utf8', timeout: 60_000 })
  tmux.newSession('fresh', t.home, ['sh', '-c', 'echo starting claude; exec sleep 600'])
  const id = 'feed0000-0000-4000-8000-000000000001' // launched a moment ago: no transcript yet
  for (const [k, v] of Object.entries({ '@cs_managed': '1', '@cs_id': id })) tmux.run('set-option', '-t', '=fresh:', k, v)
  await tmux.waitFor('=fresh:', (s) => s.includes('starting claude'))
  const live = preview(sid('fresh'), id)
  assert.equal(live.status, 0, live.stderr)
  assert.match(live.stdout, /starting claude/)
  const history = preview(id, id)
  assert.notEqual(history.status, 0)
  assert.match(history.stdout + history.stderr, /no session matches|no transcript/)
  tmux.run('kill-session', '-t', '=fresh')
})

test('picker actions act on the row given: a session ended since is said so, never taken for another; odd names are exact', () => {
  const act = (input: string, ...args: string[]) =>
    spawnSync('sh', [ACTIONS, ...args], { env, input, encoding: 'utf8', timeout: 60_000 })
  const managed = (name: string, options: Record<string, string> = {}) => {
    tmux.newSession(name, t.home, ['sh'])
    for (const [k, v] of Object.entries({ '@cs_managed': '1', ...options })) tmux.run('set-option', '-t', `=${name}:`, k, v)
  }
  // `work` ends while its row is shown; `elsewhere` ran in a folder named work, which cs's own
  // lookup of the word "work" (ids, names, then projects) would find
  managed('work')
  managed('elsewhere', { '@cs_id': 'abcd0000-0000-4000-8000-000000000001', '@cs_cwd': '/x/work' })
  const gone = sid('work')
  tmux.run('kill-session', '-t', '=work')
  for (const action of ['kill', 'attach', 'rename']) {
    const r = act('y\n\n', action, gone)
    assert.match(r.stdout, /that tmux session has ended since the list was made/, `${action}: ${r.stdout}${r.stderr}`)
  }
  assert.ok(tmux.hasSession('elsewhere'))
  // a name with a blank at its end beside the same without, and one that looks like a flag
  for (const name of ['edge ', 'edge', '-x', '--all']) managed(name)
  for (const name of ['edge ', '-x', '--all']) {
    const r = act('y\n', 'kill', sid(name))
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(!tmux.hasSession(name), `${JSON.stringify(name)} killed: ${r.stdout}${r.stderr}`)
  }
  assert.ok(tmux.hasSession('edge') && tmux.hasSession('elsewhere'), 'the others stay')
})

test('an fzf older than 0.38 (no become()) is named with the fix, not a popup that closes at once', () => {
  const bin = join(t.home, 'fzf-old')
  mkdirSync(bin, { recursive: true })
  // as fzf 0.29 does: its version, and a refusal of the unknown action
  writeFileSync(join(bin, 'fzf'), `#!/bin/sh\n[ "$1" = --version ] && { echo '0.29.0 (debian)'; exit 0; }\necho 'unknown action: become' >&2\nexit 2\n`)
  chmodSync(join(bin, 'fzf'), 0o755)
  const r = spawnSync(PICKER, [], { env: { ...env, PATH: `${bin}:${t.env.PATH}` }, input: '\n', encoding: 'utf8' })
  assert.equal(r.status, 3, r.stdout + r.stderr)
  assert.match(r.stdout, /the picker needs fzf 0\.38 or later, not 0\.29\.0\.\n +apt-get install fzf/)
})

test("picker.sh keeps the list's mode in cs's state folder, gone when it ends; else in a temporary file", () => {
  // a stand-in fzf that records its arguments (the binds name the mode file)
  const bin = join(t.home, 'fzf-args')
  mkdirSync(bin, { recursive: true })
  const args = join(bin, 'args')
  writeFileSync(join(bin, 'fzf'), `#!/bin/sh\nprintf '%s\\n' "$@" >'${args}'\ncat >/dev/null\n`)
  chmodSync(join(bin, 'fzf'), 0o755)
  const modeFile = (over: Record<string, string>) => {
    const r = spawnSync(PICKER, [], { env: { ...env, PATH: `${bin}:${t.env.PATH}`, ...over }, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    const file = readFileSync(args, 'utf8').match(/reload\('[^']*\/list\.sh' '([^']*)' next\)/)?.[1]
    assert.ok(file, readFileSync(args, 'utf8'))
    assert.ok(!existsSync(file), `${file} removed when the picker ended`)
    return file
  }
  const file = modeFile({})
  assert.equal(dirname(file), join(t.env.XDG_STATE_HOME!, 'cs'))
  assert.match(basename(file), /^picker-mode\.\d+$/)
  // cs has not run yet: no state folder
  const tmp = join(t.home, 'tmp')
  mkdirSync(tmp, { recursive: true })
  assert.match(modeFile({ XDG_STATE_HOME: join(t.home, 'no-state-yet'), TMPDIR: tmp }), new RegExp(`^${tmp}/cs-picker\\.`))
})

/** Starts the picker in a new session `name`, with a client of the outer server looking at it. */
async function openPicker(
  name: string,
  ready = (s: string) => s.includes('Beta needs you') && s.includes('old history')
): Promise<string> {
  const pane = tmux.newSession(name, t.home, [PICKER])
  // the client may still be leaving a session the last test ended (it then detaches): start anew
  if (outer.hasSession('client') && tmux.try('switch-client', '-t', `=${name}`).status !== 0)
    outer.try('kill-session', '-t', '=client')
  if (!outer.hasSession('client'))
    outer.newSession('client', t.home, [
      'env',
      '-u',
      'TMUX',
      'tmux',
      '-L',
      tmux.socket,
      'attach',
      '-t',
      `=${name}`,
    ])
  await tmux.waitFor(pane, ready, { what: 'the picker list' })
  return pane
}

const clientSession = () =>
  poll(
    () => {
      const s = tmux.try('list-clients', '-F', '#{client_session}').stdout.trim()
      return { ok: s !== '', last: s }
    },
    30_000,
    'a client'
  )

test('picker: lists, filters as the user types, and Enter switches the client to the session', async () => {
  const pane = await openPicker('pick1')
  assert.equal(await clientSession(), 'pick1')
  const screen = tmux.capture(pane)
  assert.match(screen, /enter attach\s+ctrl-n new\s+ctrl-r rename\s+ctrl-x kill\s+ctrl-g history/)
  assert.ok(screen.indexOf('Beta needs you') < screen.indexOf('Gamma runs'))
  tmux.sendKeys(pane, '-l', 'gamma')
  await tmux.waitFor(pane, (s) => s.includes('Gamma runs') && !s.includes('Beta needs you'), {
    what: 'the filtered list',
  })
  tmux.sendKeys(pane, 'Enter')
  await poll(
    () => {
      const s = tmux.try('list-clients', '-F', '#{client_session}').stdout.trim()
      return { ok: s === 'gamma', last: s }
    },
    60_000,
    'the client to switch to gamma'
  )
})

test('picker: ctrl-x asks first, then kills the tmux session and lists again', async () => {
  const pane = await openPicker('pick2')
  tmux.sendKeys(pane, '-l', 'Alpha')
  await tmux.waitFor(pane, (s) => s.includes('Alpha work') && !s.includes('Gamma runs'), {
    what: 'alpha alone',
  })
  tmux.sendKeys(pane, 'C-x')
  await tmux.waitFor(pane, (s) => s.includes('Kill the tmux session of alpha? [y/N]'), {
    what: 'the question',
  })
  tmux.sendKeys(pane, 'n', 'Enter')
  await tmux.waitFor(pane, (s) => s.includes('Alpha work'), { what: 'the list again' })
  assert.ok(tmux.hasSession('alpha'), 'answering n keeps the session')
  tmux.sendKeys(pane, 'C-x')
  await tmux.waitFor(pane, (s) => s.includes('Kill the tmux session of alpha?'), {
    what: 'the question',
  })
  tmux.sendKeys(pane, 'y', 'Enter')
  await poll(
    () => ({ ok: !tmux.hasSession('alpha'), last: tmux.hasSession('alpha') }),
    60_000,
    'alpha to be killed'
  )
  await tmux.waitFor(pane, (s) => s.includes('cs>') && !s.includes('Alpha work'), {
    what: 'the list without alpha',
  })
  tmux.sendKeys(pane, 'Escape')
})

// Last: cs commands run from the picker reconcile the sessions' states (their panes run sh).
test('picker: ctrl-r renames the chosen session and lists it again under its new name', async () => {
  const pane = await openPicker('pick3')
  tmux.sendKeys(pane, '-l', 'Beta')
  await tmux.waitFor(pane, (s) => s.includes('Beta needs you') && !s.includes('Gamma runs'), {
    what: 'beta alone',
  })
  tmux.sendKeys(pane, 'C-r')
  await tmux.waitFor(pane, (s) => s.includes('New name for beta:'), { what: 'the question' })
  tmux.sendKeys(pane, '-l', 'Beta it is')
  tmux.sendKeys(pane, 'Enter')
  await tmux.waitFor(pane, (s) => s.includes('Beta it is') && s.includes('cs> Beta'), {
    what: 'the list again, with the new name',
  })
  assert.equal(tmux.showOption('=beta:', '@cs_name'), 'Beta it is')
  tmux.sendKeys(pane, 'Escape')
})

test('picker: ctrl-n asks a name and a folder, launches there and switches the client to it', async () => {
  mkdirSync(join(t.home, 'new place'))
  const folder = realpathSync(join(t.home, 'new place'))
  const pane = await openPicker('pick4', (s) => s.includes('Gamma runs')) // the rename rewrote the cache
  tmux.sendKeys(pane, 'C-n')
  await tmux.waitFor(pane, (s) => s.includes('New session name:'), { what: 'the name question' })
  tmux.sendKeys(pane, '-l', `made "here" $(x)`)
  tmux.sendKeys(pane, 'Enter')
  await tmux.waitFor(pane, (s) => s.includes('Folder ['), { what: 'the folder question' })
  tmux.sendKeys(pane, '-l', folder)
  tmux.sendKeys(pane, 'Enter')
  await poll(
    () => {
      const s = tmux.try('list-clients', '-F', '#{client_session}').stdout.trim()
      return { ok: s === 'made "here" $(x)', last: s }
    },
    60_000,
    'the client to switch to the new session'
  )
  const id = tmux.showOption('=made "here" $(x):', '@cs_id') ?? ''
  const got = await claude.wait(id)
  assert.equal(got.cwd, folder)
  assert.deepEqual(got.argv.slice(4, 6), ['-n', 'made "here" $(x)'])
})

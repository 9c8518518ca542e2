import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { loadConfig } from '../lib/config.ts'
import { readLive, reconcile, writeBack } from '../lib/live.ts'
import { PANE_FORMAT, parsePanes, type PaneRow } from '../lib/pane-row.ts'
import { sessionOf } from '../lib/tmux-sessions.ts'
import { procStat } from '../lib/registry.ts'
import type { LiveInfo } from '../lib/session.ts'
import { Tmux } from '../lib/tmux.ts'
import { TestTmux, poll } from './harness/tmux.ts'

const home = mkdtempSync(join(tmpdir(), 'cs-live-'))
const claudeDir = join(home, '.claude')
const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: home }
const tmux = new TestTmux('live', env)
const config = loadConfig({ HOME: home, CLAUDE_CONFIG_DIR: claudeDir, CS_TMUX_SOCKET: tmux.socket, CS_HOST: 'testhost' })
// Registry entries are believed only for processes that run claude: sleep, under that name.
const CLAUDE = join(home, 'claude')
copyFileSync(execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), CLAUDE)
const outside = spawn(CLAUDE, ['600'], { stdio: 'ignore' })
const background = spawn(CLAUDE, ['600'], { stdio: 'ignore' })
/** A session id (a UUID, as the registry must hold) for a name. */
const ID = (name: string) => `${Buffer.from(name).toString('hex').padEnd(8, '0').slice(0, 8)}-0000-4000-8000-000000000000`
const panes: Record<string, string> = {}

const RULE = '─'.repeat(40)
const WORKING_SCREEN = ['❯ go', '✶ Sautéing… (3s · ↓ 4 tokens)', '', RULE, '❯ ', RULE, '  esc to interrupt'].join('\n')

function registry(pid: number, fields: Record<string, unknown>): void {
  mkdirSync(join(claudeDir, 'sessions'), { recursive: true })
  const body = { pid, procStart: procStat(pid)!.start, kind: 'interactive', version: '2.1.332', ...fields }
  writeFileSync(join(claudeDir, 'sessions', `${pid}.json`), JSON.stringify(body))
}

/** Sets options as `cs launch` and the hook would: on the pane and on its session. */
function options(pane: string, values: Record<string, string>, paneOnly = false): void {
  for (const [k, v] of Object.entries(values)) {
    tmux.run('set-option', '-p', '-t', pane, k, v)
    if (!paneOnly) tmux.run('set-option', '-t', pane, k, v)
  }
}

const panePid = (pane: string) => Number(tmux.run('display-message', '-p', '-t', pane, '#{pane_pid}').trim())
const childOf = (pid: number) => Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0])
const byPane = (live: LiveInfo[], name: string) => live.find((l) => l.tmuxPane === panes[name])

before(async () => {
  const sh = (script: string) => ['sh', '-c', script]
  panes.esc = tmux.newSession('esc', home, [CLAUDE, '600'])
  panes.child = tmux.newSession('child', home, sh(`${CLAUDE} 600; true`)) // claude under a shell
  panes.exited = tmux.newSession('exited', home, ['sh'])
  panes.ext = tmux.newSession('ext', home, [CLAUDE, '600'])
  panes.nohook = tmux.newSession('nohook', home, sh(`printf '%s\\n' '${WORKING_SCREEN}'; exec sleep 600`))
  panes.newer = tmux.newSession('newer', home, [CLAUDE, '600'])
  panes.split = tmux.run('split-window', '-d', '-P', '-F', '#{pane_id}', '-t', '=esc:', 'sh').trim()
  await poll(() => ({ ok: readFileSync(`/proc/${panePid(panes.child)}/task/${panePid(panes.child)}/children`, 'utf8').trim() !== '', last: '' }), 30_000, 'the shell to start its child')

  const hooked = { '@cs_managed': '1', '@cs_transcript': '/t.jsonl' }
  options(panes.esc, { ...hooked, '@cs_id': ID('esc'), '@cs_title': 'Esc pressed', '@cs_state': 'working', '@cs_state_at': '1000', '@cs_pane': panes.esc })
  registry(panePid(panes.esc), { sessionId: ID('esc'), status: 'idle', statusUpdatedAt: 2_000_000 })
  options(panes.child, { ...hooked, '@cs_id': ID('child'), '@cs_state': 'working', '@cs_state_at': '1000', '@cs_pane': panes.child })
  registry(childOf(panePid(panes.child)), { sessionId: ID('child'), status: 'waiting', waitingFor: 'permission prompt', statusUpdatedAt: 2_000_000 })
  options(panes.exited, { ...hooked, '@cs_id': ID('exited'), '@cs_state': 'idle', '@cs_state_at': '1000', '@cs_pane': panes.exited })
  registry(panePid(panes.ext), { sessionId: ID('ext'), status: 'busy', statusUpdatedAt: 2_000_000, name: 'outside cs', tmux: 'ext:@9.%99' })
  options(panes.nohook, { '@cs_managed': '1', '@cs_id': ID('nohook'), '@cs_state': 'idle', '@cs_state_at': '1000', '@cs_pane': panes.nohook })
  options(panes.newer, { ...hooked, '@cs_id': ID('newer'), '@cs_state': 'working', '@cs_state_at': '3000', '@cs_pane': panes.newer })
  registry(panePid(panes.newer), { sessionId: ID('newer'), status: 'idle', statusUpdatedAt: 2_000_000 })
  registry(outside.pid!, { sessionId: ID('outside'), status: 'idle', statusUpdatedAt: 2_000_000 })
  registry(background.pid!, { sessionId: ID('bg'), status: 'busy', kind: 'bg', jobId: '31f0069d', statusUpdatedAt: 2_000_000 })
  mkdirSync(join(claudeDir, 'jobs', '31f0069d'), { recursive: true })
  writeFileSync(join(claudeDir, 'jobs', '31f0069d', 'state.json'), JSON.stringify({ state: 'working', intent: 'hello there', daemonShort: '31f0069d' }))
  await tmux.waitFor(panes.nohook, (s) => s.includes('Sautéing'))
})
after(() => {
  outside.kill()
  background.kill()
  tmux.cleanup()
  rmSync(home, { recursive: true, force: true })
})

test('readLive reconciles hooks, registry and screens, and writes corrections back to tmux', () => {
  const live = readLive(config)
  const esc = byPane(live, 'esc')
  assert.equal(esc?.kind, 'tmux')
  assert.equal(esc?.state, 'idle', 'Esc fired no hook: the registry knows better')
  assert.equal(esc?.stateSince, new Date(2_000_000).toISOString())
  assert.equal(esc?.name, 'Esc pressed')
  assert.equal(esc?.tmuxSession, 'esc')
  assert.equal(tmux.showOption(panes.esc, '@cs_state', true), 'idle')
  assert.equal(tmux.showOption('=esc:', '@cs_state'), 'idle')
  assert.equal(tmux.showOption('=esc:', '@cs_state_at'), '2000')

  const child = byPane(live, 'child')
  assert.equal(child?.state, 'waiting')
  assert.equal(child?.waitingFor, 'permission prompt')
  assert.equal(tmux.showOption(panes.child, '@cs_waiting_for', true), 'permission prompt')

  assert.equal(byPane(live, 'exited')?.state, 'dead', 'a shell in front: claude has exited')
  assert.equal(tmux.showOption('=exited:', '@cs_state'), 'dead')

  assert.equal(byPane(live, 'nohook')?.state, 'working', 'no hook, no registry: read from the screen')
  assert.equal(byPane(live, 'newer')?.state, 'working', 'a hook event later than the registry wins')
  assert.equal(tmux.showOption('=newer:', '@cs_state_at'), '3000')

  const ext = byPane(live, 'ext')
  assert.deepEqual(
    [ext?.kind, ext?.id, ext?.state, ext?.name, ext?.tmuxSession],
    ['external', ID('ext'), 'working', 'outside cs', 'ext']
  )
  assert.equal(tmux.showOption(panes.ext, '@cs_state', true), null, 'sessions cs does not track get no options')
  const out = live.find((l) => l.id === ID('outside'))
  assert.deepEqual([out?.kind, out?.tmuxPane, out?.pid], ['external', null, outside.pid])
  const bg = live.find((l) => l.id === ID('bg'))
  assert.deepEqual([bg?.kind, bg?.bgId, bg?.state, bg?.name], ['background', '31f0069d', 'working', 'hello there'])

  assert.equal(live.filter((l) => l.tmuxSession === 'esc').length, 1, 'a pane split off is not a session')
  assert.ok(live.every((l) => l.host === 'testhost'))
  assert.equal(live.length, 8)
})

test('closing the claude pane of a managed session leaves it dead, since the hook said so or since first seen', () => {
  const pane = tmux.newSession('closed', home, ['sleep', '600'])
  const other = tmux.run('split-window', '-d', '-P', '-F', '#{pane_id}', '-t', '=closed:', 'sleep', '600').trim()
  options(pane, { '@cs_managed': '1', '@cs_id': ID('closed'), '@cs_state': 'idle', '@cs_state_at': '1000', '@cs_pane': pane })
  tmux.run('kill-pane', '-t', pane)
  const before = Math.floor(Date.now() / 1000)
  const row = readLive(config).find((l) => l.tmuxSession === 'closed')
  assert.deepEqual([row?.state, row?.id, row?.tmuxPane], ['dead', ID('closed'), null])
  assert.notEqual(other, pane)
  // not the age of its state before (idle at 1000), but since now, kept on the session alone
  const at = Number(tmux.showOption('=closed:', '@cs_state_at'))
  assert.ok(at >= before && Date.parse(row!.stateSince!) === at * 1000, `${row?.stateSince} ${at}`)
  assert.equal(tmux.showOption('=closed:', '@cs_state'), 'dead')
  assert.equal(tmux.showOption(other, '@cs_state', true), null, "the other pane's own options untouched")
  assert.equal(readLive(config).find((l) => l.tmuxSession === 'closed')?.stateSince, row?.stateSince, 'kept')

  // the hook's SessionEnd said dead (on the session too) before the pane closed: since then
  const said = tmux.newSession('ended', home, ['sleep', '600'])
  tmux.run('split-window', '-d', '-t', '=ended:', 'sleep', '600')
  options(said, { '@cs_managed': '1', '@cs_id': ID('ended'), '@cs_state': 'dead', '@cs_state_at': '1700000000', '@cs_pane': said })
  tmux.run('kill-pane', '-t', said)
  assert.equal(readLive(config).find((l) => l.tmuxSession === 'ended')?.stateSince, new Date(1700000000_000).toISOString())
  tmux.run('kill-session', '-t', '=ended')
})

test('no tmux server: registry sessions only, no error', () => {
  const none = { ...config, tmuxSocket: `cs-test-live-none-${process.pid}` }
  const live = readLive(none)
  assert.ok(live.length >= 3)
  assert.ok(live.every((l) => l.kind !== 'tmux' && l.tmuxPane === null))
})

const row = (over: Partial<PaneRow>): PaneRow => ({
  session: 's', pane: '%1', pid: '10', dead: '0', deadAt: '', command: 'claude', path: '/', managed: '1', claudePane: '%1',
  id: 'a', name: '', title: '', state: 'working', stateAt: '100', waitingFor: '', transcript: '/t', cwd: '/', pushSet: '', ...over,
})
const entry = (status: 'busy' | 'idle' | 'waiting' | 'shell', at: number) => ({
  pid: 1, sessionId: 'a', status, waitingFor: status === 'waiting' ? 'dialog open' : null, statusUpdatedAt: at,
  cwd: null, kind: 'interactive', name: null, procStart: null, tmuxPane: null, tmuxSession: null, jobId: null, version: null,
})

test('reconcile: registry wins unless the hook spoke in a later second; agreement writes nothing', () => {
  assert.equal(reconcile(row({}), entry('busy', 100_500), 200).correction, null)
  const esc = reconcile(row({}), entry('idle', 150_000), 200)
  assert.deepEqual(esc.correction, { pane: '%1', state: 'idle', at: 150, waitingFor: null, seenAt: '100' })
  assert.equal(reconcile(row({ stateAt: '151' }), entry('idle', 150_900), 200).state, 'working')
  const dialog = reconcile(row({}), entry('waiting', 100_200), 200)
  assert.deepEqual([dialog.state, dialog.waitingFor], ['waiting', 'dialog open'])
  assert.equal(reconcile(row({ state: 'idle' }), entry('shell', 100_000), 200).correction, null)
  assert.equal(reconcile(row({ dead: '1' }), entry('busy', 100_000), 200).state, 'dead')
  // a pane tmux kept after its process exited: dead since then, not since cs first saw it
  assert.deepEqual(reconcile(row({ dead: '1', deadAt: '150' }), null, 200).correction, { pane: '%1', state: 'dead', at: 150, waitingFor: null, seenAt: '100' })
  assert.equal(reconcile(row({ dead: '1' }), null, 200).correction?.at, 200)
  assert.equal(reconcile(row({ command: '-bash' }), null, 200).correction?.state, 'dead')
  assert.equal(reconcile(row({ state: 'dead' }), null, 200).correction, null)
})

test('write-back applies only where no hook changed @cs_state_at since it was read', () => {
  const pane = tmux.newSession('cas', home, ['sleep', '600'])
  options(pane, { '@cs_state': 'working', '@cs_state_at': '500' })
  const t = new Tmux(tmux.socket)
  t.run(...writeBack([{ pane, state: 'idle', at: 600, waitingFor: null, seenAt: '400' }]))
  assert.equal(tmux.showOption(pane, '@cs_state', true), 'working')
  t.run(...writeBack([{ pane, state: 'waiting', at: 600, waitingFor: 'permission "prompt"; x', seenAt: '500' }]))
  assert.equal(tmux.showOption(pane, '@cs_state', true), 'waiting')
  assert.equal(tmux.showOption('=cas:', '@cs_waiting_for'), 'permission prompt x')
})

test('parsePanes reads the format and skips malformed records', () => {
  const fields = PANE_FORMAT.split('\x1f').length
  const good = ['s', '%3', '42', '0', '', 'claude', '/p', '1', '%3', 'id', '', 'T', 'idle', '5', '', '/t', '/c', '']
  assert.equal(good.length, fields)
  const out = [good.join('\x1f'), 'garbage', good.slice(1).join('\x1f'), ['x', 'nopane', ...good.slice(2)].join('\x1f')]
  const rows = parsePanes(out.map((r) => `${r}\x1e\n`).join(''))
  assert.equal(rows.length, 1)
  assert.deepEqual([rows[0].pane, rows[0].title, rows[0].state], ['%3', 'T', 'idle'])
  assert.deepEqual(parsePanes(''), [])
})

test('@cs_waiting_for, which anyone on the server can set, reaches the dashboard and cs status as text fit for a terminal', () => {
  const hostile = 'perm\u001b]0;PWN\u0007\u001b[31mRED\u202eevil\u009b2J'
  const r = reconcile(row({ state: 'waiting', waitingFor: hostile }), null, 200)
  assert.equal(r.waitingFor, 'permREDevil')
  assert.equal(sessionOf(row({ state: 'waiting', waitingFor: hostile })).waitingFor, 'permREDevil')
})

test("the hook's @cs_id and @cs_cwd, from Claude's payload, are taken only as an id and a folder", () => {
  const pane = tmux.newSession('odd', home, ['sleep', '600'])
  try {
    options(pane, { '@cs_managed': '1', '@cs_transcript': '/t.jsonl', '@cs_id': '../../x', '@cs_cwd': '/w\u009b31m\u001b]0;OWNED\u0007', '@cs_state': 'idle', '@cs_pane': pane })
    const row = readLive(config).find((l) => l.tmuxSession === 'odd')
    assert.deepEqual([row?.state, row?.id, row?.cwd], ['idle', null, null])
    options(pane, { '@cs_id': ID('odd'), '@cs_cwd': '/work/odd' })
    const fixed = readLive(config).find((l) => l.tmuxSession === 'odd')
    assert.deepEqual([fixed?.id, fixed?.cwd], [ID('odd'), '/work/odd'])
  } finally {
    tmux.run('kill-session', '-t', '=odd')
  }
})

test('cs status lists a claude started by hand in a pane of this server, from its registry entry, as cs ls does', () => {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '../bin/cs.mjs'), 'status', '--json'], {
    env: { ...env, CLAUDE_CONFIG_DIR: claudeDir, XDG_STATE_HOME: join(home, 'state'), CS_TMUX_SOCKET: tmux.socket, CS_HOST: 'testhost' },
    encoding: 'utf8',
  })
  assert.equal(r.status, 0, r.stderr)
  const ext = (JSON.parse(r.stdout) as any[]).find((s) => s.tmuxSession === 'ext')
  assert.deepEqual([ext?.id, ext?.state, ext?.managed, ext?.title, ext?.host], [ID('ext'), 'working', false, 'outside cs', 'testhost'])
})

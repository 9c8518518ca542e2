// Live state against the real Claude Code client: sessions started by `cs launch` in an isolated
// tmux server, answered by the loopback fake API, followed through their hooks and registry.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { stateFromScreen } from '../lib/pane.ts'
import type { SessionView } from '../lib/session.ts'
import { makeClaudeEnv, REPO } from './harness/claude-env.ts'
import type { ClaudeEnv } from './harness/claude-env.ts'
import { exitClaude, readRegistry, screen, submit, waitRegistry } from './harness/claude.ts'
import { byPrompt, startFakeApi } from './harness/fake-api.ts'
import type { FakeApi } from './harness/fake-api.ts'
import { poll, TestTmux } from './harness/tmux.ts'

const CS = join(REPO, 'bin/cs.mjs')
let api: FakeApi
let ce: ClaudeEnv
let tmux: TestTmux
let cwd: string

before(async () => {
  api = await startFakeApi(byPrompt)
  const socket = `cs-test-live-real-${process.pid}`
  ce = makeClaudeEnv({ apiUrl: api.url, socket })
  tmux = new TestTmux('live-real', ce.csEnv, socket)
  cwd = ce.project('project')
})
after(async () => {
  tmux.cleanup()
  // the daemon `claude --bg` started for this config dir, with its sessions
  spawnSync('claude', ['daemon', 'stop', '--any'], { env: ce.env, timeout: 30_000 })
  await api.close()
  ce.cleanup()
})

function cs(...args: string[]): string {
  const r = spawnSync(process.execPath, [CS, ...args], { cwd, env: ce.csEnv, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`cs ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return r.stdout
}

// --all: the file /clear leaves stays an orphan, which the default listing hides
const rows = (): SessionView[] => JSON.parse(cs('ls', '--all', '--json'))

/** Polls `cs ls --json` until the row of id satisfies pred. */
const waitRow = (id: string, pred: (r: SessionView) => boolean, what: string) =>
  poll(
    () => {
      const row = rows().find((r) => r.id === id)
      return { ok: !!row && pred(row), last: (row ?? 'no row') as SessionView | string }
    },
    60_000,
    `cs ls: ${what}`
  )

// show-options takes a pane target: `=NAME:` is the session NAME exactly
const option = (session: string, name: string) => tmux.showOption(`=${session}:`, name)
const waitOption = (session: string, name: string, want: (v: string | null) => boolean, what: string) =>
  poll(() => ({ ok: want(option(session, name)), last: option(session, name) }), 60_000, `${session} ${name}: ${what}`)

/** Every view of the state agrees: the hook's tmux option, the dashboard, and the screen
 *  scrape (the fallback for old clients) on the pane as it is now. */
async function waitState(session: string, id: string, state: string) {
  await waitOption(session, '@cs_state', (v) => v === state, state)
  await waitRow(id, (r) => r.state === state && r.live, state)
  const pane = option(session, '@cs_pane')!
  await tmux.waitFor(pane, (s) => stateFromScreen(s) === state, { what: `the screen to read ${state}` })
}

function launch(name: string, prompt: string | null, extra: string[] = []): { id: string; pane: string } {
  const record = JSON.parse(cs('launch', name, ...(prompt ? [prompt] : []), '--json', ...(extra.length ? ['--', ...extra] : [])))
  const pane = option(name, '@cs_pane')
  assert.ok(pane, `${name} has @cs_pane`)
  return { id: record.id, pane }
}

test('launch, working, waiting, idle, Esc, /rename, /clear and /exit, as hooks and cs ls see them', async () => {
  const { id, pane } = launch('alpha', null, ['--permission-mode', 'default'])
  assert.equal(option('alpha', '@cs_id'), id)
  await tmux.waitFor(pane, (s) => screen.promptBox(s) && !screen.busy(s), { what: 'the prompt box' })
  await waitRow(id, (r) => r.live && r.kind === 'tmux' && r.state === 'idle', 'idle after launch')

  await submit(tmux, pane, 'stall one')
  await waitState('alpha', id, 'working')
  api.release('Released one.')
  await tmux.waitFor(pane, (s) => s.includes('Released one.'), { what: 'the released answer' })
  await waitState('alpha', id, 'idle')

  await submit(tmux, pane, 'run touch approved-marker')
  await tmux.waitFor(pane, screen.permission, { what: 'the permission dialog' })
  await waitState('alpha', id, 'waiting')
  tmux.sendKeys(pane, '1')
  await tmux.waitFor(pane, (s) => s.includes('Done.'), { what: 'the answer after the tool' })
  await waitState('alpha', id, 'idle')
  assert.ok(existsSync(join(cwd, 'approved-marker')), 'the approved command ran')

  // Esc fires no hook: the hook's option stays working until cs reconciles it with the registry
  await submit(tmux, pane, 'stall two')
  await waitState('alpha', id, 'working')
  tmux.sendKeys(pane, 'Escape')
  await waitRegistry(ce, (e) => e.sessionId === id && e.status === 'idle', 'idle after Esc')
  await waitRow(id, (r) => r.state === 'idle', 'idle after Esc')
  assert.equal(option('alpha', '@cs_state'), 'idle', 'cs ls wrote the reconciled state back')

  await submit(tmux, pane, '/rename Renamed alpha')
  await tmux.waitFor(pane, (s) => s.includes('Session renamed to: Renamed alpha'), { what: 'the rename' })
  await waitRow(id, (r) => r.name === 'Renamed alpha' && r.title === 'Renamed alpha', 'the new title')

  await submit(tmux, pane, '/clear')
  const next = await waitOption('alpha', '@cs_id', (v) => v !== null && v !== id, 'a new claude id after /clear')
  const entry = await waitRegistry(ce, (e) => e.sessionId === next, 'the new id in the registry')
  assert.equal(entry.tmux?.split(':')[0], 'alpha')
  await waitRow(next!, (r) => r.live && r.state === 'idle', 'the new id live')
  await waitRow(id, (r) => !r.live, 'the old id no longer live')

  await exitClaude(tmux, pane, 'alpha')
  // the launch record followed /clear to the new id: the session that stopped is DEAD in its tmux session
  await waitRow(next!, (r) => !r.live && r.state === 'dead' && r.tmuxSession === 'alpha', 'DEAD after /exit')
  await waitRow(id, (r) => r.state === 'stopped', 'the id before /clear is history')
})

test('an API error that ends the turn (no Stop hook) turns the session idle by its hook alone', async () => {
  const { id, pane } = launch('refused', null)
  await tmux.waitFor(pane, (s) => screen.promptBox(s) && !screen.busy(s), { what: 'the prompt box' })
  await submit(tmux, pane, 'refuse this')
  await poll(() => ({ ok: api.requests.some((r) => r.lastUserText === 'refuse this'), last: api.requests.length }), 60_000, 'the refused request')
  // no cs command runs meanwhile: only the hook can set it, as the status line shows it. At once
  // (StopFailure), not a minute later (the idle_prompt Notification, all the client sends else)
  const state = () => option('refused', '@cs_state')
  await poll(() => ({ ok: state() === 'idle', last: state() }), 20_000, 'idle after the error, by StopFailure')
  await waitRow(id, (r) => r.live && r.state === 'idle', 'idle in cs ls')
  await exitClaude(tmux, pane, 'refused')
})

test('a tool that fails after its permission was given: working again at once (PostToolUseFailure), not waiting', async () => {
  const { pane } = launch('failing', null, ['--permission-mode', 'default'])
  await tmux.waitFor(pane, (s) => screen.promptBox(s) && !screen.busy(s), { what: 'the prompt box' })
  // the command fails; the fake API then hangs on its result: the turn goes on, WORKING
  await submit(tmux, pane, "run echo 'stall after'; exit 3")
  await tmux.waitFor(pane, screen.permission, { what: 'the permission dialog' })
  await waitOption('failing', '@cs_state', (v) => v === 'waiting', 'waiting at the dialog')
  tmux.sendKeys(pane, 'Enter') // 1. Yes
  await poll(() => ({ ok: api.stalled() > 0, last: api.stalled() }), 60_000, 'the request after the failed command')
  await waitOption('failing', '@cs_state', (v) => v === 'working', 'working after the failure, by its hook')
  api.release('Done.')
  await waitOption('failing', '@cs_state', (v) => v === 'idle', 'idle at the end of the turn')
  await exitClaude(tmux, pane, 'failing')
})

test('a permission denied (Esc at the dialog) fires no hook: cs ls reads idle from the registry and writes it back', async () => {
  const { id, pane } = launch('denied', null, ['--permission-mode', 'default'])
  await tmux.waitFor(pane, (s) => screen.promptBox(s) && !screen.busy(s), { what: 'the prompt box' })
  await submit(tmux, pane, 'run touch denied-marker')
  await tmux.waitFor(pane, screen.permission, { what: 'the permission dialog' })
  await waitOption('denied', '@cs_state', (v) => v === 'waiting', 'waiting at the dialog')
  tmux.sendKeys(pane, 'Escape')
  await waitRegistry(ce, (e) => e.sessionId === id && e.status === 'idle', 'idle after the denial')
  assert.equal(option('denied', '@cs_state'), 'waiting', 'no hook said otherwise')
  await waitRow(id, (r) => r.state === 'idle', 'idle after the denial')
  assert.equal(option('denied', '@cs_state'), 'idle', 'cs ls wrote the reconciled state back')
  assert.ok(!existsSync(join(cwd, 'denied-marker')), 'the denied command did not run')
  await exitClaude(tmux, pane, 'denied')
})

test('a killed tmux session is no longer live; cs revive brings back sessions after the server dies', async () => {
  const beta = launch('beta', 'hello beta')
  await tmux.waitFor(beta.pane, (s) => s.includes('OK: hello beta'), { what: 'the first prompt answered' })
  await waitState('beta', beta.id, 'idle')
  tmux.run('kill-session', '-t', '=beta')
  await waitRow(beta.id, (r) => !r.live && r.state === 'dead' && r.tmuxSession === 'beta', 'beta DEAD after kill-session')

  const gamma = launch('gamma', 'hello gamma')
  await tmux.waitFor(gamma.pane, (s) => s.includes('OK: hello gamma'), { what: 'the first prompt answered' })
  await waitState('gamma', gamma.id, 'idle')
  tmux.run('kill-server')
  await poll(() => ({ ok: readRegistry(ce).length === 0, last: readRegistry(ce) }), 60_000, 'claude to exit')

  assert.match(cs('revive', '--dry-run'), /gamma/)
  cs('revive')
  assert.ok(tmux.hasSession('gamma'), 'gamma is back')
  const pane = option('gamma', '@cs_pane')!
  // resumed, not new: the earlier turn is on screen and the registry has the same id
  await tmux.waitFor(pane, (s) => s.includes('hello gamma'), { what: 'the resumed conversation' })
  await waitRegistry(ce, (e) => e.sessionId === gamma.id, 'the resumed id')
  await waitRow(gamma.id, (r) => r.live && r.state === 'idle', 'gamma live again')
  await exitClaude(tmux, pane, 'gamma')
})

test('hostile names launch and attach exactly, and no shell ever runs what they contain', async (t) => {
  const marker = join(ce.home, 'pwned')
  const name = `it's "q" $(touch ${marker}) ; \`touch ${marker}\` café ü`
  const { id, pane } = launch(name, 'hello hostile')
  await tmux.waitFor(pane, (s) => s.includes('OK: hello hostile'), { what: 'the answer' })
  assert.equal(
    tmux.run('list-sessions', '-F', '#{session_name}').split('\n').filter((n) => n === name).length,
    1,
    'one tmux session with exactly that name'
  )
  await waitRow(id, (r) => r.live && r.tmuxSession === name && r.state === 'idle', 'the hostile session live')
  // the name reached claude intact (-n NAME): its registry entry carries it
  await waitRegistry(ce, (e) => e.sessionId === id && e.name === name, 'the name in the registry')

  // outside tmux: `cs attach` runs tmux attach in this terminal (a pane of another server, its TMUX unset)
  const outer = new TestTmux('live-real-outer', { ...ce.csEnv })
  t.after(() => outer.cleanup())
  const clients = () => tmux.run('list-clients', '-F', '#{client_session}').split('\n').filter(Boolean)
  outer.newSession('outside', cwd, ['env', '-u', 'TMUX', '-u', 'TMUX_PANE', process.execPath, CS, 'attach', name])
  await poll(() => ({ ok: clients().includes(name), last: clients() }), 60_000, 'a client on the session')
  outer.run('kill-session', '-t', '=outside')
  await poll(() => ({ ok: clients().length === 0, last: clients() }), 30_000, 'the client gone')

  // inside tmux: from a pane whose client sits on another session, `cs attach` switches it
  const driverPane = tmux.newSession('driver', cwd, ['sleep', '600'])
  outer.newSession('client', cwd, ['tmux', '-L', ce.csEnv.CS_TMUX_SOCKET, 'attach', '-t', '=driver'])
  await poll(() => ({ ok: clients().includes('driver'), last: clients() }), 30_000, 'a client on driver')
  const env = Object.entries(ce.csEnv).flatMap(([k, v]) => ['-e', `${k}=${v}`])
  tmux.run('respawn-pane', '-k', '-t', driverPane, ...env, '--', process.execPath, CS, 'attach', name)
  await poll(() => ({ ok: clients().includes(name), last: clients() }), 60_000, 'the client switched to the session')
  assert.equal(existsSync(marker), false, 'no shell ran the $(...) or `...` in the name')
  cs('kill', name)
  assert.equal(tmux.hasSession(name), false)
  assert.equal(existsSync(marker), false)
})

test('a claude --bg session is listed, attached and stopped through cs', async () => {
  const r = spawnSync('claude', ['--bg', 'hello background'], { cwd, env: ce.env, encoding: 'utf8', timeout: 60_000 })
  const bgId = /backgrounded\s*·\s*([0-9a-f]{8})/.exec(r.stdout + r.stderr)?.[1]
  assert.ok(bgId, `claude --bg printed an id: ${r.stdout}${r.stderr}`)
  const entry = await waitRegistry(ce, (e) => e.kind === 'bg' || !!e.jobId, 'the background session')
  const row = await waitRow(entry.sessionId, (v) => v.live && v.kind === 'background', 'the background session listed')
  assert.equal(typeof row, 'object')

  // inside tmux, attaching opens a window running `claude attach`
  const driverPane = tmux.newSession('bgdriver', cwd, ['sleep', '600'])
  tmux.run('set-option', '-p', '-t', driverPane, 'remain-on-exit', 'on') // cs exits once the window is open
  const env = Object.entries(ce.csEnv).flatMap(([k, v]) => ['-e', `${k}=${v}`])
  tmux.run('respawn-pane', '-k', '-t', driverPane, ...env, '--', process.execPath, CS, 'attach', entry.sessionId.slice(0, 8))
  const windows = () => tmux.run('list-panes', '-s', '-t', '=bgdriver', '-F', '#{pane_id}').split('\n').filter(Boolean)
  await poll(() => ({ ok: windows().length > 1, last: tmux.capture(driverPane) }), 60_000, 'a window for claude attach')
  const attached = windows().find((p) => p !== driverPane)!
  await tmux.waitFor(attached, (s) => s.includes('hello background'), { what: 'the background session on screen' })

  cs('kill', entry.sessionId.slice(0, 8))
  await waitRow(entry.sessionId, (v) => !v.live, 'the background session stopped')
  tmux.try('kill-session', '-t', '=bgdriver')
})

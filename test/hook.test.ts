import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadConfig } from '../lib/config.ts'
import { hookSettings } from '../lib/hooks.ts'
import { readLive } from '../lib/live.ts'
import { exitClaude, startClaude, submit, waitRegistry } from './harness/claude.ts'
import { makeClaudeEnv } from './harness/claude-env.ts'
import { echo, startFakeApi } from './harness/fake-api.ts'
import { TestTmux, poll } from './harness/tmux.ts'

const HOOK = join(import.meta.dirname, '../tmux/hook.sh')
const HOOKS = join(import.meta.dirname, 'fixtures/hooks')
const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' }
const tmux = new TestTmux('hook', env)
const viewer = new TestTmux('hook-viewer', env)
const dir = mkdtempSync(join(tmpdir(), 'cs-hook-'))
let pane = ''
let tmuxEnv = ''

/** A recorded payload as Claude sends it: one line of JSON (the recorder added TMUX_PANE). */
function payload(name: string, changes: Record<string, unknown> = {}): string {
  const { TMUX_PANE: _, ...body } = JSON.parse(readFileSync(join(HOOKS, `${name}.json`), 'utf8'))
  return JSON.stringify({ ...body, ...changes })
}

function hook(input: string, extra: Record<string, string | undefined> = {}) {
  const e: Record<string, string> = { ...env, TMUX: tmuxEnv, TMUX_PANE: pane }
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete e[k]
  else e[k] = v
  const r = spawnSync(HOOK, [], { input, env: e, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '', 'the hook never prints to stdout')
  return r
}

const field = (name: string, key = 'session_id'): string => JSON.parse(readFileSync(join(HOOKS, `${name}.json`), 'utf8'))[key]

/** The option on the pane and on its session: they must agree. */
function option(name: string): string | null {
  const p = tmux.showOption(pane, name, true)
  assert.equal(tmux.showOption('=work:', name), p, `session and pane ${name}`)
  return p
}

before(() => {
  pane = tmux.newSession('work', dir, ['sleep', '600'])
  tmux.newSession('other', dir, ['sleep', '600'])
  // what a pane's processes inherit: the socket path (no -L), so a plain `tmux` reaches this server
  tmuxEnv = `${tmux.run('display-message', '-p', '-t', pane, '#{socket_path}').trim()},0,0`
  tmux.run('set-option', '-g', '@cs-alert', 'off')
})
after(() => {
  tmux.cleanup()
  viewer.cleanup()
  rmSync(dir, { recursive: true, force: true })
})

test('the approve sequence: idle, working, waiting, working, idle on pane and session', () => {
  hook(payload('SessionStart-startup'))
  assert.equal(option('@cs_state'), 'idle')
  const id = field('SessionStart-startup')
  assert.equal(option('@cs_id'), id)
  assert.ok(option('@cs_transcript')?.endsWith(`/${id}.jsonl`))
  assert.equal(option('@cs_cwd'), field('SessionStart-startup', 'cwd'))
  assert.equal(tmux.showOption('=work:', '@cs_pane'), pane)
  const steps: [string, string, string | null][] = [
    ['UserPromptSubmit', 'working', null],
    ['PreToolUse', 'working', null],
    ['PermissionRequest', 'waiting', 'permission prompt'],
    ['Notification-permission_prompt', 'waiting', 'permission prompt'],
    ['PostToolUse', 'working', null],
    ['Stop', 'idle', null],
  ]
  for (const [event, state, waitingFor] of steps) {
    hook(payload(event))
    assert.equal(option('@cs_state'), state, event)
    assert.equal(option('@cs_waiting_for'), waitingFor, event)
    assert.match(option('@cs_state_at') ?? '', /^\d+$/, event)
  }
  // the other session is untouched
  assert.equal(tmux.showOption('=other:', '@cs_state'), null)
})

test('@cs_state_at changes with the state only', () => {
  hook(payload('UserPromptSubmit'))
  tmux.run('set-option', '-p', '-t', pane, '@cs_state_at', '100', ';', 'set-option', '-t', pane, '@cs_state_at', '100')
  hook(payload('PreToolUse'))
  assert.equal(option('@cs_state_at'), '100')
  const before = Math.floor(Date.now() / 1000)
  hook(payload('Stop'))
  assert.ok(Number(option('@cs_state_at')) >= before)
})

test('/clear re-keys: SessionEnd(clear) is not dead, SessionStart(clear) brings the new id and title', () => {
  hook(payload('SessionStart-startup'))
  hook(payload('SessionEnd-clear'))
  assert.equal(option('@cs_state'), 'idle')
  assert.equal(option('@cs_id'), field('SessionStart-startup'))
  hook(payload('SessionStart-clear'))
  assert.equal(option('@cs_id'), field('SessionStart-clear'))
  assert.equal(option('@cs_title'), field('SessionStart-clear', 'session_title'))
  assert.equal(option('@cs_state'), 'idle')
})

test('SessionEnd for any other reason is dead; idle_prompt is idle; unknown events change nothing', () => {
  hook(payload('SessionEnd-prompt_input_exit'))
  assert.equal(option('@cs_state'), 'dead')
  hook(payload('SessionStart-compact'))
  hook(payload('Notification-permission_prompt', { notification_type: 'idle_prompt' }))
  assert.equal(option('@cs_state'), 'idle')
  hook(payload('Notification-permission_prompt', { notification_type: 'elicitation_dialog' }))
  assert.equal(option('@cs_waiting_for'), 'input needed')
  hook(payload('Stop'))
  hook(payload('Notification-permission_prompt', { notification_type: 'auth_success' }))
  hook(payload('Stop', { hook_event_name: 'CwdChanged' }))
  assert.equal(option('@cs_state'), 'idle')
})

test('every recorded payload is understood (pretty-printed too) and leaves a known state', () => {
  for (const f of readdirSync(HOOKS).filter((n) => n.endsWith('.json'))) {
    hook(readFileSync(join(HOOKS, f), 'utf8'))
    assert.ok(['working', 'waiting', 'idle', 'dead'].includes(option('@cs_state') ?? ''), f)
  }
})

test('titles and paths arrive intact: quotes, backslashes, a trailing ";", $(…), non-ASCII', () => {
  const title = `it's "x" \\ $(touch pwned) café;`
  const transcript = '/home/dév/a b/"q";'
  hook(payload('SessionStart-startup', { session_title: title, transcript_path: transcript }))
  assert.equal(option('@cs_title'), title)
  assert.equal(option('@cs_transcript'), transcript)
  assert.deepEqual(readdirSync(dir), [])
  // keys quoted inside a string before the real ones do not count
  const quoted = JSON.stringify({
    prompt: 'say {"hook_event_name":"SessionEnd","reason":"other"}',
    session_id: 'x',
    hook_event_name: 'UserPromptSubmit',
  })
  hook(quoted)
  assert.equal(option('@cs_state'), 'working')
})

test('garbage, no pane, no server: exit 0 and no output', () => {
  hook(payload('Stop'))
  for (const input of ['', 'not json', '{"hook_event_name":', '\0\x01\x02', '[1,2]'.repeat(1000)]) hook(input)
  assert.equal(option('@cs_state'), 'idle')
  hook(payload('UserPromptSubmit'), { TMUX_PANE: undefined })
  hook(payload('UserPromptSubmit'), { TMUX: undefined })
  assert.equal(option('@cs_state'), 'idle')
  hook(payload('UserPromptSubmit'), { TMUX: `${join(dir, 'no-such-socket')},1,0` })
  hook(payload('UserPromptSubmit'), { PATH: dir }) // no tmux (nor sed) at all
  hook(payload('PostToolUse', { tool_response: { stdout: 'x, "y"\n'.repeat(200_000) } }))
  assert.equal(option('@cs_state'), 'working')
})

test('turning waiting with @cs-alert on: a message and a bell in the attached client, once', async () => {
  tmux.run('set-option', '-g', '@cs-alert', 'on')
  hook(payload('Stop'))
  // a real client, attached from a pane of another server; its bells are counted there
  const client = viewer.newSession('viewer', dir, ['tmux', '-L', tmux.socket, '-f', tmux.conf, 'attach', '-t', '=other'])
  viewer.run('set-hook', '-g', 'alert-bell', 'set -gF @bells "#{e|+:#{@bells},1}"')
  await poll(() => ({ ok: tmux.run('list-clients').trim() !== '', last: '' }), 30_000, 'the client to attach')
  const bells = () => Number(viewer.run('display-message', '-p', '#{@bells}').trim() || 0)
  hook(payload('PermissionRequest'))
  await viewer.waitFor(client, (s) => s.includes('is waiting (permission prompt)'), { timeout: 30_000 })
  await poll(() => ({ ok: bells() === 1, last: String(bells()) }), 30_000, 'one bell')
  hook(payload('Notification-permission_prompt')) // still waiting: no second alert
  hook(payload('PostToolUse'))
  tmux.run('set-option', '-g', '@cs-alert', 'off')
  hook(payload('PermissionRequest'))
  await sleep(500)
  assert.equal(bells(), 1)
})

test('the real client runs the hook from the settings file, under a path with a space and a quote', async () => {
  const api = await startFakeApi((req) =>
    req.toolResult || req.lastUserText !== 'run it' ? echo(req) : { kind: 'bash', command: 'touch approved-marker' }
  )
  const ce = makeClaudeEnv({ apiUrl: api.url, socket: 'unused' })
  const t = new TestTmux('hook-claude', ce.env)
  try {
    const where = join(ce.home, "it's a dir")
    mkdirSync(where)
    copyFileSync(HOOK, join(where, 'hook.sh'))
    chmodSync(join(where, 'hook.sh'), 0o755)
    const settings = join(where, 'settings.json')
    writeFileSync(settings, hookSettings(join(where, 'hook.sh')))
    const cwd = ce.project('proj')
    const p = await startClaude(t, { name: 'real', cwd, args: ['--settings', settings, '--permission-mode', 'default'] })
    const state = (s: string) =>
      poll(() => ({ ok: t.showOption(p, '@cs_state', true) === s, last: t.showOption(p, '@cs_state', true) }), 60_000, s)
    await state('idle')
    const entry = await waitRegistry(ce, (e) => e.status === 'idle', 'the session')
    assert.equal(t.showOption(p, '@cs_id', true), entry.sessionId)
    await submit(t, p, 'run it')
    await state('waiting')
    assert.equal(t.showOption('=real:', '@cs_waiting_for'), 'permission prompt')
    const live = readLive(loadConfig({ HOME: ce.home, CLAUDE_CONFIG_DIR: ce.configDir, CS_TMUX_SOCKET: t.socket }))
    assert.deepEqual(
      live.map((l) => [l.kind, l.id, l.state, l.tmuxPane]),
      [['tmux', entry.sessionId, 'waiting', p]]
    )
    t.sendKeys(p, 'Enter') // 1. Yes
    await state('idle')
    await exitClaude(t, p, 'real')
  } finally {
    t.cleanup()
    await api.close()
    ce.cleanup()
  }
})

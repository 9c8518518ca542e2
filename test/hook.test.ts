import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadConfig } from '../lib/config.ts'
import { HOOK_EVENTS, hookSettings } from '../lib/hooks.ts'
import { shellWord } from '../lib/quote.ts'
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

/** How Claude runs the hook: with the event as its argument (lib/hooks.ts), or without one, as
 * settings files written by an older cs do, leaving the hook to read the event from stdin. */
type Form = 'argument' | 'stdin'
const FORMS: Form[] = ['argument', 'stdin']

/** Runs the hook on input; event: its argument (none when undefined); shell: the sh that runs
 *  it (default: its #!, /bin/sh). */
function hook(input: string, event?: string, extra: Record<string, string | undefined> = {}, shell?: string) {
  const e: Record<string, string> = { ...env, TMUX: tmuxEnv, TMUX_PANE: pane }
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete e[k]
  else e[k] = v
  const argv = event === undefined ? [] : [event]
  const r = spawnSync(shell ?? HOOK, shell ? [HOOK, ...argv] : argv, { input, env: e, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '', 'the hook never prints to stdout')
  return r
}

/** Sends a JSON payload in the given form, the argument taken from its hook_event_name. */
const send = (body: string, form: Form = 'argument', extra: Record<string, string | undefined> = {}) =>
  hook(body, form === 'argument' ? JSON.parse(body).hook_event_name : undefined, extra)

/** Sends a recorded payload, with changes. */
const fire = (name: string, changes: Record<string, unknown> = {}, form: Form = 'argument') =>
  send(payload(name, changes), form)

const field = (name: string, key = 'session_id'): string =>
  JSON.parse(readFileSync(join(HOOKS, `${name}.json`), 'utf8'))[key]

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

for (const form of FORMS) {
  test(`the approve sequence: idle, working, waiting, working, idle on pane and session (${form})`, () => {
    fire('SessionStart-startup', {}, form)
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
      fire(event, {}, form)
      assert.equal(option('@cs_state'), state, event)
      assert.equal(option('@cs_waiting_for'), waitingFor, event)
      assert.match(option('@cs_state_at') ?? '', /^\d+$/, event)
    }
    // the other session is untouched
    assert.equal(tmux.showOption('=other:', '@cs_state'), null)
  })
}

test('@cs_state_at changes with the state only', () => {
  fire('UserPromptSubmit')
  tmux.run('set-option', '-p', '-t', pane, '@cs_state_at', '100', ';', 'set-option', '-t', pane, '@cs_state_at', '100')
  fire('PreToolUse')
  assert.equal(option('@cs_state_at'), '100')
  const before = Math.floor(Date.now() / 1000)
  fire('Stop')
  assert.ok(Number(option('@cs_state_at')) >= before)
})

test('/clear re-keys: SessionEnd(clear) is not dead, SessionStart(clear) brings the new id and title, and runs @cs-rekey', async () => {
  fire('SessionStart-startup')
  fire('SessionEnd-clear')
  assert.equal(option('@cs_state'), 'idle')
  assert.equal(option('@cs_id'), field('SessionStart-startup'))
  // what a launch publishes runs in the background when the id changes, and only then
  const marker = join(dir, "rekeyed 'once'")
  tmux.run('set-option', '-g', '@cs-rekey', `echo x >> ${shellWord(marker)}`)
  try {
    fire('SessionStart-clear')
    assert.equal(option('@cs_id'), field('SessionStart-clear'))
    assert.equal(option('@cs_title'), field('SessionStart-clear', 'session_title'))
    assert.equal(option('@cs_state'), 'idle')
    await poll(() => ({ ok: existsSync(marker), last: '' }), 10_000, '@cs-rekey run')
    fire('SessionStart-clear') // the same id again: nothing to note
    await sleep(300)
    assert.equal(readFileSync(marker, 'utf8'), 'x\n')
  } finally {
    tmux.run('set-option', '-gu', '@cs-rekey')
    rmSync(marker, { force: true })
  }
})

test('/resume of another session: its own title when the payload has one, else none (not the last one)', () => {
  for (const form of FORMS) {
    fire('SessionStart-startup', { session_title: 'alpha' }, form)
    assert.equal(option('@cs_title'), 'alpha')
    fire('SessionEnd-clear', { reason: 'resume' }, form)
    fire('SessionStart-startup', { source: 'resume', session_id: 'b0000000-0000-4000-8000-000000000000' }, form)
    assert.equal(option('@cs_id'), 'b0000000-0000-4000-8000-000000000000')
    assert.equal(option('@cs_title'), null, form)
    fire('SessionStart-startup', { source: 'resume', session_title: 'beta' }, form)
    assert.equal(option('@cs_title'), 'beta')
    // a compaction goes on with the same conversation, and its title
    fire('SessionStart-compact', {}, form)
    assert.equal(option('@cs_title'), 'beta')
  }
})

test('a compaction in the middle of a turn (auto) leaves it working; /compact (manual) ends idle', () => {
  for (const [trigger, end] of [['auto', 'working'], ['manual', 'idle']]) {
    fire('UserPromptSubmit')
    fire('PreCompact', { trigger })
    fire('SessionStart-compact')
    assert.equal(option('@cs_state'), 'working', `${trigger}: compacting`)
    fire('PostCompact', { trigger })
    assert.equal(option('@cs_state'), end, trigger)
    assert.equal(option('@cs_id'), field('SessionStart-compact'), 're-keyed as any SessionStart')
  }
})

test('SessionEnd for any other reason is dead; idle_prompt is idle; unknown events change nothing', () => {
  fire('SessionEnd-prompt_input_exit')
  assert.equal(option('@cs_state'), 'dead')
  fire('SessionStart-compact')
  fire('Notification-permission_prompt', { notification_type: 'idle_prompt' })
  assert.equal(option('@cs_state'), 'idle')
  fire('Notification-permission_prompt', { notification_type: 'elicitation_dialog' })
  assert.equal(option('@cs_waiting_for'), 'input needed')
  fire('Stop')
  fire('Notification-permission_prompt', { notification_type: 'auth_success' })
  for (const form of FORMS) fire('Stop', { hook_event_name: 'CwdChanged' }, form)
  assert.equal(option('@cs_state'), 'idle')
})

/** Sets the state to a value no event gives, on the pane and its session. */
const reset = () =>
  tmux.run('set-option', '-p', '-t', pane, '@cs_state', 'reset', ';', 'set-option', '-t', pane, '@cs_state', 'reset')

test('every recorded payload is understood (pretty-printed too) and gives its state; others change nothing', () => {
  const expected: Record<string, string> = {
    'SessionStart-startup': 'idle',
    'SessionStart-clear': 'idle',
    'SessionStart-compact': 'working', // compacting still: PostCompact says how it ends
    UserPromptSubmit: 'working',
    PreToolUse: 'working',
    PermissionRequest: 'waiting',
    'Notification-permission_prompt': 'waiting',
    PostToolUse: 'working',
    PreCompact: 'working',
    Stop: 'idle',
    'SessionEnd-other': 'dead',
    'SessionEnd-prompt_input_exit': 'dead',
    'SessionEnd-clear': 'reset', // a new id follows in the same process
    PostCompact: 'idle', // of /compact (trigger manual)
    // recorded, but not among the events lib/hooks.ts registers
    SubagentStop: 'reset',
  }
  const names = readdirSync(HOOKS).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length))
  assert.deepEqual(names.sort(), Object.keys(expected).sort())
  for (const form of FORMS)
    for (const name of names) {
      reset()
      send(readFileSync(join(HOOKS, `${name}.json`), 'utf8'), form)
      assert.equal(option('@cs_state'), expected[name], `${name} (${form})`)
    }
})

test('every event lib/hooks.ts registers gives its state', () => {
  const states: Record<(typeof HOOK_EVENTS)[number], [string, string]> = {
    // the event, and the recorded payload it is sent with
    SessionStart: ['idle', 'SessionStart-startup'],
    UserPromptSubmit: ['working', 'UserPromptSubmit'],
    PreToolUse: ['working', 'PreToolUse'],
    PostToolUse: ['working', 'PostToolUse'],
    PostToolUseFailure: ['working', 'PostToolUse'],
    Notification: ['waiting', 'Notification-permission_prompt'],
    PermissionRequest: ['waiting', 'PermissionRequest'],
    Stop: ['idle', 'Stop'],
    StopFailure: ['idle', 'Stop'],
    PreCompact: ['working', 'PreCompact'],
    PostCompact: ['idle', 'PostCompact'],
    SessionEnd: ['dead', 'SessionEnd-other'],
  }
  for (const form of FORMS)
    for (const event of HOOK_EVENTS) {
      const [state, recorded] = states[event]
      reset()
      fire(recorded, { hook_event_name: event }, form)
      assert.equal(option('@cs_state'), state, `${event} (${form})`)
    }
})

test('titles and paths arrive intact: quotes, backslashes, a trailing ";", $(…), non-ASCII', () => {
  for (const form of FORMS) {
    const title = `it's "x" \\ $(touch pwned) café; ${form}`
    const transcript = `/home/dév/a b/"q"\t\\${form};`
    fire('SessionStart-startup', { session_title: title, transcript_path: transcript }, form)
    assert.equal(option('@cs_title'), title)
    assert.equal(option('@cs_transcript'), transcript.replace('\t', ' ')) // control characters: a space
  }
  assert.deepEqual(readdirSync(dir), [])
})

test('a title loses the bidirectional overrides, DEL and C1 controls tmux would show as they are', () => {
  const title = (form: string) => `a\u202eb\u2066c\u2069d\u0085e\u009b2J\u007ff café… 日本 ${form}`
  for (const form of FORMS) {
    fire('SessionStart-startup', { session_title: title(form) }, form)
    assert.equal(option('@cs_title'), `abcde2Jf café… 日本 ${form}`) // a CSI without its byte is text
  }
  // bash as sh, which reads characters in a UTF-8 locale and bytes in C's
  for (const LC_ALL of ['C.UTF-8', 'C']) {
    hook(payload('SessionStart-startup', { session_title: title(LC_ALL) }), 'SessionStart', { LC_ALL }, 'bash')
    assert.equal(option('@cs_title'), `abcde2Jf café… 日本 ${LC_ALL}`, LC_ALL)
  }
  // an override alone, among letters and punctuation: a UTF-8 locale's [:punct:] holds it
  hook(payload('SessionStart-startup', { session_title: 'abc\u202efdp.exe' }), 'SessionStart', { LC_ALL: 'C.UTF-8' }, 'bash')
  assert.equal(option('@cs_title'), 'abcfdp.exe')
  // nothing left of a title: none shown, not the one before
  fire('UserPromptSubmit', { session_title: '\u202e\u202c' })
  assert.equal(option('@cs_title'), null)
})

test('a title too long for one tmux command is not taken: the state and the other values still are', () => {
  for (const long of ['x'.repeat(8000), '日本'.repeat(1400)]) {
    reset()
    fire('SessionStart-startup', { session_title: long })
    assert.equal(option('@cs_state'), 'idle')
    assert.ok(option('@cs_id'), 'the id is set')
    assert.equal(option('@cs_title'), null)
  }
  fire('UserPromptSubmit', { session_title: 'short' })
  assert.equal([option('@cs_state'), option('@cs_title')].join(' '), 'working short')
})

test('keys quoted inside a string do not count, in a prompt before the real ones', () => {
  for (const form of FORMS) {
    const body = JSON.stringify({
      session_id: 'x',
      prompt: 'say {"hook_event_name":"SessionEnd","reason":"other","session_title":"no"}',
      hook_event_name: 'UserPromptSubmit',
      session_title: `real ${form}`,
    })
    send(body, form)
    assert.equal(option('@cs_state'), 'working')
    assert.equal(option('@cs_title'), `real ${form}`)
  }
})

test('the argument names the event: the hot events need no payload at all', () => {
  hook('', 'PreToolUse')
  assert.equal(option('@cs_state'), 'working')
  hook('not json', 'Stop')
  assert.equal(option('@cs_state'), 'idle')
  hook(payload('Stop'), 'PermissionRequest') // the argument wins over the payload
  assert.equal(option('@cs_state'), 'waiting')
  hook(payload('Stop'), 'CwdChanged')
  assert.equal(option('@cs_state'), 'waiting')
  hook('', 'Notification') // what it waits for is in the payload only
  hook('{}', 'SessionEnd')
  assert.equal(option('@cs_state'), 'dead')
})

test('big payloads: a 300 kB tool result is left unread, a title after a 100 kB prompt is found', () => {
  fire('Stop')
  const stdout = 'line of output, "quoted", \\ with commas\n'.repeat(7500)
  const big = payload('PostToolUse', { tool_response: { stdout, stderr: '' } })
  // unread beyond the pipe buffer: the writer sees the pipe closed, and the state is set all the same
  assert.match(String(hook(big, 'PostToolUse').error), /EPIPE/)
  assert.equal(option('@cs_state'), 'working')
  fire('Stop')
  hook(big) // without an argument the event is read from it
  assert.equal(option('@cs_state'), 'working')
  const prompt = `pasted, {"session_title":"no"} \\"session_title\\": "no"\n`.repeat(2000)
  for (const form of FORMS) {
    fire('Stop')
    fire('UserPromptSubmit', { prompt, session_title: `pasted ${form}` }, form)
    assert.equal(option('@cs_state'), 'working')
    assert.equal(option('@cs_title'), `pasted ${form}`)
  }
  fire('UserPromptSubmit', { prompt }) // no title (an unnamed session): the title stays
  assert.equal(option('@cs_title'), 'pasted stdin')
})

test('garbage, no pane, no server: exit 0 and no output', () => {
  fire('Stop')
  for (const input of ['', 'not json', '{"hook_event_name":', '\0\x01\x02', '[1,2]'.repeat(1000)]) hook(input)
  hook('\0\x01\x02', 'SessionStart')
  hook('{"session_id":', 'Notification')
  assert.equal(option('@cs_state'), 'idle')
  for (const form of FORMS) {
    const body = payload('UserPromptSubmit')
    send(body, form, { TMUX_PANE: undefined })
    send(body, form, { TMUX: undefined })
    assert.equal(option('@cs_state'), 'idle')
    send(body, form, { TMUX: `${join(dir, 'no-such-socket')},1,0` })
    send(body, form, { PATH: dir }) // no tmux (nor grep) at all
  }
})

test('settings register the script once per event, the event its argument, the path quoted', () => {
  const script = "/opt/it's here/hook.sh"
  const { hooks } = JSON.parse(hookSettings(script))
  assert.deepEqual(Object.keys(hooks), [...HOOK_EVENTS])
  for (const e of HOOK_EVENTS) {
    const command = `'/opt/it'\\''s here/hook.sh' ${e}`
    assert.deepEqual(hooks[e], [{ hooks: [{ type: 'command', command, timeout: 10 }] }])
  }
})

test('turning waiting with @cs-alert on: a message and a bell in the attached client, once', async () => {
  tmux.run('set-option', '-g', '@cs-alert', 'on')
  fire('Stop')
  // a real client, attached from a pane of another server; its bells are counted there
  const client = viewer.newSession('viewer', dir, ['tmux', '-L', tmux.socket, '-f', tmux.conf, 'attach', '-t', '=other'])
  viewer.run('set-hook', '-g', 'alert-bell', 'set -gF @bells "#{e|+:#{@bells},1}"')
  await poll(() => ({ ok: tmux.run('list-clients').trim() !== '', last: '' }), 30_000, 'the client to attach')
  const bells = () => Number(viewer.run('display-message', '-p', '#{@bells}').trim() || 0)
  // a name shown as typed: `#[…]` in it is not a style
  const name = 'x #[fg=black,bg=black]hid ##y #{host}'
  tmux.run('set-option', '-t', '=work:', '@cs_name', name)
  fire('PermissionRequest')
  await viewer.waitFor(client, (s) => s.includes(`cs: ${name} is waiting (permission prompt)`), { timeout: 30_000 })
  tmux.run('set-option', '-u', '-t', '=work:', '@cs_name')
  await poll(() => ({ ok: bells() === 1, last: String(bells()) }), 30_000, 'one bell')
  fire('Notification-permission_prompt') // still waiting: no second alert
  fire('PostToolUse')
  tmux.run('set-option', '-g', '@cs-alert', 'off')
  fire('PermissionRequest')
  await sleep(500)
  assert.equal(bells(), 1)
})

test('the real client runs the hook from the settings file, under a path with a space and a quote', async () => {
  const commands: Record<string, string> = { 'run it': 'touch approved-marker', 'print lots': 'seq 1 60000' }
  const api = await startFakeApi((req) => {
    const command = commands[req.lastUserText]
    return req.toolResult || !command ? echo(req) : { kind: 'bash', command }
  })
  const ce = makeClaudeEnv({ apiUrl: api.url, socket: 'unused' })
  ce.env.BASH_MAX_OUTPUT_LENGTH = '500000' // a tool result beyond the pipe buffer (else cut at 30000)
  const t = new TestTmux('hook-claude', ce.env)
  try {
    const where = join(ce.home, "it's a dir")
    mkdirSync(where)
    copyFileSync(HOOK, join(where, 'hook.sh'))
    copyFileSync(join(dirname(HOOK), 'literal.sh'), join(where, 'literal.sh')) // which it sources
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

    // A PostToolUse payload of 300 kB, which the hook leaves unread: the turn goes on unharmed
    // and the hooks after it run (the state was reset, so idle means that Stop came through).
    t.run('set-option', '-p', '-t', p, '@cs_state', 'reset')
    await submit(t, p, 'print lots') // read-only: no dialog
    await state('idle')
    const screenText = t.capture(p)
    assert.doesNotMatch(screenText, /hook (failed|error)/i)
    assert.match(screenText, /Done\./)
    const records = readFileSync(t.showOption(p, '@cs_transcript', true) ?? '', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
    const output = records.find((r) => r.toolUseResult?.stdout?.startsWith('1\n2\n'))
    assert.ok(output.toolUseResult.stdout.length > 65536, 'the tool result exceeds the pipe buffer')
    const errors = records.filter((r) => /^hook_.*error$/.test(r.attachment?.type ?? ''))
    assert.deepEqual(errors, [])
    await exitClaude(t, p, 'real')
  } finally {
    t.cleanup()
    await api.close()
    ce.cleanup()
  }
})

test('the background pusher (tmux/push.sh) says nothing where tmux would show it: a state folder it cannot write is no error', () => {
  const state = mkdtempSync(join(tmpdir(), 'cs-push-'))
  try {
    const push = () => spawnSync('sh', [join(import.meta.dirname, '../tmux/push.sh'), state, 'true'], { encoding: 'utf8' })
    // one pushing already (its lock held): this one leaves the change to it
    writeFileSync(join(state, 'push.run'), '')
    const held = push()
    assert.deepEqual([held.status, held.stdout, held.stderr], [0, '', ''])
    assert.ok(existsSync(join(state, 'push.pending')), 'the change marked for the one that runs')
    rmSync(join(state, 'push.run'))
    rmSync(join(state, 'push.pending'))
    mkdirSync(join(state, 'push.pending')) // what cannot be created there, even by root
    const r = push()
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', ''])
  } finally {
    rmSync(state, { recursive: true, force: true })
  }
})

// Pure parts of launching: session names, claude's argv, the tmux option line, what revive picks.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CsError, EXIT } from '../lib/errors.ts'
import { claudeArgv } from '../lib/launcher.ts'
import { checkName, firstFree, generatedName, isPathArg, nameFromDir, sanitize } from '../lib/names.ts'
import { parsePanes } from '../lib/pane-row.ts'
import { shellWord } from '../lib/quote.ts'
import { sortGone } from '../lib/revive.ts'
import type { Launch } from '../lib/session.ts'
import { sessionOf } from '../lib/tmux-sessions.ts'

const usage = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e) => e instanceof CsError && e.exitCode === EXIT.usage && pattern.test(e.message) && Boolean(e.hint))

test('checkName keeps what tmux can target and trims', () => {
  for (const n of ['api', 'my app', `it's "x"`, 'x $(touch /tmp/x)', '`id`', '%1', '@1', '=x', '{last}', 'a;b', 'a;', 'ünïcödé 名前', '#{x}', 'feature/login'])
    assert.equal(checkName(n), n)
  assert.equal(checkName('  api  '), 'api')
})

test('checkName rejects . and : with a hint that names the fix', () => {
  usage(() => checkName('v1.2'), /'\.'.*tmux/)
  usage(() => checkName('host:1'), /':'.*tmux/)
  assert.throws(() => checkName('my.app'), (e) => e instanceof CsError && /cs launch my-app/.test(e.hint!) && /\.\/my\.app/.test(e.hint!))
  usage(() => checkName('$(touch /tmp/x)'), /starts with '\$'.*tmux/)
  assert.throws(() => checkName('a.$HOME'), (e) => e instanceof CsError && /write '\.\/a\.\$HOME'/.test(e.hint!), 'the folder hint as a shell word')
  usage(() => checkName('tab\there'), /control character/)
  usage(() => checkName('app\u202egnp.exe'), /bidirectional override/)
  // what another host would refuse (untrusted.ts isTmuxName) is refused here first
  assert.throws(() => checkName(' -dash'), (e) => e instanceof CsError && /starts with '-'/.test(e.message) && /cs launch dash/.test(e.hint!))
  usage(() => checkName('x'.repeat(201)), /at most 200 characters, not 201/)
  assert.equal(checkName('x'.repeat(200)), 'x'.repeat(200))
})

test('a name that sanitises to nothing is null: the caller generates one', () => {
  assert.equal(checkName('   '), null)
  assert.equal(sanitize('...'), null)
  assert.equal(nameFromDir('/tmp/...'), null)
  assert.equal(generatedName('0123abcd-0000-4000-8000-000000000000'), 'claude-0123abcd')
})

test('a folder gives its basename, sanitised', () => {
  assert.equal(nameFromDir('/home/u/src/my.app'), 'my-app')
  assert.equal(nameFromDir('/home/u/src/.dotfiles/'), 'dotfiles')
  assert.equal(nameFromDir('/srv/a:b..c'), 'a-b-c')
  assert.equal(nameFromDir('/home/u/projet été'), 'projet été')
  assert.equal(nameFromDir('/home/u/$work'), 'work')
  assert.equal(nameFromDir('/home/u/app\u202egnp'), 'appgnp')
})

test('isPathArg: paths by their look, or an existing folder through a slash', () => {
  const none = () => false
  for (const p of ['.', '..', '~', './x', '../x', '~/src/my.app', '/abs']) assert.ok(isPathArg(p, none), p)
  for (const n of ['api', 'feature/login', '$(touch /tmp/x)', '.hidden', '~x']) assert.ok(!isPathArg(n, none), n)
  assert.ok(isPathArg('src/app', (p) => p === 'src/app'))
})

test('firstFree steps aside from taken names', () => {
  const taken = new Set(['api', 'api-2'])
  assert.equal(firstFree('web', (n) => taken.has(n)), 'web')
  assert.equal(firstFree('api', (n) => taken.has(n)), 'api-3')
})

test('shellWord quotes what a shell would read differently', () => {
  assert.equal(shellWord('api-2'), 'api-2')
  assert.equal(shellWord('my app'), `'my app'`)
  assert.equal(shellWord(`it's`), `'it'\\''s'`)
  assert.equal(shellWord('$(x)'), `'$(x)'`)
})

test('claudeArgv: a new named session with an interactive prompt, or a resume', () => {
  const id = '11111111-2222-4333-8444-555555555555'
  assert.deepEqual(claudeArgv('/bin/claude', '/s.json', { id, name: 'n', cwd: '/', resume: false, prompt: '-start here', extra: ['--model', 'm'] }), [
    '/bin/claude', '--session-id', id, '--settings', '/s.json', '-n', 'n', '--model', 'm', '--', '-start here',
  ])
  const noPrompt = claudeArgv('claude', '/s.json', { id, name: 'n', cwd: '/', resume: false })
  assert.ok(!noPrompt.includes('-p') && !noPrompt.includes('--'))
  assert.deepEqual(claudeArgv('claude', '/s.json', { id, name: 'n', cwd: '/', resume: true, prompt: 'ignored' }), [
    'claude', '--resume', id, '--settings', '/s.json',
  ])
})

test('sessionOf reads a session from its record of the pane format, a tab in the cwd included', () => {
  const record = (values: string[]) => `${values.join('\x1f')}\x1e\n`
  const pane = ['%1', '42', '0', '', 'claude', '/p']
  const options = ['1', '%1', 'abc', '', 'T', 'waiting', '1700000000', 'permission prompt', '/t', '/a\tb', '']
  const [s] = parsePanes(record(['my app', ...pane, ...options]))
  assert.deepEqual(sessionOf(s), {
    name: 'my app', managed: true, id: 'abc', title: 'T', state: 'waiting', stateAt: 1700000000,
    waitingFor: 'permission prompt', cwd: '/a\tb',
  })
  const [shell] = parsePanes(record(['shell', ...pane, '', '', '', '', '', 'busy', '17e8', '', '', '', '1']))
  assert.deepEqual(sessionOf(shell), {
    name: 'shell', managed: false, id: null, title: null, state: null, stateAt: null, waitingFor: null,
    cwd: null,
  })
})

test('sortGone: what ended with the tmux server comes back; what ended while it ran stays down', () => {
  const at = (sec: number) => new Date(sec * 1000).toISOString()
  const l = (tmuxSession: string, lastState: Launch['lastState'], seen = 1000, host = 'h'): Launch => ({
    id: tmuxSession, host, tmuxSession, cwd: '/', launchedAt: at(seen - 10), lastState, lastSeenAt: at(seen), args: [],
  })
  const launches = [l('w', 'working'), l('i', 'idle'), l('d', 'dead'), l('s', 'stopped'), l('u', null), l('run', 'idle'), l('other', 'idle', 1000, 'h2')]
  const names = (ls: Launch[]) => ls.map((x) => x.tmuxSession)
  // no server (a reboot) or one started after the last sighting (a killed server): all come back
  for (const start of [null, 2000]) {
    const r = sortGone(launches, 'h', new Set(['run']), start)
    assert.deepEqual(names(r.revive), ['i', 'u', 'w'])
    assert.deepEqual(r.ended, [])
  }
  // the same server has run since they were seen: they ended by themselves
  const same = sortGone([...launches, l('early', 'idle', 400)], 'h', new Set(['run']), 500)
  assert.deepEqual(names(same.revive), ['early'])
  assert.deepEqual(names(same.ended), ['i', 'u', 'w'])
})

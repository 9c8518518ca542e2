// plugin.tmux against a real tmux server on its own socket: bindings from options, the status
// formats, idempotent loading and the session-closed hook.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { isolatedCs } from './harness/cs.ts'
import { TestTmux, poll } from './harness/tmux.ts'

const REPO = resolve(import.meta.dirname, '..')
const PLUGIN = join(REPO, 'plugin.tmux')
const t = isolatedCs('plugin')
const tmux = new TestTmux('plugin', { ...t.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' })
after(() => {
  tmux.cleanup()
  t.cleanup()
})

const USER_CONF = [
  "set -g @cs-picker-key 'C F'",
  "set -g @cs-dashboard-key ''",
  'set -g @cs-popup-width 60%',
  "set -g status-right '#{cs_status}|#{cs_session_state}|%H'",
  "set-hook -g session-closed 'set -g @user-hook ran'",
  '',
].join('\n')

const load = () => tmux.run('run-shell', PLUGIN)
const statusRight = () => tmux.run('show-options', '-gv', 'status-right').trimEnd()
const closeHooks = () => tmux.run('show-hooks', '-g', 'session-closed').trimEnd().split('\n')
/** What tmux makes of status-right for a client looking at session `at`. */
const rendered = (at: string) =>
  tmux.run('display-message', '-p', '-t', `=${at}:`, statusRight()).trimEnd()

before(() => {
  writeFileSync(tmux.conf, readFileSync(tmux.conf, 'utf8') + USER_CONF)
  tmux.newSession('main', t.home, ['sh'])
  for (const [name, state] of [
    ['w1', 'working'],
    ['w2', 'waiting'],
    ['w3', 'idle'],
    ['w4', 'waiting'],
    ['w5', 'dead'],
  ]) {
    tmux.newSession(name, t.home, ['sh'])
    tmux.run('set-option', '-t', `=${name}:`, '@cs_state', state)
  }
  load()
})

test('the picker keys are bound to a popup of the configured size; a key set to nothing binds nothing', () => {
  const keys = tmux.run('list-keys', '-T', 'prefix')
  for (const key of ['C', 'F']) {
    const line = keys
      .split('\n')
      .find((l) => new RegExp(`^bind-key\\s+-T prefix ${key}\\s`).test(l))
    assert.ok(line, `prefix ${key} is bound`)
    assert.match(line, /display-popup -E/)
    assert.match(line, /-w "?60%/)
    assert.match(line, /tmux\/picker\.sh/)
  }
  assert.doesNotMatch(keys, /dashboard\.sh/)
  assert.equal(
    tmux.run('show-options', '-gv', '@cs-bin').trim(),
    resolve(import.meta.dirname, '../bin/cs')
  )
})

test('#{cs_status} becomes a pure tmux format: no shell call, WAITING first, then WORKING, IDLE, DEAD', () => {
  const format = statusRight()
  assert.doesNotMatch(format, /#\(/)
  assert.doesNotMatch(format, /cs_status|cs_session_state/)
  const [all, here, clock] = rendered('main').split('|')
  const dot = (colour: string) => `#[fg=${colour}]●#[fg=default]`
  assert.equal(all, dot('yellow') + dot('yellow') + dot('green') + dot('colour244') + dot('red'))
  assert.equal(here, '') // main is no cs session
  assert.match(clock, /^\d\d$/)
  assert.equal(rendered('w2').split('|')[1], '#[fg=yellow]● waiting#[fg=default]')
})

test('a status symbol is shown as itself, whatever it holds: `#`, `,` and `}` too', () => {
  const dir = resolve(import.meta.dirname, '../tmux')
  const out = join(t.home, 'formats')
  const script = join(t.home, 'formats.sh')
  writeFileSync(script, `. ${dir}/variables.sh; . ${dir}/helpers.sh; . ${dir}/status_format.sh\ncs_status_format; printf '|'; cs_session_state_format\n`)
  tmux.run('set-option', '-g', '@cs-status-symbol', '#,}')
  try {
    tmux.run('run-shell', `sh ${script} > ${out}`) // as plugin.tmux runs them: inside the server
    const shown = tmux.run('display-message', '-p', '-t', '=w2:', readFileSync(out, 'utf8')).trimEnd()
    const dot = (colour: string) => `#[fg=${colour}]#,}#[fg=default]`
    assert.equal(shown, `${dot('yellow') + dot('yellow') + dot('green') + dot('colour244') + dot('red')}|#[fg=yellow]#,} waiting#[fg=default]`)
  } finally {
    tmux.run('set-option', '-gu', '@cs-status-symbol')
  }
})

test('the status follows @cs_state as it changes', () => {
  tmux.run('set-option', '-t', '=w2:', '@cs_state', 'working')
  try {
    assert.equal(
      rendered('main')
        .split('|')[0]
        .match(/yellow/g)?.length,
      1
    )
    assert.equal(rendered('main').split('|')[0].match(/green/g)?.length, 2)
  } finally {
    tmux.run('set-option', '-t', '=w2:', '@cs_state', 'waiting')
  }
})

test('loading the plugin twice changes nothing, and the user hook stays', () => {
  const before = {
    status: statusRight(),
    hooks: closeHooks(),
    keys: tmux.run('list-keys', '-T', 'prefix'),
  }
  load()
  assert.equal(statusRight(), before.status)
  assert.deepEqual(closeHooks(), before.hooks)
  assert.equal(tmux.run('list-keys', '-T', 'prefix'), before.keys)
  assert.equal(closeHooks().filter((h) => h.includes('on_session_closed.sh')).length, 1)
  assert.equal(closeHooks().filter((h) => h.includes('@user-hook')).length, 1)
})

test('the close hook runs from a checkout whose folder holds a blank', async () => {
  const root = join(t.home, 'plug in', 'cs')
  mkdirSync(root, { recursive: true })
  cpSync(join(REPO, 'tmux'), join(root, 'tmux'), { recursive: true })
  copyFileSync(PLUGIN, join(root, 'plugin.tmux'))
  for (const d of ['bin', 'dist', 'node_modules']) symlinkSync(join(REPO, d), join(root, d))
  const marker = join(t.home, 'closed from the blank')
  writeFileSync(join(root, 'tmux/on_session_closed.sh'), `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 })
  const user = closeHooks().filter((h) => !h.includes('on_session_closed.sh')).map((h) => h.replace(/^session-closed\[\d+\] /, ''))
  tmux.run('set-hook', '-gu', 'session-closed')
  try {
    tmux.run('run-shell', `'${join(root, 'plugin.tmux')}'`)
    tmux.newSession('blank', t.home, ['sh'])
    tmux.run('kill-session', '-t', '=blank')
    await poll(() => ({ ok: existsSync(marker), last: closeHooks().join('\n') }), 5000, 'the close hook of the copy')
  } finally {
    tmux.run('set-hook', '-gu', 'session-closed')
    for (const h of user) tmux.run('set-hook', '-ga', 'session-closed', h)
    load()
  }
})

test("closing a session runs cs sync in the background; the user's own hook runs too", async () => {
  t.session({ id: 'c1c1c1c1-0000-4000-8000-000000000001', cwd: '/work/closed', prompt: 'index me' })
  const db = join(t.env.XDG_STATE_HOME, 'cs/cs.db')
  assert.equal(existsSync(db), false)
  tmux.run('kill-session', '-t', '=w5')
  await poll(
    () => ({ ok: existsSync(db), last: existsSync(db) }),
    60_000,
    'cs sync to write its database'
  )
  assert.equal(tmux.run('show-options', '-gv', '@user-hook').trim(), 'ran')
  const listed = t.json('ls').map((r: { id: string }) => r.id)
  assert.deepEqual(listed, ['c1c1c1c1-0000-4000-8000-000000000001'])
})

test('an on/off option is on unless off, 0, no or false, for the plugin as for the hook', () => {
  const helpers = resolve(import.meta.dirname, '../tmux/helpers.sh')
  const read = (value: string | null) => {
    if (value === null) tmux.run('set-option', '-gu', '@cs-sync-on-close')
    else tmux.run('set-option', '-g', '@cs-sync-on-close', value)
    const said = "option_on @cs-sync-on-close on && tmux set -g @said on || tmux set -g @said off"
    tmux.run('run-shell', `. '${helpers}'; ${said}`)
    return tmux.run('show-options', '-gv', '@said').trim()
  }
  try {
    const said = ['on', 'yes', '1', 'true', null, 'off', '0', 'no', 'false'].map(read)
    assert.deepEqual(said, ['on', 'on', 'on', 'on', 'on', 'off', 'off', 'off', 'off'])
  } finally {
    tmux.run('set-option', '-gu', '@cs-sync-on-close')
  }
})

test('a key option is words, never file names; a status line ending in `;` keeps it', () => {
  tmux.run('set-option', '-g', '@cs-dashboard-key', '* M-\\;') // as `set -g @cs-dashboard-key '* M-;'` in a tmux.conf
  tmux.run('set-option', '-g', 'status-left', '[#{cs_session_state}] a\\;') // tmux's escape of a final ;
  assert.ok(tmux.run('show-options', '-gv', 'status-left').trimEnd().endsWith(' a;'))
  try {
    load()
    const keys = tmux.run('list-keys', '-T', 'prefix').split('\n').filter((l) => l.includes('dashboard.sh'))
    assert.equal(keys.length, 2, keys.join('\n'))
    assert.match(keys.join('\n'), /^bind-key\s+-T prefix \*\s/m)
    assert.match(keys.join('\n'), /^bind-key\s+-T prefix "M-;"\s/m)
    const left = tmux.run('show-options', '-gv', 'status-left').trimEnd()
    assert.ok(left.endsWith('] a;') && !left.includes('cs_session_state'), left)
  } finally {
    tmux.run('set-option', '-g', '@cs-dashboard-key', '')
    tmux.run('unbind-key', '-T', 'prefix', '*')
    tmux.run('unbind-key', '-T', 'prefix', 'M-\\;')
  }
})

test('the close hook is set whatever @cs-sync-on-close says at load: the option is read when a session closes', () => {
  const ours = () => closeHooks().filter((h) => h.includes('on_session_closed.sh')).length
  const user = closeHooks().filter((h) => !h.includes('on_session_closed.sh')).map((h) => h.replace(/^session-closed\[\d+\] /, ''))
  tmux.run('set-hook', '-gu', 'session-closed')
  tmux.run('set-option', '-g', '@cs-sync-on-close', 'off')
  try {
    load()
    assert.equal(ours(), 1)
  } finally {
    tmux.run('set-option', '-gu', '@cs-sync-on-close')
    for (const h of user) tmux.run('set-hook', '-ga', 'session-closed', h)
  }
})

// cs attach and cs adopt with real tmux clients: an outer tmux server (its own socket) gives cs a
// terminal, so `cs attach` outside tmux really attaches a client to cs's server, and a client
// attached that way lets `cs attach` inside tmux really switch it. claude is a recording stand-in.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'
import { isolatedCs } from './harness/cs.ts'
import { fakeClaude } from './harness/fake-claude.ts'
import { TestTmux, poll } from './harness/tmux.ts'

const REPO = resolve(import.meta.dirname, '..')
const CS = [process.execPath, join(REPO, 'bin/cs.mjs')]
const t = isolatedCs('attach')
const claude = fakeClaude(join(t.home, 'bin'))
t.env.CS_CLAUDE = claude.bin
const outer = new TestTmux('attach-outer', { ...t.env, TERM: 'xterm-256color' })
after(() => {
  outer.cleanup()
  t.cleanup()
})
const dir = realpathSync(t.home)
const marker = join(dir, 'marker')
const settings = join(t.env.XDG_STATE_HOME, 'cs/claude-settings.json')

function launch(name: string, cwd = dir, claudeArgs: string[] = []) {
  const r = t.cs('launch', '--json', name, '--cwd', cwd, ...(claudeArgs.length ? ['--', ...claudeArgs] : []))
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

/** tmux on cs's server (-u: the env has no UTF-8 locale, and names are not ASCII). */
function inner(...args: string[]): string {
  const r = spawnSync('tmux', ['-u', '-L', t.env.CS_TMUX_SOCKET, ...args], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}

/** The sessions the clients of cs's server are attached to. */
const clientSessions = () => inner('list-clients', '-F', '#{client_session}').split('\n').filter(Boolean)

const waitClientOn = (name: string) =>
  poll(() => ({ ok: clientSessions().includes(name), last: clientSessions() }), 30_000, `a client on ${name}`)

/** The test's own tmux calls take argv as it is, but tmux ends a command at a word ending in ';'. */
const literal = (args: string[]) => args.map((a) => (a.endsWith(';') ? `${a.slice(0, -1)}\\;` : a))

let panes = 0
/** Runs cs in a new outer pane, outside any tmux (TMUX removed): it has a terminal there. */
function csInOuterPane(...args: string[]): string {
  const session = `o${++panes}`
  outer.newSession(session, dir, literal(['env', '-u', 'TMUX', '-u', 'TMUX_PANE', ...CS, ...args]))
  return session
}

const hostile = `it's "x" $(touch ${marker}); \`touch ${marker}\` ünï;`

test('outside tmux, cs attach attaches this terminal to the exact session', async () => {
  launch(`${hostile}2`)
  launch(hostile)
  csInOuterPane('attach', hostile)
  await waitClientOn(hostile)
  assert.deepEqual(clientSessions(), [hostile])
  assert.ok(!existsSync(marker))
})

test('inside tmux, cs attach switches the client it runs under', async () => {
  const other = launch('other ünï')
  // a window in the attached session runs cs: $TMUX there names cs's server
  inner('new-window', '-t', `=${hostile}:`, '--', ...CS, 'attach', other.id.slice(0, 8))
  await waitClientOn('other ünï')
  assert.deepEqual(clientSessions(), ['other ünï'])
  inner('new-window', '-t', '=other ünï:', '--', ...literal([...CS, 'attach', hostile]))
  await waitClientOn(hostile)
  // `%` names a pane, which switch-client looks for; a run of `#` before `[` tmux keeps as it is
  launch('50% #[x] ##[y]')
  inner('new-window', '-t', `=${hostile}:`, '--', ...literal([...CS, 'attach', '50% #[x] ##[y]']))
  await waitClientOn('50% #[x] ##[y]')
  assert.ok(!existsSync(marker))
})

test('a session whose tmux session is gone comes back with --resume in its folder, under its name, with its claude arguments', async () => {
  const given = ['--model', "o'pus $(x)"]
  const rec = launch('gone one', dir, given)
  t.session({ id: rec.id, cwd: dir, title: 'gone one', prompt: 'earlier work' })
  assert.equal(t.cs('kill', 'gone one').status, 0)

  const refused = t.cs('attach', 'gone one')
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /^cs: 'gone one': its tmux session is gone\n/)
  assert.match(refused.stderr, /cs attach --yes 'gone one' brings it back/)

  claude.forget(rec.id)
  csInOuterPane('attach', '--yes', 'gone one')
  const got = await claude.wait(rec.id)
  assert.deepEqual(got.argv, ['--resume', rec.id, '--settings', settings, ...given])
  assert.equal(got.cwd, dir)
  await waitClientOn('gone one')
  const status = t.json('status').find((s: any) => s.tmuxSession === 'gone one')
  assert.equal(status.id, rec.id)
  // brought back again after cs named it: the name cs gave it shows in tmux, not the tmux name
  assert.equal(t.cs('rename', rec.id, 'kept name').status, 0)
  assert.equal(t.cs('kill', rec.id).status, 0)
  claude.forget(rec.id)
  csInOuterPane('attach', '--yes', rec.id.slice(0, 8))
  await claude.wait(rec.id)
  await waitClientOn('gone one')
  assert.equal(t.json('status').find((s: any) => s.tmuxSession === 'gone one').title, 'kept name')

  // its folder gone too: said so, with no fix that names a flag attach does not have
  const away = join(dir, 'away')
  mkdirSync(away)
  const lost = launch('lost one', away)
  assert.equal(t.cs('kill', 'lost one').status, 0)
  rmSync(away, { recursive: true })
  const noFolder = t.cs('attach', '--yes', 'lost one')
  assert.equal(noFolder.status, 1)
  assert.match(noFolder.stderr, new RegExp(`^cs: the folder ${away} is gone\n +claude resumes a session in the folder it ran in`, 'm'))
  assert.doesNotMatch(noFolder.stderr, /--cwd/)
  assert.ok(!t.json('status').some((s: any) => s.id === lost.id), 'nothing launched')
})

test('a project name and a /rename name find a session; adopt wraps one started outside cs', async () => {
  const project = join(dir, 'proj-x')
  const idA = '0a0a0a0a-1111-4222-8333-444444444444'
  const idB = '0b0b0b0b-1111-4222-8333-444444444444'
  mkdirSync(project)
  t.session({ id: idA, cwd: project, prompt: 'from a plain claude' })
  t.session({ id: idB, cwd: dir, title: 'renamed: v2.0', prompt: 'another' })

  // by project name, not running: offered back, then attached; history, never in cs's tmux,
  // is not called gone
  const refused = t.cs('attach', 'proj-x')
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /^cs: proj-x: it is not running\n\s+cs attach --yes proj-x resumes it in tmux\n$/)
  csInOuterPane('attach', '--yes', 'proj-x')
  const a = await claude.wait(idA)
  assert.deepEqual(a.argv, ['--resume', idA, '--settings', settings])
  assert.equal(a.cwd, project)
  await waitClientOn('proj-x')

  // adopt by the session's own title: the tmux name is it, made targetable
  const r = t.cs('adopt', '--json', 'renamed: v2.0')
  assert.equal(r.status, 0, r.stderr)
  const adopted = JSON.parse(r.stdout)
  assert.equal(adopted.tmuxSession, 'renamed- v2-0')
  assert.equal(adopted.id, idB)
  const b = await claude.wait(idB)
  assert.deepEqual(b.argv, ['--resume', idB, '--settings', settings])
  const again = t.cs('adopt', idB.slice(0, 8))
  assert.equal(again.status, 0)
  assert.match(again.stdout, /already managed by cs/)
  // with --json, its launch record still: JSON, not a sentence
  const againJson = t.cs('adopt', '--json', idB.slice(0, 8))
  assert.equal(againJson.status, 0, againJson.stderr)
  assert.deepEqual(JSON.parse(againJson.stdout), adopted)

  const missing = t.cs('adopt', '0c0c0c0c')
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /no session matches/)
})

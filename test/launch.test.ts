// cs launch, kill and status against a real tmux server (own socket), with a recording stand-in
// for claude: what cs passes reaches the program byte for byte, and no shell ever reads it.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { loadConfig } from '../lib/config.ts'
import type { CsError } from '../lib/errors.ts'
import { startSession } from '../lib/launcher.ts'
import { procStat } from '../lib/registry.ts'
import { bringBack } from '../lib/revive.ts'
import type { Store } from '../lib/store.ts'
import { Tmux } from '../lib/tmux.ts'
import { isolatedCs } from './harness/cs.ts'
import { fakeClaude } from './harness/fake-claude.ts'

const t = isolatedCs('launch')
after(t.cleanup)
const claude = fakeClaude(join(t.home, 'bin'))
t.env.CS_CLAUDE = claude.bin
// cs may itself run inside a Claude session: the launched claude must not inherit that
t.env.CLAUDECODE = '1'
t.env.CLAUDE_CODE_SESSION_ID = 'parent-session'
t.env.CLAUDE_CODE_CHILD_SESSION = '1'
const dir = realpathSync(t.home)
const marker = join(dir, 'marker')
const settings = join(t.env.XDG_STATE_HOME, 'cs/claude-settings.json')
const tmux = (...args: string[]) =>
  spawnSync('tmux', ['-L', t.env.CS_TMUX_SOCKET, ...args], { encoding: 'utf8' })
const sessions = () => (tmux('list-sessions', '-F', '#{session_name}').stdout ?? '').split('\n').filter(Boolean).sort()

/** `cs ls --json` from the rows the store keeps, checked against --verbose, which builds every
 *  view as before (and adds two counts) */
function dashboard(): any[] {
  const rows = t.json('ls')
  assert.deepEqual(rows, t.json('ls', '--verbose').map(({ unknownRecords, badLines, ...r }: any) => r))
  return rows
}

/** cs launch --json (before any `--`: what follows it is claude's) */
function launch(...args: string[]) {
  const r = t.cs('launch', '--json', ...args)
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

test('hostile names and prompts launch, show and die as given, and no shell runs them', async () => {
  const hostile = [
    'my app',
    `it's "quoted"`,
    `run $(touch ${marker})`,
    `\`touch ${marker}\``,
    `a; touch ${marker};`,
    'ünïcödé 名前',
    '#{session_name}',
    ';',
  ]
  for (const name of hostile) {
    const rec = launch(name, `${name} $(touch ${marker})\nsecond line;`, '--cwd', dir, '--', '--model', `x;`)
    assert.equal(rec.tmuxSession, name)
    assert.equal(rec.cwd, dir)
    assert.equal(rec.host, 'testhost')
    assert.equal(rec.lastState, 'idle')
    const got = await claude.wait(rec.id)
    assert.deepEqual(got.argv, [
      '--session-id', rec.id, '--settings', settings, '-n', name, '--model', 'x;', '--', `${name} $(touch ${marker})\nsecond line;`,
    ])
    assert.equal(got.cwd, dir)
    for (const v of ['CLAUDECODE', 'CLAUDE_CODE_SESSION_ID', 'CLAUDE_CODE_CHILD_SESSION']) assert.equal(got.env[v], undefined, v)
  }
  assert.deepEqual(sessions(), [...hostile].sort())

  // the server runs with the suite's CLAUDE_CONFIG_DIR; a launch from another gets its own
  const elsewhere = join(t.home, 'other-claude')
  t.env.CLAUDE_CONFIG_DIR = elsewhere
  const moved = launch('moved', '--cwd', dir)
  t.env.CLAUDE_CONFIG_DIR = join(t.home, '.claude')
  assert.equal((await claude.wait(moved.id)).env.CLAUDE_CONFIG_DIR, elsewhere)
  assert.equal(t.cs('kill', 'moved').status, 0)

  const status = t.json('status')
  assert.deepEqual(status.map((s: any) => s.tmuxSession).sort(), [...hostile].sort())
  for (const s of status) {
    assert.equal(s.state, 'idle')
    assert.equal(s.title, s.tmuxSession)
    assert.equal(s.cwd, dir)
    assert.equal(s.managed, true)
    assert.match(s.id, /^[0-9a-f-]{36}$/)
    assert.ok(s.stateSince)
  }
  const text = t.cs('status')
  assert.equal(text.status, 0)
  assert.match(text.stdout, /^ünïcödé 名前\s+idle\s/m)
  // its claude exited, a shell left in the pane, and no hook said so: dead, as `cs ls` says, not
  // the hook's idle of before
  const exited = hostile[0]
  assert.equal(tmux('respawn-pane', '-k', '-t', `=${exited}:`, 'sh').status, 0)
  const after = t.json('status').find((s: any) => s.tmuxSession === exited)
  assert.equal(after.state, 'dead')
  assert.equal(dashboard().find((r: any) => r.tmuxSession === exited)?.state, 'dead')
  // live rows with no transcript yet: ids the store holds no row of
  assert.deepEqual(dashboard().filter((r: any) => r.live).map((r: any) => r.tmuxSession).sort(), [...hostile].sort())

  for (const name of hostile) {
    const r = t.cs('kill', name)
    assert.equal(r.status, 0, r.stderr)
  }
  assert.deepEqual(sessions(), [])
  assert.ok(!existsSync(marker), 'a shell ran a name or prompt')
})

test('a name tmux cannot target is refused with the fix, and nothing is made', () => {
  for (const [name, fix] of [['v1.2', 'v1-2'], ['host:1', 'host-1'], ['$(x)', `'(x)'`]]) {
    const r = t.cs('launch', name, '--cwd', dir)
    assert.equal(r.status, 2)
    assert.match(r.stderr, /tmux cannot use in a target/)
    assert.ok(r.stderr.includes(`use another name, e.g. \`cs launch ${fix}\``), r.stderr)
  }
  assert.deepEqual(sessions(), [])
})

test('a prompt after -- is refused: what follows it goes to claude again at each revive', () => {
  for (const rest of [['--model', 'opus', 'fix the login bug'], ['fix the login bug']]) {
    const r = t.cs('launch', 'loose', '--cwd', dir, '--', ...rest)
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /^cs: 'fix the login bug' after -- is no option's value: .* options only\n +give the first prompt as PROMPT/)
  }
  assert.deepEqual(sessions(), [])
})

test('an existing name is an error and the running session is left alone', async () => {
  const first = launch('dup', '--cwd', dir)
  await claude.wait(first.id)
  const r = t.cs('launch', 'dup', '--cwd', dir)
  assert.equal(r.status, 1)
  assert.match(r.stderr, /tmux session dup already exists/)
  assert.deepEqual(t.json('status').map((s: any) => s.id), [first.id])
  assert.equal(t.cs('kill', 'dup').status, 0)
})

test("a name that is the start of another session's id is refused: cs attach NAME would go there", () => {
  const other = 'f11f0000-0000-4000-8000-000000000000'
  t.session({ id: other, cwd: '/w/other', prompt: 'an older one' })
  assert.equal(t.cs('sync').status, 0)
  const r = t.cs('launch', 'F11F', '--cwd', dir)
  assert.equal(r.status, 1, r.stdout)
  assert.match(r.stderr, /^cs: 'F11F' is the start of the id of session f11f\n.*cs attach F11F would go there/s)
  assert.deepEqual(sessions(), [], 'nothing launched')
})

test("a name that would be the start of an id is checked as launched: a folder's steps aside, a transcript not yet indexed and a live session with none count", () => {
  // written after the last index run, as a plain claude writes it
  const unindexed = 'abab0000-0000-4000-8000-000000000000'
  t.session({ id: unindexed, cwd: '/w/other', prompt: 'written since' })
  const r = t.cs('launch', 'abab', '--cwd', dir)
  assert.equal(r.status, 1, r.stdout)
  assert.match(r.stderr, /^cs: 'abab' is the start of the id of session abab\n/)
  assert.deepEqual(sessions(), [], 'nothing launched')
  // a folder's name is not the user's: it steps aside, as from a taken tmux name
  const folder = join(dir, 'abab')
  mkdirSync(folder)
  assert.equal(launch(folder).tmuxSession, 'abab-2')
  // a live session whose claude wrote no transcript yet has no stored row, but an id
  const fresh = launch('fresh', '--cwd', dir)
  // the picker's cache is not written from the live state read before the launch: never DEAD
  const cache = join(t.env.XDG_STATE_HOME, 'cs/picker.tsv')
  assert.ok(!existsSync(cache) || !readFileSync(cache, 'utf8').includes(`${fresh.id}\tdead`), 'listed DEAD in the picker cache')
  const rename = t.cs('rename', 'abab-2', fresh.id.slice(0, 6))
  assert.equal(rename.status, 1, rename.stdout)
  assert.match(rename.stderr, new RegExp(`is the start of the id of session ${fresh.id.slice(0, 4)}`))
  for (const name of ['abab-2', 'fresh']) assert.equal(t.cs('kill', name).status, 0)
})

test('kill by a prefix that a session in tmux and one in the history share: ambiguous, as for cs info', () => {
  const live = launch('shared-prefix', '--cwd', dir)
  // the same first five characters, then another
  const other = live.id.slice(0, 5) + (live.id[5] === '0' ? '1' : '0') + live.id.slice(6)
  t.session({ id: other, cwd: '/w/other', prompt: 'an older one' })
  assert.equal(t.cs('sync').status, 0)
  for (const command of ['kill', 'info']) {
    const r = t.cs(command, live.id.slice(0, 5))
    assert.equal(r.status, 1, `${command}: ${r.stdout}`)
    assert.match(r.stderr, /is ambiguous/)
  }
  assert.ok(sessions().includes('shared-prefix'), 'left running')
  assert.equal(t.cs('kill', live.id).status, 0, 'its whole id')
  assert.ok(!sessions().includes('shared-prefix'))
})

test('missing claude, missing tmux and a missing folder are clear errors, with no session left', () => {
  const r = t.cs('launch', 'x', '--cwd', dir)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(t.cs('kill', 'x').status, 0)

  const noClaude = spawnSync(process.execPath, [join(import.meta.dirname, '../bin/cs.mjs'), 'launch', 'nc', '--cwd', dir], {
    env: { ...t.env, CS_CLAUDE: join(dir, 'no-such-claude') },
    encoding: 'utf8',
  })
  assert.equal(noClaude.status, 3)
  assert.match(noClaude.stderr, /claude not found/)
  assert.match(noClaude.stderr, /CS_CLAUDE/)

  const noTmux = spawnSync(process.execPath, [join(import.meta.dirname, '../bin/cs.mjs'), 'launch', 'nt', '--cwd', dir], {
    env: { ...t.env, PATH: join(dir, 'empty') },
    encoding: 'utf8',
  })
  assert.equal(noTmux.status, 3)
  assert.match(noTmux.stderr, /tmux is not installed\n.*apt-get install tmux/)
  // a live session is then neither gone nor not running: every command that acts on tmux says so
  const live = launch('still-here', '--cwd', dir)
  for (const args of [['attach', '--yes', 'still-here'], ['kill', 'still-here'], ['kill', '--all', '--yes'], ['revive'], ['status']]) {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '../bin/cs.mjs'), ...args], {
      env: { ...t.env, PATH: join(dir, 'empty') },
      encoding: 'utf8',
    })
    assert.equal(r.status, 3, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, /^cs: tmux is not installed\n/m, args.join(' '))
  }
  // outside tmux with no terminal: said in cs's words, not tmux's
  const piped = t.cs('attach', live.tmuxSession)
  assert.equal(piped.status, 1)
  assert.equal(piped.stderr, `cs: still-here is attached from a terminal: stdin is not one\n    run cs attach still-here in a terminal\n`)
  // the dashboard still lists them, and says why none is running: by Node, and by bin/cs
  const onlyNode = join(dir, 'only-node')
  mkdirSync(onlyNode)
  symlinkSync(process.execPath, join(onlyNode, 'node'))
  for (const argv of [[process.execPath, join(import.meta.dirname, '../bin/cs.mjs')], ['/bin/sh', join(import.meta.dirname, '../bin/cs')]]) {
    const ls = spawnSync(argv[0], [argv[1], 'ls', '--json'], { env: { ...t.env, PATH: onlyNode }, encoding: 'utf8' })
    assert.equal(ls.status, 0, ls.stderr)
    assert.ok(JSON.parse(ls.stdout).some((r: any) => r.id === live.id), argv[1])
    assert.match(ls.stderr, /^cs: warning: tmux is not installed: the sessions cs launched here cannot be seen running/m, argv[1])
  }
  assert.equal(t.cs('kill', live.tmuxSession).status, 0, 'still there to kill')
  // gone, and brought back only for a terminal that can then be attached
  const back = t.cs('attach', '--yes', live.tmuxSession)
  assert.equal(back.status, 1)
  assert.match(back.stderr, /^cs: still-here is attached from a terminal: stdin is not one\n/m)
  assert.ok(!sessions().includes('still-here'), 'nothing started')

  const noDir = t.cs('launch', 'nd', '--cwd', join(dir, 'nowhere'))
  assert.equal(noDir.status, 2)
  assert.match(noDir.stderr, /not a directory/)
  assert.equal(t.cs('launch', 'nd', '--cwd', '').status, 2, 'no folder is not this folder')
  const odd = join(dir, 'line\nbreak')
  mkdirSync(odd)
  const oddDir = t.cs('launch', 'nd', '--cwd', odd)
  assert.equal(oddDir.status, 2)
  assert.match(oddDir.stderr, /has a control character in its path/)
  assert.deepEqual(sessions(), [])
})

test('targets are exact: killing ab leaves abc, and a prefix matches nothing', async () => {
  const ab = launch('ab', '--cwd', dir)
  const abc = launch('abc', '--cwd', dir)
  await claude.wait(abc.id)
  const prefix = t.cs('kill', 'a')
  assert.equal(prefix.status, 1)
  assert.deepEqual(sessions(), ['ab', 'abc'])
  assert.equal(t.cs('kill', 'ab').status, 0)
  assert.deepEqual(sessions(), ['abc'])
  // by id prefix
  assert.equal(t.cs('kill', abc.id.slice(0, 8)).status, 0, 'kill by id prefix')
  assert.deepEqual(sessions(), [])
  void ab
})

test('a folder launches there under its name; a taken derived name steps aside; an empty one is generated', async () => {
  const app = join(dir, 'src/my.app')
  mkdirSync(app, { recursive: true })
  const one = launch(app, 'first prompt')
  const two = launch(app)
  assert.equal(one.tmuxSession, 'my-app')
  assert.equal(two.tmuxSession, 'my-app-2')
  assert.equal(one.cwd, app)
  const got = await claude.wait(one.id)
  assert.equal(got.cwd, app)
  assert.deepEqual(got.argv.slice(-3), ['my-app', '--', 'first prompt'])
  const blank = launch('   ', '--cwd', dir)
  assert.equal(blank.tmuxSession, `claude-${blank.id.slice(0, 8)}`)
  assert.equal(t.cs('kill', '--all', '--yes').status, 0)
  assert.deepEqual(sessions(), [])
})

test('kill --all ends only the sessions cs launched, and asks first', async () => {
  tmux('new-session', '-d', '-s', 'shell', '--', 'sleep', '600')
  const a = launch('k1', '--cwd', dir)
  launch('k2', '--cwd', dir)
  await claude.wait(a.id)
  const refused = t.cs('kill', '--all')
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /--yes/)
  // another host's --all, a host cs cannot reach: an error, never this host's sessions
  const typo = t.cs('kill', '--all', '--host', 'devbx', '--yes')
  assert.equal(typo.status, 2, typo.stdout)
  assert.match(typo.stderr, /no host named devbx/)
  assert.deepEqual(sessions().sort(), ['k1', 'k2', 'shell'])
  const notOurs = t.cs('kill', 'shell')
  assert.equal(notOurs.status, 1)
  assert.match(notOurs.stderr, /does not run a Claude session/)
  // the way out it names reaches this server, not the user's default one
  assert.match(notOurs.stderr, new RegExp(`end it with tmux -L ${t.env.CS_TMUX_SOCKET} kill-session -t =shell$`, 'm'))
  // a claude started there by hand: Claude's registry says so, and so does the refusal
  const byHand = join(t.home, 'claude')
  copyFileSync(execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), byHand)
  tmux('new-session', '-d', '-s', 'byhand', '--', byHand, '600')
  const pid = Number(tmux('display-message', '-p', '-t', '=byhand:', '#{pane_pid}').stdout.trim())
  mkdirSync(join(t.home, '.claude/sessions'), { recursive: true })
  const entry = { pid, procStart: procStat(pid)!.start, sessionId: 'b1a2d000-0000-4000-8000-000000000000', kind: 'interactive', status: 'idle' }
  writeFileSync(join(t.home, '.claude/sessions', `${pid}.json`), JSON.stringify(entry))
  for (const query of ['byhand', 'b1a2d000']) {
    const theirs = t.cs('kill', query)
    assert.equal(theirs.status, 1, query)
    assert.match(theirs.stderr, /^cs: tmux session byhand runs a claude that cs did not launch\n.*quit claude there, or end it with/m, query)
  }
  tmux('kill-session', '-t', '=byhand')
  const r = t.cs('kill', '--all', '--yes')
  assert.equal(r.status, 0)
  assert.match(r.stdout, /killed k1/)
  assert.deepEqual(sessions(), ['shell'])
  assert.deepEqual(t.json('status'), [])
  tmux('kill-session', '-t', '=shell')
})

test('revive: what ended while tmux ran stays down; what went with the server comes back, anew when it has no transcript', async () => {
  const keep = launch('keep', '--cwd', dir)
  const ended = launch('ended', '--cwd', dir)
  await claude.wait(keep.id)
  tmux('kill-session', '-t', '=ended') // as when claude exits: the server runs on
  const none = t.cs('revive')
  assert.equal(none.status, 0, none.stderr)
  assert.match(none.stdout, /nothing to revive/)
  const rows = dashboard()
  assert.deepEqual([keep.id, ended.id].map((id) => rows.find((r: any) => r.id === id)?.state), ['idle', 'dead'])

  tmux('kill-server')
  claude.forget(keep.id)
  // the name taken meanwhile by a tmux session of the user's own: cs's comes back beside it
  // (its server started a second after the last sighting: tmux says when in whole seconds)
  await new Promise((resolve) => setTimeout(resolve, 1100))
  tmux('new-session', '-d', '-s', 'keep', 'sleep 600')
  const r = t.cs('revive')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^revived keep \(as keep-2: the old name is taken\) in /m)
  assert.doesNotMatch(r.stdout, /ended/)
  const got = await claude.wait(keep.id)
  assert.deepEqual(got.argv, ['--session-id', keep.id, '--settings', settings, '-n', 'keep-2'])
  assert.equal(got.cwd, dir)
  assert.deepEqual(sessions().sort(), ['keep', 'keep-2'])
  assert.equal(t.cs('kill', 'keep-2').status, 0)
  tmux('kill-session', '-t', '=keep')
})

test('a launch whose record cannot be saved leaves no tmux session behind', () => {
  const config = loadConfig(t.env)
  const store = { meta: () => new Map(), saveLaunch: () => { throw new Error('disk full') } } as unknown as Store
  const launcher = { config, tmux: new Tmux(config.tmuxSocket), store, claude: claude.bin, settings }
  const plan = { id: '9f9f9f9f-1111-4222-8333-444444444444', name: 'half made', cwd: dir, resume: false }
  assert.throws(() => startSession(launcher, plan), /disk full/)
  assert.ok(!sessions().includes('half made'))
})

test('a session brought back meanwhile (another revive, an attach) is not brought back again beside itself', () => {
  const id = '8e8e8e8e-1111-4222-8333-444444444444'
  // what the other revive left: the session under its name, running that claude
  tmux('new-session', '-d', '-s', 'twice', 'sleep 600')
  for (const [k, v] of [['@cs_managed', '1'], ['@cs_id', id]]) tmux('set-option', '-t', '=twice:', k, v)
  const config = loadConfig(t.env)
  const saved: unknown[] = []
  const store = { meta: () => new Map(), saveLaunch: (l: unknown) => saved.push(l) } as unknown as Store
  const launcher = { config, tmux: new Tmux(config.tmuxSocket), store, claude: claude.bin, settings }
  assert.throws(
    () => bringBack(launcher, { id, name: 'twice', cwd: dir, args: [] }),
    (e: CsError) => e.reason === 'running' && e.message === 'it runs already, in tmux session twice'
  )
  assert.ok(!sessions().includes('twice-2'), 'no second session, no second claude on its transcript')
  assert.deepEqual(saved, [])
  tmux('kill-session', '-t', '=twice')
})

test('cs attach of a session whose tmux session is gone asks first, saying how it comes back', async () => {
  const gone = launch('asked', '--cwd', dir)
  await claude.wait(gone.id)
  tmux('kill-session', '-t', '=asked')
  // the stand-in wrote no transcript: claude would not find it to resume, so it starts anew
  const r = await t.answered(['attach', 'asked'], () => {}, 'n')
  assert.match(r.stdout, /asked: its tmux session is gone\. Bring it back \(claude started anew, with its id in .*\)\? \[y\/N\]/)
  assert.equal(r.status, 1)
  assert.ok(!sessions().includes('asked'))
  // the end of input (Ctrl-D) is no answer, nor a yes: a no, not an exit 0 on an unanswered question
  const eof = await t.answered(['attach', 'asked'], () => {}, '\x04')
  assert.equal(eof.status, 1, eof.stdout)
  assert.ok(!sessions().includes('asked'))
})

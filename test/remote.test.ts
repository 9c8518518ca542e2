// Two hosts over a real sshd: host A (this process's isolated cs) lists host B (another HOME,
// CLAUDE_CONFIG_DIR, XDG folders, tmux socket and CS_HOST behind Debian's sshd on loopback) in
// its dashboard with no database, acts on B's sessions over ssh, and takes nothing from B's
// answers but checked values.
import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, test } from 'node:test'
import { loadConfig } from '../lib/config.ts'
import { procStat } from '../lib/registry.ts'
import { sshRun } from '../lib/ssh.ts'
import { isolatedCs } from './harness/cs.ts'
import { fakeClaude } from './harness/fake-claude.ts'
import { startFerret } from './harness/ferretdb.ts'
import { closeMasters, startSshHost, type SshHost } from './harness/sshd.ts'
import { TestTmux, poll } from './harness/tmux.ts'

const REPO = resolve(import.meta.dirname, '..')
const a = isolatedCs('remote-a')
const b = isolatedCs('remote-b')
a.env.CS_HOST = 'hosta'
b.env.CS_HOST = 'hostb'
const claudeOnB = fakeClaude(join(b.home, 'bin'))
b.env.CS_CLAUDE = claudeOnB.bin
const marker = join(realpathSync(a.home), 'marker')
const CS = [process.execPath, join(REPO, 'bin/cs.mjs')]
// host A's terminal: a tmux server whose panes run A's cs, outside tmux (TMUX removed) or inside
const outer = new TestTmux('remote-outer', { ...a.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' })
// host B's own tmux server, where its cs runs claude
const onB = (...args: string[]) => new TestTmux('remote-b', b.env, b.env.CS_TMUX_SOCKET).try('-u', ...args)
const ESC = /[\u001b\u009b\u0007]/
let sshd: SshHost

const A_ID = 'aaaa1111-0000-4000-8000-000000000001'
const B_ID = 'bbbb2222-0000-4000-8000-000000000002'
const SHARED_PREFIX = 'cccc3333-0000-4000-8000-00000000000'

/** A cs that answers `ls` with what another host might send: hostile values among good ones. */
function evilCs(): string {
  const bin = join(b.home, 'evil-cs')
  const rows = [
    { id: 'eeee5555-0000-4000-8000-000000000005', host: 'evil', state: 'idle', title: 'ok \u001b]0;pwned\u0007title \u001b[2J', cwd: '/srv', tmuxSession: 'fine' },
    { id: `$(touch ${marker})`, host: 'evil', state: 'idle', title: 'bad id' },
    { id: 'eeee6666-0000-4000-8000-000000000006', host: `-oProxyCommand=touch ${marker}`, state: 'idle', title: 'bad host' },
    { id: 'eeee7777-0000-4000-8000-000000000007', host: 'evil', state: 'idle', tmuxSession: `x;$(touch ${marker})\n`, title: 'bad tmux' },
    { id: 'eeee8888-0000-4000-8000-000000000008', host: 'evil', state: 'idle', cwd: `/x\u001b[31m`, title: 'bad cwd' },
    { id: 'eeee9999-0000-4000-8000-000000000009', host: 'evil', state: '$(touch)', title: 'bad state' },
  ]
  writeFileSync(bin, `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(rows)}\nJSON\n`)
  chmodSync(bin, 0o755)
  return bin
}

function configure(hosts: object[]) {
  mkdirSync(join(a.env.XDG_CONFIG_HOME, 'cs'), { recursive: true })
  writeFileSync(join(a.env.XDG_CONFIG_HOME, 'cs/config.json'), JSON.stringify({ ssh: { config: sshd.sshConfig }, hosts }), { mode: 0o600 })
}
const hostB = () => ({ name: 'hostb', ssh: 'hostb', cs: join(REPO, 'bin/cs.mjs') })

before(async () => {
  // B's login PATH finds a `cs` too: a host reached through the shared store has no cs path in A's config
  const shim = join(b.home, 'bin', 'cs')
  writeFileSync(shim, `#!/bin/sh\nexec ${CS.map((w) => `'${w}'`).join(' ')} "$@"\n`)
  chmodSync(shim, 0o755)
  b.env.PATH = `${join(b.home, 'bin')}:${b.env.PATH}`
  sshd = await startSshHost('hostb', b.env)
  configure([hostB()])
  a.session({ id: A_ID, cwd: '/work/a', prompt: 'on host a' })
  a.session({ id: `${SHARED_PREFIX}1`, cwd: '/work/a', prompt: 'a twin' })
  b.session({ id: B_ID, cwd: '/work/b', prompt: 'on host b' })
  b.session({ id: `${SHARED_PREFIX}2`, cwd: '/work/b', prompt: 'b twin' })
})
after(() => {
  outer.cleanup()
  closeMasters(join(a.env.XDG_STATE_HOME, 'cs/ssh'))
  sshd.cleanup()
  a.cleanup()
  b.cleanup()
})

test('a remote command that exits before reading all its input: its status, not a broken pipe', async () => {
  configure([hostB()])
  // 16 MB, far more than the pipe and ssh's buffers hold: `true` is gone long before
  const r = await sshRun(loadConfig(a.env), hostB(), ['true'], { input: Buffer.alloc(16 << 20, 'x') })
  assert.equal(r.status, 0)
})

test('with no database, cs ls merges this host and every host of the list, short ids unique across them', () => {
  const rows = a.json('ls')
  const byId = new Map(rows.map((r: any) => [r.id, r]))
  assert.equal((byId.get(A_ID) as any)?.host, 'hosta')
  assert.equal((byId.get(B_ID) as any)?.host, 'hostb')
  const twins = rows.filter((r: any) => r.id.startsWith(SHARED_PREFIX))
  assert.equal(twins.length, 2)
  assert.notEqual(twins[0].short, twins[1].short)
  assert.equal(new Set(rows.map((r: any) => r.short)).size, rows.length)
  // --local asks no host
  assert.deepEqual(a.json('ls', '--local').map((r: any) => r.host), ['hosta', 'hosta'])
  const table = a.cs('ls')
  assert.equal(table.status, 0, table.stderr)
  assert.match(table.stdout, /hostb/)
  assert.match(a.cs('list', '--host', 'hostb').stdout, /on host b/)
  // what reads this host's files alone says where B's session is, and how to get there
  const resume = a.cs('resume', B_ID)
  assert.equal(resume.status, 1, resume.stdout)
  assert.match(resume.stderr, new RegExp(`is a session of hostb: cs resume picks among this host's\n.*cs attach hostb:${B_ID} resumes it there`, 's'))
  const preview = a.cs('preview', B_ID)
  assert.equal(preview.status, 1)
  assert.match(preview.stderr, new RegExp(`is a session of hostb: its transcript is there\n +ssh -F ${sshd.sshConfig} hostb \\S+ preview ${B_ID}\n`))
})

test('a host that stops answering still shows, marked with its age, within the connect bound', async () => {
  a.json('ls') // its answer is kept
  sshd.stop()
  try {
    const start = performance.now()
    const r = a.cs('ls', '--json')
    const took = performance.now() - start
    assert.equal(r.status, 0, r.stderr)
    assert.ok(JSON.parse(r.stdout).some((row: any) => row.id === B_ID && row.host === 'hostb'))
    assert.match(r.stderr, /host hostb does not answer.*as of \d+s ago/)
    // asked for alone, a host that does not answer is exit 3, as `cs hosts` says it, what is
    // kept of it shown all the same
    for (const args of [['ls', '--host', 'hostb', '--json'], ['list', '--host', 'hostb', '--json'], ['deleted', '--host', 'hostb', '--json']]) {
      const alone = a.cs(...args)
      assert.equal(alone.status, 3, `${args.join(' ')}: ${alone.stderr}`)
      assert.match(alone.stderr, /host hostb does not answer/, args.join(' '))
      assert.doesNotThrow(() => JSON.parse(alone.stdout), args.join(' '))
    }
    const local = performance.now()
    a.cs('ls', '--json', '--local')
    assert.ok(took - (performance.now() - local) < 1500, `a dead host cost ${Math.round(took)} ms`)
    // an attach in this terminal: ssh's own failure (255) is exit 3 with the fix, as everywhere
    const at = a.cs('attach', B_ID.slice(0, 8), '--host', 'hostb')
    assert.equal(at.status, 3, at.stderr)
    assert.ok(at.stderr.includes(`cs: host hostb does not answer: ssh failed\n    check it: ssh -F ${sshd.sshConfig} hostb true\n`), at.stderr)
  } finally {
    await sshd.start()
  }
})

test('a host whose link dies under the shared connection: a look ends within its keepalive, not its whole bound, and the next connects afresh', () => {
  a.json('ls') // the shared connection is open
  const thaw = sshd.freeze()
  try {
    for (const run of ['first', 'next']) {
      const start = performance.now()
      const r = a.cs('ls', '--json')
      const took = performance.now() - start
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stderr, /host hostb does not answer/, run)
      // the keepalive: 3 s at most on the dead connection; a look's own bound is 8 s
      assert.ok(took < 5000, `${run}: ${Math.round(took)} ms`)
    }
  } finally {
    thaw()
  }
})

test('a host taken out of the hosts list by editing config.json: its kept rows go from the dashboard', () => {
  assert.ok(a.json('ls').some((r: any) => r.host === 'hostb'))
  configure([])
  try {
    assert.deepEqual((a.json('ls') as any[]).filter((r) => r.host === 'hostb'), [])
  } finally {
    configure([hostB()])
  }
  assert.ok(a.json('ls').some((r: any) => r.host === 'hostb'), 'listed again: asked again')
})

test("a host whose cs refuses the listing is said in that cs's own words", () => {
  const refusing = join(b.home, 'refusing-cs')
  writeFileSync(refusing, "#!/bin/sh\necho \"cs: CS_HOST 'bad host' is not a host name\" >&2\nexit 2\n", { mode: 0o755 })
  configure([{ ...hostB(), cs: refusing }])
  try {
    const r = a.cs('ls', '--host', 'hostb')
    assert.match(r.stderr, /host hostb: its cs refused `cs ls` as given: cs: CS_HOST 'bad host' is not a host name/)
  } finally {
    configure([hostB()])
  }
})

test('a host whose cs hangs costs a look its bound, and the command ends then', () => {
  const hang = join(b.home, 'hang-cs')
  writeFileSync(hang, '#!/bin/sh\nexec sleep 40\n', { mode: 0o755 })
  configure([{ ...hostB(), cs: hang }])
  try {
    // with no shared connection (this call starts it, and hands it its pipes), then with it open
    closeMasters(join(a.env.XDG_STATE_HOME, 'cs/ssh'))
    for (const shared of [false, true]) {
      const start = performance.now()
      const r = a.cs('ls', '--host', 'hostb')
      const took = performance.now() - start
      assert.match(r.stderr, /host hostb does not answer: no answer within 8 s/, `shared ${shared}`)
      assert.ok(took < 20_000, `shared ${shared}: ended after ${Math.round(took)} ms, B's cs sleeping 40 s`)
    }
    // the dashboard, twice: bin/cs asks through the launcher a listing wrote, and its timeout's
    // kill is said by cs alone (sh said "Killed" too)
    for (const by of ['first', 'second']) {
      const r = a.cs('ls')
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stderr, /host hostb does not answer/, by)
      assert.doesNotMatch(r.stderr, /Killed/, by)
    }
  } finally {
    configure([hostB()])
  }
})

test('cs ls as users run it (bin/cs): the first run writes the asks launcher; the next ones start their ssh before Node', () => {
  // an ssh on A's PATH that notes which process started it, then runs the real one
  const shims = join(a.home, 'ssh-shim')
  const parents = join(a.home, 'ssh-parents')
  mkdirSync(shims, { recursive: true })
  writeFileSync(join(shims, 'ssh'), `#!/bin/sh\ncat /proc/$PPID/comm >> '${parents}'\nexec /usr/bin/ssh "$@"\n`, { mode: 0o755 })
  const env = { ...a.env, PATH: `${shims}:${a.env.PATH}` }
  // its stdin a file: what anything read of it moves the offset that this process then reads at
  const typed = join(a.home, 'typed')
  writeFileSync(typed, 'the next command\n')
  const ls = (args: string[] = [], other: Record<string, string> = {}) => {
    writeFileSync(parents, '')
    const stdin = openSync(typed, 'r')
    try {
      const r = spawnSync(join(REPO, 'bin/cs'), ['ls', ...args], { env: { ...env, ...other }, encoding: 'utf8', timeout: 60_000, stdio: [stdin, 'pipe', 'pipe'] })
      const left = Buffer.alloc(64)
      const unread = left.toString('utf8', 0, readSync(stdin, left, 0, 64, null))
      assert.equal(unread, 'the next command\n', 'what was typed after cs is left to the shell')
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, by: readFileSync(parents, 'utf8').split('\n').filter(Boolean) }
    } finally {
      closeSync(stdin)
    }
  }
  const asker = join(a.env.XDG_STATE_HOME, 'cs/ask/asks.sh')
  // hostd: listed, no such host (ssh fails at once)
  configure([hostB(), { name: 'hostd', ssh: 'hostd.invalid' }]) // config.json newer than any launcher
  try {
    const first = ls(['--json'])
    assert.equal(first.status, 0, first.stderr)
    assert.deepEqual(first.by.sort(), ['node', 'node'], 'the Node CLI asked both hosts')
    assert.equal(statSync(asker).mode & 0o777, 0o600, 'and wrote the launcher')
    const next = ls(['--json'])
    assert.equal(next.status, 0, next.stderr)
    assert.ok(next.by.length === 2 && !next.by.includes('node'), `ssh started by bin/cs: ${next.by}`)
    const ids = (out: string) => JSON.parse(out).map((r: { host: string; id: string }) => `${r.host} ${r.id}`)
    assert.deepEqual(ids(next.stdout), ids(first.stdout))
    assert.ok(ids(next.stdout).includes(`hostb ${B_ID}`))
    // the host that does not answer is said to, as when Node asks
    const notice = (err: string) => err.replace(/as of \d+\w ago/, 'as of N ago')
    assert.match(next.stderr, /host hostd does not answer/)
    assert.equal(notice(next.stderr), notice(first.stderr))
    assert.deepEqual(readdirSync(join(a.env.XDG_STATE_HOME, 'cs/ask')), ['asks.sh'], 'the answers taken away')
    // a listing of this host alone asks nobody; another config.json's listing asks through Node
    assert.deepEqual(ls(['--local']).by, [])
    const elsewhere = join(a.home, 'elsewhere')
    mkdirSync(join(elsewhere, 'cs'), { recursive: true })
    copyFileSync(join(a.env.XDG_CONFIG_HOME, 'cs/config.json'), join(elsewhere, 'cs/config.json'))
    utimesSync(join(elsewhere, 'cs/config.json'), new Date(0), new Date(0)) // older than the launcher
    assert.deepEqual(ls([], { XDG_CONFIG_HOME: elsewhere }).by.sort(), ['node', 'node'])
    assert.ok(ls([], { XDG_CONFIG_HOME: elsewhere }).by.every((by) => by !== 'node'), 'written again for it')
    // config.json edited: Node asks, and writes the launcher again
    configure([hostB()])
    assert.deepEqual(ls().by, ['node'])
    const again = ls().by
    assert.ok(again.length === 1 && again[0] !== 'node', `ssh started by bin/cs: ${again}`)
  } finally {
    configure([hostB()])
  }
})

test('hostile remote answers: checked rows only, nothing runs, no escape sequence printed', () => {
  // a cs path in the config is one word there: `$(…)` in it is a program name, not run
  configure([hostB(), { name: 'evil', ssh: 'hostb', cs: evilCs() }, { name: 'odd', ssh: 'hostb', cs: `$(touch ${marker})` }])
  try {
    const r = a.cs('ls', '--all')
    assert.equal(r.status, 0, r.stderr)
    assert.ok(!ESC.test(r.stdout + r.stderr), JSON.stringify(r.stdout))
    assert.match(r.stderr, /host evil: 5 of its sessions failed a check/)
    assert.match(r.stderr, /host odd: .* not found there/)
    const rows = a.json('ls', '--all').filter((row: any) => row.host === 'evil')
    assert.deepEqual(rows.map((row: any) => row.id), ['eeee5555-0000-4000-8000-000000000005'])
    assert.equal(rows[0].title, 'ok title')
    assert.ok(!existsSync(marker))
  } finally {
    configure([hostB()])
  }
})

test('an answer past the most cs reads (64 MB): ssh stopped, nothing of it read, said; no file left', () => {
  const endless = join(b.home, 'endless-cs')
  writeFileSync(endless, '#!/bin/sh\nexec yes \'{"a":1},\'\n')
  chmodSync(endless, 0o755)
  configure([hostB(), { name: 'flood', ssh: 'hostb', cs: endless }])
  try {
    // twice: Node asks the first time, the launcher bin/cs runs (written by the first) the second
    for (const run of [1, 2]) {
      const r = a.cs('ls', '--json')
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stderr, /host flood: its answer passed 64 MB, and was not read/, `run ${run}`)
      assert.ok(JSON.parse(r.stdout).some((row: any) => row.host === 'hostb'), 'the other host answers as before')
      const left = readdirSync(join(a.env.XDG_STATE_HOME, 'cs/ask')).filter((f) => !f.endsWith('.sh'))
      assert.deepEqual(left, [], `run ${run}`)
    }
    const hosts = a.cs('hosts')
    assert.match(hosts.stderr + hosts.stdout, /its answer passed 64 MB/)
  } finally {
    configure([hostB()])
  }
})

test("with no database, a rename, tag or soft delete of B's session is made by B's cs: B shows it, and so does A at once", () => {
  const onBHost = () => b.json('info', B_ID)
  const onA = () => a.json('info', B_ID.slice(0, 8), '--host', 'hostb')
  const name = `-x ${hostile}`
  const ok = (r: { status: number | null; stderr: string }) => assert.equal(r.status, 0, r.stderr)
  a.json('ls') // a look copies B's rows
  // A's picker history (picker.tsv: id, state, flags, updated, host, tmux, title, …) at once too
  const inPicker = () =>
    readFileSync(join(a.env.XDG_STATE_HOME, 'cs/picker.tsv'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${B_ID}\t`))
      ?.split('\t')
  ok(a.cs('rename', B_ID.slice(0, 8), '--host', 'hostb', '--', name))
  assert.equal(inPicker()?.[6], name)
  assert.equal(onBHost().name, name)
  assert.equal(onA().name, name)
  ok(a.cs('tag', B_ID.slice(0, 8), 'review', '--host', 'hostb'))
  assert.equal(onBHost().tag, 'review')
  assert.equal(onA().tag, 'review')
  ok(a.cs('rm', B_ID.slice(0, 8), '--host', 'hostb'))
  assert.equal(inPicker()?.[2], 'd')
  assert.equal(onBHost().deleted, true)
  assert.deepEqual(a.json('deleted', '--host', 'hostb').map((v: any) => v.id), [B_ID])
  ok(a.cs('rm', '--undo', B_ID.slice(0, 8), '--host', 'hostb'))
  ok(a.cs('rename', B_ID.slice(0, 8), '--clear', '--host', 'hostb'))
  ok(a.cs('tag', B_ID.slice(0, 8), '--clear', '--host', 'hostb'))
  const back = onBHost()
  assert.deepEqual([back.name, back.tag, back.deleted], [null, null, false])
  assert.deepEqual([onA().name, onA().tag, onA().deleted], [null, null, false])
  // nothing of it kept on A itself: what B sets later shows as it is
  ok(b.cs('rename', B_ID, 'named on b'))
  a.json('ls') // a look copies B's rows
  assert.equal(onA().name, 'named on b')
  ok(b.cs('rename', B_ID, '--clear'))
  a.json('ls')
})

/** B's sessions that have a client attached. */
const attachedOnB = () => onB('list-clients', '-F', '#{client_session}').stdout.split('\n').filter(Boolean)
const waitAttachedOnB = (name: string) =>
  poll(() => ({ ok: attachedOnB().includes(name), last: attachedOnB() }), 60_000, `a client on ${name} on host B`)
const detachAllOnB = () => onB('detach-client', '-a', '-s', 'none')

function launchOnB(name: string) {
  const r = b.cs('launch', '--json', name, '--cwd', b.home)
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

let panes = 0
/** Runs A's cs in a new pane of A's terminal server, outside tmux (tmux ends a command at a word
 *  ending in ';': such a word goes as `\\;`). */
function csOutside(...args: string[]): string {
  const name = `o${++panes}`
  const literal = args.map((w) => (w.endsWith(';') ? `${w.slice(0, -1)}\\;` : w))
  outer.newSession(name, a.home, ['env', '-u', 'TMUX', '-u', 'TMUX_PANE', ...CS, ...literal])
  return name
}

const hostile = `it's $(touch ${process.env.TMPDIR ?? '/tmp'}/cs-remote-marker) ü`

test('cs hosts: each host with its version and counts, a dead one marked; add and rm edit the list (0600)', () => {
  const add = a.cs('hosts', 'add', 'gone', '--ssh', 'nobody@gone.invalid')
  assert.equal(add.status, 0, add.stderr)
  const file = join(a.env.XDG_CONFIG_HOME, 'cs/config.json')
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(a.cs('hosts', 'add', 'gone').status, 1) // already there
  assert.equal(a.cs('hosts', 'add', '-oProxyCommand=x').status, 2)
  assert.equal(a.cs('hosts', 'add', 'x', '--ssh', '-oProxyCommand=x').status, 2)
  const start = performance.now()
  const r = a.cs('hosts', '--json')
  assert.ok(performance.now() - start < 15_000)
  assert.equal(r.status, 3, r.stderr) // one host does not answer
  const hosts = JSON.parse(r.stdout)
  assert.deepEqual(hosts.map((h: any) => [h.name, h.answers]), [['hosta', true], ['hostb', true], ['gone', false]])
  assert.equal(hosts[1].version, JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version)
  assert.ok(hosts[1].sessions.history >= 2)
  assert.match(hosts[2].error, /gone/)
  assert.match(a.cs('hosts').stdout, /hostb\s+hostb\s+yes/)
  // cs doctor asks each host too: the one that answers with its version, the other with its fix
  const doctor = JSON.parse(a.cs('doctor', '--json').stdout)
  const of = (what: string) => doctor.checks.find((c: any) => c.what === what)
  assert.equal(of('host hostb').level, 'ok')
  assert.match(of('host hostb').detail, new RegExp(`cs ${hosts[1].version.replaceAll('.', '\\.')}$`))
  assert.equal(of('host gone').level, 'fail')
  assert.match(of('host gone').detail, /gone/)
  assert.ok(of('host gone').fix)
  assert.ok(of('ssh agent'))
  assert.equal(a.cs('hosts', 'rm', 'gone').status, 0)
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).hosts.map((h: any) => h.name), ['hostb'])
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).ssh.config, sshd.sshConfig) // the rest kept
})

test('cs attach on a session of host B, outside tmux: this terminal lands in it there', async () => {
  const rec = launchOnB(hostile)
  a.json('ls') // A learns B's rows
  csOutside('attach', rec.id.slice(0, 8))
  await waitAttachedOnB(hostile)
  assert.ok(!existsSync(marker))
})

test('inside tmux: a new local window named after host and session runs the ssh', async () => {
  // a name of B's is another machine's word: tmux expands formats in a window's name, and #() runs
  const ran = join(tmpdir(), `cs-remote-window-${process.pid}`)
  const name = `inside #(touch ${ran}) one`
  const rec = launchOnB(name)
  a.json('ls')
  outer.newSession('home', a.home, ['sh'])
  outer.run('new-window', '-t', '=home:', '--', ...CS, 'attach', rec.id.slice(0, 8))
  await waitAttachedOnB(name)
  const windows = outer.run('list-windows', '-t', '=home:', '-F', '#{window_name}')
  assert.ok(windows.split('\n').includes(`hostb/${name}`), windows)
  await new Promise((resolve) => setTimeout(resolve, 300)) // a job tmux started would have run
  assert.ok(!existsSync(ran), 'nothing in the name ran')
})

test('inside tmux, an attach that fails there: its window stays, saying so, until a key', async () => {
  configure([hostB(), { name: 'hoste', ssh: 'nosuch.invalid' }])
  try {
    outer.newSession('failing', a.home, ['sh'])
    outer.run('new-window', '-t', '=failing:', '--', ...CS, 'attach', 'work-x', '--host', 'hoste')
    const pane = await poll(
      () => {
        const w = outer.try('list-windows', '-t', '=failing:', '-F', '#{window_name} #{pane_id}').stdout
        const line = w.split('\n').find((l) => l.startsWith('hoste/'))
        return { ok: Boolean(line), last: w }
      },
      30_000,
      "the attach's window"
    ).then(() => outer.run('list-windows', '-t', '=failing:', '-F', '#{window_name} #{pane_id}').split('\n').find((l) => l.startsWith('hoste/'))!.split(' ').pop()!)
    const screen = await outer.waitFor(pane, (s) => /cs: the attach to hoste ended with exit 255/.test(s), { what: 'the failure, held' })
    assert.match(screen, /nosuch\.invalid/) // ssh's own words above it
    outer.sendKeys(pane, 'Enter')
    await poll(() => ({ ok: !outer.try('list-windows', '-t', '=failing:').stdout.includes('hoste/'), last: '' }), 30_000, 'the window to close')
  } finally {
    configure([hostB()])
  }
})

test('inside tmux with @cs-remote-attach replace: the ssh runs in this pane, no new window', async () => {
  const rec = launchOnB('in place')
  a.json('ls')
  outer.newSession('here', a.home, ['sh'])
  outer.run('set-option', '-g', '@cs-remote-attach', 'replace')
  try {
    outer.run('new-window', '-t', '=here:', '-n', 'mine', '--', ...CS, 'attach', rec.id.slice(0, 8))
    await waitAttachedOnB('in place')
    assert.deepEqual(outer.run('list-windows', '-t', '=here:', '-F', '#{window_name}').split('\n').filter(Boolean).slice(1), ['mine'])
  } finally {
    outer.run('set-option', '-gu', '@cs-remote-attach')
  }
})

test("the picker's Enter on host B's row attaches there", async () => {
  launchOnB('picked')
  detachAllOnB()
  a.json('ls') // rewrites A's picker cache with B's rows
  const pane = outer.newSession('picker', a.home, [join(REPO, 'tmux/picker.sh')])
  await outer.waitFor(pane, (s) => s.includes('cs>'), { what: 'the picker' })
  outer.sendKeys(pane, '-l', 'picked')
  await outer.waitFor(pane, (s) => /1\/\d+/.test(s), { what: 'one row left' })
  outer.sendKeys(pane, 'Enter')
  await waitAttachedOnB('picked')
})

test('a DEAD session of host B is resumed there by cs attach --yes', async () => {
  const rec = launchOnB('dies')
  onB('kill-session', '-t', '=dies')
  const row = a.json('ls').find((r: any) => r.id === rec.id)
  assert.equal(row?.state, 'dead')
  csOutside('attach', '--yes', rec.id.slice(0, 8))
  await waitAttachedOnB('dies')
})

test('cs attach NAME --host: a live tmux session of B is attached from its shell, its cs not started; anything else goes through its cs', async () => {
  // B's cs behind a recorder: what A ran of it there
  const calls = join(b.home, 'cs-calls')
  const recorder = join(b.home, 'recording-cs')
  writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nexec ${CS.map((w) => `'${w}'`).join(' ')} "$@"\n`)
  chmodSync(recorder, 0o755)
  configure([{ ...hostB(), cs: recorder }])
  const name = `it's $(touch ${marker}); \`touch ${marker}\` ü;`
  const tmuxWord = name.replace(/;$/, '\\;') // the test's own tmux calls: a word ending in ';' ends a command
  try {
    onB('new-session', '-d', '-s', tmuxWord, 'sleep 600')
    csOutside('attach', name, '--host', 'hostb')
    await waitAttachedOnB(name)
    assert.ok(!existsSync(calls), 'no cs ran on B')
    assert.ok(!existsSync(marker))
    const rec = launchOnB('through cs')
    csOutside('attach', rec.id.slice(0, 8), '--host', 'hostb')
    await waitAttachedOnB('through cs')
    assert.match(readFileSync(calls, 'utf8'), new RegExp(`^attach -- ${rec.id.slice(0, 8)}$`, 'm'))
  } finally {
    onB('kill-session', '-t', `=${tmuxWord}`) // not one of cs's: cs kill --all leaves it
    configure([hostB()])
  }
})

test('cs attach NAME --host, as users run it (bin/cs): the first attach runs Node and writes the launcher; the next ones start ssh without Node', async () => {
  // a node on A's PATH that notes each start before running the real one
  const shims = join(a.home, 'node-shim')
  const started = join(a.home, 'node-starts')
  mkdirSync(shims, { recursive: true })
  writeFileSync(join(shims, 'node'), `#!/bin/sh\necho started >> '${started}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 })
  const viaCs = (...args: string[]) => {
    const name = `o${++panes}`
    outer.newSession(name, a.home, ['env', '-u', 'TMUX', '-u', 'TMUX_PANE', `PATH=${shims}:${a.env.PATH}`, join(REPO, 'bin/cs'), ...args])
    return name
  }
  const starts = () => (existsSync(started) ? readFileSync(started, 'utf8').split('\n').filter(Boolean).length : 0)
  configure([hostB()]) // config.json newer than any launcher
  const launcher = join(a.env.XDG_STATE_HOME, 'cs/attach/hostb.sh')
  try {
    onB('new-session', '-d', '-s', 'plain-name', 'sleep 600')
    viaCs('attach', 'plain-name', '--host', 'hostb')
    await waitAttachedOnB('plain-name')
    assert.equal(starts(), 1, 'the Node CLI ran')
    assert.ok(existsSync(launcher), 'it wrote the launcher of hostb')
    detachAllOnB()
    viaCs('attach', '--host=hostb', 'plain-name')
    await waitAttachedOnB('plain-name')
    assert.equal(starts(), 1, 'no Node started for the second attach')
    detachAllOnB()
    // a name that is not a plain word goes to Node, which quotes it (the test above: any name)
    onB('new-session', '-d', '-s', 'two words', 'sleep 600')
    viaCs('attach', 'two words', '--host', 'hostb')
    await waitAttachedOnB('two words')
    assert.equal(starts(), 2)
  } finally {
    onB('kill-session', '-t', '=plain-name')
    onB('kill-session', '-t', '=two words')
  }
})

test('@cs-remote-attach popup: the ssh runs in a popup over the client, no new window', async () => {
  const rec = launchOnB('in a popup')
  a.json('ls')
  // a popup needs a client: a terminal (another tmux server) attached to A's server
  outer.newSession('pop', a.home, ['sh'])
  const terminal = new TestTmux('remote-terminal', { ...a.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' })
  outer.run('set-option', '-g', '@cs-remote-attach', 'popup')
  try {
    terminal.newSession('client', a.home, ['env', '-u', 'TMUX', 'tmux', '-L', outer.socket, '-f', outer.conf, 'attach', '-t', '=pop'])
    await poll(() => ({ ok: outer.try('list-clients').stdout.includes('pop'), last: outer.try('list-clients').stdout }), 10_000, 'a client on pop')
    outer.run('new-window', '-d', '-t', '=pop:', '-n', 'mine', '--', ...CS, 'attach', rec.id.slice(0, 8))
    await waitAttachedOnB('in a popup')
    await terminal.waitFor('=client:', (s) => s.includes('─'), { what: "the popup's border on the client" })
    assert.doesNotMatch(outer.run('list-windows', '-t', '=pop:', '-F', '#{window_name}'), /hostb\//, 'no window of its own')
  } finally {
    outer.run('set-option', '-gu', '@cs-remote-attach')
    terminal.cleanup()
  }
})

test("a background session of B (claude --bg) opens there through claude attach", async () => {
  // Claude's registry on B: a background job whose process runs (sleep under the name claude)
  const procDir = join(b.home, 'proc')
  mkdirSync(procDir, { recursive: true })
  const proc = join(procDir, 'claude')
  copyFileSync(execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), proc)
  const job = spawn(proc, ['600'], { stdio: 'ignore' })
  const BG_ID = 'bbbb4444-0000-4000-8000-000000000004'
  const jobId = 'b4b4b4b4'
  try {
    const claudeDir = b.env.CLAUDE_CONFIG_DIR
    mkdirSync(join(claudeDir, 'sessions'), { recursive: true })
    mkdirSync(join(claudeDir, 'jobs', jobId), { recursive: true })
    const entry = { pid: job.pid, procStart: procStat(job.pid!)!.start, kind: 'bg', jobId, sessionId: BG_ID, status: 'busy', version: '2.1.332', statusUpdatedAt: Date.now() }
    writeFileSync(join(claudeDir, 'sessions', `${job.pid}.json`), JSON.stringify(entry))
    writeFileSync(join(claudeDir, 'jobs', jobId, 'state.json'), JSON.stringify({ state: 'working', intent: 'in the background', daemonShort: jobId }))
    b.session({ id: BG_ID, cwd: '/work/b', prompt: 'in the background' })
    const row = a.json('ls').find((r: any) => r.id === BG_ID)
    assert.deepEqual([row?.host, row?.kind, row?.live], ['hostb', 'background', true])
    csOutside('attach', BG_ID.slice(0, 8))
    assert.deepEqual((await claudeOnB.wait(jobId)).argv, ['attach', jobId])
  } finally {
    job.kill()
  }
})

test('cs kill --host ends one session of host B; --all asks, then ends every one', () => {
  launchOnB('kill me')
  const one = a.cs('kill', 'kill me', '--host', 'hostb')
  assert.equal(one.status, 0, one.stderr)
  assert.match(one.stdout, /killed 'kill me'/)
  assert.notEqual(onB('has-session', '-t', '=kill me').status, 0)
  // a word given after -- is a session's name there too, never B's cs's --all
  launchOnB('stays')
  const word = a.cs('kill', '--host', 'hostb', '--', '--all')
  assert.equal(word.status, 1, word.stderr)
  assert.match(word.stderr, /no session matches '--all'/) // looked for by name, not B's --all (which asks)
  assert.equal(onB('has-session', '-t', '=stays').status, 0, "B's session still there")
  const refused = a.cs('kill', '--all', '--host', 'hostb')
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /without asking/)
  assert.ok(onB('list-sessions').stdout.length > 0)
  // a session launched on B after A listed them (here: as A's first kill reaches B) was not among
  // those named: it stays
  const late = join(b.home, 'late-cs')
  writeFileSync(late, `#!/bin/sh\nif [ "$1" = kill ] && ! [ -e ${b.home}/late-done ]; then : >${b.home}/late-done; ${CS.join(' ')} launch late --cwd ${b.home} >/dev/null; fi\nexec ${CS.join(' ')} "$@"\n`, { mode: 0o755 })
  configure([{ ...hostB(), cs: late }])
  try {
    const all = a.cs('kill', '--all', '--host', 'hostb', '--yes')
    assert.equal(all.status, 0, all.stderr)
    assert.equal(onB('list-sessions', '-F', '#{session_name}').stdout, 'late\n')
  } finally {
    configure([hostB()])
    onB('kill-session', '-t', '=late')
  }
})

test('cs revive --host brings back what died with host B\'s tmux server', () => {
  launchOnB('revived')
  onB('kill-server')
  const r = a.cs('revive', '--host', 'hostb')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /revived revived/)
  assert.equal(onB('has-session', '-t', '=revived').status, 0)
  const unknown = a.cs('revive', '--host', 'nowhere')
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /cs hosts add/)
})

test('with a shared store, ssh only acts: A kills a session of B through the destination B published', async () => {
  const server = await startFerret()
  const bFile = join(b.env.XDG_CONFIG_HOME, 'cs/config.json')
  try {
    // A: the store and the ssh config file, no hosts list; B: the store and how to reach it
    writeFileSync(join(a.env.XDG_CONFIG_HOME, 'cs/config.json'), JSON.stringify({ ssh: { config: sshd.sshConfig }, mongo: { url: server.url } }), { mode: 0o600 })
    mkdirSync(join(b.env.XDG_CONFIG_HOME, 'cs'), { recursive: true })
    writeFileSync(bFile, JSON.stringify({ mongo: { url: server.url }, ssh: { destination: 'hostb' } }), { mode: 0o600 })
    launchOnB('shared kill')
    assert.equal(b.cs('sync').status, 0)
    const sync = a.cs('sync')
    assert.equal(sync.status, 0, sync.stderr)
    const row = (a.json('ls', '--host', 'hostb') as any[]).find((r) => r.tmuxSession === 'shared kill')
    assert.ok(row, 'B\'s session in A\'s dashboard, from the store')
    // cs hosts: B from the store (no hosts list here), its counts and last sync as pushed, its
    // version asked over the destination it published
    const hosts = a.cs('hosts', '--json')
    assert.equal(hosts.status, 0, hosts.stderr)
    const hb = JSON.parse(hosts.stdout).find((h: any) => h.name === 'hostb')
    assert.deepEqual([hb?.ssh, hb?.answers, hb?.version], ['hostb', true, JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version])
    assert.ok(['working', 'waiting', 'idle'].some((k) => hb.sessions[k] > 0), JSON.stringify(hb.sessions))
    assert.ok(Date.parse(hb.lastSeen) > Date.now() - 60_000, hb.lastSeen)
    assert.match(a.cs('hosts').stdout, /^hostb\s+hostb\s+yes/m)
    const r = a.cs('kill', row.short)
    assert.equal(r.status, 0, r.stderr)
    assert.notEqual(onB('has-session', '-t', '=shared kill').status, 0)
  } finally {
    writeFileSync(bFile, '{}', { mode: 0o600 })
    configure([hostB()])
    await server.cleanup()
  }
})

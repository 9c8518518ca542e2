// cs's ssh agent: started once at its fixed socket, a key loaded, used by cs's own ssh calls (a
// host whose ssh config names no key answers only through it), started and stopped on host B
// over a real sshd, and stopped by pid.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { isolatedCs } from './harness/cs.ts'
import { closeMasters, startSshHost, type SshHost } from './harness/sshd.ts'
import { poll } from './harness/tmux.ts'

const REPO = join(import.meta.dirname, '..')
const a = isolatedCs('agent-a')
const b = isolatedCs('agent-b')
a.env.CS_HOST = 'hosta'
b.env.CS_HOST = 'hostb'
let sshd: SshHost
const sockA = join(a.home, '.ssh/cs-agent.sock')
const sockB = join(b.home, '.ssh/cs-agent.sock')

/** Kills an agent left running by a failed test, by the pid cs recorded. */
function killRecorded(stateHome: string) {
  try {
    process.kill(Number(readFileSync(join(stateHome, 'cs/agent.pid'), 'utf8')), 'SIGTERM')
  } catch {
    // none left
  }
}

const keyless = () => join(a.home, 'ssh_config')
/** Host A's hosts list: host B, then these. */
function configure(more: object[]) {
  mkdirSync(join(a.env.XDG_CONFIG_HOME, 'cs'), { recursive: true })
  const hosts = [{ name: 'hostb', ssh: 'hostb', cs: join(REPO, 'bin/cs.mjs') }, ...more]
  writeFileSync(join(a.env.XDG_CONFIG_HOME, 'cs/config.json'), JSON.stringify({ ssh: { config: keyless() }, hosts }), { mode: 0o600 })
}

before(async () => {
  sshd = await startSshHost('hostb', b.env)
  // an ssh config that names no key: only an agent can log in
  writeFileSync(keyless(), readFileSync(sshd.sshConfig, 'utf8').replace(/^\s*Identit.*\n/gm, ''))
  configure([])
})
after(() => {
  killRecorded(a.env.XDG_STATE_HOME)
  killRecorded(b.env.XDG_STATE_HOME)
  closeMasters(join(a.env.XDG_STATE_HOME, 'cs/ssh'))
  sshd.cleanup()
  a.cleanup()
  b.cleanup()
})

test('without a key in the agent host B refuses the login, and says how to fix it', () => {
  const r = a.cs('hosts')
  assert.equal(r.status, 3)
  assert.match(r.stdout, /login refused/)
  assert.match(r.stdout + r.stderr, /hostb/)
})

test("a socket of cs's agent that no agent answers (left by a reboot) does not stand before the user's own agent", () => {
  // the socket a killed agent leaves: bound, then its process gone
  mkdirSync(join(a.home, '.ssh'), { recursive: true, mode: 0o700 })
  const bound = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sockA)}, () => process.exit(0))`])
  assert.equal(bound.status, 0)
  const own = join(a.home, 'own-agent.sock')
  const started = spawnSync('ssh-agent', ['-s', '-a', own], { encoding: 'utf8' })
  const pid = Number(started.stdout.match(/SSH_AGENT_PID=(\d+)/)?.[1])
  try {
    assert.equal(spawnSync('ssh-add', [sshd.identity], { env: { ...a.env, SSH_AUTH_SOCK: own } }).status, 0)
    a.env.SSH_AUTH_SOCK = own
    const throughOwn = (why: string) => {
      const hosts = a.json('hosts') // through Node
      assert.equal(hosts[1].answers, true, `${why}: ${hosts[1].error}`)
      for (const run of ['first', 'through the launcher']) {
        const r = a.cs('ls')
        assert.equal(r.status, 0, r.stderr)
        assert.doesNotMatch(r.stderr, /hostb/, `${why}, ${run}`)
      }
    }
    throughOwn('a socket left behind')
    // an agent there that never answers (stopped): asked for a bounded while, then passed by
    rmSync(sockA, { force: true })
    const hung = spawnSync('ssh-agent', ['-s', '-a', sockA], { encoding: 'utf8' })
    const hungPid = Number(hung.stdout.match(/SSH_AGENT_PID=(\d+)/)?.[1])
    process.kill(hungPid, 'SIGSTOP')
    try {
      throughOwn('an agent that does not answer')
    } finally {
      process.kill(hungPid, 'SIGKILL')
    }
  } finally {
    delete a.env.SSH_AUTH_SOCK
    process.kill(pid, 'SIGTERM')
    rmSync(sockA, { force: true })
    closeMasters(join(a.env.XDG_STATE_HOME, 'cs/ssh'))
  }
})

test('cs agent starts one agent at its socket, once; add-key loads a key that cs ssh then uses', () => {
  const first = a.json('agent')
  assert.equal(first.socket, sockA)
  assert.equal(first.started, true)
  assert.deepEqual(first.keys, [])
  assert.equal(a.json('agent').started, false) // the same one answers
  const add = a.cs('add-key', sshd.identity)
  assert.equal(add.status, 0, add.stderr)
  assert.equal(a.json('agent').keys.length, 1)
  // a key file named -D: loaded again, never taken for ssh-add's "remove every key"
  const keys = join(a.home, 'keys')
  mkdirSync(keys, { recursive: true })
  copyFileSync(sshd.identity, join(keys, '-D'))
  chmodSync(join(keys, '-D'), 0o600)
  const dashed = spawnSync(join(REPO, 'bin/cs'), ['add-key', '--', '-D'], { cwd: keys, env: a.env, encoding: 'utf8' })
  assert.equal(dashed.status, 0, dashed.stderr)
  assert.equal(a.json('agent').keys.length, 1)
  const hosts = a.json('hosts')
  assert.equal(hosts[1].answers, true, hosts[1].error)
})

test('on host B over ssh: cs agent --host starts its own; --all is here and there, stopped there first', async () => {
  const r = a.cs('agent', '--host', 'hostb')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^hostb:\nagent at .*cs-agent\.sock \(started\)/m)
  assert.ok(existsSync(sockB))
  // --json reaches host B: its own answer, not this host's
  const one = a.json('agent', '--host', 'hostb')
  assert.deepEqual([one.socket, one.started], [sockB, false])
  const all = a.json('agent', '--all')
  assert.deepEqual(
    all.map((x: { host: string; answer: { socket: string; started: boolean } }) => [x.host, x.answer.socket, x.answer.started]),
    [['hosta', sockA, false], ['hostb', sockB, false]]
  )
  const pid = Number(readFileSync(join(a.env.XDG_STATE_HOME, 'cs/agent.pid'), 'utf8'))
  // host B first: with no key in this ssh config, only this agent logs in there
  closeMasters(join(a.env.XDG_STATE_HOME, 'cs/ssh'))
  const stop = a.cs('agent', 'stop', '--all')
  assert.equal(stop.status, 0, stop.stderr)
  assert.match(stop.stdout, /^hostb:\nstopped the agent at .*\nhosta:\nstopped the agent at /m)
  assert.ok(!existsSync(sockB))
  assert.ok(!existsSync(sockA))
  const alive = () => {
    try {
      return process.kill(pid, 0)
    } catch {
      return false
    }
  }
  await poll(() => ({ ok: !alive(), last: pid }), 5000, 'the agent to end')
  assert.match(a.cs('agent', 'stop').stdout, /no agent/)
})

test('cs add-key --all loads the key here first, then on host B through it', () => {
  closeMasters(join(a.env.XDG_STATE_HOME, 'cs/ssh'))
  const r = a.cs('add-key', '--all', sshd.identity)
  assert.equal(r.status, 0, r.stderr)
  const all = a.json('agent', '--all')
  assert.deepEqual(
    all.map((x: { host: string; answer: { keys: string[] } }) => [x.host, x.answer.keys.length]),
    [['hosta', 1], ['hostb', 1]]
  )
  assert.equal(a.cs('agent', 'stop', '--all').status, 0)
})

test('cs agent stop --all goes on past a host that does not answer: stopped there and here, that host named, exit 3', () => {
  assert.equal(a.cs('add-key', sshd.identity).status, 0)
  assert.equal(a.cs('agent', '--host', 'hostb').status, 0)
  configure([{ name: 'hostgone', ssh: 'hostgone.invalid' }])
  try {
    const r = a.cs('agent', 'stop', '--all')
    assert.equal(r.status, 3, r.stderr)
    assert.match(r.stdout, /^hostb:\nstopped the agent at .*\nhostgone:\nhosta:\nstopped the agent at /m)
    assert.match(r.stderr, /^cs: host hostgone does not answer/m)
    assert.ok(!existsSync(sockB))
    assert.ok(!existsSync(sockA))
    // --json: one array, the failing host with why, exit 3 as without it (B is reached over the
    // connection the stop above left open: this host's agent, the only key, is gone)
    const j = a.cs('agent', 'stop', '--all', '--json')
    assert.equal(j.status, 3, j.stderr)
    assert.deepEqual(
      JSON.parse(j.stdout).map((x: { host: string; answer?: { stopped: boolean }; error?: string }) => [x.host, x.answer?.stopped ?? x.error?.replace(/:.*/s, '')]),
      [['hostb', false], ['hostgone', 'host hostgone does not answer'], ['hosta', false]]
    )
  } finally {
    configure([])
  }
})

test("cs uninstall --store stops cs's agent first: its record goes with the store, and no cs could stop it after", async () => {
  assert.equal(a.json('agent').socket, sockA)
  const pid = Number(readFileSync(join(a.env.XDG_STATE_HOME, 'cs/agent.pid'), 'utf8'))
  const r = a.json('uninstall', '--store')
  assert.deepEqual(r.stopped, [`cs's ssh agent at ${sockA}`], JSON.stringify(r))
  assert.ok(!existsSync(sockA))
  const alive = () => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  await poll(() => ({ ok: !alive(), last: pid }), 5000, 'the agent to end')
})

test('cs agent finding an agent started at its socket by another cs meanwhile: that one is the agent, no error', () => {
  // an ssh-agent that loses the race: another cs's agent binds the socket first, then this one fails
  const bin = join(a.home, 'race-bin')
  mkdirSync(bin, { recursive: true })
  writeFileSync(join(bin, 'ssh-agent'), `#!/bin/sh\n/usr/bin/ssh-agent -s -a "$3" >/dev/null\necho "bind: Address already in use" >&2\nexit 1\n`, { mode: 0o755 })
  const raced = spawnSync(join(REPO, 'bin/cs'), ['agent', '--json'], { env: { ...a.env, PATH: `${bin}:${a.env.PATH}` }, encoding: 'utf8' })
  try {
    assert.equal(raced.status, 0, raced.stderr)
    assert.deepEqual([JSON.parse(raced.stdout).socket, JSON.parse(raced.stdout).started], [sockA, false])
  } finally {
    // the agent the fake started is no cs's own: ended by its socket
    spawnSync('sh', ['-c', `SSH_AUTH_SOCK=${sockA} ssh-agent -k`], { stdio: 'ignore' })
    spawnSync('pkill', ['-f', `ssh-agent -s -a ${sockA}`])
    rmSync(sockA, { force: true })
  }
})

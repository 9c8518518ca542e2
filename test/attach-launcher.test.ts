// bin/cs's way around Node for `cs attach NAME --host HOST` outside tmux: the launcher runs the
// very ssh argv lib/remote.ts builds (a fake ssh records it), only for a plain word and only while
// config.json, the bundle and the environment are those it was written for; anything else reaches
// the Node CLI (here absent from PATH, so reaching it shows as "node: not found", status 127:
// PATH holds only the fake ssh, mkdir and cksum).
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { LAUNCHER_QUERY, launcherDir, writeLaunchers } from '../lib/attach-launcher.ts'
import { loadConfig } from '../lib/config.ts'
import { attachHereArgv } from '../lib/remote.ts'

const REPO = resolve(import.meta.dirname, '..')
const dir = mkdtempSync(join(tmpdir(), 'cs-launcher-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const fakeBin = join(dir, 'bin')
const argvFile = join(dir, 'ssh-argv')
const marker = join(dir, 'marker')
mkdirSync(fakeBin)
// the fake ssh: its arguments, NUL-separated, and the status asked for
writeFileSync(join(fakeBin, 'mkdir'), `#!/bin/sh\nexec /bin/mkdir "$@"\n`, { mode: 0o755 })
writeFileSync(join(fakeBin, 'cksum'), `#!/bin/sh\nexec /usr/bin/cksum "$@"\n`, { mode: 0o755 })
writeFileSync(join(fakeBin, 'ssh'), `#!/bin/sh\nprintf '%s\\0' "$@" > '${argvFile}'\nexit "\${SSH_STATUS:-0}"\n`, { mode: 0o755 })

const env: Record<string, string> = {
  HOME: join(dir, 'home'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  XDG_STATE_HOME: join(dir, 'state'),
  XDG_RUNTIME_DIR: join(dir, 'run'),
  CS_HOST: 'hosta',
  PATH: fakeBin,
}
const configFile = join(env.XDG_CONFIG_HOME, 'cs/config.json')
mkdirSync(join(env.XDG_CONFIG_HOME, 'cs'), { recursive: true })
const hosts = [
  { name: 'hostb', ssh: 'me@hostb', cs: "/opt/cs it's/bin/cs" },
  { name: 'hosta', ssh: 'hosta' }, // this host itself: never attached over ssh
]
writeFileSync(join(dir, 'ssh config'), '') // a file: a launcher's ssh is never left waiting on one that is not
writeFileSync(configFile, JSON.stringify({ ssh: { config: join(dir, 'ssh config') }, hosts }))
const config = loadConfig(env)
writeLaunchers(config, env)

function cs(args: string[], extra: Record<string, string> = {}) {
  rmSync(argvFile, { force: true })
  const r = spawnSync('/bin/sh', [join(REPO, 'bin/cs'), ...args], { env: { ...env, ...extra }, encoding: 'utf8' })
  const argv = existsSync(argvFile) ? readFileSync(argvFile, 'utf8').split('\0').slice(0, -1) : null
  return { status: r.status, stderr: r.stderr, argv }
}
const expected = (q: string) =>
  attachHereArgv(config, config.hosts[0], { tmuxSession: q, query: q, label: q, yes: false }).ssh.slice(1)

test('a launcher for each other host of the list, none for this one', () => {
  assert.ok(existsSync(join(launcherDir(config), 'hostb.sh')))
  assert.ok(!existsSync(join(launcherDir(config), 'hosta.sh')))
})

test('a plain name: exactly the ssh argv of the Node CLI, in every form of the command line; its status', () => {
  for (const args of [
    ['attach', 'fix-login_2', '--host', 'hostb'],
    ['attach', '--host', 'hostb', 'fix-login_2'],
    ['attach', 'fix-login_2', '--host=hostb'],
    ['attach', '--host=hostb', 'fix-login_2'],
  ]) {
    const r = cs(args, { SSH_STATUS: '5' })
    assert.deepEqual(r.argv, expected('fix-login_2'), args.join(' '))
    assert.equal(r.status, 5)
  }
  assert.ok(existsSync(env.XDG_RUNTIME_DIR + '/cs-ssh'), 'the control folder made')
})

test('no cs on the other host (127): the Node CLI\'s message and exit code', () => {
  const r = cs(['attach', 'x', '--host', 'hostb'], { SSH_STATUS: '127' })
  assert.equal(r.status, 3)
  assert.match(r.stderr, /^cs: host hostb: '\/opt\/cs it'\\''s\/bin\/cs' not found there\n {4}install cs there \(cs hosts add hostb --install\)/)
})

test('no ssh here: Node is left to say so (not "cs not found there", which the shell\'s 127 would read as)', () => {
  const noSsh = join(dir, 'no-ssh-bin')
  mkdirSync(noSsh, { recursive: true })
  writeFileSync(join(noSsh, 'mkdir'), `#!/bin/sh\nexec /bin/mkdir "$@"\n`, { mode: 0o755 })
  const r = cs(['attach', 'x', '--host', 'hostb'], { PATH: noSsh })
  assert.equal(r.status, 127)
  assert.match(r.stderr, /node: not found/)
  assert.doesNotMatch(r.stderr, /not found there/)
})

test('ssh failing (255): the Node CLI\'s message and exit code', () => {
  const r = cs(['attach', 'x', '--host', 'hostb'], { SSH_STATUS: '255' })
  assert.equal(r.status, 3)
  // the hint runs ssh as cs does: with cs's ssh config file
  assert.equal(r.stderr, `cs: host hostb does not answer: ssh failed\n    check it: ssh -F '${join(dir, 'ssh config')}' me@hostb true\n`)
})

test('anything but a plain name (LAUNCHER_QUERY, as bin/cs has it), or other flags, goes to Node: nothing runs', () => {
  for (const q of ['two words', `$(touch ${marker})`, '-x', 'x;y', "it's", '', 'a.b', `a\nb`, 'é', '_x-1', 'A9']) {
    const r = cs(['attach', q, '--host', 'hostb'])
    if (LAUNCHER_QUERY.test(q)) {
      assert.deepEqual(r.argv, expected(q), JSON.stringify(q))
      continue
    }
    assert.equal(r.argv, null, JSON.stringify(q))
    assert.equal(r.status, 127, JSON.stringify(q))
    assert.match(r.stderr, /node: not found/)
  }
  for (const args of [['attach', '--yes', 'x', '--host', 'hostb'], ['attach', 'x', '--host', 'hostb', '--json'], ['attach', 'x'], ['attach', 'x', '--host', '../hostb'], ['ls']])
    assert.equal(cs(args).argv, null, args.join(' '))
  assert.equal(cs(['attach', 'x', '--host', 'hostb'], { TMUX: '/tmp/s,1,0' }).argv, null, 'inside tmux: Node')
  assert.ok(!existsSync(marker))
})

test('a launcher written for another environment, or older than config.json, is passed by', () => {
  // another config.json, older than the launcher: its hosts may be none, or reached otherwise
  const otherConfig = join(dir, 'other-config')
  mkdirSync(join(otherConfig, 'cs'), { recursive: true })
  writeFileSync(join(otherConfig, 'cs/config.json'), '{}')
  utimesSync(join(otherConfig, 'cs/config.json'), new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000))
  const others: Record<string, string>[] = [{ HOME: '/elsewhere' }, { XDG_RUNTIME_DIR: '/run/other' }, { CS_HOST: 'hostc' }, { XDG_CONFIG_HOME: otherConfig }]
  for (const extra of others) {
    const r = cs(['attach', 'x', '--host', 'hostb'], extra)
    assert.equal(r.argv, null, JSON.stringify(extra))
    assert.equal(r.status, 127)
  }
  const later = new Date(Date.now() + 10_000)
  utimesSync(configFile, later, later)
  assert.equal(cs(['attach', 'x', '--host', 'hostb']).argv, null)
  // config.json a link moved to another file of an older mtime (a /nix/store generation), or
  // restored with cp -p: its times say nothing, what it says is checked
  const before = readFileSync(configFile, 'utf8')
  const generation = join(dir, 'generation.json')
  writeFileSync(generation, before.replace('me@hostb', 'me@elsewhere'))
  utimesSync(generation, new Date(1000), new Date(1000))
  rmSync(configFile)
  symlinkSync(generation, configFile)
  assert.deepEqual(cs(['attach', 'x', '--host', 'hostb']), { status: 127, stderr: cs(['attach', 'x', '--host', 'hostb']).stderr, argv: null })
  rmSync(configFile)
  writeFileSync(configFile, before)
  utimesSync(configFile, new Date(1000), new Date(1000))
  assert.deepEqual(cs(['attach', 'x', '--host', 'hostb']).argv, expected('x'), 'as written from again')
  // ssh.config no longer a file (a FIFO put there since): passed by, not an ssh that waits on it
  const sshConfig = join(dir, 'ssh config')
  rmSync(sshConfig)
  execFileSync('mkfifo', [sshConfig])
  try {
    assert.equal(cs(['attach', 'x', '--host', 'hostb']).argv, null)
  } finally {
    rmSync(sshConfig)
    writeFileSync(sshConfig, '')
  }
  // touched, its bytes the same (an editor's save, cs config set of the value it has): bin/cs
  // passes the launcher by, and the Node CLI writes it again
  const touched = new Date(statSync(join(launcherDir(config), 'hostb.sh')).mtimeMs + 5)
  utimesSync(configFile, touched, touched)
  assert.equal(cs(['attach', 'x', '--host', 'hostb']).argv, null)
  writeLaunchers(loadConfig(env), env)
  assert.deepEqual(cs(['attach', 'x', '--host', 'hostb']).argv, expected('x'), 'written again after the touch')
  // the Node CLI writes them again; a host gone from the list loses its launcher
  writeFileSync(configFile, JSON.stringify({ hosts: [{ name: 'hostc', ssh: 'hostc' }] }))
  writeLaunchers(loadConfig(env), env)
  assert.deepEqual(
    ['hostb.sh', 'hostc.sh'].map((f) => existsSync(join(launcherDir(config), f))),
    [false, true]
  )
})

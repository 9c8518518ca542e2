// bin/cs's asks of the hosts list before Node starts: the launcher runs the very ssh argv
// lib/hosts.ts askHost runs (a fake ssh records it), its answer into cs's state folder whatever
// that folder is called, and nothing else, each bounded by coreutils' timeout (without it, Node
// asks); a listing keeps the folder clean. PATH holds only the fake ssh, mkdir, cksum, timeout, and a
// fake node that records what bin/cs tells it on fd 5.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { askDir, askerFile, writeAsker } from '../lib/ask-launcher.ts'
import { loadConfig } from '../lib/config.ts'
import { askArgv, LOOK_CALL, sshArgv } from '../lib/ssh.ts'

const REPO = resolve(import.meta.dirname, '..')
const dir = mkdtempSync(join(tmpdir(), 'cs-asker-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const fakeBin = join(dir, 'bin')
const argvFile = join(dir, 'ssh-argv')
const marker = join(dir, 'marker')
const told = join(dir, 'fd5')
mkdirSync(fakeBin)
writeFileSync(join(fakeBin, 'node'), `#!/bin/sh\nprintf '%s ' "$CS_ASKS_FD" "$CS_BIN_PID" > '${told}'\n/bin/cat <&5 >> '${told}'\n`, { mode: 0o755 })
writeFileSync(join(fakeBin, 'mkdir'), `#!/bin/sh\nexec /bin/mkdir "$@"\n`, { mode: 0o755 })
writeFileSync(join(fakeBin, 'cksum'), `#!/bin/sh\nexec /usr/bin/cksum "$@"\n`, { mode: 0o755 })
const timeoutBin = join(dir, 'timeout-bin')
mkdirSync(timeoutBin)
writeFileSync(join(timeoutBin, 'timeout'), `#!/bin/sh\nexec /usr/bin/timeout "$@"\n`, { mode: 0o755 })
// the fake ssh: its arguments, NUL-separated, what its stdin is, then an answer
const stdinFile = join(dir, 'ssh-stdin')
const fakeSsh = `#!/bin/sh\nprintf '%s\\0' "$@" > '${argvFile}'\n/usr/bin/readlink /proc/$$/fd/0 > '${stdinFile}'\nprintf '[]\\n'\n`
writeFileSync(join(fakeBin, 'ssh'), fakeSsh, { mode: 0o755 })
// the fake ssh alone, before the real node and coreutils: the bundle runs (npm test builds it)
const sshBin = join(dir, 'ssh-bin')
mkdirSync(sshBin)
writeFileSync(join(sshBin, 'ssh'), fakeSsh, { mode: 0o755 })

const env: Record<string, string> = {
  HOME: join(dir, 'home'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  // a state folder whose name a shell would read as more than a name
  XDG_STATE_HOME: join(dir, `state it's "$(touch ${marker})" \`touch ${marker}\``),
  XDG_RUNTIME_DIR: join(dir, 'run'),
  CS_HOST: 'hosta',
  PATH: `${fakeBin}:${timeoutBin}`,
}
mkdirSync(join(env.XDG_CONFIG_HOME, 'cs'), { recursive: true })
const configFile = join(env.XDG_CONFIG_HOME, 'cs/config.json')
const hosts = [{ name: 'hostb', ssh: 'me@hostb', cs: "/opt/cs it's/bin/cs" }, { name: 'hosta', ssh: 'hosta' }]
writeFileSync(join(dir, 'ssh config'), '') // a file: a launcher's ssh is never left waiting on one that is not
writeFileSync(configFile, JSON.stringify({ ssh: { config: join(dir, 'ssh config') }, hosts }))
const config = loadConfig(env)

test('the launcher asks each other host with the argv askHost runs, its answer in the state folder, nothing run', () => {
  writeAsker(config, env)
  assert.equal(statSync(askerFile(config)).mode & 0o777, 0o600)
  const r = spawnSync('/bin/sh', [join(REPO, 'bin/cs'), 'ls'], { env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  // Node is told bin/cs's pid, the hosts asked, then each one's status once its answer is whole
  const [fd, pid, ...rest] = readFileSync(told, 'utf8').split(' ')
  assert.deepEqual([fd, rest.join(' ')], ['5', 'hostb\nhostb 0\n'])
  assert.deepEqual(readFileSync(argvFile, 'utf8').split('\0').slice(0, -1), sshArgv(config, config.hosts[0], askArgv(config.hosts[0]), LOOK_CALL).slice(1))
  assert.deepEqual(readdirSync(askDir(config)).filter((f) => f.includes('.hostb.')).sort(), [`${pid}.hostb.err`, `${pid}.hostb.out`])
  assert.equal(readFileSync(join(askDir(config), `${pid}.hostb.out`), 'utf8'), '[]\n')
  assert.ok(!existsSync(marker), 'nothing of the folder name ran')
  assert.equal(readFileSync(stdinFile, 'utf8'), '/dev/null\n', "the terminal's input is not ssh's")
  assert.ok(!readdirSync(askDir(config)).some((f) => f.includes('hosta')), 'this host is not asked')
})

test('a launcher copied into another state folder asks nothing: its answers would land in the first', () => {
  rmSync(argvFile, { force: true })
  const moved = { ...env, XDG_STATE_HOME: join(dir, 'state elsewhere') }
  mkdirSync(askDir(loadConfig(moved)), { recursive: true })
  copyFileSync(askerFile(config), askerFile(loadConfig(moved)))
  const r = spawnSync('/bin/sh', [join(REPO, 'bin/cs'), 'ls'], { env: moved, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(readFileSync(told, 'utf8').split(' ').slice(2).join(' '), '', 'no host named on fd 5')
  assert.ok(!existsSync(argvFile))
  // the folder it was written for, spelled otherwise, is the same folder
  const spelled = { ...env, XDG_STATE_HOME: `${env.XDG_STATE_HOME}/`, XDG_CONFIG_HOME: `${env.XDG_CONFIG_HOME}//` }
  assert.equal(spawnSync('/bin/sh', [join(REPO, 'bin/cs'), 'ls'], { env: spelled, encoding: 'utf8' }).status, 0)
  assert.equal(readFileSync(told, 'utf8').split(' ').slice(2).join(' '), 'hostb\nhostb 0\n')
})

test('without coreutils timeout nothing is asked before Node: an ssh that hung would hold Node too', () => {
  rmSync(argvFile, { force: true })
  const r = spawnSync('/bin/sh', [join(REPO, 'bin/cs'), 'ls'], { env: { ...env, PATH: fakeBin }, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(readFileSync(told, 'utf8').split(' ').slice(2).join(' '), '', 'no host named on fd 5')
  assert.ok(!existsSync(argvFile))
})

test('a listing removes answers left for over a minute, and the launcher once there is nothing to ask', () => {
  const left = join(askDir(config), '12345.hostb.out')
  const fresh = join(askDir(config), '12346.hostb.out')
  writeFileSync(left, '[]\n')
  writeFileSync(fresh, '[]\n')
  utimesSync(left, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000))
  writeAsker(config, env)
  assert.deepEqual([existsSync(left), existsSync(fresh), existsSync(askerFile(config))], [false, true, true])
  writeAsker({ ...config, hosts: [] }, env)
  assert.ok(!existsSync(askerFile(config)))
})

test('a config.json edited but left older than the launcher (cp -p, a restore): the launcher steps aside, the listing asks the new host and writes it again', () => {
  const real = { ...env, PATH: `${sshBin}:${dirname(process.execPath)}:/usr/bin:/bin` }
  const ls = () => spawnSync('/bin/sh', [join(REPO, 'bin/cs'), 'ls'], { env: real, encoding: 'utf8' })
  const asked = () => {
    const argv = readFileSync(argvFile, 'utf8').split('\0')
    return argv[argv.indexOf('--') + 1]
  }
  const before = readFileSync(configFile, 'utf8')
  try {
    writeAsker(config, env)
    assert.equal(ls().status, 0)
    assert.equal(asked(), 'me@hostb')
    writeFileSync(configFile, before.replace('me@hostb', 'me@new'))
    const older = new Date(statSync(askerFile(config)).mtimeMs - 60_000)
    utimesSync(configFile, older, older)
    assert.equal(ls().status, 0)
    assert.equal(asked(), 'me@new')
    assert.match(readFileSync(askerFile(config), 'utf8'), /me@new/)
    // the hosts list gone from config.json: the listing removes the launcher
    writeFileSync(configFile, JSON.stringify({ ssh: { config: join(dir, 'ssh config') } }))
    utimesSync(configFile, older, older)
    assert.equal(ls().status, 0)
    assert.ok(!existsSync(askerFile(config)), 'the launcher went with the list')
  } finally {
    writeFileSync(configFile, before)
  }
})

test('a host that cannot be asked (no folder for its shared connection) is told as one that does not answer: the listing goes on', () => {
  const runtime = join(dir, 'runtime, a file')
  writeFileSync(runtime, '')
  const env2 = { ...env, XDG_RUNTIME_DIR: runtime, PATH: `${sshBin}:${dirname(process.execPath)}:/usr/bin:/bin` }
  const r = spawnSync('/bin/sh', [join(REPO, 'bin/cs'), 'ls'], { env: env2, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stderr, /nothing kept from it|its sessions as of/)
  assert.match(r.stdout, /no sessions yet/)
})

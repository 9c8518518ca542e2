// The ssh argv builder and runner: cs's own options only, the destination after `--`, the remote
// command quoted once; against a real sshd, hostile words arrive byte for byte and run nothing.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { loadConfig, type Config, type HostEntry } from '../lib/config.ts'
import { CsError } from '../lib/errors.ts'
import { CONNECT_TIMEOUT, LOOK_CALL, lookFailure, sshArgv, sshRun } from '../lib/ssh.ts'
import { closeMasters, startSshHost, type SshHost } from './harness/sshd.ts'
import { HOSTILE } from './harness/hostile.ts'

const home = mkdtempSync(join(tmpdir(), 'cs-ssh-'))
const marker = '/tmp/cs-quote-marker'
let host: SshHost
let config: Config
const entry: HostEntry = { name: 'hostb', ssh: 'hostb', cs: null }

before(async () => {
  host = await startSshHost('hostb', { HOME: join(home, 'b'), CS_HOST: 'hostb' })
  config = { ...loadConfig({ HOME: home, PATH: process.env.PATH }), sshConfig: host.sshConfig }
})
after(() => {
  closeMasters(config.sshControlDir)
  host.cleanup()
  rmSync(home, { recursive: true, force: true })
})

test('argv: options of its own, -F the configured file, the destination after --, one command word', () => {
  const c = { ...loadConfig({ HOME: '/h', XDG_RUNTIME_DIR: '/run/user/7' }), sshConfig: '/h/ssh config' }
  const argv = sshArgv(c, { name: 'dev', ssh: 'me@dev.example', cs: '/opt/my cs/bin/cs' }, ['/opt/my cs/bin/cs', 'ls', '--json'], { tty: true })
  assert.deepEqual(argv.slice(0, 3), ['ssh', '-F', '/h/ssh config'])
  assert.ok(argv.includes('-t') && argv.includes('-a') && !argv.includes('-A'))
  const opts = argv.filter((_, i) => argv[i - 1] === '-o')
  assert.ok(opts.includes('ControlMaster=auto'))
  // an action (an attach here) rides a connection of its own, whose keepalives a blip does not
  // end; a look's ends on a dead link within 3 s: a call that joins a connection cannot change
  // the keepalives of the call that started it
  const path = opts.find((o) => /^ControlPath=\/run\/user\/7\/cs-ssh\/[0-9a-f]{16}-a$/.test(o))
  assert.ok(path, opts.join(' '))
  assert.ok(opts.includes('ServerAliveInterval=5') && opts.includes('ServerAliveCountMax=3'))
  const look = sshArgv(c, { name: 'dev', ssh: 'me@dev.example', cs: null }, ['cs'], LOOK_CALL).filter((o) => o.startsWith('ControlPath=') || o.startsWith('ServerAlive'))
  assert.deepEqual(look, [path.slice(0, -2), 'ServerAliveInterval=1', 'ServerAliveCountMax=2'])
  const update = sshArgv(c, { name: 'dev', ssh: 'me@dev.example', cs: null }, ['cs', 'update'])
  assert.ok(update.includes(path) && update.includes('ServerAliveInterval=5'), 'an update is an action')
  assert.ok(opts.includes('ControlPersist=60'))
  assert.ok(opts.includes('StrictHostKeyChecking=yes'))
  assert.ok(opts.includes(`ConnectTimeout=${CONNECT_TIMEOUT.act}`))
  assert.deepEqual(argv.slice(-3), ['--', 'me@dev.example', `'/opt/my cs/bin/cs' ls --json`])
  const bg = sshArgv(loadConfig({ HOME: '/h' }), { name: 'dev', ssh: 'dev', cs: null }, ['cs'], { connectTimeout: 1 })
  assert.ok(bg.includes('-T') && bg.includes('BatchMode=yes') && bg.includes('ConnectTimeout=1'))
  const bgPath = bg.find((o) => o.startsWith('ControlPath=/h/.local/state/cs/ssh/'))!
  // one socket a destination (and ssh config file), never another's
  const other = sshArgv(loadConfig({ HOME: '/h' }), { name: 'dev', ssh: 'dev2', cs: null }, ['cs']).find((o) => o.startsWith('ControlPath='))
  assert.notEqual(bgPath, other)
  assert.ok(!bg.includes('-F'))
})

test('a destination or host name that ssh would read as an option or a second word is refused', () => {
  const c = loadConfig({ HOME: '/h' })
  for (const bad of [
    { name: 'dev', ssh: '-oProxyCommand=touch /tmp/x', cs: null },
    { name: 'dev', ssh: 'dev host', cs: null },
    { name: 'dev', ssh: 'dev\n-oX', cs: null },
    { name: '-oProxyCommand=x', ssh: 'dev', cs: null },
    { name: '$(id)', ssh: 'dev', cs: null },
  ])
    assert.throws(() => sshArgv(c, bad, ['true']), CsError, JSON.stringify(bad))
})

test('over a real sshd: hostile words arrive exactly, nothing runs, the connection is shared', async () => {
  const r = await sshRun(config, entry, ['printf', '%s\\0', ...HOSTILE])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), HOSTILE)
  assert.ok(!existsSync(marker), 'a hostile word ran')
  // the logged-in shell is host B's: its own HOME and CS_HOST
  const env = await sshRun(config, entry, ['sh', '-c', 'echo "$HOME $CS_HOST"'])
  assert.equal(env.stdout.trim(), `${join(home, 'b')} hostb`)
  // a master runs behind cs's control socket, which its next call uses: ssh -O check asks it
  const argv = sshArgv(config, entry, ['true'])
  const end = argv.indexOf('--')
  const check = spawnSync(argv[0], [...argv.slice(1, end), '-O', 'check', ...argv.slice(end, end + 2)], { encoding: 'utf8' })
  assert.equal(check.status, 0, check.stderr)
  assert.match(check.stderr, /Master running/)
})

test('a control folder of 70 bytes still holds the shared connection (a HOME of 50 characters, no XDG_RUNTIME_DIR)', async () => {
  const dir = join(home, 'c'.repeat(Math.max(1, 69 - home.length)))
  assert.ok(dir.length >= 69 && dir.length <= 73, dir)
  const long = { ...config, sshControlDir: dir }
  try {
    const r = await sshRun(long, entry, ['echo', 'here'])
    assert.equal(r.stdout, 'here\n', r.stderr)
    assert.equal(readdirSync(dir).length, 1, 'its master listens there')
  } finally {
    closeMasters(dir)
  }
})

test('a control folder too long for a socket (a HOME of 60 characters, no XDG_RUNTIME_DIR): no shared connection, every call still made', async () => {
  const dir = join(home, 'd'.repeat(Math.max(1, 75 - home.length)))
  const long = { ...config, sshControlDir: dir }
  assert.ok(sshArgv(long, entry, ['true']).includes('ControlPath=none'))
  // bytes, not characters: a folder of fewer characters, each of two bytes, is as long
  const wide = join(home, '\u00e9'.repeat(40))
  assert.ok(wide.length + 17 < 90 && Buffer.byteLength(wide) + 17 > 90, wide)
  assert.ok(sshArgv({ ...config, sshControlDir: wide }, entry, ['true']).includes('ControlPath=none'))
  const r = await sshRun(long, entry, ['echo', 'here'])
  assert.equal(r.stdout, 'here\n', r.stderr)
  assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], [], 'no socket')
})

test('a missing cs, an unknown host key and a dead host are errors naming the host and the fix', async () => {
  await assert.rejects(sshRun(config, entry, ['cs-not-installed-here', 'ls']), (e: CsError) =>
    e.exitCode === 3 && /hostb/.test(e.message) && /--install/.test(e.hint ?? ''))
  // the same host, its key unknown: refused, never accepted on the fly
  const unknownKey = join(home, 'ssh_config_unknown')
  writeFileSync(unknownKey, readFileSync(host.sshConfig, 'utf8').replace(/UserKnownHostsFile .*/, `UserKnownHostsFile ${join(home, 'empty')}`))
  const stranger = { ...config, sshConfig: unknownKey, sshControlDir: join(home, 'ctl2') }
  await assert.rejects(sshRun(stranger, entry, ['true'], { connectTimeout: 1 }), (e: CsError) =>
    // the way to accept it names cs's ssh config, which plain ssh would not read
    e.exitCode === 3 && /hostb.*host key/.test(e.message) && e.hint === `check it, then accept it once: ssh -F ${unknownKey} hostb true`)
  assert.ok(!existsSync(join(home, 'empty')) || readFileSync(join(home, 'empty'), 'utf8') === '', 'the key was accepted')
  // a key known for it that is not its own (a reinstalled host): ssh's own command that removes
  // the old one, and a listing says the fix too
  const other = join(home, 'other_key')
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other])
  writeFileSync(join(home, 'wrong'), `hostb ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`)
  const changedKey = join(home, 'ssh_config_changed')
  writeFileSync(changedKey, readFileSync(host.sshConfig, 'utf8').replace(/UserKnownHostsFile .*/, `UserKnownHostsFile ${join(home, 'wrong')}`))
  const changed = { ...config, sshConfig: changedKey, sshControlDir: join(home, 'ctl3') }
  let seen: unknown
  await assert.rejects(sshRun(changed, entry, ['true'], { connectTimeout: 1 }), (e: CsError) => {
    seen = e
    return e.exitCode === 3 && /hostb: its host key is not the one known for it/.test(e.message) &&
      e.hint!.includes(`(ssh-keygen -f "${join(home, 'wrong')}" -R "hostb")`) && e.hint!.endsWith(`ssh -F ${changedKey} hostb true`)
  })
  assert.equal(lookFailure(seen), `${(seen as CsError).message}: ${(seen as CsError).hint}`)
  assert.equal(lookFailure(new CsError('host gone does not answer', 3, 'check it: ssh gone true')), 'host gone does not answer')
  const dead: HostEntry = { name: 'gone', ssh: 'gone', cs: null }
  await assert.rejects(sshRun(config, dead, ['true'], { connectTimeout: 1 }), (e: CsError) => e.exitCode === 3 && /gone/.test(e.message))
})

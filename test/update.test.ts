// cs update against a local bare repository: host A and host B (behind a real sshd) each run cs
// from their own clone; a new commit pushed to the bare repository reaches both with
// `cs update --all`, fast-forward only, rebuilt; a checkout with changes of its own is refused.
// `cs hosts add --install` puts A's cs on host C, which has none (a real clone and install.sh
// there: npm ci from npm's own cache), and refuses host D, which has no git, node or npm.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, test } from 'node:test'
import { ciArgs, installedByScript, npmFailure, writeStamp } from '../lib/update.ts'
import { isolatedCs } from './harness/cs.ts'
import { closeMasters, startSshHost, type SshHost } from './harness/sshd.ts'

const REPO = resolve(import.meta.dirname, '..')
const a = isolatedCs('update-a')
const b = isolatedCs('update-b')
const c = isolatedCs('update-c')
const d = isolatedCs('update-d')
a.env.CS_HOST = 'hosta'
b.env.CS_HOST = 'hostb'
c.env.CS_HOST = 'hostc'
d.env.CS_HOST = 'hostd'
// npm's own cache, so that C's npm ci asks the registry only for what it lacks
c.env.npm_config_cache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim()
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=cs test', '-c', 'user.email=cs@test.invalid', ...args], { cwd, encoding: 'utf8' }).trim()
const work = join(a.home, 'work')
const bare = join(a.home, 'cs.git')
const cloneA = join(a.home, 'cs')
const cloneB = join(b.home, 'cs')
let sshd: SshHost
let sshdC: SshHost
let sshdD: SshHost

/** A clone whose cs runs with this checkout's installed packages. */
function clone(to: string) {
  git(a.home, 'clone', '--quiet', bare, to)
  symlinkSync(join(REPO, 'node_modules'), join(to, 'node_modules'))
}

before(async () => {
  // the tree as it is now (committed or not), as the first commit of a repository of its own
  mkdirSync(work)
  const files = git(REPO, 'ls-files', '-z', '--cached', '--others', '--exclude-standard').split('\0').filter((f) => f && existsSync(join(REPO, f)))
  for (const f of files) {
    mkdirSync(dirname(join(work, f)), { recursive: true })
    copyFileSync(join(REPO, f), join(work, f))
  }
  git(work, 'init', '--quiet', '-b', 'main')
  git(work, 'add', '-A')
  git(work, 'commit', '--quiet', '-m', 'first')
  git(a.home, 'clone', '--quiet', '--bare', work, bare)
  git(work, 'remote', 'add', 'origin', bare)
  clone(cloneA)
  clone(cloneB)
  sshd = await startSshHost('hostb', b.env)
  sshdC = await startSshHost('hostc', c.env)
  // host D: a shell and nothing else on its PATH
  const shellOnly = join(d.home, 'shell-only')
  mkdirSync(shellOnly)
  symlinkSync('/bin/sh', join(shellOnly, 'sh'))
  sshdD = await startSshHost('hostd', { ...d.env, PATH: shellOnly })
  const sshConfig = join(a.home, 'ssh_config')
  writeFileSync(sshConfig, [sshd, sshdC, sshdD].map((h) => readFileSync(h.sshConfig, 'utf8')).join(''))
  mkdirSync(join(a.env.XDG_CONFIG_HOME, 'cs'), { recursive: true })
  writeFileSync(
    join(a.env.XDG_CONFIG_HOME, 'cs/config.json'),
    JSON.stringify({ ssh: { config: sshConfig }, hosts: [{ name: 'hostb', ssh: 'hostb', cs: join(cloneB, 'bin/cs.mjs') }] }),
    { mode: 0o600 }
  )
})
after(() => {
  closeMasters(join(a.env.XDG_STATE_HOME, 'cs/ssh'))
  for (const h of [sshd, sshdC, sshdD]) h.cleanup()
  for (const t of [a, b, c, d]) t.cleanup()
})

/** A's cs, from A's clone. */
const csA = (...args: string[]) => {
  try {
    return { status: 0, stdout: execFileSync(process.execPath, [join(cloneA, 'bin/cs.mjs'), ...args], { env: a.env, encoding: 'utf8' }) }
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string }
    return { status: err.status, stdout: err.stdout, stderr: err.stderr }
  }
}

test('nothing new: both hosts up to date, nothing built', () => {
  const r = csA('update', '--all', '--json')
  assert.equal(r.status, 0, JSON.stringify(r))
  const all = JSON.parse(r.stdout)
  assert.deepEqual(all.map((u: any) => [u.host, u.updated]), [['hosta', false], ['hostb', false]])
  assert.ok(!existsSync(join(cloneB, 'dist')))
})

test('a new commit reaches host A and host B, fast-forward, rebuilt, old and new version reported', () => {
  const pkg = JSON.parse(readFileSync(join(work, 'package.json'), 'utf8'))
  pkg.version = '9.9.9'
  writeFileSync(join(work, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
  git(work, 'commit', '--quiet', '-am', 'version 9.9.9')
  git(work, 'push', '--quiet', 'origin', 'main')
  const r = csA('update', '--all')
  assert.equal(r.status, 0, JSON.stringify(r))
  assert.match(r.stdout, /^hosta: 0\.1\.0 \(\w+\) -> 9\.9\.9 \(\w+\)$/m)
  assert.match(r.stdout, /^hostb: 0\.1\.0 \(\w+\) -> 9\.9\.9 \(\w+\)$/m)
  assert.equal(git(cloneB, 'rev-parse', 'HEAD'), git(work, 'rev-parse', 'HEAD'))
  assert.ok(existsSync(join(cloneB, 'dist/cs.cjs')), 'host B was not rebuilt')
  assert.match(csA('hosts').stdout, /hostb.*9\.9\.9/)
})

test('a checkout with changes of its own is refused and left as it was', () => {
  writeFileSync(join(cloneB, 'README.md'), 'mine\n')
  git(work, 'commit', '--quiet', '--allow-empty', '-m', 'later')
  git(work, 'push', '--quiet', 'origin', 'main')
  const r = csA('update', '--all', '--json')
  assert.equal(r.status, 1)
  const [mine, other] = JSON.parse(r.stdout)
  assert.equal(mine.updated, true)
  assert.match(other.error, /changes of its own/)
  assert.equal(readFileSync(join(cloneB, 'README.md'), 'utf8'), 'mine\n')
  assert.notEqual(git(cloneB, 'rev-parse', 'HEAD'), git(work, 'rev-parse', 'HEAD'))
})

const configHosts = () => JSON.parse(readFileSync(join(a.env.XDG_CONFIG_HOME, 'cs/config.json'), 'utf8')).hosts

test('cs hosts add NAME --install on a listed host whose cs is not where the list says (what its error tells to run): installed there, the path in its entry', { timeout: 30 * 60_000 }, () => {
  const file = join(a.env.XDG_CONFIG_HOME, 'cs/config.json')
  const before = readFileSync(file, 'utf8')
  const config = JSON.parse(before)
  writeFileSync(file, JSON.stringify({ ...config, hosts: [{ name: 'hostb', ssh: 'hostb', cs: '/opt/nothing/cs' }] }), { mode: 0o600 })
  try {
    assert.equal(csA('hosts', 'add', 'hostb').status, 1, 'listed: --install alone adds nothing')
    assert.equal(csA('hosts', 'add', 'hostb', '--install', '--ssh', 'hostb').status, 1)
    const r = csA('hosts', 'add', 'hostb', '--install')
    assert.equal(r.status, 0, JSON.stringify(r))
    const path = /^installed cs \S+ on hostb: (\S+)\n/.exec(r.stdout)?.[1]
    assert.ok(path?.endsWith('/cs-checkout/bin/cs.mjs'), r.stdout)
    assert.deepEqual(configHosts(), [{ name: 'hostb', ssh: 'hostb', cs: path }])
    // --cs alone on a listed host: its path, as an install that finds a checkout there tells
    const byPath = csA('hosts', 'add', 'hostb', '--cs', join(cloneB, 'bin/cs.mjs'))
    assert.equal(byPath.status, 0, JSON.stringify(byPath))
    assert.deepEqual(configHosts(), [{ name: 'hostb', ssh: 'hostb', cs: join(cloneB, 'bin/cs.mjs') }])
    assert.equal(csA('hosts', 'add', 'hostb', '--cs', path!).status, 0)
    // the flags of hosts add, anywhere else, are an error rather than dropped
    for (const args of [['hosts', '--ssh', 'x'], ['hosts', 'rm', 'hostb', '--install']]) {
      const wrong = csA(...args)
      assert.equal(wrong.status, 2, args.join(' '))
      assert.match(String(wrong.stderr), /go(es)? with hosts add/)
    }
    assert.deepEqual(configHosts(), [{ name: 'hostb', ssh: 'hostb', cs: path }])
  } finally {
    writeFileSync(file, before, { mode: 0o600 })
  }
})

test('cs hosts add --install: a host with no git, node or npm is refused, naming it and the fix; nothing added', () => {
  const r = csA('hosts', 'add', 'hostd', '--install')
  assert.equal(r.status, 3, JSON.stringify(r))
  assert.match(String(r.stderr), /host hostd has no git, node, npm/)
  assert.match(String(r.stderr), /apt-get install git nodejs npm.*cs hosts add hostd --install/)
  assert.ok(!configHosts().some((h: any) => h.name === 'hostd'))
})

test('cs hosts add --install: this cs, cloned and built on a host that has none, listed with its path; a second time it is there', { timeout: 30 * 60_000 }, () => {
  const r = csA('hosts', 'add', 'hostc', '--install')
  assert.equal(r.status, 0, JSON.stringify(r))
  const dir = join(c.env.XDG_DATA_HOME, 'cs-checkout')
  const version = csA('--version').stdout.trim()
  assert.match(r.stdout, new RegExp(`installed ${version.replaceAll('.', '\\.')} on hostc: ${dir}/bin/cs\\.mjs`))
  assert.deepEqual(configHosts().find((h: any) => h.name === 'hostc'), { name: 'hostc', ssh: 'hostc', cs: join(dir, 'bin/cs.mjs') })
  // the same commit, following the same origin, built there, linked by its install.sh
  assert.equal(git(dir, 'rev-parse', 'HEAD'), git(cloneA, 'rev-parse', 'HEAD'))
  assert.equal(git(dir, 'remote', 'get-url', 'origin'), bare)
  assert.ok(existsSync(join(dir, 'dist/cs.cjs')))
  assert.ok(lstatSync(join(c.home, '.local/bin/cs')).isSymbolicLink())
  const hosts = JSON.parse(csA('hosts', '--json').stdout)
  assert.deepEqual(hosts.find((h: any) => h.name === 'hostc')?.answers, true)
  // again: the folder is there, said with the fix
  assert.equal(csA('hosts', 'rm', 'hostc').status, 0)
  const again = csA('hosts', 'add', 'hostc', '--install')
  assert.equal(again.status, 1, JSON.stringify(again))
  assert.match(String(again.stderr), /cs-checkout exists already/)
  assert.ok(String(again.stderr).includes(`--cs ${join(dir, 'bin/cs.mjs')}`), String(again.stderr))
})

test("a failed npm is told by the error its script died of, its own words or npm's first error, never by a notice", () => {
  const notice = 'npm notice\nnpm notice New major version of npm available! 10.8.2 -> 11.6.2\nnpm notice'
  const build =
    '> cs@9.9.9 build\n> node scripts/build.mjs\n\nbuild: dist/cli.cjs is not ASCII in "x = \'é\'"\n' +
    `npm error code 1\nnpm error path /x\nnpm error command failed\n${notice}`
  assert.equal(npmFailure(build), `build: dist/cli.cjs is not ASCII in "x = 'é'"`)
  const ci =
    'npm error code ENOTFOUND\nnpm error syscall getaddrinfo\n' +
    `npm error network request to https://registry.npmjs.org/x failed\n${notice}`
  assert.equal(npmFailure(ci), 'npm error network request to https://registry.npmjs.org/x failed')
  const crash =
    "> cs@9.9.9 build\n> node scripts/build.mjs\n\nnode:fs:1214\n  handleErrorFromBinding(ctx);\n  ^\n\n" +
    "Error: ENOTEMPTY: directory not empty, rmdir '/tmp/cs-build-x/state'\n    at rmSync (node:fs:1214:3)\n" +
    `npm error code 1\n${notice}`
  assert.equal(npmFailure(crash), "Error: ENOTEMPTY: directory not empty, rmdir '/tmp/cs-build-x/state'")
  assert.equal(npmFailure(notice), 'npm notice')
  assert.equal(npmFailure(''), 'no message')
})

test('an update whose build failed is finished by the next cs update, not called up to date', () => {
  git(work, 'commit', '--quiet', '--allow-empty', '-m', 'built at the second try')
  git(work, 'push', '--quiet', 'origin', 'main')
  // git and no npm on the PATH: the checkout moves, and its build cannot run
  const gitOnly = join(a.home, 'git-only')
  mkdirSync(gitOnly, { recursive: true })
  symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(gitOnly, 'git'))
  const built = join(cloneA, 'dist/cs.cjs')
  const before = lstatSync(built).mtimeMs
  const failed = spawnSync(process.execPath, [join(cloneA, 'bin/cs.mjs'), 'update'], { env: { ...a.env, PATH: gitOnly }, encoding: 'utf8' })
  assert.equal(failed.status, 3, failed.stderr)
  assert.match(failed.stderr, /npm is not installed/)
  assert.equal(git(cloneA, 'rev-parse', 'HEAD'), git(work, 'rev-parse', 'HEAD'), 'HEAD moved before the build')
  const again = [JSON.parse(csA('update', '--json').stdout)].flat()[0]
  assert.equal(again.updated, true, JSON.stringify(again))
  assert.ok(lstatSync(built).mtimeMs > before, 'built this time')
  assert.equal([JSON.parse(csA('update', '--json').stdout)].flat()[0].updated, false, 'then up to date')
})

test("a lock file that moved: the dependencies as install.sh installs them (no development ones), and its stamp", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-update-stamp-'))
  try {
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion": 3}\n')
    mkdirSync(join(dir, 'node_modules'))
    assert.equal(installedByScript(dir), false, "a developer's node_modules")
    assert.ok(!ciArgs(false).includes('--omit=dev'))
    writeFileSync(join(dir, 'node_modules/.cs-install-stamp'), 'an older lock\n')
    assert.equal(installedByScript(dir), true)
    assert.deepEqual(ciArgs(true).slice(0, 2), ['ci', '--omit=dev'])
    writeStamp(dir)
    // what install.sh compares it with: nothing to install again
    const lock = execFileSync('sh', ['-c', 'cksum <package-lock.json'], { cwd: dir, encoding: 'utf8' })
    assert.equal(readFileSync(join(dir, 'node_modules/.cs-install-stamp'), 'utf8'), lock)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('cs update --all past a host that does not answer: said, the others done, exit 3', () => {
  const file = join(a.env.XDG_CONFIG_HOME, 'cs/config.json')
  const before = readFileSync(file, 'utf8')
  const config = JSON.parse(before)
  writeFileSync(file, JSON.stringify({ ...config, hosts: [{ name: 'hostgone', ssh: 'hostgone.invalid' }] }), { mode: 0o600 })
  try {
    const r = csA('update', '--all')
    assert.equal(r.status, 3, JSON.stringify(r))
    assert.match(r.stdout, /^hosta: up to date/m)
    assert.match(r.stdout, /^hostgone: not updated: host hostgone does not answer/m)
  } finally {
    writeFileSync(file, before, { mode: 0o600 })
  }
})

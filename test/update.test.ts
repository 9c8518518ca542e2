// cs update against a local bare repository: host A and host B (behind a real sshd) each run cs
// from their own clone; a new commit pushed to the bare repository reaches both with
// `cs update --all`, fast-forward only, rebuilt; a checkout with changes of its own is refused.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { after, before, test } from 'node:test'
import { isolatedCs } from './harness/cs.ts'
import { closeMasters, startSshHost, type SshHost } from './harness/sshd.ts'

const REPO = resolve(import.meta.dirname, '..')
const a = isolatedCs('update-a')
const b = isolatedCs('update-b')
a.env.CS_HOST = 'hosta'
b.env.CS_HOST = 'hostb'
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=cs test', '-c', 'user.email=cs@test.invalid', ...args], { cwd, encoding: 'utf8' }).trim()
const work = join(a.home, 'work')
const bare = join(a.home, 'cs.git')
const cloneA = join(a.home, 'cs')
const cloneB = join(b.home, 'cs')
let sshd: SshHost

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
  mkdirSync(join(a.env.XDG_CONFIG_HOME, 'cs'), { recursive: true })
  writeFileSync(
    join(a.env.XDG_CONFIG_HOME, 'cs/config.json'),
    JSON.stringify({ ssh: { config: sshd.sshConfig }, hosts: [{ name: 'hostb', ssh: 'hostb', cs: join(cloneB, 'bin/cs.mjs') }] }),
    { mode: 0o600 }
  )
})
after(() => {
  closeMasters(join(a.env.XDG_STATE_HOME, 'cs/ssh'))
  sshd.cleanup()
  a.cleanup()
  b.cleanup()
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
  assert.ok(existsSync(join(cloneB, 'dist/cs.mjs')), 'host B was not rebuilt')
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

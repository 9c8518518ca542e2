// cs install and cs uninstall from this checkout in a temp HOME: the link, the PATH and tmux
// advice, idempotence, a custom --bin-dir remembered by uninstall, and the store and trash kept
// unless asked (the trash only with --yes off a terminal). The whole path from a fresh copy is
// test/install.test.ts.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { sourcesNewer, tmuxLine } from '../lib/install.ts'
import { isolatedCs } from './harness/cs.ts'

const REPO = resolve(import.meta.dirname, '..')
const t = isolatedCs('install-cmd')
after(() => t.cleanup())
t.env.PATH = `${join(REPO, 'node_modules/.bin')}:/usr/local/bin:/usr/bin:/bin`

test('install: links cs, names what is left to do, and says the same the second time', () => {
  const first = t.json('install')
  const link = join(t.home, '.local/bin/cs')
  assert.equal(first.link, link)
  assert.equal(readlinkSync(link), join(REPO, 'bin/cs'))
  assert.equal(first.onPath, false)
  const fixes = first.checks.filter((c: any) => c.level !== 'ok').map((c: any) => [c.what, c.fix])
  assert.deepEqual(fixes, [
    ['PATH', `add to your shell's start-up file: export PATH=${t.home}/.local/bin:"$PATH"`],
    ['tmux plugin', `add as its last line: run-shell ${REPO}/plugin.tmux   (then: tmux source-file ${t.home}/.tmux.conf)`],
  ])
  assert.equal(first.tmuxLine, `run-shell ${REPO}/plugin.tmux`)
  const again = t.cs('install')
  assert.equal(again.status, 0, again.stderr)
  assert.match(again.stdout, /\(already there\)$/m)
  assert.ok(!existsSync(join(t.home, '.bashrc')) && !existsSync(join(t.home, '.tmux.conf')))
})

test('uninstall removes every link install made (a custom --bin-dir too), and nothing else unless asked', () => {
  const bin = join(t.home, 'tools')
  t.json('install', '--bin-dir', bin)
  assert.ok(lstatSync(join(bin, 'cs')).isSymbolicLink())
  mkdirSync(join(t.home, '.local/share/cs/trash/x'), { recursive: true })
  writeFileSync(join(t.home, '.local/state/cs/cs.db'), '')
  const r = t.json('uninstall')
  assert.deepEqual(r.removed, [join(t.home, '.local/bin/cs'), join(bin, 'cs')])
  assert.deepEqual(r.kept, [join(t.home, '.local/state/cs'), join(t.home, '.local/share/cs/trash')])
  // a second run has nothing to remove
  assert.match(t.cs('uninstall').stdout, /^nothing to remove/)
  // the trash goes only when confirmed: off a terminal, --yes
  const refused = t.cs('uninstall', '--trash')
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /--trash deletes transcripts for good\n\s+add --yes/)
  assert.ok(existsSync(join(t.home, '.local/share/cs/trash/x')))
  const yesAlone = t.cs('uninstall', '--store', '--yes')
  assert.equal(yesAlone.status, 2, 'a --yes that answers no question is not dropped')
  assert.match(yesAlone.stderr, /--yes goes with --trash/)
  assert.ok(existsSync(join(t.home, '.local/state/cs')))
  const all = t.json('uninstall', '--store', '--trash', '--yes')
  assert.deepEqual(all.removed, [join(t.home, '.local/state/cs'), join(t.home, '.local/share/cs/trash')])
  assert.ok(!existsSync(join(t.home, '.local/state/cs')) && !existsSync(join(t.home, '.local/share/cs/trash')))
})

test('install: a relative --bin-dir is the folder it was typed in; the bundle is built again when a source is newer than it', () => {
  const r = spawnSync(join(REPO, 'bin/cs'), ['install', '--bin-dir', 'rel-bin', '--json'], { cwd: t.home, env: t.env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.equal(out.link, join(realpathSync(t.home), 'rel-bin/cs'))
  assert.ok(out.checks.some((c: any) => c.what === 'PATH' && c.fix.includes(`export PATH=${join(realpathSync(t.home), 'rel-bin')}:"$PATH"`)))
  assert.deepEqual(t.json('uninstall').removed, [out.link])
  // a folder the link cannot be made in (/sys: not even root may): that folder's link is named
  const refused = t.cs('install', '--bin-dir', '/sys')
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /^cs: cannot symlink \/sys\/cs: operation not permitted\n/)
  // a checkout's sources against its bundle's time: package.json, or any file under lib/ or scripts/
  const root = join(t.home, 'checkout')
  mkdirSync(join(root, 'lib/deep'), { recursive: true })
  mkdirSync(join(root, 'scripts'), { recursive: true })
  for (const f of ['package.json', 'lib/deep/a.ts', 'scripts/b.ts']) writeFileSync(join(root, f), '')
  const built = Date.now() + 60_000
  assert.equal(sourcesNewer(root, built), false)
  utimesSync(join(root, 'lib/deep/a.ts'), new Date(built + 1000), new Date(built + 1000))
  assert.equal(sourcesNewer(root, built), true)
})

test('install: a link an earlier cs made to the Node entry becomes a link to bin/cs', () => {
  const bin = join(t.home, 'older')
  mkdirSync(bin, { recursive: true })
  symlinkSync(join(REPO, 'bin/cs.mjs'), join(bin, 'cs'))
  const r = t.json('install', '--bin-dir', bin)
  assert.equal(r.link, join(bin, 'cs'))
  assert.equal(readlinkSync(join(bin, 'cs')), join(REPO, 'bin/cs'))
  t.json('uninstall')
  assert.ok(!existsSync(join(bin, 'cs')))
})

test('install: a needed program missing (claude) is exit 3, as ./install.sh says of Node', () => {
  const path = t.env.PATH
  t.env.PATH = '/usr/local/bin:/usr/bin:/bin' // no node_modules/.bin: no claude
  try {
    const r = t.cs('install', '--bin-dir', join(t.home, 'missing'))
    assert.equal(r.status, 3, r.stdout + r.stderr)
    assert.match(r.stdout, /a program it needs is missing/)
  } finally {
    t.env.PATH = path
  }
})

test("the tmux line loads the plugin from a folder whose path has blanks, quotes or a $", () => {
  for (const [i, folder] of ['with blank', "it's", 'a"b$HOME'].entries()) {
    const dir = join(t.home, 'checkouts', folder)
    mkdirSync(dir, { recursive: true })
    const plugin = join(dir, 'plugin.tmux')
    const marker = join(t.home, 'loaded')
    writeFileSync(plugin, `#!/bin/sh\necho "$0" > '${marker}'\n`, { mode: 0o755 })
    const conf = join(t.home, 'tmux.conf')
    writeFileSync(conf, `${tmuxLine(plugin)}\n`)
    // a server of its own each time: the one before may still be going away on its socket
    const socket = `cs-test-line-${process.pid}-${i}`
    try {
      spawnSync('tmux', ['-L', socket, '-f', conf, 'new-session', '-d'], { encoding: 'utf8' })
      assert.ok(existsSync(marker), `${folder}: ${readFileSync(conf, 'utf8')}`) // run-shell in a config: done as it is read
      assert.equal(readFileSync(marker, 'utf8').trim(), plugin)
    } finally {
      spawnSync('tmux', ['-L', socket, 'kill-server'])
      rmSync(marker, { force: true })
    }
  }
})

test('a FIFO where install keeps its record is replaced, never waited on; a state folder that is a file is said so, and no link made', () => {
  const u = isolatedCs('install-odd')
  try {
    u.env.PATH = t.env.PATH
    const state = join(u.env.XDG_STATE_HOME, 'cs')
    mkdirSync(state, { recursive: true })
    spawnSync('mkfifo', [join(state, 'install.json')])
    const r = u.cs('install')
    assert.notEqual(r.status, -1, 'it hung')
    assert.ok(lstatSync(join(state, 'install.json')).isFile())
    assert.equal(u.cs('uninstall').status, 0)
    rmSync(state, { recursive: true, force: true })
    writeFileSync(state, 'in the way\n')
    const file = u.cs('install')
    assert.equal(file.status, 1, file.stderr)
    assert.match(file.stderr, /^cs: cannot mkdir .*\/cs: a file stands where a folder should be\n/)
    assert.doesNotMatch(file.stderr, /internal error/)
    assert.ok(!existsSync(join(u.home, '.local/bin/cs')), 'no link left unrecorded')
  } finally {
    u.cleanup()
  }
})

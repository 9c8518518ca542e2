// install.sh's decisions, with npm replaced by a recorder: npm ci only when there are no
// dependencies or the lock changed since install.sh installed them; a node_modules installed
// otherwise (a developer's, a link to a shared one) never touched; this Node's own headers
// handed to node-gyp. The real npm ci and build run in test/install.test.ts.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'

const REPO = resolve(import.meta.dirname, '..')
const dirs: string[] = []
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** A checkout with install.sh, package files, a built bundle and a cs that only says it ran. */
function checkout() {
  const dir = mkdtempSync(join(tmpdir(), 'cs-install-sh-'))
  dirs.push(dir)
  for (const f of ['install.sh', 'package.json', 'package-lock.json']) copyFileSync(join(REPO, f), join(dir, f))
  for (const d of ['bin', 'dist', 'scripts', 'lib', 'tools']) mkdirSync(join(dir, d))
  copyFileSync(join(REPO, 'scripts/node-headers.sh'), join(dir, 'scripts/node-headers.sh'))
  writeFileSync(join(dir, 'bin/cs.mjs'), 'console.log("cs " + process.argv.slice(2).join(" "))\n')
  writeFileSync(join(dir, 'dist/cs.cjs'), '')
  const old = new Date(Date.now() - 3600_000)
  utimesSync(join(dir, 'package.json'), old, old)
  // npm: records its arguments and node-gyp's header folder, then installs "something"
  writeFileSync(join(dir, 'tools/npm'), `#!/bin/sh\necho "npm $* nodedir=$npm_config_nodedir" >>"${dir}/npm.log"\nmkdir -p node_modules/better-sqlite3\necho {} >node_modules/better-sqlite3/package.json\n`, { mode: 0o755 })
  const run = () => {
    const r = spawnSync('sh', [join(dir, 'install.sh'), '--bin-dir', '/nowhere'], {
      env: { PATH: `${join(dir, 'tools')}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir },
      encoding: 'utf8',
    })
    const log = existsSync(join(dir, 'npm.log')) ? readFileSync(join(dir, 'npm.log'), 'utf8') : ''
    rmSync(join(dir, 'npm.log'), { force: true })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, npm: log }
  }
  return { dir, run }
}

test('no dependencies: npm ci without the development ones, then cs install with the arguments', () => {
  const { dir, run } = checkout()
  const r = run()
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.npm, /^npm ci --omit=dev --no-audit --no-fund --no-update-notifier --loglevel=error nodedir=/)
  assert.equal(r.stdout, 'cs install --bin-dir /nowhere\n')
  assert.ok(existsSync(join(dir, 'node_modules/.cs-install-stamp')))
  // run again: nothing to do
  assert.equal(run().npm, '')
  // the lock changed (a git pull): installed again
  writeFileSync(join(dir, 'package-lock.json'), readFileSync(join(dir, 'package-lock.json'), 'utf8') + '\n')
  assert.match(run().npm, /^npm ci /)
  assert.equal(run().npm, '')
})

test('a node_modules that install.sh did not make is left alone, unless cs cannot run from it', () => {
  const { dir, run } = checkout()
  mkdirSync(join(dir, 'node_modules/better-sqlite3'), { recursive: true })
  writeFileSync(join(dir, 'node_modules/.package-lock.json'), '{}')
  writeFileSync(join(dir, 'node_modules/better-sqlite3/package.json'), '{}')
  const r = run()
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.npm, '')
  assert.equal(r.stdout, 'cs install --bin-dir /nowhere\n')
  // emptied by an npm ci that failed half way (a cs update's, say): installed again
  rmSync(join(dir, 'node_modules/better-sqlite3'), { recursive: true })
  assert.match(run().npm, /^npm ci /)
})

test('cs install runs in the folder install.sh was run from: a relative --bin-dir is where it was typed', () => {
  const { dir } = checkout()
  writeFileSync(join(dir, 'bin/cs.mjs'), 'console.log(process.cwd())\n')
  const caller = mkdtempSync(join(tmpdir(), 'cs-install-caller-'))
  dirs.push(caller)
  const env = { PATH: `${join(dir, 'tools')}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir }
  const r = spawnSync('sh', [join(dir, 'install.sh'), '--bin-dir', 'relbin'], { cwd: caller, env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, `${caller}\n`)
})

test("node-gyp gets this Node's own headers when they are of its very version", { skip: !existsSync(join(dirname(dirname(process.execPath)), 'include/node/node_version.h')) && 'this Node has no headers beside it' }, () => {
  const { run } = checkout()
  assert.match(run().npm, new RegExp(`nodedir=${dirname(dirname(process.execPath))}\\n$`))
})

test('no Node: exit 3 with the package to install', () => {
  const { dir } = checkout()
  const bare = join(dir, 'bare') // a PATH with the tools sh needs and no node
  mkdirSync(bare)
  symlinkSync('/usr/bin/dirname', join(bare, 'dirname'))
  const none = spawnSync('/bin/sh', [join(dir, 'install.sh')], { env: { PATH: bare }, encoding: 'utf8' })
  assert.equal(none.status, 3)
  assert.match(none.stderr, /^cs: Node\.js is not installed: cs needs 20\.19 or later\n\s+apt-get install nodejs npm/)
})

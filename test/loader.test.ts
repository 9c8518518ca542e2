// dist/cs.cjs (scripts/cs-loader.cjs) runs the bundle with the V8 code cache the build wrote.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import Module from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import test from 'node:test'
import { Script } from 'node:vm'
import { BUNDLE, ensureBundle } from './harness/bundle.ts'
import pkg from '../package.json' with { type: 'json' }

ensureBundle()
const dist = dirname(BUNDLE)

test('the build writes a code cache that this node accepts for the bundle', () => {
  const file = join(dist, 'cli.cjs')
  const cachedData = readFileSync(join(dist, 'cli.cache'))
  const script = new Script(Module.wrap(readFileSync(file, 'latin1')), { filename: file, cachedData })
  assert.equal(script.cachedDataRejected, false)
})

test('a run that finds no cache writes one; a cache V8 refuses costs nothing but time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-loader-'))
  try {
    mkdirSync(join(dir, 'dist'))
    for (const f of ['cs.cjs', 'cli.cjs']) copyFileSync(join(dist, f), join(dir, 'dist', f))
    const version = () => spawnSync(process.execPath, [join(dir, 'dist/cs.cjs'), '--version'], { encoding: 'utf8' })
    const cache = join(dir, 'dist/cli.cache')
    let r = version()
    assert.equal(r.stdout, `cs ${pkg.version}\n`, r.stderr)
    assert.ok(existsSync(cache), 'the cache was written')
    r = version()
    assert.equal(r.stdout, `cs ${pkg.version}\n`, r.stderr)
    writeFileSync(cache, 'not a code cache')
    r = version()
    assert.equal(r.stdout, `cs ${pkg.version}\n`, r.stderr)
    assert.equal(r.stderr, '')
    assert.equal(readFileSync(cache, 'utf8'), 'not a code cache', 'left alone: a rebuild writes it')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("the driver's bundle, required by the CLI's, runs with a code cache of its own", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-loader-'))
  try {
    copyFileSync(join(dist, 'cs.cjs'), join(dir, 'cs.cjs'))
    // stand-ins for the two bundles: the CLI requires the driver as the real one does
    writeFileSync(join(dir, 'cli.cjs'), "process.stdout.write(require('./mongodb.cjs').name + ' ' + require('node:path').sep)")
    writeFileSync(join(dir, 'mongodb.cjs'), "exports.name = 'driver'")
    const r = spawnSync(process.execPath, [join(dir, 'cs.cjs')], { encoding: 'utf8' })
    assert.equal(r.stdout, 'driver /', r.stderr)
    for (const name of ['cli', 'mongodb']) assert.ok(existsSync(join(dir, `${name}.cache`)), `${name}.cache written`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("a bundle whose dependencies are gone (an npm ci that failed half way) says so, and runs what needs no store", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-loader-nodeps-'))
  try {
    mkdirSync(join(dir, 'dist'))
    for (const f of ['cs.cjs', 'cli.cjs', 'cli.cache']) copyFileSync(join(dist, f), join(dir, 'dist', f))
    const cs = (...args: string[]) =>
      spawnSync(process.execPath, [join(dir, 'dist/cs.cjs'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } })
    const ls = cs('ls')
    assert.equal(ls.status, 3, ls.stderr)
    assert.equal(ls.stderr, `cs: cs's dependencies are not installed: better-sqlite3 is missing\n    install them: cd ${dir} && ./install.sh\n`)
    assert.equal(cs('--version').status, 0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

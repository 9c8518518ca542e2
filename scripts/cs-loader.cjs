// dist/cs.cjs, copied there by the build: runs the bundle (dist/cli.cjs) with a V8 code cache
// beside it (dist/cli.cache), so that V8 does not compile again at every start the functions a
// run needs (some 10 ms of each: BENCHMARKS.md); the MongoDB driver (dist/mongodb.cjs, required
// only with a shared store) likewise, with its own (25-50 ms of each load). The build writes the
// CLI's cache from a dashboard run in an empty sandbox; a run that finds a cache missing writes
// it. A cache V8 refuses (another node) only costs that time back, and is left alone: a rebuild,
// which another node needs anyway for the SQLite addon, writes it again.
'use strict'
const { readFileSync, renameSync, writeFileSync } = require('node:fs')
const Module = require('node:module')
const { join } = require('node:path')
const { Script } = require('node:vm')

/** Runs dist/NAME.cjs with the code cache dist/NAME.cache; returns its exports. */
function load(name, require) {
  const file = join(__dirname, `${name}.cjs`)
  const cacheFile = join(__dirname, `${name}.cache`)
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {}
  // latin1: the build keeps the bundles ASCII, which Node reads fastest as one-byte text
  const script = new Script(Module.wrap(readFileSync(file, 'latin1')), { filename: file, cachedData })
  if (!cachedData)
    process.once('exit', () => {
      const part = `${cacheFile}.${process.pid}`
      try {
        writeFileSync(part, script.createCachedData()) // with what this run compiled
        renameSync(part, cacheFile) // whole or not at all, whoever else writes it
      } catch {} // a read-only checkout: every start compiles, as without the cache
    })
  const m = new Module(file, module)
  m.filename = file
  script.runInThisContext()(m.exports, require ?? Module.createRequire(file), m, file, __dirname)
  return m.exports
}

const own = Module.createRequire(join(__dirname, 'cli.cjs'))

/** Node's modules that the bundle imports where it starts and that many runs never use, each
 *  with what uses it: given as a stand-in that requires the real one when a member is first
 *  read. Loading them (with net and stream, which they load) took some 6 ms of every start. */
const LAZY = {
  'node:child_process': 'a process started: tmux (a dashboard has bin/cs read it), ssh, fzf, a sync',
  'node:crypto': "a digest of another host's answer over ssh, a launch's session id",
  'node:readline/promises': 'a question asked on a terminal',
  'node:v8': "a store of schema 6 migrated (its other hosts' rows were v8-serialised)",
}
const lazy = (id) => {
  let m
  return new Proxy({}, { get: (_, key) => (m ??= own(id))[key] })
}
const stand = new Map(Object.keys(LAZY).map((id) => [id, lazy(id)]))

let driver
load('cli', Object.assign((id) => (id === './mongodb.cjs' ? (driver ??= load('mongodb')) : (stand.get(id) ?? own(id))), own))

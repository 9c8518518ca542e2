// dist/cs.cjs, copied there by the build: runs the bundle (dist/cli.cjs) with a V8 code cache
// beside it (dist/cli.cache), so that V8 does not compile again at every start the functions a
// run needs (some 10 ms of each: BENCHMARKS.md). The build writes the cache from a dashboard run
// in an empty sandbox; a run that finds none writes it. A cache V8 refuses (another node) only
// costs that time back, and is left alone: a rebuild, which another node needs anyway for the
// SQLite addon, writes it again.
'use strict'
const { readFileSync, renameSync, writeFileSync } = require('node:fs')
const Module = require('node:module')
const { join } = require('node:path')
const { Script } = require('node:vm')

const file = join(__dirname, 'cli.cjs')
const cacheFile = join(__dirname, 'cli.cache')
let cachedData
try {
  cachedData = readFileSync(cacheFile)
} catch {}
// latin1: the build keeps the bundle ASCII, which Node reads fastest as one-byte text
const script = new Script(Module.wrap(readFileSync(file, 'latin1')), { filename: file, cachedData })
if (!cachedData)
  process.once('exit', () => {
    const part = `${cacheFile}.${process.pid}`
    try {
      writeFileSync(part, script.createCachedData())
      renameSync(part, cacheFile) // whole or not at all, whoever else writes it
    } catch {} // a read-only checkout: every start compiles, as without the cache
  })
const bundle = new Module(file, module)
bundle.filename = file
script.runInThisContext()(bundle.exports, Module.createRequire(file), bundle, file, __dirname)

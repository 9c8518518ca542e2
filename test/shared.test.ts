// The shared store against a real FerretDB 1.24.2 (test/harness/ferretdb.ts): two isolated hosts
// (each its own HOME, Claude folder, XDG folders, tmux socket and CS_HOST) running the built
// bundle, as users do. Sync both ways, names and tags, live state through the hook's background
// push, concurrency, a server killed and restarted, TLS, a wrong password, hostile documents.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { join, resolve } from 'node:path'
import { after, before, test } from 'node:test'
import { MongoClient } from 'mongodb'
import { HOST_ROW_FIELDS } from '../lib/host-rows.ts'
import type { HostRow } from '../lib/session.ts'
import { connectMongo } from '../lib/store-mongo.ts'
import { isolatedCs, type Result } from './harness/cs.ts'
import { fakeClaude } from './harness/fake-claude.ts'
import { ensureBundle } from './harness/bundle.ts'
import { freePort, startFerret, type Ferret } from './harness/ferretdb.ts'
import { storeValue } from './harness/store-read.ts'
import { poll } from './harness/tmux.ts'

const REPO = resolve(import.meta.dirname, '..')
const ESC = /[\u001b\u009b\u0007]/

let server: Ferret
let mongo: MongoClient
const hosts: { cleanup(): void }[] = []

before(async () => {
  ensureBundle() // the bundle is what users run
  server = await startFerret()
  mongo = new MongoClient(server.url)
  await mongo.connect()
})
after(async () => {
  for (const h of hosts) h.cleanup()
  await mongo?.close()
  await server?.cleanup()
})

let uuidN = 0
const uuid = (prefix: string) => `${prefix.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-${String(++uuidN).padStart(12, '0')}`

/** An isolated host using the shared store at url (one line of config, as the README says). */
function host(name: string, url = server.url) {
  const h = isolatedCs(`sh-${name}`)
  h.env.CS_HOST = name
  delete h.env.CS_FROM_SOURCE
  const claude = fakeClaude(join(h.home, 'bin'))
  h.env.CS_CLAUDE = claude.bin
  if (url) assert.equal(h.cs('config', 'set', 'mongo.url', url).status, 0)
  hosts.push(h)
  /** cs in the background: for several at once. */
  const run = (...args: string[]) =>
    new Promise<Result>((ok) => {
      const p = spawn(process.execPath, [join(REPO, 'bin/cs.mjs'), ...args], { env: h.env })
      let stdout = ''
      let stderr = ''
      p.stdout.on('data', (d) => (stdout += d))
      p.stderr.on('data', (d) => (stderr += d))
      p.on('close', (code) => ok({ status: code ?? 1, stdout, stderr }))
    })
  const ok = (...args: string[]) => {
    const r = h.cs(...args)
    assert.equal(r.status, 0, `cs ${args.join(' ')}: ${r.stderr}`)
    return r
  }
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', h.env.CS_TMUX_SOCKET, ...args], { encoding: 'utf8', env: h.env })
  /** Fires tmux/hook.sh for the pane of a tmux session, as Claude would. */
  const hook = (session: string, event: string) => {
    const socket = tmux('display', '-p', '-t', `=${session}:`, '#{socket_path}').stdout.trim()
    const pane = tmux('display', '-p', '-t', `=${session}:`, '#{pane_id}').stdout.trim()
    const r = spawnSync('sh', [join(REPO, 'tmux/hook.sh'), event], {
      env: { PATH: h.env.PATH, TMUX: `${socket},1,0`, TMUX_PANE: pane },
      input: '{}',
    })
    assert.equal(r.status, 0)
  }
  const row = (id: string) => (h.json('ls', '--all') as any[]).find((v) => v.id === id)
  /** Waits for the hook's background pusher (tmux/push.sh), once it has pushed, to end. */
  const pushed = () => {
    const state = join(h.env.XDG_STATE_HOME, 'cs')
    const files = () => ['push.run', 'push.pending'].filter((f) => existsSync(join(state, f)))
    return poll(() => ({ ok: files().length === 0, last: files() }), 15_000, 'the background push to end')
  }
  return { ...h, name, run, ok, tmux, hook, row, pushed }
}

const docs = () => mongo.db('cs').collection('sessions')

test('two hosts sync and see each other; a rename and a tag on one show on the other; only metadata leaves', async () => {
  const a = host('alpha')
  const b = host('beta')
  const aId = uuid('aaaa1111')
  const bId = uuid('bbbb1111')
  a.session({ id: aId, cwd: '/srv/alpha-proj', prompt: 'secret prompt text about alpha' })
  b.session({ id: bId, cwd: '/srv/beta-proj', prompt: 'beta work' })
  const live = JSON.parse(b.ok('launch', 'worker', '--cwd', b.home, '--json', '--', '--append-system-prompt', 'secret launch text').stdout)
  b.ok('sync')
  a.ok('sync')
  b.ok('sync')

  const fromA = a.row(bId)
  assert.equal(fromA.host, 'beta')
  assert.equal(fromA.title, 'beta work')
  assert.equal(fromA.path, null)
  const liveOnA = a.row(live.id)
  assert.equal(liveOnA.host, 'beta')
  assert.equal(liveOnA.state, 'idle')
  assert.equal(liveOnA.live, true)
  assert.equal(liveOnA.tmuxSession, 'worker')
  assert.equal(b.row(aId).host, 'alpha')

  // the exact fields written, and no content beyond the title
  const doc = await docs().findOne({ host: 'alpha', id: aId })
  assert.deepEqual(Object.keys(doc!).sort(), [...HOST_ROW_FIELDS, '_id', 'gone', 'seq'].sort())
  assert.equal(doc!.title, 'secret prompt text about alpha')
  // B's launch record goes out without the claude arguments it was launched with
  const hostB = await mongo.db('cs').collection('hosts').findOne({ _id: 'beta' as any })
  assert.deepEqual(hostB!.launches.map((l: any) => [l.tmuxSession, Object.keys(l).sort()]), [['worker', ['cwd', 'host', 'id', 'lastSeenAt', 'lastState', 'launchedAt', 'tmuxSession']]])

  // a rename and a tag made on A, of B's session, show on B after both sync
  a.ok('rename', 'beta:bbbb', 'from alpha')
  a.ok('tag', bId, 'keep')
  a.ok('sync')
  b.ok('sync')
  const onB = b.json('info', bId)
  assert.equal(onB.name, 'from alpha')
  assert.equal(onB.tag, 'keep')
  // a name given on A to a session B runs in tmux shows in B's tmux (status line, picker) at once
  a.ok('rename', `beta:${live.id}`, 'worker, named on alpha')
  a.ok('sync')
  b.ok('sync')
  assert.equal(b.tmux('display', '-p', '-t', '=worker:', '#{@cs_name}').stdout.trim(), 'worker, named on alpha')

  // renamed on both at once: after the syncs both show the same name
  a.ok('rename', aId, 'name-from-a')
  b.ok('rename', aId, 'name-from-b')
  a.ok('sync')
  b.ok('sync')
  a.ok('sync')
  assert.equal(a.json('info', aId).name, b.json('info', aId).name)

  // and again, with both syncs running at once
  a.ok('rename', aId, 'second-from-a')
  b.ok('rename', aId, 'second-from-b')
  a.ok('tag', aId, 'tag-a')
  b.ok('tag', aId, 'tag-b')
  for (const r of await Promise.all([a.run('sync'), b.run('sync')])) assert.equal(r.status, 0, r.stderr)
  a.ok('sync')
  b.ok('sync')
  const [onA, onB2] = [a.json('info', aId), b.json('info', aId)]
  assert.deepEqual([onA.name, onA.tag], [onB2.name, onB2.tag])
  assert.ok(['second-from-a', 'second-from-b'].includes(onA.name))

  // nothing changed (the name B gave is in A's row since the last pull): nothing written
  a.ok('sync')
  const seq = (await docs().findOne({ host: 'alpha', id: aId }))!.seq
  const quiet = a.json('sync')
  assert.deepEqual([quiet.shared.push.rows, quiet.shared.push.meta, quiet.shared.push.gone], [0, 0, 0])
  assert.equal((await docs().findOne({ host: 'alpha', id: aId }))!.seq, seq)

  // sync.titles false: the title stays home, a name still travels
  a.ok('config', 'set', 'sync.titles', 'false')
  const cId = uuid('cccc1111')
  a.session({ id: cId, cwd: '/srv/alpha-proj', prompt: 'private title' })
  a.ok('sync')
  const c = await docs().findOne({ host: 'alpha', id: cId })
  assert.equal(c!.title, null)
  assert.equal((await docs().findOne({ host: 'alpha', id: aId }))!.title, null)
  // nor in the pushes alpha's document carries, those of before the setting included
  const recent = (await mongo.db('cs').collection('hosts').findOne({ _id: 'alpha' as any }))!.recent as any[]
  const titles = recent.flatMap((e) => (Array.isArray(e.rows) ? e.rows.map((r: any) => r.title) : []))
  assert.ok(titles.length > 0 && titles.every((t) => t === null), JSON.stringify(titles))

  // --host and --local
  assert.ok((a.json('ls', '--local') as any[]).every((v) => v.host === 'alpha'))
  assert.ok((a.json('list', '--host', 'beta') as any[]).every((v) => v.host === 'beta'))
  const attach = a.cs('attach', '--host', 'beta', 'worker')
  assert.equal(attach.status, 1)
  assert.match(attach.stderr, /runs on beta, not here/)

  // a transcript gone on B: gone from A's view at the next syncs
  rmSync(b.session({ id: bId, cwd: '/srv/beta-proj' }))
  b.ok('sync')
  a.ok('sync')
  assert.equal(a.row(bId), undefined)
  b.tmux('kill-server')
})

test("a server that lost this host's pushes (wiped, restored from an older copy, a new one) gets them all again at the next sync", async () => {
  const a = host('wiped')
  const [named, plain] = ['1a4b1111', '1a4b2222'].map(uuid)
  a.session({ id: named, cwd: '/srv/wiped', prompt: 'named here' })
  a.session({ id: plain, cwd: '/srv/wiped', prompt: 'plain' })
  a.ok('rename', named, 'a name of wiped')
  a.ok('rename', plain, 'an older name of wiped')
  a.ok('sync')
  assert.equal(await docs().countDocuments({ host: 'wiped' }), 2)
  // meanwhile another host renames the plain one: newer than A's name of it on the server
  const x = host('wipedx')
  x.ok('sync')
  x.ok('rename', `wiped:${plain}`, 'renamed by x')
  x.ok('sync')
  const db = mongo.db('cs')
  await docs().deleteMany({ host: 'wiped' })
  await db.collection('meta').deleteMany({ _id: named as any })
  await db.collection('hosts').deleteOne({ _id: 'wiped' as any })
  // nothing changed here since: the sync finds the server without them, and pushes them again
  const again = a.ok('sync', '--verbose')
  assert.match(again.stdout, /pushed 2 rows/)
  assert.deepEqual((await docs().find({ host: 'wiped' }).toArray()).map((d) => d.id).sort(), [named, plain].sort())
  assert.equal((await db.collection('meta').findOne({ _id: named as any }))?.name, 'a name of wiped')
  // the other host's newer name taken here, not overwritten by what A had
  assert.equal((await db.collection('meta').findOne({ _id: plain as any }))?.name, 'renamed by x')
  assert.equal(a.json('info', plain).name, 'renamed by x')
  // and once the row renamed by the other host is pushed as it is now, nothing is left to push
  a.ok('sync')
  assert.match(a.ok('sync', '--verbose').stdout, /pushed 0 rows/)
})

test("a deletion of another host's session undone here shows it here at once, though that host's row still says deleted", async () => {
  const a = host('undoa')
  const b = host('undob')
  const id = uuid('0d0b1111')
  b.session({ id, cwd: '/srv/undob', prompt: 'deleted from a' })
  b.ok('sync')
  a.ok('sync')
  a.ok('rm', `undob:${id}`)
  a.ok('sync')
  b.ok('sync')
  b.ok('sync') // its row, deleted now, pushed
  a.ok('sync')
  assert.equal(a.row(id)?.deleted, true)
  a.ok('rm', '--undo', id)
  assert.equal(a.row(id)?.deleted, false, 'restored as it says')
  a.ok('sync')
  b.ok('sync')
  assert.equal(b.json('info', id).deleted, false)
})

test('a name or tag given on another host keeps a session from prune here, with no sync here between', async () => {
  const a = host('gamma')
  const b = host('delta')
  const OLD = '2025-01-01T00:00:00.000Z'
  const [tagged, named, plain] = ['dddd2222', 'dddd3333', 'dddd4444'].map(uuid)
  for (const id of [tagged, named, plain]) a.session({ id, cwd: '/srv/gamma', prompt: 'idle for long', at: OLD })
  a.ok('sync')
  b.ok('sync')
  b.ok('tag', `gamma:${tagged}`, 'keep-from-delta')
  b.ok('rename', `gamma:${named}`, 'named on delta')
  b.ok('sync')
  await new Promise((r) => setTimeout(r, 1100)) // past the interval within which A's last pull stands
  // prune copies what other hosts pushed before it chooses
  const pruned = a.json('prune', '--days', '30', '--yes') as any[]
  assert.deepEqual(pruned.map((v) => [v.id, v.deleted]), [[plain, true]])
  assert.deepEqual([a.json('info', tagged).deleted, a.json('info', named).deleted], [false, false])
})

test("a name given on one host survives another host's tag of the same session, for a host that reads the pushes by number", async () => {
  const a = host('omega')
  const b = host('sigma')
  const x = uuid('eeee5555')
  a.session({ id: x, cwd: '/srv/omega', prompt: 'shared work' })
  a.ok('sync')
  // B's first push holds too many rows to be carried in its document: a reader reads it by number
  for (let i = 0; i < 25; i++) b.session({ id: uuid('eeee6666'), cwd: '/srv/sigma', prompt: `sigma ${i}` })
  b.ok('sync')
  b.ok('rename', `omega:${x}`, 'named on sigma')
  b.ok('sync')
  // A changes another field of the same session before it first pulls B: A's push is the
  // document's last writer, and B's name must still reach A
  a.ok('tag', x, 'tagged on omega')
  a.ok('sync')
  b.ok('sync')
  for (const h of [a, b]) assert.deepEqual([h.json('info', x).name, h.json('info', x).tag], ['named on sigma', 'tagged on omega'], h.name)
})

test('an older push never overwrites a newer row; the rest of its batch is written (FerretDB stops a batch at a failed condition)', async () => {
  const shared = await connectMongo({ url: server.url, tls: null, tlsCAFile: null, tlsCertificateKeyFile: null }, { timeoutMs: 5000 })
  const row = (id: string, state: HostRow['state']): HostRow => ({
    id, host: 'zeta', tmuxSession: null, kind: 'plain', name: null, tag: null, title: 't', cwd: '/srv/z', project: 'z',
    branch: null, state, stateSince: null, createdAt: null, updatedAt: null, userMessages: 1, assistantMessages: 0,
    model: null, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, deleted: false, csVersion: '0.1.0',
  })
  const [x, y, z] = [uuid('21000000'), uuid('22000000'), uuid('23000000')]
  const state = async (id: string) => {
    const d = await docs().findOne({ _id: `zeta/${id}` as any })
    return d && [d.state, d.seq, d.gone]
  }
  try {
    assert.deepEqual(await shared.putRows('zeta', 1, [row(x, 'idle'), row(y, 'idle')], [], new Set([x, y])), { written: 2, stale: 0 })
    assert.deepEqual(await shared.putRows('zeta', 5, [row(x, 'waiting')], [], new Set()), { written: 1, stale: 0 })
    // push 3 read its state before push 5 did: its x is older, in the middle of its batch
    const w = await shared.putRows('zeta', 3, [row(y, 'working'), row(x, 'dead'), row(z, 'idle')], [], new Set())
    assert.deepEqual(w, { written: 2, stale: 1 })
    assert.deepEqual(await state(x), ['waiting', 5, false])
    assert.deepEqual(await state(y), ['working', 3, false])
    assert.deepEqual(await state(z), ['idle', 3, false])
    // a row this host never pushed as far as it knows (its store was rebuilt) goes in as an update
    assert.deepEqual(await shared.putRows('zeta', 4, [row(x, 'stopped')], [y], new Set([x])), { written: 1, stale: 1 })
    assert.deepEqual(await state(x), ['waiting', 5, false])
    assert.deepEqual(await state(y), ['working', 4, true])
    assert.equal(await docs().countDocuments({ host: 'zeta' }), 3)
  } finally {
    await shared.close()
  }
})

test("a state change on one host reaches the other's dashboard within 5 s (hook, background push)", async () => {
  const a = host('gamma')
  const b = host('delta')
  const s = JSON.parse(b.ok('launch', 'busy', '--cwd', b.home, '--json').stdout)
  b.ok('sync') // publishes @cs-push on B's tmux server
  a.ok('sync')
  assert.equal(a.row(s.id).state, 'idle')
  const t0 = Date.now()
  b.hook('busy', 'PermissionRequest')
  let state = ''
  while (Date.now() - t0 < 10_000) {
    state = a.row(s.id)?.state
    if (state === 'waiting') break
    await new Promise((r) => setTimeout(r, 200))
  }
  const took = Date.now() - t0
  assert.equal(state, 'waiting', `B's WAITING did not reach A in ${took} ms`)
  assert.ok(took <= 5000, `took ${took} ms`)
  // set by the sync in the tmux call that read live state; a sync with no shared store clears it
  const pushOption = () => b.tmux('show-options', '-gqv', '@cs-push').stdout.trim()
  assert.match(pushOption(), /push\.sh .* sync --push$/)
  b.ok('config', 'unset', 'mongo.url')
  b.ok('sync')
  assert.equal(pushOption(), '')
  b.tmux('kill-server')
})

test('with no row written since its last full comparison, a push compares only the live rows, and pushes their changes', async () => {
  const a = host('kappa')
  for (let i = 0; i < 30; i++) a.session({ id: uuid('cafe0000'), cwd: `/srv/k${i % 3}`, prompt: `k ${i}` })
  const s = JSON.parse(a.ok('launch', 'watched', '--cwd', a.home, '--json').stdout)
  a.ok('ls') // the dashboard's rows are built
  a.ok('sync')
  assert.equal(await docs().countDocuments({ host: 'kappa' }), 31, 'every row pushed')
  const quiet = a.json('sync')
  assert.ok(quiet.shared.push.compared < 30, `compared ${quiet.shared.push.compared}: not only the live rows`)
  assert.deepEqual([quiet.shared.push.rows, quiet.shared.push.gone], [0, 0])
  // a state change writes no row: the live row is compared all the same, and pushed (by the
  // hook's background push; awaited, else it could run after the rename below and take its
  // full comparison)
  a.hook('watched', 'PermissionRequest')
  const t0 = Date.now()
  while ((await docs().findOne({ host: 'kappa', id: s.id }))!.state !== 'waiting') {
    assert.ok(Date.now() - t0 < 10_000, "the hook's push did not come")
    await new Promise((r) => setTimeout(r, 100))
  }
  await a.pushed()
  const partial = a.json('sync', '--push')
  assert.ok(partial.shared.push.compared < 30, `compared ${partial.shared.push.compared}`)
  // a rename writes its row: every row is compared again, the name pushed
  const named = uuid('cafe0000')
  a.session({ id: named, cwd: '/srv/k0', prompt: 'to be named' })
  a.ok('sync')
  a.ok('rename', named, 'kappa-named')
  const again = a.json('sync')
  assert.ok(again.shared.push.compared >= 31, `compared ${again.shared.push.compared}`)
  assert.equal((await docs().findOne({ host: 'kappa', id: named }))!.name, 'kappa-named')
  a.tmux('kill-server')
})

test('the walk of every file: the background sync of a dashboard walks and pushes nothing; a due sync walks before the push lock', async () => {
  const a = host('lambda')
  const first = uuid('beef0000')
  a.session({ id: first, cwd: '/srv/l', prompt: 'first' })
  a.ok('sync')
  assert.equal(await docs().countDocuments({ host: 'lambda' }), 1)
  const second = uuid('beef0000')
  a.session({ id: second, cwd: '/srv/l', prompt: 'second' })
  const bg = a.json('sync', '--background')
  assert.equal(bg.read, 1, 'the new transcript indexed')
  assert.equal(bg.shared, undefined, 'no push, no pull')
  assert.equal(await docs().countDocuments({ host: 'lambda' }), 1)
  // a sync that finds the walk due indexes before it takes the push lock (held here by another
  // process, as a hook's push would): the index is done, and the picker shows it, while the push
  // waits for the lock
  const state = join(a.home, '.local/state/cs')
  const holder = spawn('sleep', ['60'])
  try {
    writeFileSync(join(state, 'push.lock'), String(holder.pid))
    a.session({ id: uuid('beef0000'), cwd: '/srv/l', prompt: 'third' })
    a.env.CS_FULL_SCAN_SECONDS = '0'
    const syncing = a.run('sync', '--json')
    const picker = () => readFileSync(join(state, 'picker.tsv'), 'utf8')
    await poll(() => ({ ok: picker().includes('third'), last: null }), 20_000, 'the walk indexed before the lock')
    assert.equal(await docs().countDocuments({ host: 'lambda' }), 1, 'the push waits for the lock')
    holder.kill()
    const done = await syncing
    assert.equal(done.status, 0, done.stderr)
    assert.equal(JSON.parse(done.stdout).shared.push.rows, 2)
  } finally {
    holder.kill()
    delete a.env.CS_FULL_SCAN_SECONDS
  }
  assert.equal(await docs().countDocuments({ host: 'lambda' }), 3)
})

test("a sync loads none of Node's modules that the driver needs only for what cs does not configure", async () => {
  const a = host('omicron')
  a.session({ id: uuid('0cc00000'), cwd: '/srv/o', prompt: 'pushed' })
  // the modules Node loaded as it ran, noted as it exits; bin/cs as users run it (bin/cs.mjs
  // starts Node's ES module loader, which loads some of them itself)
  const loaded = join(a.home, 'modules-loaded')
  const preload = join(a.home, 'note-modules.cjs')
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, process.moduleLoadList.join('\\n')))\n`)
  // the first sync pushes, the second has nothing to push: both connect and pull
  for (const pass of ['first', 'nothing changed']) {
    rmSync(loaded, { force: true }) // each pass reads its own list
    const r = spawnSync('/bin/sh', [join(REPO, 'bin/cs'), 'sync'], { env: { ...a.env, NODE_OPTIONS: `--require ${preload}` }, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    const modules = readFileSync(loaded, 'utf8').split('\n')
    assert.ok(modules.includes('NativeModule net'), `${pass}: the driver connected`)
    // client-side encryption and OIDC (fs/promises, with readline), TLS, compression, SRV names
    const unused = /^NativeModule (fs\/promises|internal\/fs\/promises|tls|zlib|http|dns)$/
    assert.deepEqual(modules.filter((m) => unused.test(m)), [], pass)
  }
  assert.equal(await docs().countDocuments({ host: 'omicron' }), 1, 'the session was pushed')
})

test('three syncs and a burst of hook pushes at once: no duplicates, no error shown', async () => {
  const a = host('epsilon')
  for (let i = 0; i < 120; i++) a.session({ id: uuid('eeee0000'), cwd: `/srv/p${i % 7}`, prompt: `task ${i}` })
  const s = JSON.parse(a.ok('launch', 'burst', '--cwd', a.home, '--json').stdout)
  a.ok('sync', '--push')
  const events = ['UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop']
  const runs = [a.run('sync'), a.run('sync'), a.run('sync'), a.run('sync', '--push'), a.run('sync', '--push')]
  for (const e of events) a.hook('burst', e)
  for (const r of await Promise.all(runs)) {
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stderr, '')
  }
  // the debounced push settles on the last event (Stop)
  const t0 = Date.now()
  while ((await docs().findOne({ host: 'epsilon', id: s.id }))?.state !== 'idle' && Date.now() - t0 < 15_000)
    await new Promise((r) => setTimeout(r, 200))
  const mine = await docs().find({ host: 'epsilon' }).toArray()
  const ids = new Set(mine.map((d) => d.id))
  assert.equal(mine.length, ids.size)
  assert.equal(ids.size, 121)
  assert.equal(mine.find((d) => d.id === s.id)!.state, 'idle') // the last event (Stop) won
  a.tmux('kill-server')
})

test('server killed mid-sync: the dashboard answers from the local copy, says so; the next sync catches up', async () => {
  const own = await startFerret()
  const a = host('zeta', own.url)
  const b = host('eta', own.url)
  const bId = uuid('b0b0b0b0')
  b.session({ id: bId, cwd: '/srv/eta', prompt: 'eta work' })
  b.ok('sync')
  a.ok('sync')
  for (let i = 0; i < 400; i++) a.session({ id: uuid('a0a00000'), cwd: `/srv/z${i % 5}`, prompt: `zeta ${i}` })
  const sync = a.run('sync')
  await new Promise((r) => setTimeout(r, 400))
  await own.stop(true)
  const killed = await sync
  if (killed.status !== 0) {
    assert.equal(killed.status, 3, killed.stderr)
    assert.match(killed.stderr, /shared store at mongodb:\/\/127\.0\.0\.1:\d+\/cs is unavailable/)
  }
  const down = a.cs('sync')
  assert.equal(down.status, 3)
  assert.match(down.stderr, /127\.0\.0\.1:\d+/)
  // the dashboard: local rows and B's copy, within 1 s more than with no shared store
  const none = { ...a.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'cs-none-')) }
  const time = (env: Record<string, string>) => {
    const t = Date.now()
    const r = spawnSync(process.execPath, [join(REPO, 'bin/cs.mjs'), 'ls'], { env, encoding: 'utf8' })
    return { ms: Date.now() - t, r }
  }
  time(none)
  const base = time(none).ms
  await new Promise((r) => setTimeout(r, 1100)) // past the pull interval of a server that answers
  const offline = time(a.env)
  assert.equal(offline.r.status, 0)
  assert.ok(offline.ms <= base + 1000, `offline dashboard ${offline.ms} ms, without a shared store ${base} ms`)
  assert.match(offline.r.stderr, /shared view offline .*other hosts as of \d+[smhd] ago/)
  // B's row, older than the 50 newest that the table shows of 400 (a pipe: 50 rows)
  assert.match(offline.r.stdout, /… \d+ more: --limit N shows N/)
  assert.ok(a.json('ls').some((r: any) => r.id === bId && r.title === 'eta work'))
  // a rename made while the server is down reaches B after it returns
  a.ok('rename', bId, 'renamed offline')
  const back = await startFerret({ dir: own.dir, port: own.port })
  try {
    a.ok('sync')
    b.ok('sync')
    assert.equal(b.json('info', bId).name, 'renamed offline')
    assert.equal((b.json('list', '--host', 'zeta') as any[]).length, 400)
    assert.doesNotMatch(a.cs('ls').stderr, /offline/)
  } finally {
    await back.cleanup()
  }
})

/** A proxy to the server that, once armed, cuts every connection at the first command `verb` on
 *  `collection` (as a server that goes away in the middle of a push) and then refuses
 *  connections for downMs: longer than the driver's wait for a server, so its retry fails too. */
async function cuttingProxy(target: string, downMs = 8000) {
  const port = await freePort()
  const [, host, to] = /^mongodb:\/\/([^:]+):(\d+)/.exec(target)!
  const sockets = new Set<Socket>()
  let armed: Buffer[] | null = null
  let server: Server
  const listen = () => {
    server = createServer((client) => {
      const upstream = connect(Number(to), host)
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on('error', () => {})
        s.on('close', () => (sockets.delete(s), client.destroy(), upstream.destroy()))
      }
      client.on('data', (d) => {
        if (armed && armed.every((p) => d.includes(p))) {
          armed = null
          for (const s of sockets) s.destroy()
          server.close()
          setTimeout(listen, downMs)
          return
        }
        upstream.write(d)
      })
      upstream.on('data', (d) => client.write(d))
    }).listen(port, '127.0.0.1')
  }
  listen()
  return {
    url: `mongodb://127.0.0.1:${port}/cs`,
    // a command's first element: its name as a BSON string's key, then the collection
    arm: (verb: string, collection: string) => (armed = [Buffer.from(`\x02${verb}\0`, 'latin1'), Buffer.from(`${collection}\0`)]),
    close: () => {
      for (const s of sockets) s.destroy()
      server.close()
    },
  }
}

test('a connection dropped in the middle of a push: no row, name or new session is taken for written; the next sync writes them', async () => {
  const proxy = await cuttingProxy(server.url)
  try {
    const a = host('iota', proxy.url)
    // in the background: the proxy runs in this process, which a spawnSync would hold
    const ok = async (...args: string[]) => {
      const r = await a.run(...args)
      assert.equal(r.status, 0, `cs ${args.join(' ')}: ${r.stderr}`)
    }
    const ids = [uuid('10ba0000'), uuid('10ba0000')]
    for (const id of ids) a.session({ id, cwd: '/srv/iota', prompt: `first ${id}` })
    const cut = async (verb: string, collection: string) => {
      proxy.arm(verb, collection)
      const r = await a.run('sync')
      assert.equal(r.status, 3, `${verb} ${collection}: ${r.stdout}${r.stderr}`)
      assert.match(r.stderr, /is unavailable/)
      await new Promise((ok) => setTimeout(ok, 8500)) // the proxy takes connections again
    }
    // new sessions: inserted
    await cut('insert', 'sessions')
    assert.equal(await docs().countDocuments({ host: 'iota' }), 0)
    await ok('sync')
    assert.equal(await docs().countDocuments({ host: 'iota' }), 2)
    // changed rows: updated
    for (const id of ids) a.session({ id, cwd: '/srv/iota', prompt: `second ${id}` })
    await cut('update', 'sessions')
    await ok('sync')
    assert.deepEqual((await docs().find({ host: 'iota' }).toArray()).map((d) => d.title).sort(), ids.map((id) => `second ${id}`).sort())
    // a name: cs's metadata
    await ok('rename', ids[0], 'named in the cut')
    await cut('update', 'meta')
    await ok('sync')
    const b = host('kappa')
    b.ok('sync')
    assert.equal(b.json('info', ids[0]).name, 'named in the cut')
  } finally {
    proxy.close()
  }
})

test('a server that refuses connections: the dashboard names the refusal within its bound; cs sync exits 3 at once', async () => {
  const a = host('iota', `mongodb://127.0.0.1:${await freePort()}/cs`)
  a.session({ id: uuid('10ta0000'), cwd: '/srv/iota', prompt: 'iota work' })
  const ls = a.cs('ls')
  assert.equal(ls.status, 0)
  // the refusal itself, within the dashboard's 300 ms bound: not "no answer within 300 ms"
  assert.match(ls.stderr, /shared view offline \(the shared store at mongodb:\/\/127\.0\.0\.1:\d+\/cs is unavailable: connect ECONNREFUSED/)
  const t = Date.now()
  const sync = a.cs('sync')
  assert.equal(sync.status, 3)
  assert.match(sync.stderr, /ECONNREFUSED/)
  assert.ok(Date.now() - t < 4000, `cs sync took ${Date.now() - t} ms: it waited for the driver's 5 s timeout`)
  // another server configured: asked at once, and the first one's refusal not said of it
  a.env.CS_MONGO_URL = `mongodb://127.0.0.1:${await freePort()}/other`
  const next = a.cs('ls')
  assert.match(next.stderr, /the shared store at mongodb:\/\/127\.0\.0\.1:\d+\/other is unavailable/)
  assert.doesNotMatch(next.stderr, /\/cs is unavailable/)
  // cs hosts shows the last copy, and says the store did not answer (exit 3, as for a host)
  const hosts = a.cs('hosts')
  assert.equal(hosts.status, 3, hosts.stderr)
  assert.match(hosts.stdout, /^iota\b/m)
  assert.match(hosts.stderr, /shared view offline/)
})

test('TLS with a CA and client certificates made by openssl', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-tls-'))
  const ssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
  }
  const ext = join(dir, 'san.cnf')
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=cs test CA')
  for (const who of ['server', 'client']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? '127.0.0.1' : 'cs-client'}`)
    ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1', '-extfile', ext)
  }
  writeFileSync(join(dir, 'client-both.pem'), readFileSync(join(dir, 'client.pem'), 'utf8') + readFileSync(join(dir, 'client.key'), 'utf8'))
  const tls = await startFerret({ tls: { cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem') } })
  try {
    const a = host('theta', `mongodb://127.0.0.1:${tls.tlsPort}/cs`)
    a.session({ id: uuid('7e7a0000'), cwd: '/srv/theta', prompt: 'over tls' })
    a.ok('config', 'set', 'mongo.tls', 'true')
    a.ok('config', 'set', 'mongo.tlsCAFile', join(dir, 'ca.pem'))
    // no client certificate: the server refuses
    const refused = a.cs('sync')
    assert.equal(refused.status, 3, refused.stderr)
    a.ok('config', 'set', 'mongo.tlsCertificateKeyFile', join(dir, 'client-both.pem'))
    const r = a.json('sync')
    assert.equal(r.shared.push.rows, 1)
  } finally {
    await tls.cleanup()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a wrong password: a clear error, and the password printed nowhere', async () => {
  const password = 'Hunter2-s3cret'
  const authed = await startFerret({ auth: { user: 'cs', password } })
  try {
    const wrong = 'Wr0ng-pa55word'
    const a = host('iota', `mongodb://cs:${wrong}@127.0.0.1:${authed.port}/cs?authSource=admin`)
    a.session({ id: uuid('10a10000'), cwd: '/srv/iota', prompt: 'iota' })
    const file = join(a.env.XDG_CONFIG_HOME, 'cs/config.json')
    assert.equal(statSync(file).mode & 0o777, 0o600)
    const outputs = [a.cs('sync'), a.cs('sync', '--verbose'), a.cs('config'), a.cs('config', '--json'), a.cs('doctor'), a.cs('ls'), a.cs('ls', '--verbose')]
    assert.equal(outputs[0].status, 3)
    assert.match(outputs[0].stderr, /shared store at mongodb:\/\/cs:\*\*\*\*@127\.0\.0\.1:\d+\/cs\?authSource=admin is unavailable/)
    for (const o of outputs) assert.ok(!(o.stdout + o.stderr).includes(wrong), o.stdout + o.stderr)
    // readable by others while it holds a password: refused, with the fix
    chmodSync(file, 0o644)
    const open = a.cs('config')
    assert.equal(open.status, 1)
    assert.match(open.stderr, /holds a password but others can read it/)
    assert.ok(!open.stderr.includes(wrong))
    chmodSync(file, 0o600)
    a.ok('config', 'set', 'mongo.url', `mongodb://cs:${password}@127.0.0.1:${authed.port}/cs?authSource=admin`)
    const good = a.json('sync')
    assert.equal(good.shared.push.rows, 1)
    assert.ok(!JSON.stringify(good).includes(password))
  } finally {
    await authed.cleanup()
  }
})

test("a host's document carrying hostile pushes: checked like rows, only its own rows taken", async () => {
  const a = host('lambda')
  const good = uuid('90000000')
  const row = {
    host: 'mu', kind: 'tmux', name: null, tag: null, title: '\u001b[2Jtitled', cwd: '/srv/mu', project: 'mu', branch: null,
    state: 'waiting', stateSince: null, createdAt: null, updatedAt: null, userMessages: 1, assistantMessages: 1,
    model: null, tokens: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 }, deleted: false, csVersion: '0.1.0',
    tmuxSession: 'fine',
  }
  const claimed = uuid('91000000')
  await mongo.db('cs').collection('hosts').insertOne({
    _id: 'mu' as any, seq: 0, carried: 2, next: 2, csVersion: '0.1.0',
    recent: [
      { after: 0, seq: 1, rows: [{ ...row, id: '../../..' }, { ...row, id: good }], gone: ['../x', 7], meta: ['../../etc', { id: 1 }] },
      { after: 1, seq: 2, rows: [{ ...row, host: 'nu', id: claimed }, 'junk', null], gone: [], meta: [] },
    ],
  })
  try {
    const sync = a.ok('sync', '--verbose')
    assert.match(sync.stdout, /\.\.\/\.\.\/\.\.: bad id/)
    assert.doesNotMatch(sync.stdout, ESC)
    const rows = (a.json('ls', '--all') as any[]).filter((r) => r.host === 'mu' || r.host === 'nu')
    assert.deepEqual(rows.map((r) => [r.host, r.id, r.title, r.state]), [['mu', good, 'titled', 'waiting']])
  } finally {
    await mongo.db('cs').collection('hosts').deleteOne({ _id: 'mu' as any }) // the next test counts its own refusals
  }
})

test('hostile documents are refused and counted; nothing runs, nothing is touched, no escape is printed', async () => {
  const a = host('kappa')
  const mark = join(a.home, 'pwned')
  const evil = uuid('e5110000')
  const escaped = uuid('e5c00000')
  const base = {
    host: 'evil', kind: 'tmux', name: null, tag: null, title: 'ok', cwd: '/srv/evil', project: 'evil', branch: null,
    state: 'waiting', stateSince: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z', userMessages: 1, assistantMessages: 1, model: null,
    tokens: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 }, deleted: false, csVersion: '0.1.0', gone: false, seq: 1,
    tmuxSession: 'fine',
  }
  const db = mongo.db('cs')
  await db.collection('hosts').insertMany([
    { _id: 'evil' as any, seq: 1, next: 1, csVersion: '0.1.0', heartbeat: '2026-01-01T00:00:00Z', ssh: `-oProxyCommand=touch ${mark}` },
    { _id: `-oProxyCommand=touch ${mark}` as any, seq: 1, next: 1 },
  ])
  await docs().insertMany([
    { ...base, _id: 'evil/1' as any, id: '../../..' },
    { ...base, _id: 'evil/2' as any, id: evil, tmuxSession: `x; touch ${mark} $(touch ${mark})` },
    { ...base, _id: 'evil/3' as any, id: uuid('e5120000'), cwd: 'relative/../../etc' },
    { ...base, _id: 'evil/4' as any, id: escaped, title: '\u001b]0;pwned\u0007\u001b[2Jclean title\u001b[31m', name: '\u009b31mnamed' },
    { ...base, _id: 'evil/5' as any, host: `-oProxyCommand=touch ${mark}`, id: uuid('e5130000') },
  ])
  // a deletion stamped far ahead: it would hide the session for good, whatever is written after it
  await db.collection('meta').insertOne({ _id: evil as any, deletedAt: '9999-12-31T00:00:00.000Z', by: 'evil', seq: 1, deletedAtBy: 'evil', deletedAtSeq: 1 })
  const sync = a.ok('sync', '--verbose')
  // a tmux name with `;` and `$(…)` is one a local launch may make too: kept, only ever an argument
  assert.match(sync.stdout, /refused 3 documents/)
  assert.match(sync.stdout, /bad name/)
  assert.match(sync.stdout, /\.\.\/\.\.\/\.\.: bad id/)
  assert.match(sync.stdout, /bad cwd/)
  assert.doesNotMatch(sync.stdout, ESC)

  const rows = a.json('ls', '--all') as any[]
  assert.deepEqual(rows.filter((r) => r.host === 'evil').map((r) => r.id).sort(), [evil, escaped].sort())
  const shown = rows.find((r) => r.id === escaped)
  assert.equal(shown.title, 'named')
  const outputs = [
    a.cs('ls'), a.pty(['ls'], { NO_COLOR: '1' }), a.cs('info', escaped), a.cs('list', '--all'),
    a.cs('attach', escaped), a.cs('attach', evil), a.cs('kill', escaped), a.cs('kill', '--host', 'evil', 'fine'),
    a.cs('purge', escaped, '--yes'), a.cs('purge', '--host', 'evil', escaped, '--yes'), a.cs('doctor'),
  ]
  for (const o of outputs) assert.doesNotMatch(o.stdout + o.stderr, ESC, o.stdout + o.stderr)
  // a host silent since January: its rows, WAITING as it last said, shown as of its last word
  assert.match(outputs[0].stdout, /evil \(\d+d ago\)/)
  assert.equal(outputs[4].status, 1)
  assert.match(outputs[4].stderr, /runs on evil, not here/)
  assert.equal(outputs[8].status, 1) // another host's transcript is never purged from here
  assert.match(outputs[5].stderr, /runs on evil, not here/)
  assert.match(outputs[10].stdout, /shared documents\s+3 refused/)
  assert.doesNotMatch(readFileSync(join(a.env.XDG_STATE_HOME, 'cs/picker.tsv'), 'utf8'), ESC)
  assert.equal(existsSync(mark), false)
  const deletedAt = storeValue(a.env, 'SELECT deleted_at FROM meta WHERE id = ?', evil) as string
  assert.ok(Date.parse(deletedAt) <= Date.now(), `a deletion ahead of this clock stands at now: ${deletedAt}`)
  // the host taken out of the server: what was copied of it goes at the next sync
  await db.collection('hosts').deleteOne({ _id: 'evil' as any })
  a.ok('sync')
  assert.deepEqual((a.json('ls', '--all') as any[]).filter((r) => r.host === 'evil'), [])
  assert.ok(!(a.json('hosts') as any[]).some((h) => h.name === 'evil'))
})

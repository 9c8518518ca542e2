import { after, before, test } from 'node:test'
import { spawnSync } from 'node:child_process'
import assert from 'node:assert/strict'
import { appendFileSync, existsSync, readFileSync, rmSync, utimesSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { CS_COMMAND, isolatedCs } from './harness/cs.ts'
import { displayWidth } from '../lib/format.ts'
import { shellLine } from '../lib/quote.ts'
import { storeValue } from './harness/store-read.ts'

const t = isolatedCs('commands')
after(t.cleanup)

const A = 'abcd1111-0000-4000-8000-000000000001' // shares 'abcd' with B
const B = 'abcd2222-0000-4000-8000-000000000002'
const C = 'c0ffee00-0000-4000-8000-000000000003'
const O = '0d0d0d0d-0000-4000-8000-000000000004' // an orphan left by /clear
let pathA = ''

before(() => {
  pathA = t.session({
    id: A,
    cwd: '/work/api',
    prompt: 'fix the login',
    at: '2026-11-20T10:00:00.000Z',
  })
  t.session({ id: B, cwd: '/work/web', prompt: 'style the page', at: '2026-11-21T10:00:00.000Z' })
  t.session({
    id: C,
    cwd: '/work/api',
    title: 'release',
    prompt: 'cut 1.0',
    at: '2026-11-19T10:00:00.000Z',
  })
  t.session({ id: O, cwd: '/work/api', orphan: true, at: '2026-11-22T10:00:00.000Z' })
})

test('ls --json lists sessions newest first with the documented fields, orphans hidden', () => {
  const rows = t.json('ls')
  assert.deepEqual(
    rows.map((r: any) => r.id),
    [B, A, C]
  )
  const a = rows[1]
  assert.deepEqual(
    {
      id: a.id,
      short: a.short,
      name: a.name,
      title: a.title,
      host: a.host,
      state: a.state,
      cwd: a.cwd,
      project: a.project,
      branch: a.branch,
      messages: a.messages,
      orphan: a.orphan,
      deleted: a.deleted,
      live: a.live,
    },
    {
      id: A,
      short: 'abcd1',
      name: null,
      title: 'fix the login',
      host: 'testhost',
      state: 'stopped',
      cwd: '/work/api',
      project: 'api',
      branch: 'main',
      messages: 3,
      orphan: false,
      deleted: false,
      live: false,
    }
  )
  assert.match(a.createdAt, /^2026-11-20T10:00:\d\d\.\d{3}Z$/)
  assert.ok(a.updatedAt > a.createdAt)
  assert.equal(rows[2].name, 'release')
  const all = t.json('ls', '--all')
  assert.equal(all.find((r: any) => r.id === O).orphan, true)
})

test('plain cs is the dashboard: a header, one line per session, no colour in a pipe', () => {
  const r = t.cs()
  assert.equal(r.status, 0, r.stderr)
  const lines = r.stdout.trimEnd().split('\n')
  assert.match(lines[0], /^ID\s+TITLE\s+HOST\s+STATE\s+PROJECT\s+AGE$/)
  assert.match(lines[1], /^abcd2\s+style the page\s+testhost\s+-\s+web\s+\d+[smhdy]$/)
  assert.equal(lines.length, 4)
  assert.doesNotMatch(r.stdout, /\x1b\[/)
})

test('list: one line per session, filtered by project, sorted by title, limited', () => {
  const r = t.cs('list', '--project', 'api', '--sort', 'title')
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(
    r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]),
    ['abcd1', 'c0ff']
  )
  assert.deepEqual(
    t.json('list', '--limit', '1').map((r: any) => r.id),
    [B]
  )
  assert.equal(t.json('list', '--local').length, 3)
})

test('--host naming a host cs does not know is an error naming those it knows, not an empty list', () => {
  for (const args of [['list'], ['ls', '--json'], ['deleted'], ['info', 'abcd1'], ['rename', 'abcd1', 'x'], ['kill', 'abcd1']]) {
    const r = t.cs(...args, '--host', 'elsewhere')
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /^cs: no host named 'elsewhere'\n\s+cs knows testhost \(cs hosts lists them\)\n$/)
  }
  assert.equal(t.json('list', '--host', 'testhost').length, 3)
})

test('an ambiguous prefix fails and lists the candidates; a longer one works', () => {
  const r = t.cs('info', 'abcd')
  assert.equal(r.status, 1)
  assert.match(r.stderr, /'abcd' is ambiguous/)
  assert.match(r.stderr, /abcd1\s+fix the login/)
  assert.match(r.stderr, /abcd2\s+style the page/)
  const info = t.cs('info', 'abcd1')
  assert.equal(info.status, 0, info.stderr)
  assert.match(info.stdout, new RegExp(`^id\\s+${A}$`, 'm'))
  assert.match(info.stdout, /^transcript\s+\S+abcd1111-0000-4000-8000-000000000001\.jsonl$/m)
  assert.match(info.stdout, /^tokens\s+1,230 in, 125 out, 31,000 cache read, 420 cache write$/m)
  const missing = t.cs('info', 'zzzz')
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /^cs: no session matches 'zzzz'\n\s+use a short id/)
})

test('a name is accepted wherever an id is', () => {
  assert.equal(t.json('info', 'release').id, C)
})

test('rename shows at once and survives re-indexing; --clear gives the own title back', () => {
  assert.equal(t.cs('rename', 'abcd1', 'login', 'bug').status, 0)
  assert.equal(t.json('info', A).name, 'login bug')
  appendFileSync(
    pathA,
    JSON.stringify({ type: 'custom-title', customTitle: 'claude side', sessionId: A }) + '\n'
  )
  const after = t.json('info', 'login bug')
  assert.equal(after.title, 'login bug')
  assert.equal(after.id, A)
  assert.equal(t.cs('rename', A, '--clear').status, 0)
  assert.equal(t.json('info', A).name, 'claude side')
  assert.equal(t.cs('rename', A).status, 2)
  // a name that is the start of another session's id would never find this one
  const shortC = t.json('info', C).short
  const clash = t.cs('rename', B, shortC)
  assert.equal(clash.status, 1)
  assert.match(clash.stderr, new RegExp(`^cs: '${shortC}' is the start of the id of session ${shortC}\n`))
  assert.equal(t.cs('rename', C, shortC).status, 0, 'its own short id: no clash')
  assert.equal(t.cs('rename', C, '--clear').status, 0)
})

test("the tmux picker's history cache follows what commands change", () => {
  const cache = () => readFileSync(join(t.home, '.local/state/cs/picker.tsv'), 'utf8')
  t.cs('ls')
  assert.match(cache(), new RegExp(`^${C}\\tstopped\\t.*release`, 'm'))
  assert.equal(t.cs('rename', C, 'shipping').status, 0)
  assert.match(cache(), new RegExp(`^${C}\\t.*shipping`, 'm'))
  assert.doesNotMatch(cache(), /release/)
  assert.equal(t.cs('rename', C, '--clear').status, 0)
  assert.match(cache(), /release/)
  const D = 'dddd0000-0000-4000-8000-000000000005'
  t.session({ id: D, cwd: '/work/new', prompt: 'fresh history' })
  assert.equal(t.cs('sync').status, 0)
  assert.match(cache(), new RegExp(`^${D}\\t.*fresh history`, 'm'))
  // the dashboard rewrites it too, at most once a minute
  const E = 'eeee0000-0000-4000-8000-000000000006'
  t.session({ id: E, cwd: '/work/new', prompt: 'newer history' })
  t.cs('ls')
  assert.doesNotMatch(cache(), /newer history/)
  const old = new Date(Date.now() - 120_000)
  utimesSync(join(t.home, '.local/state/cs/picker.tsv'), old, old)
  t.session({ id: 'eeee0000-0000-4000-8000-000000000007', cwd: '/work/new', prompt: 'newest' })
  t.cs('ls')
  assert.match(cache(), /newer history/)
})

test('a name, a tag or a deletion writes again only the rows it changed in the picker cache', () => {
  const file = join(t.home, '.local/state/cs/picker.tsv')
  const cache = () => readFileSync(file, 'utf8')
  t.cs('ls')
  // a row no store holds: it stays only if the file is not written whole
  const planted = 'f1f1f1f1-0000-4000-8000-000000000009\tstopped\t\t1\telsewhere\t\tplanted\t\tp\t\n'
  appendFileSync(file, planted)
  assert.equal(t.cs('rename', C, 'patched in').status, 0)
  assert.equal(t.cs('tag', C, 'wip').status, 0)
  assert.equal(t.cs('rm', B).status, 0)
  const patched = cache()
  assert.ok(patched.endsWith(planted), 'the other rows as they were')
  assert.match(patched, new RegExp(`^${C}\\tstopped\\t\\t.*\\tpatched in\\t`, 'm'))
  assert.match(patched, new RegExp(`^${B}\\tstopped\\td\\t`, 'm'))
  // byte for byte what a whole write gives
  rmSync(file)
  assert.equal(t.cs('sync').status, 0)
  assert.equal(cache(), patched.slice(0, -planted.length))
  // a session the file does not hold yet: written whole
  appendFileSync(file, planted)
  const F = 'f2f2f2f2-0000-4000-8000-00000000000a'
  const path = t.session({ id: F, cwd: '/work/new', prompt: 'not listed yet' })
  assert.equal(t.cs('rename', F, 'listed now').status, 0)
  assert.doesNotMatch(cache(), /planted/)
  assert.match(cache(), new RegExp(`^${F}\\t.*listed now`, 'm'))
  for (const args of [['rm', '--undo', B], ['rename', C, '--clear'], ['tag', C, '--clear'], ['rename', F, '--clear']])
    assert.equal(t.cs(...args).status, 0)
  rmSync(path)
})

test('tag sets and removes a label', () => {
  assert.equal(t.cs('tag', 'abcd2', 'wip').status, 0)
  assert.equal(t.json('info', B).tag, 'wip')
  assert.equal(t.cs('tag', 'abcd2', '--clear').status, 0)
  assert.equal(t.json('info', B).tag, null)
})

test('rm hides a session, deleted lists it, --undo brings it back', () => {
  const rm = t.cs('rm', 'abcd2')
  assert.equal(rm.status, 0, rm.stderr)
  // the undo said as it is typed
  const short = t.json('ls', '--all').find((r: any) => r.id === B).short
  assert.equal(rm.stdout, `deleted ${short} (undo: cs rm --undo ${short})\n`)
  assert.equal(t.cs('rm', 'abcd2').stdout, `${short}: deleted already\n`)
  assert.equal(t.cs('rm', '--undo', A).stdout, `${t.json('info', A).short}: not deleted\n`)
  assert.ok(!t.json('ls').some((r: any) => r.id === B))
  assert.equal(t.json('ls', '--all').find((r: any) => r.id === B).deleted, true)
  assert.deepEqual(
    t.json('deleted').map((r: any) => r.id),
    [B]
  )
  assert.equal(t.cs('rm', '--undo', 'abcd2').status, 0)
  assert.deepEqual(t.json('deleted'), [])
  assert.ok(t.json('ls').some((r: any) => r.id === B))
  // one session named twice (by prefix and by id) is one deletion
  assert.deepEqual(t.json('rm', 'abcd2', B).map((r: any) => r.id), [B])
  assert.match(t.cs('rm', '--undo', B, 'abcd2').stdout, /^restored abcd2\n$/)
})

test('cs hosts counts this host\'s sessions as the dashboard shows them: no orphan, no soft-deleted one', () => {
  const mine = () => t.json('hosts').find((h: any) => h.name === t.env.CS_HOST).sessions
  const none = { working: 0, waiting: 0, idle: 0, dead: 0 }
  const shown = t.json('ls').length
  assert.ok(t.json('ls', '--all').some((r: any) => r.id === O && r.orphan), 'an orphan the count leaves out')
  assert.deepEqual(mine(), { ...none, history: shown })
  assert.equal(t.cs('rm', 'abcd2').status, 0)
  assert.deepEqual(mine(), { ...none, history: shown - 1 })
  assert.equal(t.cs('rm', '--undo', 'abcd2').status, 0)
  assert.deepEqual(mine(), { ...none, history: shown })
})

test('colour on a terminal, none under NO_COLOR', () => {
  const inPty = (env: Record<string, string>) => {
    const r = t.pty(['ls'], env)
    assert.equal(r.status, 0, r.stdout)
    return r.stdout
  }
  assert.match(inPty({}), /\x1b\[/)
  assert.doesNotMatch(inPty({ NO_COLOR: '1' }), /\x1b\[/)
})

// every command's --help: test/cli.test.ts
test("bad values of a listing's flags are usage errors", () => {
  const bad = t.cs('ls', '--sort', 'colour')
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /--sort wants one of updated, title, host, project/)
  assert.equal(t.cs('list', '--limit', 'ten').status, 2)
  assert.equal(t.cs('ls', '--nope').status, 2)
  assert.equal(t.cs('info').status, 2)
  assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/)
})

test('ls --verbose counts the records and lines cs did not understand', () => {
  const id = 'e0e0e0e0-0000-4000-8000-000000000005'
  const path = t.session({ id, cwd: '/work/odd', prompt: 'odd one' })
  appendFileSync(path, '{"type":"a-record-from-the-future"}\nnot json\n')
  const r = t.cs('ls', '--verbose')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^ID\s+TITLE\s+HOST\s+STATE\s+PROJECT\s+AGE\s+UNKNOWN\/BAD$/m)
  assert.match(r.stdout, /^e0e0\s+odd one\s.*\s1\/1$/m)
  const row = t.json('ls', '--verbose').find((r: any) => r.id === id)
  assert.deepEqual([row.unknownRecords, row.badLines], [1, 1])
})

test('ls sees new, removed and recent transcripts at once, old ones at the next full walk', () => {
  const h = isolatedCs('hotset')
  after(h.cleanup)
  const cwd = '/work/old'
  const old = h.session({ id: A, cwd, prompt: 'old work', at: '2026-01-01T10:00:00.000Z' })
  const days = new Date(Date.now() - 3 * 24 * 3600_000)
  utimesSync(old, days, days)
  utimesSync(dirname(old), days, days)
  assert.equal(h.cs('sync').status, 0)
  const rename = (name: string) =>
    appendFileSync(old, JSON.stringify({ type: 'custom-title', customTitle: name, sessionId: A }) + '\n')
  const titles = () => h.json('ls').map((r: any) => r.title)

  rename('renamed elsewhere') // by a client cs cannot see: the file is not hot
  assert.deepEqual(titles(), ['old work'])
  assert.equal(h.cs('sync').status, 0) // nor for a sync while the walk is not due
  assert.deepEqual(titles(), ['old work'])
  h.env.CS_FULL_SCAN_SECONDS = '0' // a sync that finds the walk due (cron's, every 5 minutes) stats every file
  assert.equal(h.cs('sync').status, 0)
  delete h.env.CS_FULL_SCAN_SECONDS
  assert.deepEqual(titles(), ['renamed elsewhere'])

  rename('renamed again')
  h.env.CS_FULL_SCAN_SECONDS = '0' // the interval since the last full walk has passed:
  titles() // this dashboard starts the walk in a background `cs sync`, and does not wait for it
  delete h.env.CS_FULL_SCAN_SECONDS
  const marker = join(h.home, '.local/state/cs/sync.running')
  for (let waited = 0; existsSync(marker) && waited < 20_000; waited += 50) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
  assert.ok(!existsSync(marker), 'the background sync ended and removed its marker')
  assert.deepEqual(titles(), ['renamed again'])

  const fresh = h.session({ id: B, cwd, prompt: 'new work', at: '2026-01-02T10:00:00.000Z' })
  assert.deepEqual(titles(), ['new work', 'renamed again'])
  appendFileSync(fresh, JSON.stringify({ type: 'custom-title', customTitle: 'new title', sessionId: B }) + '\n')
  assert.deepEqual(titles(), ['new title', 'renamed again'])
  rmSync(fresh)
  assert.deepEqual(titles(), ['renamed again'])
})

test('ls --json is made from the rows the store keeps, the same as built from every view, after every change', () => {
  // --verbose builds every view as before (and adds two counts): the reference
  const strip = (rows: any[]) => rows.map(({ unknownRecords, badLines, ...r }) => r)
  const same = (...args: string[]) => {
    const rows = t.json('ls', ...args)
    assert.deepEqual(rows, strip(t.json('ls', '--verbose', ...args)))
    return rows
  }
  same()
  same('--all')
  // cs's own metadata changed
  assert.equal(t.cs('tag', C, 'kept?').status, 0)
  assert.equal(same().find((r: any) => r.id === C).tag, 'kept?')
  assert.equal(t.cs('rename', A, 'renamed row').status, 0)
  assert.equal(same().find((r: any) => r.id === A).title, 'renamed row')
  // a transcript grew
  const before = same().find((r: any) => r.id === A).messages
  appendFileSync(
    pathA,
    JSON.stringify({ parentUuid: null, isSidechain: false, type: 'user', message: { role: 'user', content: 'one more' }, uuid: 'u-more', timestamp: new Date().toISOString(), cwd: '/work/api', sessionId: A }) + '\n'
  )
  assert.equal(same().find((r: any) => r.id === A).messages, before + 1)
  same('--all')
  assert.equal(t.cs('rename', A, '--clear').status, 0)
  same()
  assert.ok(!existsSync(join(t.home, '.local/state/cs/ls-json.cache')), 'no output is kept to be replayed')
})

test('the table shows the most recent sessions that fit and counts the rest; --limit and --all show more', () => {
  const lines = (...args: string[]) => t.cs('ls', ...args).stdout.trimEnd().split('\n')
  const shown = t.json('ls').length
  let out = lines('--limit', '1')
  assert.equal(out.length, 3, 'a header, one row, the count')
  assert.equal(out[2], `… ${shown - 1} more: --limit N shows N, --all every one`)
  out = lines('--all')
  assert.equal(out.length, 1 + t.json('ls', '--all').length, 'every session, orphans too, no count')
  assert.deepEqual(t.json('ls', '--limit', '2').map((r: any) => r.id), t.json('ls').slice(0, 2).map((r: any) => r.id))
  // a limit past what SQLite takes is every one; none is no limit that makes sense
  assert.equal(t.json('ls', '--limit', '99999999999999999999').length, shown)
  assert.equal(lines('--limit', '9223372036854775807').length, 1 + shown)
  assert.equal(t.cs('ls', '--limit', '0').status, 2)
  // more than fit: stdout is a pipe here, 50 rows
  for (let i = 0; i < 50; i++)
    t.session({ id: `eeee${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`, cwd: '/work/many', prompt: `many ${i}`, at: '2026-10-01T10:00:00.000Z' })
  const all = t.json('ls')
  assert.equal(all.length, shown + 50)
  out = lines()
  assert.equal(out.length, 1 + 50 + 1)
  assert.equal(out[51], `… ${all.length - 50} more: --limit N shows N, --all every one`)
  // the newest first, with the short ids of the JSON (unique over every id, shown or not)
  assert.deepEqual(out.slice(1, 51).map((l) => l.split(/\s+/)[0]), all.slice(0, 50).map((r: any) => r.short))
  // on a terminal of 30 columns the count is cut to it, as the rows' titles are
  const narrow = spawnSync('script', ['-qec', `stty cols 30 rows 20; ${shellLine([CS_COMMAND, 'ls'])}`, '/dev/null'], { env: { ...t.env, NO_COLOR: '1', TERM: 'xterm' }, encoding: 'utf8' })
  const count = narrow.stdout.split(/\r?\n/).filter(Boolean).at(-1)!
  assert.match(count, /^… [\d,]+ more: --limit N .*…$/)
  assert.equal(displayWidth(count), 30)
})

test('rename, tag, rm and sync build again the block of history they changed: the next cs ls --json reads it whole', () => {
  const stale = () => storeValue(t.env, 'SELECT count(*) FROM blocks WHERE file IS NULL')
  t.json('ls') // the rows and their blocks built
  assert.equal(stale(), 0)
  for (const args of [['rename', B, 'blocks kept'], ['tag', B, 'kept'], ['rm', B], ['rm', '--undo', B], ['rename', B, '--clear'], ['tag', B, '--clear']]) {
    assert.equal(t.cs(...args).status, 0, args.join(' '))
    assert.equal(stale(), 0, args.join(' '))
  }
  // a sync that read a change (its index, not its own writes) does it too
  const rec = { type: 'user', message: { role: 'user', content: 'one more' }, uuid: 'u-blocks', timestamp: '2026-11-21T11:00:00.000Z', sessionId: B }
  appendFileSync(join(dirname(pathA), '..', '-work-web', `${B}.jsonl`), JSON.stringify(rec) + '\n')
  assert.equal(t.cs('sync').status, 0)
  assert.equal(stale(), 0, 'cs sync')
})

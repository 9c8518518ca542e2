import { after, test } from 'node:test'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import assert from 'node:assert/strict'
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { procStat } from '../lib/registry.ts'
import { isolatedCs } from './harness/cs.ts'
import { TestTmux } from './harness/tmux.ts'

const LIST = resolve(import.meta.dirname, '../tmux/list.sh')
const HOOK = resolve(import.meta.dirname, '../tmux/hook.sh')
const t = isolatedCs('gc')
const tmux = new TestTmux('gc', t.env) // the socket cs uses in this suite
after(() => {
  tmux.cleanup()
  t.cleanup()
})

const id = (n: number) => `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`
/** Ids (their first `length` characters) in the order the question before `[y/N]` showed them
 *  (by their short ids). */
const asShown = (stdout: string, ns: number[], length = 36) => {
  const question = stdout.slice(0, stdout.indexOf('[y/N]'))
  const at = (n: number) => question.indexOf(id(n).slice(0, 8))
  assert.ok(ns.every((n) => at(n) >= 0), `each of ${ns} shown before the question: ${stdout}`)
  return [...ns].sort((a, b) => at(a) - at(b)).map((n) => id(n).slice(0, length))
}
const ids = (rows: any[]) => rows.map((r) => r.id).sort()
const OLD = '2025-01-01T00:00:00.000Z'

/** A live session as `cs launch` and the hook leave one: a tmux session carrying its id, WORKING
 *  for two minutes. */
function live(server: TestTmux, name: string, claudeId: string, cwd = '/w/live') {
  server.newSession(name, t.home, ['sleep', '600'])
  const opts = {
    '@cs_managed': '1',
    '@cs_id': claudeId,
    '@cs_state': 'working',
    '@cs_state_at': String(Math.floor(Date.now() / 1000) - 120),
    '@cs_transcript': '/x',
    '@cs_cwd': cwd,
    '@cs_title': name,
  }
  for (const [k, v] of Object.entries(opts)) server.run('set-option', '-t', `=${name}:`, k, v)
}

test('gc moves unnamed orphans and /clear copies of a name, never a name of their own; --restore puts them back byte for byte', () => {
  const plain = t.session({ id: id(1), cwd: '/w/gc', orphan: true })
  const inherited = t.session({ id: id(2), cwd: '/w/gc', orphan: true, title: 'parent name' })
  const named = t.session({ id: id(3), cwd: '/w/gc', orphan: true })
  const tagged = t.session({ id: id(4), cwd: '/w/gc', orphan: true })
  t.session({ id: id(5), cwd: '/w/gc', prompt: 'a real conversation', title: 'parent name' })
  const ownName = t.session({ id: id(6), cwd: '/w/gc', orphan: true, title: 'its own name' })
  mkdirSync(join(dirname(plain), id(1), 'subagents'), { recursive: true })
  writeFileSync(
    join(dirname(plain), id(1), 'subagents', 'agent-a1.jsonl'),
    '{"isSidechain":true}\n'
  )
  assert.equal(t.cs('rename', id(3), 'keep me').status, 0)
  assert.equal(t.cs('tag', id(4), 'keep').status, 0)
  // the conversation /clear copied its title from, named by cs since: the copy is still a copy
  assert.equal(t.cs('rename', id(5), 'the parent, renamed in cs').status, 0)
  const before = readFileSync(plain)
  const mtime = statSync(plain).mtimeMs

  const dry = t.cs('gc')
  assert.equal(dry.status, 0, dry.stderr)
  assert.match(dry.stdout, /nothing moved: `cs gc --yes`/)
  assert.ok(existsSync(plain))
  const listed = t.json('gc')
  assert.deepEqual(ids(listed.orphans), [id(1), id(2)])
  assert.deepEqual(listed.moved, [])

  const moved = t.cs('gc', '--yes')
  assert.equal(moved.status, 0, moved.stderr)
  assert.match(moved.stdout, /moved 2 to .*\/cs\/trash/)
  assert.ok(!existsSync(plain) && !existsSync(inherited))
  assert.ok(!existsSync(join(dirname(plain), id(1))))
  assert.ok(existsSync(named) && existsSync(tagged) && existsSync(ownName))
  assert.deepEqual(ids(t.json('ls', '--all')), [id(3), id(4), id(5), id(6)])

  const one = t.cs('gc', '--restore', id(1).slice(0, 8))
  assert.equal(one.status, 0, one.stderr)
  assert.deepEqual(readFileSync(plain), before)
  assert.equal(statSync(plain).mtimeMs, mtime)
  assert.ok(existsSync(join(dirname(plain), id(1), 'subagents', 'agent-a1.jsonl')))
  assert.ok(!existsSync(inherited))
  assert.deepEqual(t.json('gc', '--restore').restored, [id(2)])
  assert.ok(existsSync(inherited))
  assert.ok(t.json('ls', '--all').some((r: any) => r.id === id(1)))
  const unknown = t.cs('gc', '--restore', 'ffffffff')
  assert.equal(unknown.status, 1)
  assert.match(unknown.stderr, /no session 'ffffffff' in the trash/)
  assert.match(unknown.stderr, /the trash is empty/, 'what it holds, not a command that restores all')
})

test('gc --restore refuses a manifest that points outside the projects folder', () => {
  const outside = join(t.home, 'elsewhere', 'x.jsonl')
  const dir = join(t.env.XDG_DATA_HOME, 'cs/trash', id(9))
  mkdirSync(join(dir, 'files'), { recursive: true })
  writeFileSync(join(dir, 'files', 'x.jsonl'), 'data\n')
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ id: id(9), movedAt: OLD, items: [{ from: outside, name: 'x.jsonl' }] })
  )
  const r = t.cs('gc', '--restore', id(9))
  assert.equal(r.status, 1)
  assert.match(r.stderr, /refusing to touch .*elsewhere/)
  assert.ok(!existsSync(outside))
  rmSync(dir, { recursive: true })
})

test('prune soft-deletes idle unnamed, untagged sessions; --dry-run and --undo', () => {
  t.session({ id: id(20), cwd: '/w/prune', prompt: 'old', at: OLD })
  t.session({ id: id(21), cwd: '/w/prune', prompt: 'old and named', at: OLD, title: 'named' })
  t.session({ id: id(22), cwd: '/w/prune', prompt: 'old and tagged', at: OLD })
  t.session({ id: id(23), cwd: '/w/prune', prompt: 'recent', at: new Date(Date.now() - 3600_000).toISOString() })
  assert.equal(t.cs('tag', id(22), 'keep').status, 0)
  const dry = t.json('prune', '--days', '30', '--dry-run')
  assert.deepEqual(ids(dry.filter((r: any) => r.project === 'prune')), [id(20)])
  assert.deepEqual(t.json('deleted'), [])
  const asked = t.cs('prune', '--days', '30')
  assert.equal(asked.status, 0, asked.stderr)
  assert.match(asked.stdout, /nothing soft-deleted: `cs prune --days 30 --yes` does it/)
  assert.deepEqual(t.json('deleted'), [], 'off a terminal, prune only lists without --yes')
  // on a terminal it asks, in plain text (NO_COLOR: no escape sequence at all), and n keeps all
  const cs = `${process.execPath} ${join(import.meta.dirname, '../bin/cs.mjs')} prune --days 30`
  const onTty = spawnSync('script', ['-qec', cs, '/dev/null'], { env: { ...t.env, NO_COLOR: '1' }, input: 'n\n', encoding: 'utf8', timeout: 30_000 })
  assert.match(onTty.stdout, /soft-delete 1 session\? \[y\/N\] /)
  assert.doesNotMatch(onTty.stdout, /\x1b/)
  assert.deepEqual(t.json('deleted'), [])
  const r = t.cs('prune', '--days', '30', '--yes')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /soft-deleted \d+ \(undo: cs prune --undo\)/)
  assert.ok(t.json('deleted').some((r: any) => r.id === id(20)))
  assert.ok(existsSync(join(t.projects, '-w-prune', `${id(20)}.jsonl`)), 'prune deletes no file')
  assert.equal(t.cs('prune', '--undo', id(20)).status, 0)
  assert.ok(!t.json('deleted').some((r: any) => r.id === id(20)))
  // the whole last prune at once, but not what cs rm deleted since
  t.session({ id: id(24), cwd: '/w/prune', prompt: 'old too', at: OLD })
  const pruned = ids(t.json('prune', '--days', '30', '--yes'))
  assert.ok(pruned.length >= 2 && pruned.includes(id(24)), String(pruned))
  assert.equal(t.cs('rm', id(23)).status, 0)
  // a flag of the prune itself with --undo is an error, not dropped: nothing restored
  for (const flag of ['--dry-run', '--yes', '--days=30']) {
    const r = t.cs('prune', '--undo', flag)
    assert.equal(r.status, 2, flag)
    assert.match(r.stderr, /--undo takes no --/)
  }
  assert.ok(t.json('deleted').some((r: any) => r.id === id(24)))
  const undo = t.cs('prune', '--undo')
  assert.equal(undo.status, 0, undo.stderr)
  assert.match(undo.stdout, new RegExp(`restored ${pruned.length} sessions`))
  assert.deepEqual(ids(t.json('deleted')), [id(23)])
  assert.equal(t.cs('prune').status, 2)
})

test('a soft-deleted session written to afterwards (resumed by claude --resume) shows again; a live one is not soft-deleted', () => {
  const file = t.session({ id: id(25), cwd: '/w/resumed', prompt: 'old', at: OLD })
  assert.deepEqual(ids(t.json('prune', '--days', '30', '--yes').filter((r: any) => r.project === 'resumed')), [id(25)])
  const shown = () => t.json('ls').some((r: any) => r.id === id(25))
  assert.equal(shown(), false)
  // as a client that resumed it writes: a prompt at the time of writing
  const at = new Date(Date.now() + 1000).toISOString()
  const rec = { type: 'user', message: { role: 'user', content: 'back to it' }, uuid: 'u-resumed', timestamp: at, sessionId: id(25), cwd: '/w/resumed' }
  appendFileSync(file, JSON.stringify(rec) + '\n')
  assert.equal(shown(), true)
  assert.ok(!t.json('deleted').some((r: any) => r.id === id(25)))
  assert.equal(t.json('info', id(25)).deleted, false)
  // a transcript whose clock runs ahead of this host's (within what the index takes): a deletion
  // stamped after what it shows, so that it stands
  t.session({ id: id(26), cwd: '/w/resumed', prompt: 'from a clock ahead', at: new Date(Date.now() + 5 * 60_000).toISOString() })
  const rm = t.cs('rm', id(26))
  assert.equal(rm.status, 0, rm.stderr)
  assert.ok(t.json('deleted').some((r: any) => r.id === id(26)), 'deleted, and it stands')
  assert.match(t.cs('rm', id(26)).stdout, /deleted already/)
  rmSync(dirname(file), { recursive: true }) // its folder names a cwd that is not there
})

test('purge refuses named sessions unless given by full id, and needs --yes off a terminal', () => {
  const plain = t.session({ id: id(30), cwd: '/w/purge', prompt: 'bye' })
  const named = t.session({ id: id(31), cwd: '/w/purge', prompt: 'stay', title: 'precious' })
  mkdirSync(join(dirname(plain), id(30)), { recursive: true })

  const asked = t.cs('purge', 'purge')
  assert.equal(asked.status, 1)
  assert.match(asked.stderr, /keeping live, named or tagged 0000003/)
  assert.match(asked.stderr, /nothing deleted\n\s+purge is irreversible: add --yes/)
  assert.ok(existsSync(plain))

  const byName = t.cs('purge', 'precious', '--yes')
  assert.equal(byName.status, 1)
  assert.match(byName.stderr, /nothing to purge/)
  assert.ok(existsSync(named))
  assert.equal(t.cs('purge', 'no-such-thing', '--yes').status, 1)
  for (const empty of ['', ' ']) assert.equal(t.cs('purge', empty, '--yes').status, 2, 'an empty pattern: a usage error')

  const r = t.json('purge', 'purge', '--yes')
  assert.deepEqual(r, { purged: [id(30)], kept: [id(31)] })
  assert.ok(!existsSync(plain) && !existsSync(join(dirname(plain), id(30))))
  assert.ok(existsSync(named))

  assert.deepEqual(t.json('purge', id(31), '--yes').purged, [id(31)])
  assert.ok(!existsSync(named))
  assert.equal(t.cs('info', 'precious').status, 1)
})

test('purge --orphans removes only folders whose recorded cwd is gone', () => {
  const real = join(t.home, 'code', 'my_proj.v2') // its folder name is lossy: -…-code-my-proj-v2
  mkdirSync(real, { recursive: true })
  const kept = t.session({ id: id(40), cwd: real, prompt: 'here' })
  const gone = t.session({ id: id(41), cwd: join(t.home, 'deleted', 'proj'), prompt: 'gone' })
  const goneNamed = t.session({
    id: id(42),
    cwd: join(t.home, 'deleted', 'named'),
    prompt: 'x',
    title: 'mine',
  })
  // a folder whose name decodes to a missing path, but whose transcript records a real cwd
  const decoy = join(t.projects, '-nonexistent-path')
  mkdirSync(decoy)
  writeFileSync(
    join(decoy, `${id(43)}.jsonl`),
    readFileSync(kept, 'utf8').replaceAll(id(40), id(43))
  )

  const dry = t.cs('purge', '--orphans')
  assert.equal(dry.status, 1)
  assert.ok(existsSync(gone))
  const r = t.json('purge', '--orphans', '--yes')
  assert.deepEqual(r.purged, [dirname(gone)])
  assert.ok(r.kept.includes(dirname(goneNamed).split('/').pop()))
  assert.ok(!existsSync(dirname(gone)))
  assert.ok(existsSync(kept) && existsSync(decoy) && existsSync(goneNamed))
  assert.ok(!t.json('ls', '--all').some((r: any) => r.id === id(41)))
  // again: only the named one's folder is left, kept, and said so without a contradiction
  const again = t.cs('purge', '--orphans', '--yes')
  assert.equal(again.status, 0, again.stderr)
  assert.match(again.stderr, /keeping folders with live, named or tagged sessions/)
  assert.equal(again.stdout, 'nothing else to purge\n')
})

test('live sessions come first with their state, and gc, prune and purge leave them alone', () => {
  const orphan = t.session({ id: id(50), cwd: '/w/live', orphan: true, at: OLD })
  live(tmux, 'one', id(50))
  live(tmux, 'fresh', id(51)) // no transcript yet: still a row

  const rows = t.json('ls')
  assert.deepEqual(ids(rows.slice(0, 2)), [id(50), id(51)])
  const row = rows.find((r: any) => r.id === id(50))
  assert.equal(row.state, 'working')
  assert.equal(row.live, true)
  assert.equal(row.tmuxSession, 'one')
  assert.equal(rows.find((r: any) => r.id === id(51)).title, 'fresh')
  assert.match(t.cs('ls').stdout, /^0000005\d\s+\S+\s+testhost\s+WORKING 2m\s/m)

  assert.ok(!t.json('gc').orphans.some((r: any) => r.id === id(50)))
  // a deletion stands until the session is written to: a live one's would not outlast it
  const rm = t.cs('rm', id(51), id(50))
  assert.equal(rm.status, 1)
  assert.match(rm.stderr, /^cs: 0000005\d, 0000005\d are live: nothing deleted\n.*cs kill/s)
  assert.ok(!t.json('ls', '--all').some((r: any) => [id(50), id(51)].includes(r.id) && r.deleted))
  assert.ok(!t.json('prune', '--days', '1', '--dry-run').some((r: any) => r.id === id(50)))
  assert.equal(t.cs('purge', 'live', '--yes').status, 1)
  assert.ok(existsSync(orphan))
})

test('gc, prune and purge decide on the files as they are, and leave alone what a claude holds that no view shows', async (tc) => {
  // an old session resumed since by a client cs does not see, gone again: a file whose mtime the
  // dashboard's index does not stat (old as last indexed), until the walk due every 5 minutes
  const resumed = t.session({ id: id(80), cwd: '/w/held', at: OLD })
  const old = new Date(OLD)
  utimesSync(resumed, old, old)
  utimesSync(dirname(resumed), old, old)
  assert.equal(t.cs('sync').status, 0)
  const prompt = readFileSync(resumed, 'utf8').split('\n').find((l) => l.includes('"type":"user"'))!
  appendFileSync(resumed, prompt.replace(/"timestamp":"[^"]*"/, `"timestamp":"${new Date().toISOString()}"`) + '\n')
  assert.ok(!t.json('prune', '--days', '30', '--dry-run').some((r: any) => r.id === id(80)), 'resumed today')

  // claudes hold two orphans and an old session, each in Claude's registry, none shown live: a
  // daemon's worker, an SDK session (no status), and a newer client (a status cs does not know)
  const orphan = t.session({ id: id(81), cwd: '/w/worker', orphan: true, at: OLD })
  const held = t.session({ id: id(82), cwd: '/w/worker', at: OLD })
  const newer = t.session({ id: id(83), cwd: '/w/worker', orphan: true, at: OLD })
  const claude = join(t.home, 'claude')
  copyFileSync(execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), claude)
  const sessions = join(t.home, '.claude/sessions')
  mkdirSync(sessions, { recursive: true })
  const holders = [
    { sessionId: id(81), kind: 'daemon-worker', status: 'busy' },
    { sessionId: id(82), entrypoint: 'sdk-ts' },
    { sessionId: id(83), kind: 'interactive', status: 'compacting' },
  ]
  for (const holder of holders) {
    const worker = spawn(claude, ['600'], { stdio: 'ignore' })
    tc.after(() => worker.kill())
    const pid = worker.pid!
    writeFileSync(join(sessions, `${pid}.json`), JSON.stringify({ pid, procStart: procStat(pid)!.start, ...holder, version: '2.1.332' }))
  }
  const ids = [id(81), id(82), id(83)]
  assert.ok(!t.json('ls', '--all').some((r: any) => r.live && ids.includes(r.id)), 'not shown live')
  assert.deepEqual(t.json('gc').orphans.filter((r: any) => ids.includes(r.id)), [])
  assert.ok(!t.json('prune', '--days', '30', '--dry-run').some((r: any) => ids.includes(r.id)))
  const purge = t.cs('purge', 'worker', '--yes') // the project: all kept
  assert.equal(purge.status, 1, purge.stdout)
  assert.match(purge.stderr, /nothing to purge/)
  assert.ok([orphan, held, newer, resumed].every((f) => existsSync(f)))
})

test("rename of a live session shows at once in tmux, and stays over the title Claude's hook sends; --clear shows that again", () => {
  // what the picker and cs status show of the session: its line's title
  const shown = () => {
    const list = spawnSync(LIST, [], { env: { ...t.env, LANG: 'C.UTF-8', NO_COLOR: '1' }, encoding: 'utf8' }).stdout
    const line = list.split('\n').find((l) => l.startsWith(sid))
    const status = t.json('status').find((s: any) => s.tmuxSession === 'one')
    return [line?.split('\t')[2].replace(/^\S+ +\S+ +/, '').split('  ')[0], status.title]
  }
  // the hook at a prompt, in the session's pane: Claude's payload carries its own title
  const [sid, pane, socket] = tmux.run('display-message', '-p', '-t', '=one:', '#{session_id} #{pane_id} #{socket_path}').trim().split(' ')
  const hook = (event: string, payload: object) => {
    const input = JSON.stringify({ hook_event_name: event, ...payload })
    const r = spawnSync(HOOK, [event], { input, env: { ...t.env, TMUX: `${socket},0,0`, TMUX_PANE: pane }, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
  }
  const prompt = (title: string) => hook('UserPromptSubmit', { session_id: id(50), prompt: 'go', session_title: title })
  assert.equal(t.cs('rename', id(50), 'renamed $(x) "q"').status, 0)
  assert.deepEqual(shown(), ['renamed $(x) "q"', 'renamed $(x) "q"'])
  prompt("Claude's own title")
  assert.deepEqual(shown(), ['renamed $(x) "q"', 'renamed $(x) "q"'])
  // claude started again on the same conversation (cs brings one back so): the name stays
  hook('SessionStart', { session_id: id(50), source: 'resume', cwd: '/w/live', transcript_path: '/x' })
  assert.deepEqual(shown(), ['renamed $(x) "q"', 'renamed $(x) "q"'])
  assert.equal(t.cs('rename', id(50), '--clear').status, 0)
  prompt("Claude's own title")
  assert.deepEqual(shown(), ["Claude's own title", "Claude's own title"])
  // named again, then another conversation in the pane (/resume of another): not its name
  assert.equal(t.cs('rename', id(50), 'the first one').status, 0)
  hook('SessionStart', { session_id: id(52), source: 'resume', cwd: '/w/live', transcript_path: '/x' })
  assert.deepEqual(shown(), ['one', null]) // no title of its own yet: the tmux session's name
  hook('SessionStart', { session_id: id(50), source: 'resume', cwd: '/w/live', transcript_path: '/x' }) // back, as it was
})

test('one orphan that cannot be moved is reported; the others are moved', () => {
  const outside = join(t.home, 'outside-gc')
  mkdirSync(outside, { recursive: true })
  writeFileSync(join(outside, 'keep.txt'), 'not cs\'s\n')
  const bad = t.session({ id: id(70), cwd: '/w/gc-bad', orphan: true })
  symlinkSync(outside, join(dirname(bad), id(70))) // its session folder points outside
  const good = [71, 72].map((n) => t.session({ id: id(n), cwd: '/w/gc-bad', orphan: true }))
  const r = t.cs('gc', '--yes')
  assert.equal(r.status, 1, r.stdout + r.stderr)
  assert.match(r.stderr, new RegExp(`not moved: refusing to touch .*${id(70)}`))
  assert.match(r.stdout, /moved \d+ to /)
  for (const g of good) assert.ok(!existsSync(g), 'the good orphans were moved')
  assert.ok(existsSync(bad) && existsSync(join(outside, 'keep.txt')))
  rmSync(join(dirname(bad), id(70)))
  rmSync(bad)
  const back = t.cs('gc', '--restore')
  assert.equal(back.status, 0, back.stderr)
  for (const g of good) assert.ok(existsSync(g))
})

test('gc --restore restores all it can and reports each one it cannot', () => {
  const paths = [73, 74, 75].map((n) => t.session({ id: id(n), cwd: '/w/gc-restore', orphan: true }))
  const moved = t.cs('gc', '--yes')
  assert.equal(moved.status, 0, moved.stderr)
  for (const p of paths) assert.ok(!existsSync(p))
  writeFileSync(paths[0], 'a new file in its place\n') // a conflict
  const damaged = join(t.env.XDG_DATA_HOME, 'cs/trash', 'damaged-entry')
  mkdirSync(damaged, { recursive: true })
  writeFileSync(join(damaged, 'manifest.json'), '{"id": "half')
  const r = t.cs('gc', '--restore')
  assert.equal(r.status, 1, r.stdout + r.stderr)
  assert.match(r.stdout, new RegExp(`restored .*${id(74)}.*${id(75)}|restored .*${id(75)}.*${id(74)}`))
  assert.match(r.stderr, new RegExp(`not restored: cannot restore ${id(73)}: .* exists`))
  assert.match(r.stderr, /not restored: .*damaged-entry: its manifest is missing or damaged/)
  assert.ok(existsSync(paths[1]) && existsSync(paths[2]))
  assert.equal(readFileSync(paths[0], 'utf8'), 'a new file in its place\n', 'nothing overwritten')
  const again = t.cs('gc', '--restore', '--json')
  assert.equal(again.status, 1)
  const json = JSON.parse(again.stdout)
  assert.deepEqual(json.restored, [])
  assert.equal(json.failed.length, 2)
  assert.match(t.cs('gc', '--restore', 'ffffffff').stderr, new RegExp(`no session 'ffffffff' in the trash\n.*it holds ${id(73)}$`, 'm'))
  rmSync(paths[0])
  rmSync(damaged, { recursive: true })
  assert.equal(t.cs('gc', '--restore').status, 0)
  assert.ok(existsSync(paths[0]))
})

test('gc --restore refuses a place where a link to nothing stands, and leaves the link', () => {
  const orphan = t.session({ id: id(91), cwd: '/w/gc-link', orphan: true })
  assert.equal(t.cs('gc', '--yes').status, 0)
  symlinkSync(join(t.home, 'nowhere'), orphan)
  const r = t.cs('gc', '--restore', id(91))
  assert.equal(r.status, 1, r.stdout + r.stderr)
  assert.match(r.stderr, new RegExp(`cannot restore ${id(91)}: .* exists`))
  assert.equal(readlinkSync(orphan), join(t.home, 'nowhere'))
  rmSync(orphan)
  assert.equal(t.cs('gc', '--restore', id(91)).status, 0)
  assert.ok(statSync(orphan).isFile())
})

test('a restore from a trash on another file system that fails part way (a full disk) leaves no fragment: once there is room it restores', (tc) => {
  if (process.getuid?.() !== 0) return tc.skip('needs root: the projects folder on a tmpfs of its own')
  const folder = join(t.projects, '-w-small')
  mkdirSync(folder, { recursive: true })
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=192k', 'tmpfs', folder])
  tc.after(() => spawnSync('umount', [folder]))
  const orphan = t.session({ id: id(90), cwd: '/w/small', orphan: true })
  const agents = join(folder, id(90), 'subagents')
  mkdirSync(agents, { recursive: true })
  for (const n of [1, 2, 3, 4]) writeFileSync(join(agents, `agent-a${n}.jsonl`), `{"n":${n}}\n`.repeat(3000))
  const before = () => [orphan, ...[1, 2, 3, 4].map((n) => join(agents, `agent-a${n}.jsonl`))].map((f) => readFileSync(f, 'utf8'))
  const had = before()
  assert.equal(t.cs('gc', '--yes').status, 0)
  assert.deepEqual(readdirSync(folder), [])
  // the disk fills: room for some of it only
  const fill = (n: number) => join(folder, `fill-${n}`)
  let n = 0
  try {
    for (;;) writeFileSync(fill(n++), Buffer.alloc(8192))
  } catch {
    rmSync(fill(--n), { force: true })
  }
  for (let k = 0; k < 5; k++) rmSync(fill(--n))
  const full = t.cs('gc', '--restore', id(90))
  assert.equal(full.status, 1, full.stdout + full.stderr)
  assert.match(full.stderr, /disk is full/)
  assert.deepEqual(readdirSync(folder).filter((f) => !f.startsWith('fill-')), [], 'nothing half restored')
  for (const f of readdirSync(folder)) rmSync(join(folder, f))
  const back = t.cs('gc', '--restore', id(90))
  assert.equal(back.status, 0, back.stderr)
  assert.deepEqual(before(), had)
})

test('gc, prune and purge look again after their question: what went live, was named or tagged meanwhile stays', async () => {
  // a store of its own: only these sessions are candidates
  const u = isolatedCs('gc-meanwhile')
  const server = new TestTmux('gc-meanwhile', u.env)
  try {
    const cwd = '/w/meanwhile'
    const rename = (n: number) => assert.equal(u.cs('rename', id(n), `named ${n}`).status, 0)
    // the fourth of each is left as it was, and goes
    const orphans = [80, 81, 82, 83].map((n) => u.session({ id: id(n), cwd, orphan: true, at: OLD }))
    // a no at the question: nothing moved, and not confirmed (exit 1), as purge and kill have it
    const no = await u.answered(['gc'], () => {}, 'n')
    assert.equal(no.status, 1, no.stdout)
    assert.match(no.stdout, /nothing moved/)
    const noPrune = await u.answered(['prune', '--days', '30'], () => {}, 'n')
    assert.equal(noPrune.status, 1, noPrune.stdout)
    const moved = await u.answered(['gc'], () => {
      rename(80)
      assert.equal(u.cs('tag', id(81), 'tagged').status, 0)
      live(server, 'gc-live', id(82), cwd)
    })
    assert.equal(moved.status, 0, moved.stdout)
    const since = 'live, named, tagged or gone since the question'
    assert.match(moved.stdout, new RegExp(`cs: left alone, ${since}: ${asShown(moved.stdout, [80, 81, 82], 8).join(', ')}\\r?\\n`))
    assert.match(moved.stdout, /moved 1 to /)
    assert.deepEqual(orphans.map((o) => existsSync(o)), [true, true, true, false])

    const idle = [84, 85, 86, 87].map((n) => u.session({ id: id(n), cwd, prompt: 'long ago', at: OLD }))
    const pruned = await u.answered(['prune', '--days', '30'], () => {
      rename(84)
      live(server, 'prune-live', id(85), cwd)
      // a name given in claude (/rename): a record appended to the transcript
      appendFileSync(idle[2], JSON.stringify({ type: 'custom-title', customTitle: 'named in claude', sessionId: id(86) }) + '\n')
    })
    assert.equal(pruned.status, 0, pruned.stdout)
    assert.match(pruned.stdout, new RegExp(`cs: left alone, ${since}: ${asShown(pruned.stdout, [84, 85, 86], 8).join(', ')}\\r?\\n`))
    assert.match(pruned.stdout, /soft-deleted 1 /)
    assert.deepEqual(ids(u.json('deleted')), [id(87)])

    const project = [88, 89, 90].map((n) => u.session({ id: id(n), cwd: '/w/doomed', prompt: 'to purge' }))
    const purged = await u.answered(['purge', 'doomed'], () => {
      rename(88)
      live(server, 'purge-live', id(89), '/w/doomed')
    })
    assert.equal(purged.status, 0, purged.stdout)
    assert.match(purged.stdout, new RegExp(`cs: left alone, live, named, tagged or gone since the question: ${asShown(purged.stdout, [88, 89]).join(', ')}\\r?\\n`))
    assert.match(purged.stdout, /purged 1/)
    assert.deepEqual(project.map((p) => existsSync(p)), [true, true, false])
  } finally {
    server.cleanup()
    u.cleanup()
  }
})

test('an orphan whose folder cannot be moved stays whole: its transcript is put back, the trash keeps nothing of it', () => {
  const u = isolatedCs('gc-half')
  try {
    const path = u.session({ id: id(95), cwd: '/w/gc-half', orphan: true })
    const folder = join(dirname(path), id(95))
    mkdirSync(join(folder, 'subagents'), { recursive: true })
    writeFileSync(join(folder, 'subagents', 'a.jsonl'), '{}\n')
    // an immutable folder cannot be renamed, by root either (the attribute of ext4 and others)
    const pin = (flag: string) => spawnSync('chattr', [flag, folder], { encoding: 'utf8' })
    const pinned = pin('+i')
    assert.equal(pinned.status, 0, `chattr +i, which this test needs: ${pinned.stderr}`)
    let r
    try {
      r = u.cs('gc', '--yes')
    } finally {
      pin('-i')
    }
    assert.equal(r.status, 1, r.stdout + r.stderr)
    assert.match(r.stderr, new RegExp(`not moved: .*${id(95)}`))
    assert.match(r.stdout, /moved 0 to /)
    assert.ok(existsSync(path), 'the transcript is back where it was')
    assert.ok(existsSync(join(folder, 'subagents', 'a.jsonl')))
    assert.deepEqual(ids(u.json('gc').orphans), [id(95)], 'still an orphan, to move once its folder can be')
    assert.deepEqual(readdirSync(join(u.env.XDG_DATA_HOME, 'cs/trash')), [])
  } finally {
    u.cleanup()
  }
})

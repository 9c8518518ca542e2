// Pure parts of the multi-host model: other hosts' rows checked and merged into the views, short
// ids unique over every host, HOST:ID and this host's preference, the config editing, the crontab line.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkConfigFile, withConfigKey, type Config } from '../lib/config.ts'
import { CRON_MARK, cronLine, cronLineOf, withCronLine } from '../lib/cron.ts'
import { HOST_ROW_FIELDS, rowFromRemoteView, rowOf, viewOf, withHosts } from '../lib/host-rows.ts'
import { answerDigest, answerLines, parseAnswer } from '../lib/hosts.ts'
import { jsonAnswer } from '../lib/remote.ts'
import { CsError } from '../lib/errors.ts'
import { jsonArray } from '../lib/format.ts'
import { hostOf } from '../lib/ssh.ts'
import type { HostFacts, HostRow, SessionView } from '../lib/session.ts'
import { resolve } from '../lib/shortid.ts'
import { checkHostRow } from '../lib/untrusted.ts'

const row = (over: Partial<HostRow> = {}): HostRow => ({
  id: 'abcd0000-0000-4000-8000-000000000001', host: 'other', tmuxSession: 'work', kind: 'tmux', name: null,
  tag: null, title: 'a title', cwd: '/srv/p', project: 'p', branch: 'main', state: 'waiting',
  stateSince: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
  userMessages: 2, assistantMessages: 3, model: 'm', tokens: { input: 1, output: 2, cacheRead: 3, cacheWrite: 4 },
  deleted: false, csVersion: '0.1.0', ...over,
})

test('a row round-trips through its view, and the check keeps exactly the row fields', () => {
  const r = row()
  const v = viewOf(r)
  assert.equal(v.live, true)
  assert.equal(v.path, null)
  assert.deepEqual(rowOf(v, { user: 2, assistant: 3 }, '0.1.0', true), r)
  assert.equal(rowOf(v, null, '0.1.0', false).title, null)
  const checked = checkHostRow({ ...r, extra: 'dropped', _id: 'x' })
  assert.deepEqual(Object.keys(checked).sort(), [...HOST_ROW_FIELDS].sort())
})

test("another host's row with cs's shared meta: a deletion stands until the session is written to after it", () => {
  const meta = (deletedAt: string | null) => ({ name: null, tag: null, deletedAt })
  const r = row({ state: 'stopped', updatedAt: '2026-01-02T00:00:00.000Z' })
  assert.equal(viewOf(r, meta('2026-01-03T00:00:00.000Z')).deleted, true)
  assert.equal(viewOf(r, meta('2026-01-01T00:00:00.000Z')).deleted, false, 'written to since')
  assert.equal(viewOf(r, meta('2026-01-02T00:00:00.000Z')).deleted, true, 'the same moment')
  assert.equal(viewOf(r, meta(null)).deleted, false)
  assert.equal(viewOf({ ...r, deleted: true }).deleted, true, 'no meta here: as the host says')
})

test("another host's cs ls --json rows become checked rows (the ssh source)", () => {
  const v = viewOf(row())
  const r = rowFromRemoteView(JSON.parse(JSON.stringify(v)), '0.1.0') as HostRow
  assert.equal(r.id, row().id)
  assert.equal(r.userMessages, 5)
  assert.match((rowFromRemoteView({ ...v, host: '-oProxyCommand=x' }, '0.1.0') as { skipped: string }).skipped, /bad host/)
  assert.deepEqual(rowFromRemoteView('x', '0.1.0'), { skipped: 'not an object' })
})

test('the check refuses what could reach a shell, a path or tmux, and cleans titles', () => {
  const bad: [Partial<Record<keyof HostRow, unknown>>, RegExp][] = [
    [{ host: '-oProxyCommand=touch /tmp/x' }, /bad host/],
    [{ id: '../../..' }, /bad id/],
    [{ tmuxSession: 'a:b.c' }, /bad tmuxSession/],
    [{ tmuxSession: '-t' }, /bad tmuxSession/],
    [{ cwd: 'relative' }, /bad cwd/],
    [{ cwd: '/a\nb' }, /bad cwd/],
    [{ state: 'rm -rf' }, /bad state/],
    [{ userMessages: -1 }, /bad userMessages/],
    [{ tokens: null }, /bad tokens/],
    [{ csVersion: '$(x)' }, /bad csVersion/],
    [{ updatedAt: 'yesterday' }, /bad updatedAt/],
    // the shape of a time, and none: no age to show, and first in a sort
    [{ createdAt: '9999-13-45T25:61Z' }, /bad createdAt/],
    [{ updatedAt: '2099-99-99T99:99:99Z' }, /bad updatedAt/],
    [{ stateSince: '2025-01-01T00:00:00+99:99' }, /bad stateSince/],
    [{ updatedAt: '2025-02-30T10:00:00.000Z' }, /bad updatedAt/], // Date.parse: March 2
  ]
  for (const [over, why] of bad) {
    const r = checkHostRow({ ...row(), ...over })
    assert.ok('skipped' in r && why.test(r.skipped), `${JSON.stringify(over)}: ${JSON.stringify(r)}`)
  }
  const clean = checkHostRow({ ...row(), title: '\u001b]0;x\u0007\u001b[2Jhello\u009b31m' }) as HostRow
  assert.equal(clean.title, 'hello')
  // another writer's offset: the same instant, written as cs writes times, which sort as text
  const offset = checkHostRow({ ...row(), updatedAt: '2026-01-01T10:00:00+05:00' }) as HostRow
  assert.equal(offset.updatedAt, '2026-01-01T05:00:00.000Z')
  // a clock five hours ahead, or a made-up time: now, not first in every sort for as long
  const before = Date.now()
  const ahead = checkHostRow({ ...row(), updatedAt: new Date(before + 5 * 3600_000).toISOString(), createdAt: '9999-12-31T00:00:00.000Z' }) as HostRow
  for (const t of [ahead.updatedAt, ahead.createdAt]) assert.ok(Date.parse(t!) >= before && Date.parse(t!) <= Date.now(), t!)
  // minutes ahead (clocks differ a little): as given
  const near = new Date(before + 60_000).toISOString()
  assert.equal((checkHostRow({ ...row(), updatedAt: near }) as HostRow).updatedAt, near)
})

const local = (id: string, host = 'here'): SessionView => ({ ...viewOf(row({ id, host })), short: '' })

test('short ids are unique over every host; a prefix on several hosts means this host, else HOST:ID', () => {
  const views = withHosts(
    [local('abcd1111-0000-4000-8000-000000000001')],
    [row({ id: 'abcd1112-0000-4000-8000-000000000001' }), row({ id: 'abcd2222-0000-4000-8000-000000000001', host: 'third' }), row({ id: 'abcd2223-0000-4000-8000-000000000001', host: 'fourth' })],
    'here',
    new Map()
  )
  assert.deepEqual(views.map((v) => v.short), ['abcd1111', 'abcd1112', 'abcd2222', 'abcd2223'])
  assert.equal(resolve('abcd', views, 'here').host, 'here')
  assert.throws(() => resolve('abcd2', views, 'here'), (e: Error) => /third:abcd2222/.test(e.message) && /fourth:abcd2223/.test(e.message))
  assert.equal(resolve('fourth:abcd2', views, 'here').host, 'fourth')
  // this host's own rows from the store are never shown twice
  assert.equal(withHosts([local('abcd1111-0000-4000-8000-000000000001')], [row({ host: 'here' })], 'here', new Map()).length, 1)
  // one id on two other hosts (a home both index, a host copying another's rows): two rows, and
  // the id alone means neither; a row of another host with this host's id is not shown
  const twice = 'abcd3333-0000-4000-8000-000000000001'
  const both = withHosts([local(twice)], [row({ id: twice, host: 'third' })], 'here', new Map())
  assert.deepEqual(both.map((v) => v.host), ['here'])
  const two = withHosts([], [row({ id: twice, host: 'third' }), row({ id: twice, host: 'fourth' })], 'here', new Map())
  assert.deepEqual(two.map((v) => v.host), ['third', 'fourth'])
  assert.throws(() => resolve(twice, two, 'here'), (e: Error) => /'abcd3333-.*' is ambiguous/.test(e.message) && /fourth:/.test(e.message) && /third:/.test(e.message))
  assert.equal(resolve(`fourth:${twice}`, two, 'here').host, 'fourth')
  assert.equal(resolve(twice, [...two, local(twice)], 'here').host, 'here')
  // cs's shared names, tags and deletions win over the row's
  const named = withHosts([], [row()], 'here', new Map([[row().id, { name: 'mine', tag: '', deletedAt: '2026-01-02T00:00:00Z' }]]))[0]
  assert.deepEqual([named.name, named.tag, named.deleted], ['mine', null, true])
})

test('config set/unset edits one key and drops empty sections; booleans are checked', () => {
  const f = withConfigKey({}, 'mongo.url', 'mongodb://h/cs')
  assert.deepEqual(f, { mongo: { url: 'mongodb://h/cs' } })
  assert.deepEqual(withConfigKey(f, 'sync.titles', 'false'), { mongo: { url: 'mongodb://h/cs' }, sync: { titles: false } })
  assert.deepEqual(withConfigKey(f, 'mongo.url', undefined), {})
  assert.throws(() => withConfigKey(f, 'mongo.tls', 'yes'), /true or false/)
  // a URL that is none, refused where it is typed, and not echoed (it may hold a password)
  for (const bad of ['hello world', 'mongdb://u:secret@h/cs', 'mongodb://'])
    assert.throws(() => withConfigKey(f, 'mongo.url', bad), (e: Error) => /mongodb:\/\/ or mongodb\+srv:\/\//.test(e.message) && !e.message.includes('secret'))
  assert.deepEqual(withConfigKey({}, 'mongo.url', 'mongodb+srv://u:p@cluster.example/cs'), { mongo: { url: 'mongodb+srv://u:p@cluster.example/cs' } })
})

test('the crontab line is added once, removed alone, and found again', () => {
  const line = cronLine(['env', "HOME=/home/o'neil", 'CS_HOST=a', '/usr/bin/node', '/opt/cs 100%/bin/cs.mjs', 'sync'])
  assert.match(line, /^\*\/5 \* \* \* \* env 'HOME=\/home\/o'\\''neil' CS_HOST=a \/usr\/bin\/node '\/opt\/cs 100\\%\/bin\/cs.mjs' sync >\/dev\/null 2>&1 # cs sync/)
  const mine = '0 1 * * * backup\n'
  const on = withCronLine(mine, line)
  assert.equal(withCronLine(on, line), on)
  assert.equal(on, `${mine}${line}\n`)
  assert.equal(cronLineOf(on), line)
  assert.equal(withCronLine(on, null), mine)
  assert.equal(withCronLine(`${line}\n`, null), '')
  assert.ok(line.endsWith(CRON_MARK))
})

test('an ssh answer: counts another cs left out default, a row of another host is refused', () => {
  const fine = { id: 'eeee5555-0000-4000-8000-000000000005', host: 'b', state: 'idle', kind: 'tmux', title: 'ok \u001b[2Jtitle' }
  const got = parseAnswer(JSON.stringify([fine, { ...fine, host: 'c' }, { ...fine, id: '$(id)' }]), 'b', '2026-01-01T00:00:00.000Z', '0.2.0')
  assert.equal(got.skipped, 2)
  assert.equal(got.rows.length, 1)
  assert.deepEqual([got.rows[0].userMessages, got.rows[0].tokens.input, got.rows[0].deleted, got.rows[0].title], [0, 0, false, 'ok title'])
  assert.equal(got.rows[0].csVersion, '0.2.0') // that host's cs, from its own answer
  assert.equal(parseAnswer(JSON.stringify([fine]), 'b', '2026-01-01T00:00:00.000Z', null).rows[0].csVersion, 'unknown')
  assert.throws(() => parseAnswer('{}', 'b', '2026-01-01T00:00:00.000Z', null), /not a JSON array/)
})

test('an answer laid out a row a line is compared line by line with the one the kept rows were made of', () => {
  const at = '2026-01-01T00:00:00.000Z'
  const view = (n: number, over: Partial<HostRow> = {}) => viewOf(row({ id: `eeee000${n}-0000-4000-8000-00000000000${n}`, host: 'b', ...over }))
  const answer = (...views: object[]) => `${jsonArray(views.map((v) => JSON.stringify(v)))}\n`
  const ids = (rows: HostRow[]) => rows.map((r) => r.id.slice(0, 8))
  const first = answer(view(1), view(2), { ...view(9), host: 'c' })
  assert.deepEqual(answerLines(first)?.length, 3)
  const whole = parseAnswer(first, 'b', at, '0.2.0')
  assert.deepEqual([ids(whole.rows), whole.skipped, whole.gone], [['eeee0001', 'eeee0002'], 1, null])
  const kept = { text: () => first, digest: answerDigest(first), csVersion: '0.2.0', skipped: 1, stamp: 's' }
  assert.deepEqual(parseAnswer(first, 'b', at, '0.2.0', kept), { host: 'b', at, rows: [], skipped: 1, gone: [] })
  // one row changed, one gone, one new; the row that failed gone, another failing
  const next = answer(view(1, { title: 'renamed' }), view(3), view(3), { ...view(8), id: '$(id)' })
  const got = parseAnswer(next, 'b', at, '0.2.0', kept)
  assert.deepEqual(got.rows.map((r) => [r.id.slice(0, 8), r.title]), [['eeee0001', 'renamed'], ['eeee0003', 'a title']])
  assert.deepEqual([got.gone, got.skipped], [[view(2).id], 1])
  // its cs updated there: every row again, even from the same text (each row carries the version)
  const same = { ...kept, text: () => next, digest: answerDigest(next) }
  assert.deepEqual([parseAnswer(next, 'b', at, '0.2.0', same).rows, parseAnswer(next, 'b', at, '0.3.0', same).gone], [[], null])
  assert.equal(parseAnswer(next, 'b', at, '0.3.0', same).rows.length, 2)
  // another layout (one line, as an older cs may print it) is parsed whole
  assert.equal(answerLines(JSON.stringify([view(1)])), null)
  assert.equal(parseAnswer(JSON.stringify([view(1)]), 'b', at, '0.2.0', kept).gone, null)
  assert.deepEqual(answerLines('[]\n'), [])
  // a line that is not JSON makes the answer no session list
  assert.throws(() => parseAnswer('[\n{"id":}\n]\n', 'b', at, '0.2.0', kept), SyntaxError)
})

test('a host to act on: the hosts list first, else a checked ssh destination the shared store holds', () => {
  const config = { hosts: [{ name: 'listed', ssh: 'me@listed', cs: null }] } as unknown as Config
  const fact = (over: Partial<HostFacts>): HostFacts => ({
    name: 'far', ssh: 'me@far.example', csVersion: null, lastSync: null, heartbeat: null, fetchedAt: null, source: 'shared', ...over,
  })
  assert.deepEqual(hostOf(config, [fact({ name: 'listed', ssh: 'other' })], 'listed'), config.hosts[0])
  assert.deepEqual(hostOf(config, [fact({})], 'far'), { name: 'far', ssh: 'me@far.example', cs: null })
  assert.equal(hostOf(config, [fact({ ssh: '-oProxyCommand=touch /tmp/x' })], 'far'), null)
  assert.equal(hostOf(config, [fact({ ssh: null })], 'far'), null)
  assert.equal(hostOf(config, [fact({ source: 'ssh' })], 'far'), null) // a host dropped from the list
})

test('ssh.destination, published for other hosts to act here, is a checked destination', () => {
  assert.deepEqual(withConfigKey({}, 'ssh.destination', 'me@here'), { ssh: { destination: 'me@here' } })
  assert.throws(() => checkConfigFile({ ssh: { destination: '-oProxyCommand=x' } }, 'f'), /ssh.destination/)
})

test("another host's answer nested too deep to print again is no answer: said, not an internal error", () => {
  const host = { name: 'b', ssh: 'b', cs: null }
  assert.deepEqual(jsonAnswer(host, '[[1]]'), [[1]])
  const deep = '['.repeat(200_000) + ']'.repeat(200_000)
  assert.throws(() => jsonAnswer(host, deep), (e) => e instanceof CsError && /host b: its answer is not JSON/.test(e.message))
})

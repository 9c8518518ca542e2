import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { parseJob, parseRegistryEntry, parseStat, procStat, readJobs, readRegistry } from '../lib/registry.ts'

const FIXTURES = join(import.meta.dirname, 'fixtures/registry')
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8')

const dir = mkdtempSync(join(tmpdir(), 'cs-registry-'))
const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' })
after(() => {
  sleeper.kill()
  rmSync(dir, { recursive: true, force: true })
})

test('a waiting 2.1.332 entry: status, waitingFor, tmux pane and session', () => {
  const e = parseRegistryEntry(fixture('waiting-permission.json'))
  assert.ok(e)
  assert.equal(e.status, 'waiting')
  assert.equal(e.waitingFor, 'permission prompt')
  assert.equal(e.tmuxPane, '%0')
  assert.equal(e.tmuxSession, 'bash')
  assert.equal(e.kind, 'interactive')
  assert.match(e.procStart ?? '', /^\d+$/)
  assert.equal(typeof e.statusUpdatedAt, 'number')
})

test('every recorded registry file parses with a known status', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))
  assert.ok(files.length >= 3)
  for (const f of files) {
    const e = parseRegistryEntry(fixture(f))
    assert.ok(e, f)
    assert.ok(['busy', 'idle', 'waiting', 'shell'].includes(e.status), f)
    assert.equal(e.waitingFor === null, e.status !== 'waiting', f)
    assert.match(e.tmuxPane ?? '', /^%\d+$/, f)
  }
})

test('legacy pid-N.json, SDK entries without status, and malformed text are not entries', () => {
  assert.equal(parseRegistryEntry('{"pid":12,"session_id":"abc","cwd":"/x"}'), null)
  assert.equal(parseRegistryEntry('{"pid":12,"sessionId":"abc","entrypoint":"sdk-ts"}'), null)
  for (const bad of ['', '{', 'null', '[]', '42', '{"pid":"12","sessionId":"a","status":"idle"}', '{"pid":1,"sessionId":"a","status":"asleep"}'])
    assert.equal(parseRegistryEntry(bad), null, bad)
})

test('a background entry keeps its job id; a session name with colons still finds the pane', () => {
  const e = parseRegistryEntry(
    JSON.stringify({ pid: 5, sessionId: 's', status: 'shell', kind: 'bg', jobId: '31f0069d', tmux: 'a b:@3.%12' })
  )
  assert.equal(e?.jobId, '31f0069d')
  assert.equal(e?.tmuxPane, '%12')
  assert.equal(e?.tmuxSession, 'a b')
})

test('/proc stat: fields counted after the last parenthesis of the command name', () => {
  const line = '4242 (we (ird) name) S 17 4242 4242 0 -1 4194304 125 0 0 0 0 0 0 0 20 0 1 0 86139 3133440 412'
  assert.deepEqual(parseStat(line), { ppid: 17, start: '86139' })
  assert.equal(parseStat('garbage'), null)
  assert.equal(procStat(process.pid)?.ppid, process.ppid)
})

test('readRegistry keeps running pids only: dead pids, reused pids and broken files are dropped', () => {
  const sessions = join(dir, 'sessions')
  mkdirSync(sessions, { recursive: true })
  const pid = sleeper.pid!
  const start = procStat(pid)!.start
  const entry = (p: number, procStart: string, status = 'busy') =>
    JSON.stringify({ pid: p, sessionId: `s-${p}-${procStart}`, status, procStart, kind: 'interactive' })
  writeFileSync(join(sessions, `${pid}.json`), entry(pid, start))
  writeFileSync(join(sessions, `${process.pid}.json`), entry(process.pid, '1', 'idle')) // pid reused
  writeFileSync(join(sessions, '999999999.json'), entry(999999999, '5')) // no such process
  writeFileSync(join(sessions, `pid-${pid}.json`), JSON.stringify({ pid, session_id: 'legacy' }))
  writeFileSync(join(sessions, '77.json'), '{"pid": 77, "sessi')
  writeFileSync(join(sessions, `${pid}.abc.key`), 'secret')
  const got = readRegistry(dir)
  assert.deepEqual(
    got.map((e) => e.sessionId),
    [`s-${pid}-${start}`]
  )
  assert.deepEqual(readRegistry(join(dir, 'missing')), [])
})

test('background jobs: state.json per short id; stray files are ignored', () => {
  const jobs = join(dir, 'jobs')
  mkdirSync(join(jobs, '31f0069d'), { recursive: true })
  mkdirSync(join(jobs, 'broken'), { recursive: true })
  writeFileSync(join(jobs, 'pins.json'), '[]')
  writeFileSync(
    join(jobs, '31f0069d', 'state.json'),
    JSON.stringify({
      state: 'working',
      intent: 'hello there',
      sessionId: '31f0069d-56fc-40bb-bbfd-df88863b2347',
      daemonShort: '31f0069d',
      cwd: '/tmp/proj',
      updatedAt: '2026-11-25T13:32:47.980Z',
      name: 'ok:',
    })
  )
  writeFileSync(join(jobs, 'broken', 'state.json'), 'not json')
  const got = readJobs(dir)
  assert.deepEqual([...got.keys()], ['31f0069d'])
  assert.equal(got.get('31f0069d')?.intent, 'hello there')
  assert.equal(parseJob('x', '[]'), null)
})

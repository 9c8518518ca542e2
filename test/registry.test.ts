import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { parseJob, parseRegistryEntry, parseStat, procStat, readJobs, readRegistry, running, runsClaude, type RegistryEntry } from '../lib/registry.ts'

const FIXTURES = join(import.meta.dirname, 'fixtures/registry')
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8')

const dir = mkdtempSync(join(tmpdir(), 'cs-registry-'))
// a process whose program is called claude (sleep under that name); and one that is not
const claudeBin = join(dir, 'claude')
copyFileSync(execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), claudeBin)
const sleeper = spawn(claudeBin, ['600'], { stdio: 'ignore' })
const other = spawn('sleep', ['600'], { stdio: 'ignore' })
const uuid = (n: number) => `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`
after(() => {
  sleeper.kill()
  other.kill()
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
    assert.ok(e.status !== null && ['busy', 'idle', 'waiting', 'shell'].includes(e.status), f)
    assert.equal(e.waitingFor === null, e.status !== 'waiting', f)
    assert.match(e.tmuxPane ?? '', /^%\d+$/, f)
  }
})

test("a name the client derived from the folder is none; one the user gave (-n, /rename) is the name", () => {
  for (const f of ['busy.json', 'idle.json', 'waiting-permission.json']) assert.equal(parseRegistryEntry(fixture(f))?.name, null, f)
  assert.equal(parseRegistryEntry(fixture('idle-named.json'))?.name, 'Named session')
  assert.equal(parseRegistryEntry(fixture('after-rename.json'))?.name, 'Renamed later')
  // an older client's entry says nothing of where its name came from: taken as given
  assert.equal(parseRegistryEntry(JSON.stringify({ pid: 12, sessionId: uuid(13), status: 'idle', name: 'given' }))?.name, 'given')
})

test('legacy pid-N.json and malformed text are not entries; an SDK entry (no status) or a status cs does not know holds its session, with no state', () => {
  assert.equal(parseRegistryEntry('{"pid":12,"session_id":"abc","cwd":"/x"}'), null)
  assert.equal(parseRegistryEntry('{"pid":12,"sessionId":"abc","entrypoint":"sdk-ts"}'), null)
  for (const bad of ['', '{', 'null', '[]', '42', '{"pid":"12","sessionId":"a","status":"idle"}', '{"pid":1,"sessionId":"a","status":"asleep"}'])
    assert.equal(parseRegistryEntry(bad), null, bad)
  for (const status of [undefined, 'asleep', 7])
    assert.deepEqual(
      [parseRegistryEntry(JSON.stringify({ pid: 12, sessionId: uuid(12), status, entrypoint: 'sdk-ts' }))].map((e) => [e?.sessionId, e?.status]),
      [[uuid(12), null]]
    )
})

test('a background entry keeps its job id; a session name with colons still finds the pane', () => {
  const e = parseRegistryEntry(
    JSON.stringify({ pid: 5, sessionId: uuid(5), status: 'shell', kind: 'bg', jobId: '31f0069d', tmux: 'a b:@3.%12' })
  )
  assert.equal(e?.jobId, '31f0069d')
  assert.equal(e?.tmuxPane, '%12')
  assert.equal(e?.tmuxSession, 'a b')
})

test('/proc stat: fields counted after the last parenthesis of the command name', () => {
  const line = '4242 (we (ird) name) S 17 4242 4242 0 -1 4194304 125 0 0 0 0 0 0 0 20 0 1 0 86139 3133440 412'
  assert.deepEqual(parseStat(line), { comm: 'we (ird) name', state: 'S', ppid: 17, start: '86139' })
  assert.equal(parseStat('garbage'), null)
  assert.equal(procStat(process.pid)?.ppid, process.ppid)
})

test('readRegistry keeps running pids only: dead pids, reused pids and broken files are dropped', () => {
  const sessions = join(dir, 'sessions')
  mkdirSync(sessions, { recursive: true })
  const pid = sleeper.pid!
  const start = procStat(pid)!.start
  const entry = (p: number, procStart: string, status = 'busy') =>
    JSON.stringify({ pid: p, sessionId: uuid(p), status, procStart, kind: 'interactive' })
  writeFileSync(join(sessions, `${pid}.json`), entry(pid, start))
  writeFileSync(join(sessions, `${process.pid}.json`), entry(process.pid, '1', 'idle')) // pid reused
  writeFileSync(join(sessions, '999999999.json'), entry(999999999, '5')) // no such process
  writeFileSync(join(sessions, `pid-${pid}.json`), JSON.stringify({ pid, session_id: 'legacy' }))
  writeFileSync(join(sessions, '77.json'), '{"pid": 77, "sessi')
  writeFileSync(join(sessions, `${pid}.abc.key`), 'secret')
  const got = readRegistry(dir)
  assert.deepEqual(
    got.map((e) => e.sessionId),
    [uuid(pid)]
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

test('hostile registry entries: a pid that is not claude, an id that is a path, text with escapes', () => {
  const sessions = join(dir, 'hostile', 'sessions')
  mkdirSync(sessions, { recursive: true })
  const pid = sleeper.pid!
  const write = (p: number, o: object) => writeFileSync(join(sessions, `${p}.json`), JSON.stringify({ pid: p, status: 'busy', ...o }))
  // pid 1 (init), its start time copied so that the pid-reuse check alone would pass
  write(1, { sessionId: uuid(1), procStart: procStat(1)!.start })
  write(other.pid!, { sessionId: uuid(2) }) // a live process that is not claude, no procStart
  write(pid, { sessionId: '../../../etc/passwd', procStart: procStat(pid)!.start })
  assert.equal(runsClaude(1), false)
  assert.equal(runsClaude(other.pid!), false)
  assert.equal(runsClaude(pid), true)
  // a client named otherwise whose argv[0] says claude (/proc/PID/cmdline, whose size says 0)
  const named = spawn('sleep', ['600'], { stdio: 'ignore', argv0: 'claude' })
  try {
    assert.equal(procStat(named.pid!)?.comm, 'sleep')
    assert.equal(runsClaude(named.pid!), true)
  } finally {
    named.kill()
  }
  assert.deepEqual(readRegistry(join(dir, 'hostile')), [])
  write(pid, { sessionId: uuid(3), name: '\u001b]0;pwned\u0007x', cwd: 'relative/../x', jobId: '--help' })
  const [e] = readRegistry(join(dir, 'hostile'))
  assert.equal(e.sessionId, uuid(3))
  assert.equal(e.name, 'x')
  assert.equal(e.cwd, null)
  assert.equal(e.jobId, null)
  assert.equal(parseJob('../x', JSON.stringify({ sessionId: '../y' })), null)
  assert.equal(parseJob('31f0069d', JSON.stringify({ sessionId: '../y' }))?.sessionId, null)
})

test('a registry or job file that is a FIFO, a device or a folder is skipped, never read', () => {
  const root = join(dir, 'special')
  const sessions = join(root, 'sessions')
  mkdirSync(join(root, 'jobs', 'abcd1234'), { recursive: true })
  mkdirSync(join(sessions, '12.json'), { recursive: true })
  execFileSync('mkfifo', [join(sessions, `${sleeper.pid}.json`)])
  symlinkSync('/dev/zero', join(sessions, '13.json'))
  execFileSync('mkfifo', [join(root, 'jobs', 'abcd1234', 'state.json')])
  symlinkSync('/dev/zero', join(root, 'jobs', 'abcd1234', 'x.json'))
  // in a child process: a blocking read would hang it, and the timeout says so
  const code = `import { readRegistry, readJobs } from ${JSON.stringify(join(import.meta.dirname, '../lib/registry.ts'))}
    console.log(JSON.stringify([readRegistry(${JSON.stringify(root)}), [...readJobs(${JSON.stringify(root)})]]))`
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 10_000 })
  assert.equal(out.trim(), '[[],[]]')
})

test('a claude killed a moment ago, not yet reaped (a zombie), is not running', async () => {
  // a claude (sleep by that name) whose parent never reaps it: sh starts it, then becomes sleep
  const parent = spawn('sh', ['-c', '"$0" 0 & echo $!; exec sleep 600', claudeBin], { stdio: ['ignore', 'pipe', 'ignore'] })
  try {
    const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d) => resolve(String(d)))))
    for (let i = 0; i < 200 && procStat(pid)?.state !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10))
    const stat = procStat(pid)!
    assert.deepEqual([stat.state, stat.comm], ['Z', 'claude'])
    assert.equal(running({ pid, procStart: stat.start } as RegistryEntry), false)
    assert.equal(running({ pid: sleeper.pid!, procStart: procStat(sleeper.pid!)!.start } as RegistryEntry), true)
  } finally {
    parent.kill()
  }
})

// cs launch and cs revive with the real Claude Code client (loopback fake API, isolated HOME and
// tmux server): a launched session answers its first prompt and stays up; after the tmux server
// is killed, `cs revive` resumes it by id in its folder under its name; a session ended with
// `cs kill` stays down.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { procStat } from '../lib/registry.ts'
import { makeClaudeEnv, REPO, type ClaudeEnv } from './harness/claude-env.ts'
import { readRegistry, submit, transcripts, waitRegistry } from './harness/claude.ts'
import { startFakeApi, type FakeApi } from './harness/fake-api.ts'
import { storeValue } from './harness/store-read.ts'
import { poll, TestTmux } from './harness/tmux.ts'

const CS = join(REPO, 'bin/cs.mjs')
let api: FakeApi
let ce: ClaudeEnv
let tmux: TestTmux

before(async () => {
  api = await startFakeApi()
  const socket = `cs-test-revive-${process.pid}`
  ce = makeClaudeEnv({ apiUrl: api.url, socket })
  tmux = new TestTmux('revive', ce.csEnv, socket)
})
after(async () => {
  tmux.cleanup()
  await api.close()
  ce.cleanup()
})

function cs(...args: string[]) {
  return spawnSync(process.execPath, [CS, ...args], { env: ce.csEnv, encoding: 'utf8' })
}

function launch(name: string, prompt: string, cwd: string, claudeArgs: string[] = []): string {
  const r = cs('launch', '--json', name, prompt, '--cwd', cwd, ...(claudeArgs.length ? ['--', ...claudeArgs] : []))
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout).id
}

/** The argv of a running process. */
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1)

const answered = (session: string, text: string) =>
  tmux.waitFor(`=${session}:`, (s) => s.includes(`OK: ${text}`), { what: `${session} answering ${text}` })

test('a launched session answers its prompt and stays up; revive brings it back after the server is killed, with the claude arguments it was launched with', async () => {
  const dirA = ce.project('alpha project')
  const dirB = ce.project('beta')
  const given = ['--append-system-prompt', "be 'brief'; $(touch /tmp/no) `x`"]
  const alpha = launch('alpha one', 'remember alpha', dirA, given)
  const beta = launch('beta', 'remember beta', dirB)
  await answered('alpha one', 'remember alpha')
  await answered('beta', 'remember beta')
  // interactive, not -p: the session is still there after its answer
  const entry = await waitRegistry(ce, (e) => e.sessionId === alpha && e.status === 'idle', 'alpha idle')
  assert.equal(entry.cwd, dirA)
  assert.equal(entry.name, 'alpha one')
  assert.ok(tmux.hasSession('alpha one'))
  assert.equal(transcripts(ce, dirA).length, 1)

  assert.equal(cs('kill', 'beta').status, 0)
  tmux.run('kill-server')
  await poll(() => ({ ok: readRegistry(ce).length === 0, last: readRegistry(ce) }), 30_000, 'every claude to exit')

  const dry = cs('revive', '--dry-run')
  assert.equal(dry.status, 0, dry.stderr)
  assert.match(dry.stdout, new RegExp(`would revive 'alpha one' \\(resume ${alpha}, claude given --append-system-prompt '.*'\\) in ${dirA}`))
  assert.doesNotMatch(dry.stdout, /beta/)
  assert.ok(!tmux.hasSession('alpha one'), 'a dry run starts nothing')

  const r = cs('revive')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /revived 'alpha one'/)
  const back = await waitRegistry(ce, (e) => e.sessionId === alpha, 'alpha resumed')
  assert.equal(back.cwd, dirA)
  const argv = cmdline(back.pid)
  assert.deepEqual(argv.slice(argv.indexOf('--resume'), argv.indexOf('--resume') + 2), ['--resume', alpha])
  assert.deepEqual(argv.slice(-given.length), given, 'launched with them, brought back with them')
  // the resumed conversation is on screen
  await tmux.waitFor('=alpha one:', (s) => s.includes('remember alpha'), { what: 'the earlier prompt' })
  assert.ok(!tmux.hasSession('beta'))
  assert.deepEqual(
    JSON.parse(cs('status', '--json').stdout).map((s: any) => [s.tmuxSession, s.id]),
    [['alpha one', alpha]]
  )
  void beta

  // it runs now: a second revive has nothing to do
  const again = cs('revive')
  assert.match(again.stdout, /nothing to revive/)

  // the server lost again, and two revives at once (a user's, a login script's): each session
  // back once, never a second claude writing its transcript; neither revive failed
  tmux.run('kill-server')
  await poll(() => ({ ok: readRegistry(ce).length === 0, last: readRegistry(ce) }), 30_000, 'every claude to exit')
  // each looks and starts under a lock: held by a third first, both wait, then look at once
  const lock = join(ce.csEnv.XDG_STATE_HOME!, 'cs', 'revive.lock')
  writeFileSync(lock, String(process.pid))
  const reviving = Promise.all([0, 30].map((delay) => reviveAfter(delay)))
  await new Promise((r) => setTimeout(r, 1000))
  assert.ok(!tmux.hasSession('alpha one'), 'no revive starts while another holds the lock')
  rmSync(lock)
  for (const b of await reviving) assert.equal(b.status, 0, b.stderr)
  await waitRegistry(ce, (e) => e.sessionId === alpha, 'alpha resumed once more')
  await new Promise((r) => setTimeout(r, 1000)) // a second claude would be up by now
  const ids = JSON.parse(cs('status', '--json').stdout).map((s: any) => s.id)
  assert.deepEqual(ids, [alpha])
  assert.equal(readRegistry(ce).filter((e) => e.sessionId === alpha).length, 1)

  // lost again, and resumed by hand in another terminal: a claude holds it, in Claude's live
  // registry (here a stand-in process), so revive, attach and adopt leave it to that one
  tmux.run('kill-server')
  await poll(() => ({ ok: readRegistry(ce).length === 0, last: readRegistry(ce) }), 30_000, 'every claude to exit')
  const standIn = join(ce.home, 'claude') // a process named claude, as the registry believes only one
  symlinkSync('/bin/sleep', standIn)
  const elsewhere = spawn(standIn, ['600'], { stdio: 'ignore' })
  const registered = join(ce.configDir, 'sessions', `${elsewhere.pid}.json`)
  try {
    const pid = elsewhere.pid!
    const entry = { pid, procStart: procStat(pid)!.start, sessionId: alpha, cwd: dirA, kind: 'interactive', status: 'idle', version: '2.1.332' }
    writeFileSync(registered, JSON.stringify(entry))
    const held = cs('revive')
    assert.equal(held.status, 0, held.stderr)
    assert.match(held.stdout, new RegExp(`'alpha one': it runs already, outside tmux \\(claude, pid ${pid}\\)`))
    for (const args of [['attach', 'alpha one', '--yes'], ['adopt', alpha]]) {
      const r = cs(...args)
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`)
    }
    assert.ok(!tmux.hasSession('alpha one'), 'no second claude on its transcript')
  } finally {
    elsewhere.kill()
    rmSync(registered, { force: true }) // as the claude it stands for would on its way out
  }
})

test('after /clear, a revive brings back the conversation in use, though no cs command ran between: the hook tells the launch record', async () => {
  const dir = ce.project('gamma')
  const first = launch('gamma', 'remember gamma', dir)
  await answered('gamma', 'remember gamma')
  const pane = tmux.run('display-message', '-p', '-t', '=gamma:', '#{pane_id}').trim()
  await submit(tmux, pane, '/clear')
  const next = await poll(() => {
    const id = tmux.run('show-options', '-v', '-t', '=gamma:', '@cs_id').trim()
    return { ok: id !== first && id !== '', last: id }
  }, 30_000, 'a new id after /clear')
  // the store, read here as it is: no cs command runs meanwhile
  const recorded = () => storeValue(ce.csEnv, "SELECT id FROM launches WHERE tmux_session = 'gamma'")
  await poll(() => ({ ok: recorded() === next, last: String(recorded()) }), 30_000, 'the launch record to follow /clear')
  tmux.run('kill-server')
  await poll(() => ({ ok: readRegistry(ce).length === 0, last: readRegistry(ce) }), 30_000, 'every claude to exit')
  const dry = cs('revive', '--dry-run')
  assert.match(dry.stdout, new RegExp(`would revive gamma \\(resume ${next}\\)`))
})

/** `cs revive` started after delay ms, in the background. */
function reviveAfter(delay: number): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) =>
    setTimeout(() => {
      const p = spawn(process.execPath, [CS, 'revive'], { env: ce.csEnv })
      let stderr = ''
      p.stderr.on('data', (d) => (stderr += d))
      p.on('close', (status) => resolve({ status, stderr }))
    }, delay)
  )
}

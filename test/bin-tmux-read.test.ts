// The dashboard's tmux read done by bin/cs while Node starts: tmux lists the panes from sh (a
// tmux wrapper records which process asked), Node takes them from fd 3 and reads tmux no more,
// and the rows are those Node's own read gives. With no stdin at all, Node reads tmux itself. A
// stopped server is told within the bound on tmux, by bin/cs and Node alike.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { PANE_FORMAT } from '../lib/pane-row.ts'
import { isolatedCs } from './harness/cs.ts'
import { startFerret } from './harness/ferretdb.ts'
import { TestTmux } from './harness/tmux.ts'

const REPO = resolve(import.meta.dirname, '..')
const t = isolatedCs('bin-tmux-read')
const tmux = new TestTmux('bin-tmux-read', t.env, t.env.CS_TMUX_SOCKET)
after(() => {
  tmux.cleanup()
  t.cleanup()
})

const ID = '4b1d0000-0000-4000-8000-000000000001'
t.session({ id: ID, cwd: '/work/app', prompt: 'fix the parser' })
const pane = tmux.newSession('app', t.home, ['sleep', '600'])
const hookOptions = { '@cs_managed': '1', '@cs_id': ID, '@cs_state': 'waiting', '@cs_state_at': '1700000000' }
for (const [k, v] of Object.entries(hookOptions)) tmux.run('set-option', '-p', '-t', pane, k, v)

// tmux, wrapped: each list-panes call notes the name of the process that made it, and each call
// Node makes, its arguments
const bin = join(t.home, 'bin')
const calls = join(t.home, 'list-panes-calls')
const nodeCalls = join(t.home, 'node-calls')
mkdirSync(bin)
const realTmux = spawnSync('sh', ['-c', 'command -v tmux'], { encoding: 'utf8' }).stdout.trim()
// (with CS_TEST_TAKE, bin/cs's listing also writes a token there, as a push that took the lock
// meanwhile would)
const note = [
  `case " $* " in *" list-panes "*)`,
  `  cat /proc/$PPID/comm >>'${calls}'`,
  `  [ -n "\${CS_TEST_TAKE-}" ] && [ "$(cat /proc/$PPID/comm)" != node ] && echo another >"$CS_TEST_TAKE" ;;`,
  'esac',
  `[ "$(cat /proc/$PPID/comm)" = node ] && echo "$*" >>'${nodeCalls}'`,
].join('\n')
writeFileSync(join(bin, 'tmux'), `#!/bin/sh\n${note}\nexec '${realTmux}' "$@"\n`)
chmodSync(join(bin, 'tmux'), 0o755)
// the full walk not due (it is once every CS_FULL_SCAN_SECONDS): the background sync a dashboard
// would start then lists the panes too, from Node, into the next test's calls (the test that
// wants it due says so)
const env = { ...t.env, CS_FULL_SCAN_SECONDS: '1e12', PATH: `${bin}:${dirname(process.execPath)}:${t.env.PATH}` }

/** `cs ARGS` through bin/cs in sh, with stdin from `stdin` ('closed': none at all). */
function binCs(args: string[], stdin: 'null' | 'closed' = 'null', extra: Record<string, string> = {}) {
  rmSync(calls, { force: true })
  rmSync(nodeCalls, { force: true })
  const redirect = stdin === 'closed' ? '<&-' : '</dev/null'
  const argv = ['-c', `exec /bin/sh "$0" "$@" ${redirect}`, join(REPO, 'bin/cs'), ...args]
  const r = spawnSync('/bin/sh', argv, { env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 })
  // Node, or bin/cs: sh itself, or the `timeout` it bounds tmux with
  const askedBy = readFileSync(calls, { encoding: 'utf8', flag: 'a+' })
    .split('\n')
    .filter(Boolean)
    .map((who) => (who === 'node' ? 'node' : 'bin/cs'))
  const byNode = readFileSync(nodeCalls, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean)
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, askedBy, byNode }
}
const liveRows = (json: string) =>
  (JSON.parse(json) as { id: string; live: boolean; state: string; tmuxSession: string | null }[])
    .filter((r) => r.live)
    .map((r) => [r.id, r.state, r.tmuxSession])

test('cs ls: the panes listed by bin/cs, none by Node; the rows Node reading tmux itself shows', () => {
  const r = binCs(['ls', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.askedBy, ['bin/cs'])
  assert.deepEqual(liveRows(r.stdout), [[ID, 'waiting', 'app']])
  const own = liveRows(JSON.stringify(t.json('ls')))
  assert.deepEqual(own, [[ID, 'waiting', 'app']], 'Node on its own')
})

test('the table and `cs` alone: the same read; any other command leaves tmux to Node', () => {
  const table = binCs([])
  assert.equal(table.status, 0, table.stderr)
  assert.deepEqual(table.askedBy, ['bin/cs'])
  assert.match(table.stdout, /WAITING/)
  assert.deepEqual(binCs(['info', ID.slice(0, 8), '--json']).askedBy, ['node'])
})

test("a dashboard loads none of Node's modules it has no use for: each costs milliseconds of every start", () => {
  // the hook has run (SessionStart sets the transcript): no screen to read, no process to start
  tmux.run('set-option', '-p', '-t', pane, '@cs_transcript', join(t.home, 'transcript.jsonl'))
  // the modules Node loaded as it ran, noted as it exits
  const loaded = join(t.home, 'modules-loaded')
  const preload = join(t.home, 'note-modules.cjs')
  const note = "require('node:fs').writeFileSync(process.env.CS_TEST_LOADED, process.moduleLoadList.join('\\n'))"
  writeFileSync(preload, `process.on('exit', () => ${note})\n`)
  const unused = /^NativeModule (child_process|net|readline|stream|v8)$/
  const warmUp = spawnSync('/bin/sh', [join(REPO, 'bin/cs'), 'ls'], { env }) // the index up to date
  assert.equal(warmUp.status, 0)
  // the table, --json, and a warning on stderr (a pipe, as stdout)
  const missing = { CLAUDE_CONFIG_DIR: join(t.home, 'no-such-folder') }
  for (const [args, extra] of [[['ls', '--json'], {}], [[], {}], [['ls', '--json'], missing]] as const) {
    const r = spawnSync('/bin/sh', [join(REPO, 'bin/cs'), ...args], {
      // colours asked for: a colour library would ask at load whether stdout is a terminal
      env: { ...env, NODE_OPTIONS: `--require ${preload}`, CS_TEST_LOADED: loaded, FORCE_COLOR: '1', ...extra },
      encoding: 'utf8',
    })
    assert.equal(r.status, 0, r.stderr)
    if (extra === missing) assert.match(r.stderr, /^cs: warning: CLAUDE_CONFIG_DIR=.* does not exist/)
    else assert.match(r.stdout, /waiting|WAITING/)
    const modules = readFileSync(loaded, 'utf8').split('\n')
    assert.ok(modules.includes('NativeModule fs'), 'the list was written')
    assert.deepEqual(modules.filter((m) => unused.test(m)), [], `cs ${args.join(' ')}`)
  }
})

test('a dashboard that finds the walk of every file due has bin/cs start it as Node ends: Node starts no process', () => {
  // the hook has run (SessionStart sets the transcript): no screen to read, no process to start
  tmux.run('set-option', '-p', '-t', pane, '@cs_transcript', join(t.home, 'transcript.jsonl'))
  // each Node process notes its modules as it exits: the dashboard's, and the background sync's
  const loaded = join(t.home, 'walk-modules')
  const preload = join(t.home, 'note-walk-modules.cjs')
  const which = "process.argv.includes('--background') ? 'sync' : 'dashboard'"
  const note = `require('node:fs').writeFileSync(process.env.CS_TEST_LOADED + '.' + (${which}), process.moduleLoadList.join('\\n'))`
  writeFileSync(preload, `process.on('exit', () => ${note})\n`)
  const state = join(t.env.XDG_STATE_HOME, 'cs')
  const marker = join(state, 'sync.running')
  const modules = (of: string) => readFileSync(`${loaded}.${of}`, 'utf8').split('\n')
  const walkDue = { ...env, CS_FULL_SCAN_SECONDS: '0', NODE_OPTIONS: `--require ${preload}`, CS_TEST_LOADED: loaded }
  const waitForSync = () => {
    const nap = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
    // started as bin/cs ended, so maybe not yet begun: its note of modules is written as it exits
    for (let waited = 0; !existsSync(`${loaded}.sync`) && waited < 20_000; waited += 50) nap()
    for (let waited = 0; existsSync(marker) && waited < 20_000; waited += 50) nap()
    assert.ok(!existsSync(marker), 'the background sync ended and removed its marker')
    assert.ok(modules('sync').includes('NativeModule fs'), 'the background sync ran')
    rmSync(`${loaded}.sync`)
  }
  // the word of a bin/cs killed as its Node ended, never read: the next walk takes it
  mkdirSync(state, { recursive: true })
  writeFileSync(join(state, 'walk.999999'), '')
  for (const [how, argv, startsIt] of [
    ['bin/cs', ['/bin/sh', join(REPO, 'bin/cs')], false],
    ['Node alone', [process.execPath, join(REPO, 'bin/cs.mjs')], true],
  ] as const) {
    const r = spawnSync(argv[0], [argv[1], 'ls', '--json'], { env: walkDue, encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(liveRows(r.stdout), [[ID, 'waiting', 'app']])
    assert.equal(modules('dashboard').includes('NativeModule child_process'), startsIt, how)
    waitForSync()
  }
  assert.deepEqual(readdirSync(state).filter((f) => f.startsWith('walk.')), [], "bin/cs's word to start it taken")
})

test('cs sync: the panes listed by bin/cs; with no shared store, @cs-push cleared only when left set', () => {
  tmux.run('set-option', '-p', '-t', pane, '@cs_transcript', join(t.home, 'transcript.jsonl'))
  tmux.run('set-option', '-g', '@cs-push', 'left by a shared store since removed')
  let r = binCs(['sync'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.askedBy, ['bin/cs'])
  assert.equal(tmux.run('show-options', '-gqv', '@cs-push').trim(), '', 'cleared')
  assert.equal(r.byNode.length, 1, r.byNode.join('\n'))
  assert.match(r.byNode[0], /set-option -gqu @cs-push ; set-option -gqu @cs-push-sum$/)
  r = binCs(['sync'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual([r.askedBy, r.byNode], [['bin/cs'], []], 'nothing to clear: Node starts no tmux')
  // with more than the command: Node reads tmux itself, as before
  assert.deepEqual(binCs(['sync', '--verbose']).askedBy, ['node'])
})

test("cs sync with a shared store: bin/cs's panes stand for the push's read unless a push took the lock since", async () => {
  tmux.run('set-option', '-p', '-t', pane, '@cs_transcript', join(t.home, 'transcript.jsonl'))
  const server = await startFerret()
  try {
    const shared = { CS_MONGO_URL: server.url }
    const taken = join(t.env.XDG_STATE_HOME, 'cs/push.taken')
    const published = () => tmux.run('show-options', '-gqv', '@cs-push-sum').trim()
    // the first push: no token before it, so Node reads tmux itself, and publishes @cs-push
    let r = binCs(['sync'], 'null', shared)
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(r.askedBy, ['bin/cs', 'node'])
    assert.match(tmux.run('show-options', '-gqv', '@cs-push').trim(), /push\.sh .* sync --push$/)
    const sum = published()
    assert.match(sum, /^[0-9a-f]{8}$/)
    // no push since: bin/cs's read is the push's, and the command published is this one
    r = binCs(['sync'], 'null', shared)
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual([r.askedBy, r.byNode], [['bin/cs'], []])
    // another command published (another cs, environment or version): published again
    tmux.run('set-option', '-g', '@cs-push-sum', 'other')
    r = binCs(['sync'], 'null', shared)
    assert.deepEqual(r.askedBy, ['bin/cs'])
    assert.equal(r.byNode.length, 1, r.byNode.join('\n'))
    assert.equal(published(), sum)
    // a push took the lock after bin/cs read its token: Node reads again
    r = binCs(['sync'], 'null', { ...shared, CS_TEST_TAKE: taken })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(r.askedBy, ['bin/cs', 'node'])
    // a push holding the lock when bin/cs looked: Node waits for it, then reads again
    // (not this process's child: one that ended would stay a zombie while binCs blocks, alive to kill(0))
    const holder = spawnSync('sh', ['-c', 'sleep 1 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).stdout.trim()
    writeFileSync(join(t.env.XDG_STATE_HOME, 'cs/push.lock'), holder)
    r = binCs(['sync'], 'null', shared)
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(r.askedBy, ['bin/cs', 'node'])
    // and the token of that push is the next one's
    assert.deepEqual(binCs(['sync'], 'null', shared).askedBy, ['bin/cs'])
    // no tmux server answering: nothing to publish to, so Node starts no tmux at all
    const none = { ...shared, CS_TMUX_SOCKET: `${t.env.CS_TMUX_SOCKET}-none` }
    binCs(['sync'], 'null', none)
    r = binCs(['sync'], 'null', none)
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual([r.askedBy, r.byNode], [['bin/cs'], []])
  } finally {
    await server.cleanup()
  }
})

test('no stdin at all: Node reads tmux itself, with the same rows', () => {
  const r = binCs(['ls', '--json'], 'closed')
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.askedBy, ['node'])
  assert.deepEqual(liveRows(r.stdout), [[ID, 'waiting', 'app']])
})

test('a usage error keeps its status through the pipe', () => {
  const r = binCs(['ls', '--frob'])
  assert.equal(r.status, 2)
  assert.match(r.stderr, /unknown flag --frob/)
})

test('Node takes fd 3 only when bin/cs says so: CS_PANES_FD=3', () => {
  // a pane that no tmux has: live only if Node read it from fd 3
  const options = ['1', '%99', ID, '', 'T', 'working', '1700000000', '', '', '', '']
  const fake = ['ghost', '%99', '1', '0', '', 'claude', '/', ...options]
  const file = join(t.home, 'panes')
  writeFileSync(file, `${fake.join('\x1f')}\x1e\n`)
  assert.equal(fake.length, PANE_FORMAT.split('\x1f').length)
  const argv = ['-c', `exec "$0" "$@" 3<'${file}'`, process.execPath, join(REPO, 'dist/cs.cjs'), 'ls', '--json']
  const run = (extra: Record<string, string>) =>
    spawnSync('/bin/sh', argv, { env: { ...env, ...extra }, encoding: 'utf8' }).stdout
  tmux.run('kill-session', '-t', '=app')
  assert.deepEqual(liveRows(run({ CS_PANES_FD: '3' })), [[ID, 'working', 'ghost']])
  assert.deepEqual(liveRows(run({})), [], 'fd 3 unasked for: not read')
  // the status bin/cs writes after tmux's output: 137, tmux killed by `timeout`, is a stuck server
  writeFileSync(file, `${fake.join('\x1f')}\x1e\n\x1e0\n`)
  assert.deepEqual(liveRows(run({ CS_PANES_FD: '3' })), [[ID, 'working', 'ghost']])
  writeFileSync(file, '\x1e137\n')
  const stuck = spawnSync('/bin/sh', argv, { env: { ...env, CS_PANES_FD: '3' }, encoding: 'utf8' })
  assert.equal(stuck.status, 3)
  assert.match(stuck.stderr, /tmux did not answer within 5 s/)
})

test('a stopped tmux server: cs says so within its bound, through bin/cs and Node alike, and exits 3', () => {
  tmux.newSession('stuck', t.home, ['sleep', '600'])
  const server = Number(tmux.run('display-message', '-p', '#{pid}').trim())
  process.kill(server, 'SIGSTOP')
  try {
    for (const [args, run] of [
      [['ls', '--json'], () => binCs(['ls', '--json'])],
      [[], () => binCs([])],
      [['ls'], () => t.cs('ls')],
      [['status'], () => t.cs('status')],
    ] as const) {
      const started = Date.now()
      const r = run()
      const took = Date.now() - started
      assert.equal(r.status, 3, `cs ${args.join(' ')}: ${r.stderr}`)
      // the fix names this socket: a bare `tmux kill-server` ends the default server
      const said = /^cs: tmux did not answer within 5 s \(socket (cs-test-bin-tmux-read-\d+)\)\n +its server is stopped or stuck: `tmux -L \1 kill-server` ends it/m
      assert.match(r.stderr, said)
      assert.ok(took < 15_000, `cs ${args.join(' ')} took ${took} ms`)
    }
  } finally {
    process.kill(server, 'SIGCONT')
  }
  assert.equal(binCs(['ls', '--json']).status, 0, 'answering again')
})

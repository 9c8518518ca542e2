import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { isolatedCs } from './harness/cs.ts'

const REPO = resolve(import.meta.dirname, '..')
const homes: (() => void)[] = []
after(() => homes.forEach((cleanup) => cleanup()))

/** A fresh home whose `cs doctor` finds claude in the repo's devDependencies. */
function isolated(extra: Record<string, string> = {}) {
  const t = isolatedCs('doctor')
  homes.push(t.cleanup)
  Object.assign(t.env, { PATH: `${join(REPO, 'node_modules/.bin')}:/usr/local/bin:/usr/bin:/bin`, ...extra })
  return { home: t.home, env: t.env, cs: (...args: string[]) => t.cs('doctor', ...args) }
}

const line = (o: object) => JSON.stringify(o) + '\n'
const user = (text: string) =>
  line({ parentUuid: null, isSidechain: false, cwd: '/work/app', sessionId: 'x', type: 'user', message: { role: 'user', content: text }, uuid: 'u1', timestamp: '2025-06-01T10:00:00.000Z' })

const check = (out: any, what: string) => out.checks.find((c: any) => c.what === what)

test('a sound set-up passes, and files with lines cs did not understand are named', () => {
  const { home, cs } = isolated()
  const dir = join(home, '.claude/projects/-work-app')
  mkdirSync(dir, { recursive: true })
  const clean = join(dir, '0b6a5ad1-31c4-4f4c-9a51-2d2f3c4b5a6e.jsonl')
  const odd = join(dir, '1c7b6be2-42d5-4a5d-8b62-3e3f4d5c6b7f.jsonl')
  writeFileSync(clean, user('hello'))
  writeFileSync(odd, user('hello') + 'not json at all\n' + line({ type: 'a-record-type-from-the-future' }))

  const r = cs('--json')
  assert.equal(r.status, 0, r.stderr + r.stdout)
  const out = JSON.parse(r.stdout)
  assert.equal(out.ok, true)
  for (const what of ['node', 'transcripts folder', 'claude', 'tmux', 'fzf', 'git', 'database', 'journal', 'hook settings', 'hook self-test', 'crontab'])
    assert.equal(check(out, what).level, 'ok', what)
  assert.match(check(out, 'database').detail, /cs\.db \(SQLite, wal\), schema \d+, \d+ kB, integrity ok/)
  assert.match(check(out, 'claude').detail, /node_modules\/\.bin\/claude, 2\.1\.\d+ \(Claude Code\)$/)
  assert.match(check(out, 'tmux').detail, /^\/\S+tmux, tmux \d\.\d\S* \(3\.2\+ wanted\)$/)
  assert.match(check(out, 'hook self-test').detail, /hook\.sh UserPromptSubmit turned a pane WORKING/)
  assert.equal(check(out, 'transcripts').level, 'warn')
  assert.deepEqual(out.files, [{ path: odd, unknownRecords: 1, badLines: 1 }])
  // the same two files, as format drift: the record type, the version unknown (none written)
  assert.equal(check(out, 'format drift').level, 'warn')
  assert.deepEqual(out.drift.types, [{ what: 'a-record-type-from-the-future', count: 1, versions: [], files: 1 }])
  assert.equal(out.drift.badLines, 1)
  assert.equal(out.drift.files, 2)

  const text = cs()
  assert.equal(text.status, 0)
  assert.match(text.stdout, /^ok\s+tmux\s+\/\S+tmux, tmux /m)
  assert.match(text.stdout, /^\s+record type a-record-type-from-the-future: 1 times in 1 files, Claude Code version unknown$/m)
  assert.match(text.stdout, /^warn\s+transcripts\s+1 of 2 hold lines cs did not understand/m)
  assert.ok(text.stdout.includes(`${odd}: 1 unknown records, 1 bad lines`))
  assert.doesNotMatch(text.stdout, /\x1b\[/) // not a terminal: no colour
})

test('the tmux plugin: the config line that loads it, and whether the running server loaded it from here', () => {
  const { home, env, cs } = isolated()
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', env.CS_TMUX_SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' })
  const plugins = () => {
    const r = cs('--json')
    const out = JSON.parse(r.stdout)
    return [check(out, 'tmux plugin'), check(out, 'tmux server')]
  }
  let [conf, server] = plugins()
  assert.equal(conf.level, 'warn')
  assert.equal(conf.fix, `add this line to it: run-shell ${join(REPO, 'plugin.tmux')}`)
  assert.equal(server, undefined, 'no server running: nothing to ask')
  // written from the home folder, through a link to the checkout: the same file
  mkdirSync(join(home, 'src'), { recursive: true })
  symlinkSync(REPO, join(home, 'src/cs'))
  for (const line of ['run-shell ~/src/cs/plugin.tmux', "run-shell '$HOME/src/cs/plugin.tmux'"]) {
    writeFileSync(join(home, '.tmux.conf'), `set -g status-right '#{cs_status} %H:%M'\n${line}\n`)
    assert.equal(plugins()[0].level, 'ok', line)
  }
  writeFileSync(join(home, '.tmux.conf'), `run-shell ${join(REPO, 'plugin.tmux')}\n`)
  tmux('new-session', '-d', '-s', 'doctor-plugin')
  try {
    ;[conf, server] = plugins()
    assert.equal(conf.level, 'ok')
    assert.equal(server.level, 'warn')
    assert.equal(server.detail, 'the running server has not loaded the plugin')
    assert.ok(server.fix.startsWith(`tmux -L ${env.CS_TMUX_SOCKET} run-shell ${join(REPO, 'plugin.tmux')}`), server.fix)
    tmux('run-shell', join(REPO, 'plugin.tmux'))
    assert.equal(plugins()[1].level, 'ok')
    tmux('set-option', '-g', '@cs-picker-script-path', '/elsewhere/cs/tmux/picker.sh')
    assert.match(plugins()[1].detail, /loaded the plugin of another checkout \(\/elsewhere\/cs\/tmux\/picker\.sh\)/)
  } finally {
    tmux('kill-server')
  }
})

test('no transcripts folder and no claude binary: exit 1 with the fixes named', () => {
  const { cs } = isolated({ CS_CLAUDE: 'claude-that-is-not-installed' })
  const r = cs('--json')
  assert.equal(r.status, 1)
  const out = JSON.parse(r.stdout)
  assert.equal(out.ok, false)
  assert.equal(check(out, 'transcripts folder').level, 'fail')
  assert.match(check(out, 'transcripts folder').detail, /projects does not exist$/)
  assert.match(check(out, 'transcripts folder').fix, /run claude once/)
  assert.equal(check(out, 'claude-that-is-not-installed').level, 'fail')
  assert.match(check(out, 'claude-that-is-not-installed').detail, /not found on PATH/)
  assert.match(check(out, 'claude-that-is-not-installed').fix, /npm install -g @anthropic-ai\/claude-code/)
})

test('claude installed but not on PATH: the fix names where it is', () => {
  const { home, cs } = isolated({ PATH: '/usr/local/bin:/usr/bin:/bin' })
  mkdirSync(join(home, '.claude/projects'), { recursive: true })
  mkdirSync(join(home, '.local/bin'), { recursive: true })
  symlinkSync(join(REPO, 'node_modules/.bin/claude'), join(home, '.local/bin/claude'))
  const r = cs('--json')
  assert.equal(r.status, 1)
  const claude = check(JSON.parse(r.stdout), 'claude')
  assert.equal(claude.level, 'fail')
  const at = join(home, '.local/bin/claude')
  assert.equal(claude.fix, `it is at ${at}: add ${join(home, '.local/bin')} to PATH, or set CS_CLAUDE=${at}`)
  const text = cs()
  assert.match(text.stdout, new RegExp(`^\\s+fix: it is at ${at}`, 'm'))
})

test('recent transcripts written by a newer client: unknown types and fields with their counts and versions', () => {
  const { home, cs } = isolated()
  const dir = join(home, '.claude/projects/-work-app')
  mkdirSync(dir, { recursive: true })
  const rec = (o: object) => line({ parentUuid: null, isSidechain: false, cwd: '/work/app', sessionId: 'x', uuid: 'u', timestamp: '2025-06-01T10:00:00.000Z', ...o })
  writeFileSync(join(dir, '0b6a5ad1-31c4-4f4c-9a51-2d2f3c4b5a6e.jsonl'), user('hi') +
    rec({ type: 'user', version: '9.0.1', message: { role: 'user', content: 'x' }, mood: 1 }) +
    rec({ type: 'hologram', version: '9.0.1' }) + rec({ type: 'hologram', version: '9.0.2' }))
  const old = join(dir, '1c7b6be2-42d5-4a5d-8b62-3e3f4d5c6b7f.jsonl')
  writeFileSync(old, rec({ type: 'ancient-type', version: '0.1.0' }))
  utimesSync(old, new Date('2020-01-01'), new Date('2020-01-01')) // not recent: not read for drift
  // links out of the projects folder, to a file and to a folder: not read, as the indexer does
  const outside = join(home, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, '2d8c7cf3-53e6-4e6b-9c73-4f4a5e6d7c80.jsonl'), 'root:x:0:0\n' + rec({ type: 'from-outside' }))
  symlinkSync(join(outside, '2d8c7cf3-53e6-4e6b-9c73-4f4a5e6d7c80.jsonl'), join(dir, '3e9d8d04-64f7-4f7c-8d84-5a5b6f7e8d91.jsonl'))
  symlinkSync(outside, join(home, '.claude/projects/-linked-out'))
  // two session files linked to each other (ELOOP): left out, as the indexer leaves them
  symlinkSync(join(dir, '5f0e9e15-75f8-4a8e-9e73-6b6c7d8e9fa2.jsonl'), join(dir, '4e0e9e15-75f8-4a8e-9e73-6b6c7d8e9fa1.jsonl'))
  symlinkSync(join(dir, '4e0e9e15-75f8-4a8e-9e73-6b6c7d8e9fa1.jsonl'), join(dir, '5f0e9e15-75f8-4a8e-9e73-6b6c7d8e9fa2.jsonl'))
  const out = JSON.parse(cs('--json').stdout)
  assert.deepEqual(out.drift.types, [{ what: 'hologram', count: 2, versions: ['9.0.1', '9.0.2'], files: 1 }])
  assert.deepEqual(out.drift.fields, [{ what: 'user.mood', count: 1, versions: ['9.0.1'], files: 1 }])
  assert.match(check(out, 'format drift').detail, /^1 transcripts of the last 7 days, 4 lines: 1 unknown record types, 1 unknown fields$/)
})

test('the crontab line: not needed alone nor with a hosts list (asked over ssh), wanted with a shared store', () => {
  const { home, env, cs } = isolated()
  mkdirSync(join(home, '.claude/projects'), { recursive: true })
  // a crontab that prints nothing: no `cs sync` line
  const bin = join(home, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'crontab'), '#!/bin/sh\nexit 1\n', { mode: 0o755 })
  env.PATH = `${bin}:${env.PATH}`
  const alone = JSON.parse(cs('--json').stdout)
  assert.equal(check(alone, 'crontab').level, 'ok')
  mkdirSync(join(home, '.config/cs'), { recursive: true })
  writeFileSync(join(home, '.config/cs/config.json'), JSON.stringify({ hosts: [{ name: 'box2' }] }))
  const listed = JSON.parse(cs('--json').stdout)
  assert.equal(check(listed, 'crontab').level, 'ok')
  assert.match(check(listed, 'crontab').detail, /a hosts list: the other hosts ask this one over ssh/)
  // a server that refuses at once: the check of the store fails fast
  writeFileSync(join(home, '.config/cs/config.json'), JSON.stringify({ mongo: { url: 'mongodb://127.0.0.1:9/cs' } }), { mode: 0o600 })
  const shared = JSON.parse(cs('--json').stdout)
  assert.equal(check(shared, 'crontab').level, 'warn')
  assert.equal(check(shared, 'crontab').fix, 'cs cron on (adds the line)')
  // no crontab at all: said, with its install first (node alone on the PATH: bin/cs runs it)
  const bare = { ...env }
  mkdirSync(join(home, 'node-only'))
  symlinkSync(process.execPath, join(home, 'node-only/node'))
  env.PATH = join(home, 'node-only')
  const none = JSON.parse(cs('--json').stdout)
  assert.match(check(none, 'crontab').detail, /^crontab is not installed/)
  assert.equal(check(none, 'crontab').fix, 'install cron (apt-get install cron), then cs cron on')
  env.PATH = bare.PATH
  writeFileSync(join(bin, 'crontab'), '#!/bin/sh\necho "*/10 * * * * $HOME/.local/bin/cs sync --quiet"\n', { mode: 0o755 })
  const found = JSON.parse(cs('--json').stdout)
  assert.equal(check(found, 'crontab').level, 'ok')
  assert.match(check(found, 'crontab').detail, /cs sync --quiet$/)
})

test('an unreadable database is set aside and rebuilt, without a stack trace', () => {
  const { home, cs } = isolated()
  mkdirSync(join(home, '.claude/projects'), { recursive: true })
  const db = join(home, '.local/state/cs/cs.db')
  mkdirSync(join(home, '.local/state/cs'), { recursive: true })
  writeFileSync(db, 'garbage, not sqlite '.repeat(300))
  const r = cs()
  assert.match(r.stderr, new RegExp(`the database ${db} was damaged: it is set aside as ${db}\\.damaged-`))
  assert.match(r.stdout, new RegExp(`^ok\\s+database\\s+${db}`, 'm'))
  assert.doesNotMatch(r.stdout + r.stderr, /at .*\.ts:\d+/)
})

test("the journal: its changes counted, a line cs cannot read warned of, a FIFO in its place failed", () => {
  const { home, cs, env } = isolated()
  mkdirSync(join(home, '.claude/projects'), { recursive: true })
  const journal = join(env.XDG_STATE_HOME, 'cs/cs.journal')
  const doctor = () => check(JSON.parse(cs('--json').stdout), 'journal')
  assert.match(doctor().detail, /cs\.journal, 0 changes$/)
  mkdirSync(dirname(journal), { recursive: true })
  writeFileSync(journal, JSON.stringify({ op: 'meta', id: '0b6a5ad1-31c4-4f4c-9a51-2d2f3c4b5a6e', column: 'name', value: 'x' }) + '\n{"op":"me')
  assert.equal(doctor().level, 'warn')
  assert.match(doctor().detail, /1 change; 1 line cs cannot read/)
  rmSync(journal)
  execFileSync('mkfifo', [journal])
  const fifo = doctor()
  assert.equal(fifo.level, 'fail')
  assert.match(fifo.detail, /cs's journal .*cs\.journal is a FIFO, not a file/)
  assert.match(fifo.fix, /^move it away/)
})

test('a config.json cs cannot use is a failed check of its own, with its fix; the rest is checked without it', () => {
  const { home, env, cs } = isolated()
  mkdirSync(join(home, '.claude/projects'), { recursive: true })
  mkdirSync(join(home, '.config/cs'), { recursive: true })
  writeFileSync(join(home, '.config/cs/config.json'), '{ "hosts": [ oops')
  const r = cs('--json')
  assert.equal(r.status, 1, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.equal(check(out, 'config').level, 'fail')
  assert.match(check(out, 'config').detail, /config\.json/)
  assert.match(check(out, 'config').fix, /move it away: mv /)
  assert.equal(check(out, 'node').level, 'ok')
  assert.equal(check(out, 'database').level, 'ok')
  // every other command still stops at it
  assert.equal(spawnSync(join(REPO, 'bin/cs'), ['ls'], { env, encoding: 'utf8' }).status, 1)
})

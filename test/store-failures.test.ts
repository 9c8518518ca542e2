// The state folder failing under cs: read-only, full, or a file where a folder should be.
// Commands that change something fail with a clear error and no stack; nothing is lost; those
// that only show sessions still answer from what was saved.
//
// Real failures: as root (CI) the state folder is a tmpfs of its own, remounted read-only or
// filled to the last byte (root ignores file permissions, so chmod would prove nothing); as
// another user, read-only is chmod and the full disk needs root.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, test } from 'node:test'
import { loadConfig } from '../lib/config.ts'
import { fileError } from '../lib/file-errors.ts'
import { ensureHookSettings } from '../lib/hooks.ts'
import { replaceFile } from '../lib/regular-file.ts'
import { isolatedCs, type Result } from './harness/cs.ts'

const root = process.getuid?.() === 0
const t = isolatedCs('store-failures')
const state = t.env.XDG_STATE_HOME
let mounted = false
after(() => {
  if (mounted) spawnSync('umount', [state])
  t.cleanup()
})

const id = (n: number) => `${String(n).padStart(8, '0')}-2222-4000-8000-000000000000`
const STACK = /internal error|\n\s+at .*:\d+:\d+/

function clearFailure(r: Result, what: RegExp, args: string) {
  assert.equal(r.status, 1, `${args}: ${r.stdout}${r.stderr}`)
  assert.match(r.stderr, what, args)
  assert.doesNotMatch(r.stderr, STACK, args)
}

/** Sessions, a name, a tag and a soft deletion, all saved. */
function seed() {
  // all idle for long: prune has something to soft-delete (id 4, the one unprotected)
  for (let n = 1; n <= 4; n++) t.session({ id: id(n), cwd: `/w/p${n}`, prompt: `prompt ${n}`, at: '2025-01-01T00:00:00.000Z' })
  assert.equal(t.cs('rename', id(1), 'the name').status, 0)
  assert.equal(t.cs('tag', id(2), 'kept').status, 0)
  assert.equal(t.cs('rm', id(3)).status, 0)
}

function intact() {
  const all = t.json('ls', '--all')
  const by = (n: number) => all.find((v: { id: string }) => v.id === id(n))
  assert.equal(by(1)?.name, 'the name')
  assert.equal(by(2)?.tag, 'kept')
  assert.equal(by(3)?.deleted, true)
  assert.equal(by(4)?.deleted, false)
}

function readersAnswer() {
  for (const args of [['ls'], ['list'], ['info', id(1)], ['ls', '--json']]) {
    const r = t.cs(...args)
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`)
    assert.doesNotMatch(r.stderr, STACK)
    assert.match(r.stdout, /the name|prompt 2/, args.join(' '))
  }
  const rows = JSON.parse(t.cs('ls', '--json', '--all').stdout)
  assert.equal(rows.find((v: { id: string }) => v.id === id(1))?.name, 'the name')
  // resume lists what it read (no terminal: the numbered list); the tmux picker's file it
  // cannot write stays as it was
  const resume = t.cs('resume')
  assert.match(resume.stdout, /the name[\s\S]*resume which/)
  assert.doesNotMatch(resume.stderr, /picker|\.tmp|^cs: cannot/m)
  // the full walk due: the background sync that would do it cannot note itself, and the
  // dashboard goes on without it
  t.env.CS_FULL_SCAN_SECONDS = '0'
  const due = t.cs('ls')
  delete t.env.CS_FULL_SCAN_SECONDS
  assert.equal(due.status, 0, due.stderr)
  assert.match(due.stdout, /the name/)
  assert.doesNotMatch(due.stderr, /sync\.running/)
  assert.doesNotMatch(due.stderr, STACK)
}

function writersFail(what: RegExp) {
  for (const args of [
    ['rename', id(4), 'x'],
    ['tag', id(4), 'y'],
    ['rm', id(4)],
    ['prune', '--days', '0', '--yes'],
    ['sync', '--full'],
  ])
    clearFailure(t.cs(...args), what, args.join(' '))
}

test('a read-only store: writes fail clearly, reads answer, nothing is lost', () => {
  mkdirSync(state, { recursive: true })
  if (root) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', state])
    mounted = true
  }
  seed()
  if (root) execFileSync('mount', ['-o', 'remount,ro', state])
  else chmodSync(`${state}/cs`, 0o500)
  // doctor says so, with the fix for where the store lies, not a rebuild
  const doctor = t.cs('doctor').stdout
  assert.match(doctor, /fail +database +.*cs\.db \(SQLite, opened read-only\): cannot write the database .*: it is read-only\n +fix: make .* writable/) // prettier-ignore
  assert.doesNotMatch(doctor, /journal mode|rebuilds the index/)
  // something new on disk that cannot be indexed now
  t.session({ id: id(5), cwd: '/w/p5', prompt: 'prompt 5' })
  writersFail(/cannot write the database .*cs\.db: it is read-only/)
  readersAnswer()
  // with a shared store (here one that refuses): the dashboard's pull, which could not be
  // noted, takes nothing, and what was saved still answers
  t.env.CS_MONGO_URL = 'mongodb://127.0.0.1:9/cs'
  try {
    readersAnswer()
  } finally {
    delete t.env.CS_MONGO_URL
  }

  if (root) execFileSync('mount', ['-o', 'remount,rw', state])
  else chmodSync(`${state}/cs`, 0o700)
  intact()
})

test('a full disk: writes fail clearly, reads answer, nothing is lost', { skip: !root && 'a full file system needs root to mount a tmpfs' }, () => {
  // the store of the test before, on its tmpfs: fill it to the last byte
  spawnSync('dd', ['if=/dev/zero', `of=${state}/filler`, 'bs=64k'], { stdio: 'ignore' })
  t.session({ id: id(6), cwd: '/w/p6', prompt: 'prompt 6 '.repeat(2000) })
  writersFail(/cannot write the database .*cs\.db: the disk is full|the disk is full/)
  readersAnswer()
  // the database damaged meanwhile (its first page overwritten: no new space): set aside, and
  // not made again until there is room, said as such, not as a read that still answers
  // (once no background sync of the commands before runs: its checkpoint would write page 1 back)
  for (const end = Date.now() + 20_000; existsSync(`${state}/cs/sync.running`) && Date.now() < end; ) spawnSync('sleep', ['0.1'])
  const fd = openSync(`${state}/cs/cs.db`, 'r+')
  writeSync(fd, Buffer.alloc(4096, 0x41), 0, 4096, 0)
  closeSync(fd)
  const damaged = t.cs('ls')
  clearFailure(damaged, /the database .*cs\.db is damaged, and cannot be made again: the disk is full\n +free some space on /, 'ls')
  assert.doesNotMatch(damaged.stderr, /still answer/)
  execFileSync('rm', [`${state}/filler`])
  intact()
  assert.ok(t.json('ls').some((v: { id: string }) => v.id === id(6)), 'indexed once there is room')
})

test('a file written whole on a full disk: the error names it, it stays as it was, nothing is left beside it', { skip: !root && 'a full file system needs root to mount a tmpfs' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-full-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir])
  try {
    const file = join(dir, 'picker.tsv')
    writeFileSync(file, 'as it was\n')
    spawnSync('dd', ['if=/dev/zero', `of=${dir}/filler`, 'bs=4k'], { stdio: 'ignore' })
    let failed: unknown
    try {
      replaceFile(file, 'x'.repeat(256 * 1024))
    } catch (e) {
      failed = e
    }
    assert.equal((failed as NodeJS.ErrnoException)?.code, 'ENOSPC', String(failed))
    assert.equal(fileError(failed)?.message, `cannot write ${file}: the disk is full`)
    assert.equal(readFileSync(file, 'utf8'), 'as it was\n')
    assert.deepEqual(readdirSync(dir).sort(), ['filler', 'picker.tsv'])
  } finally {
    spawnSync('umount', [dir])
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a state folder to be made on a read-only file system: the error says so, no stack', { skip: !root && 'a read-only file system needs root to mount a tmpfs' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-ro-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', dir])
  try {
    t.env.XDG_STATE_HOME = join(dir, 'state') // the harness's environment, for this one run
    clearFailure(t.cs('launch', 'ro', 'hello'), /cannot mkdir .*: the file system is read-only/, 'launch')
  } finally {
    t.env.XDG_STATE_HOME = state
    spawnSync('umount', [dir])
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a state folder or data folder that is a file: the error names it, not cs.db', () => {
  const u = isolatedCs('store-failures-file')
  try {
    mkdirSync(u.env.XDG_STATE_HOME, { recursive: true })
    writeFileSync(`${u.env.XDG_STATE_HOME}/cs`, 'not a folder')
    const r = u.cs('ls')
    clearFailure(r, /state folder .*\/cs is not a folder/, 'ls')
    assert.doesNotMatch(r.stderr, /cs\.db/)
    // the fix is a command to paste, quoted: a state folder whose path has a blank and a quote
    const odd = join(u.env.XDG_STATE_HOME, "it's here")
    mkdirSync(odd)
    writeFileSync(join(odd, 'cs'), 'not a folder')
    const state = u.env.XDG_STATE_HOME
    u.env.XDG_STATE_HOME = odd
    const q = u.cs('ls')
    u.env.XDG_STATE_HOME = state
    clearFailure(q, /state folder .* is not a folder/, 'ls')
    const fix = /move the file away \((mv .*)\), or set XDG_STATE_HOME/.exec(q.stderr)![1]
    assert.equal(spawnSync('sh', ['-c', fix]).status, 0, fix)
    assert.equal(readFileSync(join(odd, 'cs.bak'), 'utf8'), 'not a folder')
    mkdirSync(u.env.XDG_DATA_HOME, { recursive: true })
    writeFileSync(`${u.env.XDG_DATA_HOME}/cs`, 'not a folder')
    const g = u.cs('gc', '--restore')
    clearFailure(g, /data folder .*\/cs is not a folder/, 'gc --restore')
    assert.doesNotMatch(g.stdout, /trash is empty/)
    // the config folder: its own name and fix, not config.json's
    mkdirSync(u.env.XDG_CONFIG_HOME, { recursive: true })
    writeFileSync(`${u.env.XDG_CONFIG_HOME}/cs`, 'not a folder')
    clearFailure(u.cs('ls'), /\/cs is a file, where cs's config folder .*\/cs should be\n +move the file away \(mv .*\/cs .*\/cs\.bak\), or set XDG_CONFIG_HOME/, 'ls')
    rmSync(`${u.env.XDG_CONFIG_HOME}/cs`)
    // XDG_CONFIG_HOME itself a file: that is the one to move
    const configHome = u.env.XDG_CONFIG_HOME
    rmSync(configHome, { recursive: true })
    writeFileSync(configHome, '')
    const up = u.cs('ls')
    clearFailure(up, /is a file, where cs's config folder/, 'ls')
    assert.ok(up.stderr.includes(`move the file away (mv ${configHome} ${configHome}.bak)`), up.stderr)
    rmSync(configHome)
    mkdirSync(configHome)
    // a file further up: what the system said, and the fix that goes with it
    rmSync(u.env.XDG_STATE_HOME, { recursive: true })
    writeFileSync(u.env.XDG_STATE_HOME, '')
    clearFailure(u.cs('ls'), /a file stands where a folder should be\n +move the file on that path away/, 'ls')
  } finally {
    u.cleanup()
  }
})

test('a symlink to nothing where a folder or the database should be: the error names the link and its target', () => {
  const u = isolatedCs('store-failures-link')
  try {
    u.session({ id: id(1), cwd: '/w/p1', prompt: 'prompt 1', orphan: true })
    const link = (path: string, target: string) => {
      mkdirSync(dirname(path), { recursive: true })
      rmSync(path, { recursive: true, force: true })
      symlinkSync(target, path)
    }
    const said = (path: string, target: string) => new RegExp(`${path} is a symlink to ${target}, which does not exist\n +make ${target}, or remove the link \\(rm ${path}\\)`)
    const state = `${u.env.XDG_STATE_HOME}/cs`
    link(state, '/nonexistent/state')
    for (const args of [['ls'], ['sync'], ['rename', id(1), 'x']]) clearFailure(u.cs(...args), said(state, '/nonexistent/state'), args.join(' '))
    rmSync(state)
    assert.equal(u.cs('sync').status, 0)
    link(`${state}/cs.db`, '/nonexistent/cs.db')
    clearFailure(u.cs('ls'), said(`${state}/cs.db`, '/nonexistent/cs.db'), 'ls')
    rmSync(`${state}/cs.db`)
    const data = `${u.env.XDG_DATA_HOME}/cs`
    link(data, '/nonexistent/data')
    clearFailure(u.cs('gc', '--yes'), said(data, '/nonexistent/data'), 'gc --yes')
    const config = `${u.env.XDG_CONFIG_HOME}/cs`
    link(config, '/nonexistent/config')
    clearFailure(u.cs('config', 'set', 'sync.titles', 'true'), said(config, '/nonexistent/config'), 'config set')
  } finally {
    u.cleanup()
  }
})

test("a FIFO where one of cs's own files should be (database, journal, walk marker, hook settings, agent pid, last prune): a clear error or none needed, no hang", () => {
  const u = isolatedCs('store-failures-fifo')
  try {
    u.session({ id: id(1), cwd: '/w/p1', prompt: 'prompt 1' })
    assert.equal(u.cs('sync').status, 0)
    const journal = `${u.env.XDG_STATE_HOME}/cs/cs.journal`
    rmSync(journal, { force: true })
    execFileSync('mkfifo', [journal])
    clearFailure(u.cs('rename', id(1), 'x'), /cs's journal .*cs\.journal is a FIFO, not a file\n +move it away \(mv /, 'rename')
    assert.equal(u.json('info', id(1)).name, null)
    rmSync(journal)
    // the marker of a background walk, long stale: the dashboard that finds the walk due goes on
    const marker = `${u.env.XDG_STATE_HOME}/cs/sync.running`
    execFileSync('mkfifo', [marker])
    utimesSync(marker, new Date('2020-01-01'), new Date('2020-01-01'))
    const due = spawnSync(process.execPath, [`${import.meta.dirname}/../bin/cs.mjs`, 'ls', '--json'], {
      env: { ...u.env, CS_FULL_SCAN_SECONDS: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    })
    assert.equal(due.status, 0, `${due.error ?? ''} ${due.stderr}`)
    assert.equal(JSON.parse(due.stdout).length, 1)
    // the hook settings cs launch writes: replaced, not waited on
    const settings = `${u.env.XDG_STATE_HOME}/cs/claude-settings.json`
    execFileSync('mkfifo', [settings])
    assert.equal(ensureHookSettings(loadConfig(u.env)), settings)
    assert.match(readFileSync(settings, 'utf8'), /"hooks"/)
    // the agent's pid, the last prune's record: read as absent, not waited on
    for (const f of ['agent.pid', 'last-prune.json']) execFileSync('mkfifo', [`${u.env.XDG_STATE_HOME}/cs/${f}`])
    const stop = u.cs('agent', 'stop')
    assert.equal(stop.status, 0, stop.stderr)
    assert.match(stop.stdout, /no agent of cs runs/)
    clearFailure(u.cs('prune', '--undo'), /no prune to undo/, 'prune --undo')
    // SQLite's shared-memory file beside the database: named, and the saved rows still shown
    const db = `${u.env.XDG_STATE_HOME}/cs/cs.db`
    rmSync(`${db}-shm`, { force: true })
    execFileSync('mkfifo', [`${db}-shm`])
    const shown = u.cs('ls', '--json')
    assert.equal(shown.status, 0, shown.stderr)
    assert.equal(JSON.parse(shown.stdout).length, 1)
    assert.match(shown.stderr, /shared-memory file .*cs\.db-shm is a FIFO, not a file; showing what was saved/)
    clearFailure(u.cs('rename', id(1), 'y'), /shared-memory file .*cs\.db-shm is a FIFO, not a file\n +move it away \(mv /, 'rename')
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
    execFileSync('mkfifo', [db])
    for (const args of [['ls'], ['sync'], ['rm', id(1)]]) clearFailure(u.cs(...args), /the database .*cs\.db is a FIFO, not a file/, args.join(' '))
  } finally {
    u.cleanup()
  }
})

test('a damaged store: the next command sets it aside, rebuilds the index and keeps names, tags and deletions', () => {
  const u = isolatedCs('store-failures-damaged')
  try {
    const prev = { ...t }
    Object.assign(t, { cs: u.cs, json: u.json, session: u.session })
    seed()
    writeFileSync(`${u.env.XDG_STATE_HOME}/cs/cs.db`, 'garbage '.repeat(1000))
    const r = u.cs('ls', '--all')
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stderr, /was damaged: it is set aside as .*cs\.db\.damaged-/)
    assert.doesNotMatch(r.stderr, STACK)
    intact()
    // named sessions keep their protection: prune leaves them, and the removed one stays removed
    u.session({ id: id(7), cwd: '/w/p7', prompt: 'old', at: '2025-01-01T00:00:00.000Z' })
    const pruned = u.json('prune', '--days', '1', '--yes').map((v: { id: string }) => v.id).sort()
    assert.deepEqual(pruned, [id(4), id(7)])
    Object.assign(t, prev)
  } finally {
    u.cleanup()
  }
})

test("SQLite's addon that does not load (built for another node): the rebuild named, the database left alone", () => {
  const repo = join(import.meta.dirname, '..')
  const u = isolatedCs('store-failures-addon')
  const copy = join(u.home, 'cs')
  try {
    u.session({ id: id(1), cwd: '/w/p1', prompt: 'prompt 1' })
    assert.equal(u.cs('sync').status, 0)
    const db = join(u.env.XDG_STATE_HOME, 'cs/cs.db')
    const saved = readFileSync(db)
    // a checkout of cs whose addon is no library at all
    mkdirSync(join(copy, 'node_modules/better-sqlite3/build/Release'), { recursive: true })
    for (const part of ['dist', 'bin', 'package.json']) cpSync(join(repo, part), join(copy, part), { recursive: true })
    for (const m of readdirSync(join(repo, 'node_modules')))
      if (m !== 'better-sqlite3') symlinkSync(join(repo, 'node_modules', m), join(copy, 'node_modules', m))
    cpSync(join(repo, 'node_modules/better-sqlite3/package.json'), join(copy, 'node_modules/better-sqlite3/package.json'))
    writeFileSync(join(copy, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 'not a library\n')
    const r = spawnSync(join(copy, 'bin/cs'), ['ls'], { env: u.env, encoding: 'utf8', timeout: 30_000 })
    assert.equal(r.status, 1, r.stderr)
    assert.match(r.stderr, /^cs: cannot load SQLite's addon with node v[\d.]+: .*better_sqlite3\.node/)
    assert.match(r.stderr, new RegExp(`cd ${copy} && npm rebuild better-sqlite3\\n$`))
    assert.doesNotMatch(r.stderr, /move it away|damaged/)
    assert.equal(r.stderr.split('cannot load').length, 2, 'said once')
    assert.doesNotMatch(r.stderr, STACK)
    assert.deepEqual(readFileSync(db), saved, 'the database untouched')
    assert.deepEqual(readdirSync(dirname(db)).filter((f) => f.includes('damaged')), [])
  } finally {
    u.cleanup()
  }
})

import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { CsError } from '../lib/errors.ts'
import { tryLock, unlock, withLock } from '../lib/lock.ts'
import { procStat } from '../lib/registry.ts'

const dir = mkdtempSync(join(tmpdir(), 'cs-lock-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const lockFile = () => join(dir, `${++n}.lock`)
const me = () => `${process.pid} ${procStat(process.pid)!.start}`
const busy = () => new CsError('busy')

test('a lock is taken once, names its holder, and is free again once let go', () => {
  const file = lockFile()
  assert.equal(tryLock(file), true)
  assert.equal(readFileSync(file, 'utf8'), me())
  assert.equal(tryLock(file), false, 'held: by this process too')
  unlock(file)
  assert.ok(!existsSync(file))
  assert.equal(withLock(file, 0, busy, () => 'done'), 'done')
  assert.ok(!existsSync(file), 'let go after fn')
})

test("a live holder's lock is waited for, then refused; a dead one's, a reused pid's and an empty old one are taken over", () => {
  const file = lockFile()
  const child = spawn('sleep', ['30'])
  try {
    writeFileSync(file, `${child.pid} ${procStat(child.pid!)!.start}`)
    const started = Date.now()
    assert.throws(() => withLock(file, 300, busy, () => 0), /busy/)
    assert.ok(Date.now() - started >= 300, 'waited')
    // the same pid started at another time: another process now
    writeFileSync(file, `${child.pid} 1`)
    assert.equal(tryLock(file), true)
    unlock(file)
  } finally {
    child.kill()
  }
  const gone = spawnSync('true').pid
  writeFileSync(file, String(gone)) // an older cs wrote the pid alone
  assert.equal(tryLock(file), true)
  assert.equal(readFileSync(file, 'utf8'), me())
  unlock(file)
  // empty: being written a moment ago, or left by a taker that died before it wrote
  writeFileSync(file, '')
  assert.equal(tryLock(file), false)
  utimesSync(file, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000))
  assert.equal(tryLock(file), true)
  unlock(file)
  // a taker of a dead lock that died itself: its guard, once old, is removed
  writeFileSync(file, String(gone))
  writeFileSync(`${file}.takeover`, '')
  assert.equal(tryLock(file), false, 'another takes it over now')
  utimesSync(`${file}.takeover`, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000))
  assert.equal(withLock(file, 1000, busy, () => 'taken'), 'taken')
  assert.ok(!existsSync(`${file}.takeover`))
})

test('a folder where the lock goes, or one that cannot be written: a clear error, never a spin', () => {
  const file = lockFile()
  mkdirSync(file)
  assert.throws(() => tryLock(file), (e: unknown) => e instanceof CsError && /the lock .* is a folder, not a file/.test(e.message))
  rmSync(file, { recursive: true })
  // a dead holder's lock in a folder that cannot be written: it cannot be removed, and says so
  // (as root, a read-only tmpfs: root ignores the folder's mode)
  const ro = join(dir, 'ro')
  mkdirSync(ro)
  const root = process.getuid?.() === 0
  if (root) execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', ro])
  try {
    writeFileSync(join(ro, 'x.lock'), String(spawnSync('true').pid))
    if (root) execFileSync('mount', ['-o', 'remount,ro', ro])
    else chmodSync(ro, 0o500)
    const started = Date.now()
    assert.throws(() => tryLock(join(ro, 'x.lock')), /EROFS|EACCES/)
    assert.ok(Date.now() - started < 1000)
  } finally {
    if (root) spawnSync('umount', [ro])
    else chmodSync(ro, 0o700)
  }
})

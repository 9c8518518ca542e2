import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { isolatedCs } from './harness/cs.ts'

const REPO = resolve(import.meta.dirname, '..')
const homes: (() => void)[] = []
after(() => homes.forEach((cleanup) => cleanup()))

/** A fresh home whose `cs doctor` finds claude in the repo's devDependencies. */
function isolated(extra: Record<string, string> = {}) {
  const t = isolatedCs('doctor')
  homes.push(t.cleanup)
  Object.assign(t.env, { PATH: `${join(REPO, 'node_modules/.bin')}:/usr/local/bin:/usr/bin:/bin`, ...extra })
  return { home: t.home, cs: (...args: string[]) => t.cs('doctor', ...args) }
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
  for (const what of ['transcripts folder', 'claude', 'tmux', 'fzf', 'database']) assert.equal(check(out, what).level, 'ok', what)
  assert.match(check(out, 'database').detail, /cs\.db \(SQLite, wal\)/)
  assert.equal(check(out, 'transcripts').level, 'warn')
  assert.deepEqual(out.files, [{ path: odd, unknownRecords: 1, badLines: 1 }])

  const text = cs()
  assert.equal(text.status, 0)
  assert.match(text.stdout, /^ok\s+tmux\s+\/\S+tmux$/m)
  assert.match(text.stdout, /^warn\s+transcripts\s+1 of 2 hold lines cs did not understand/m)
  assert.ok(text.stdout.includes(`${odd}: 1 unknown records, 1 bad lines`))
  assert.doesNotMatch(text.stdout, /\x1b\[/) // not a terminal: no colour
})

test('no transcripts folder and no claude binary: exit 1 with the fixes named', () => {
  const { cs } = isolated({ CS_CLAUDE: 'claude-that-is-not-installed' })
  const r = cs('--json')
  assert.equal(r.status, 1)
  const out = JSON.parse(r.stdout)
  assert.equal(out.ok, false)
  assert.equal(check(out, 'transcripts folder').level, 'fail')
  assert.match(check(out, 'transcripts folder').detail, /run claude once/)
  assert.equal(check(out, 'claude-that-is-not-installed').level, 'fail')
  assert.match(check(out, 'claude-that-is-not-installed').detail, /not found on PATH/)
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

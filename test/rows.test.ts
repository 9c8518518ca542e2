// The dashboard's rows on transcripts shaped like the real ones, through the CLI: a file whose
// last line has no newline, a file of sidechain records only, a session opened by a slash
// command only, a 1.0.x session with subagent turns written inline.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { encodeProjectDir } from '../lib/paths.ts'
import * as g from './fixtures/generate.ts'
import { isolatedCs } from './harness/cs.ts'

const t = isolatedCs('rows')
after(t.cleanup)

const CWD = '/home/dev/project' // the real fixtures' folder
const dir = join(t.projects, encodeProjectDir(CWD))
mkdirSync(dir, { recursive: true })
const write = (id: string, data: string | Buffer) => {
  const path = join(dir, `${id}.jsonl`)
  writeFileSync(path, data)
  return path
}
const row = (rows: any[], id: string) => rows.find((r) => r.id === id)

test('a last line without its newline is read once, and not again when the newline comes', () => {
  const real = readFileSync(resolve(import.meta.dirname, 'fixtures/real/simple.jsonl'))
  const cut = real.indexOf(10, real.indexOf('"type":"assistant"')) // a client that exited mid-write
  const id = '11111111-0000-4000-8000-00000000000a'
  const path = write(id, real.subarray(0, cut))
  assert.equal(row(t.json('ls'), id).messages, 2)
  appendFileSync(path, real.subarray(cut))
  const whole = '11111111-0000-4000-8000-00000000000b'
  write(whole, real)
  const rows = t.json('ls')
  assert.equal(row(rows, id).messages, row(rows, whole).messages)
  assert.equal(t.json('info', id).transcript.badLines, 0)
})

test('a file of sidechain records only is an orphan: listed by ls --all, found by info, trashed by gc', () => {
  const w = g.warmupFile(new g.Gen(71), { sessionId: '22222222-0000-4000-8000-000000000001', cwd: CWD })
  const path = write(w.id, g.jsonl(w.lines))
  assert.equal(row(t.json('ls'), w.id), undefined, 'hidden from the dashboard')
  assert.equal(row(t.json('ls', '--all'), w.id).orphan, true)
  const info = t.cs('info', '22222222')
  assert.equal(info.status, 0, info.stderr)
  assert.match(info.stdout, /^orphan\s+yes: a subagent's records only \(sidechain\)/m)
  assert.deepEqual(t.json('gc').orphans.map((o: any) => o.id), [w.id])
  assert.equal(t.cs('gc', '--yes').status, 0)
  assert.ok(!existsSync(path))
  assert.deepEqual(t.json('gc', '--restore', w.id).restored, [w.id])
  assert.ok(existsSync(path))
})

test('a session opened by a slash command only is titled by the command, in the dashboard and the picker', () => {
  const s = g.slashCommandSession(new g.Gen(72), 'orchestrator', 'ship release 2.4', { sessionId: '33333333-0000-4000-8000-000000000001', cwd: CWD }) // prettier-ignore
  write(s.id, g.jsonl(s.lines))
  assert.equal(row(t.json('ls'), s.id).title, '/orchestrator ship release 2.4')
  const table = t.cs('ls')
  assert.match(table.stdout, /^3333\s+\/orchestrator ship release 2\.4\s/m)
  rmSync(join(t.env.XDG_STATE_HOME, 'cs/picker.tsv')) // written at most once a minute: now
  assert.equal(t.cs('sync').status, 0)
  const picker = readFileSync(join(t.env.XDG_STATE_HOME, 'cs/picker.tsv'), 'utf8')
  assert.ok(picker.split('\n').some((l) => l.startsWith(s.id) && l.includes('/orchestrator ship release 2.4')))
})

test('info shows both message counts: without and with the subagent turns written inline', () => {
  const s = g.legacySession(new g.Gen(73), { ctx: { sessionId: '44444444-0000-4000-8000-000000000001', cwd: CWD } })
  write(s.id, g.jsonl(s.lines))
  const info = t.cs('info', '44444444')
  assert.equal(info.status, 0, info.stderr)
  assert.match(info.stdout, /^messages\s+4 \(2 user, 2 assistant\): the conversation, subagent turns written inline left out$/m)
  assert.match(info.stdout, /^with subagents\s+8: the 4 subagent \(sidechain\) turns written inline counted too$/m)
  assert.equal(t.json('info', '44444444').transcript.sidechainMessages, 4)
  // with none written inline, one figure: a second equal to it would only puzzle
  const plain = g.normalSession(new g.Gen(74), { ctx: { sessionId: '44444444-0000-4000-8000-000000000002', cwd: CWD } })
  write(plain.id, g.jsonl(plain.lines))
  const one = t.cs('info', plain.id)
  assert.equal(one.status, 0, one.stderr)
  assert.match(one.stdout, /^messages\s+\d+ \(\d+ user, \d+ assistant\): no subagent turns written inline$/m)
  assert.doesNotMatch(one.stdout, /with subagents/)
})

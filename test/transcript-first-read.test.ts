// lib/transcript.ts reads the first records a process meets with JSON.parse and the rest with
// the scanner (lib/transcript-scan.ts): each real transcript reads alike either way. Its first
// read is a process of its own (test/harness/first-read.ts), this one reads past the first part.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { feed, finish, newParser } from '../lib/transcript.ts'

const REAL = join(import.meta.dirname, 'fixtures/real')
const FIRST = join(import.meta.dirname, 'harness/first-read.ts')
const files = readdirSync(REAL).filter((f) => f.endsWith('.jsonl'))

test('each real transcript read as a process first reads it, and past the first part a process reads: the same info', () => {
  const first = files.map((f) => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', FIRST, join(REAL, f)], { encoding: 'utf8' })))
  // past the first part: real lines fed to parsers of their own
  const bytes = files.map((f) => readFileSync(join(REAL, f)))
  for (let fed = 0; fed < 2 << 20; ) for (const b of bytes) feed(newParser(), b), (fed += b.length)
  const later = files.map((f, i) => {
    const p = newParser()
    feed(p, bytes[i])
    return finish(p, { id: 'x', path: join(REAL, f), projectDir: 'p' })
  })
  assert.deepEqual(later, first)
  assert.ok(first.filter((info) => info.userMessages + info.assistantMessages > 0).length >= 5)
})

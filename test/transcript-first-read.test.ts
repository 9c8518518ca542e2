// lib/transcript.ts reads the first MB of records a process meets with JSON.parse and the rest
// with the scanner (lib/transcript-scan.ts): the same transcript reads alike either way. Its own
// file, so that its process starts with nothing read.
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { feed, finish, newParser } from '../lib/transcript.ts'

const REAL = join(import.meta.dirname, 'fixtures/real')
// as many as the first read of this process reads with JSON.parse alone: some 900 KB
let size = 0
const files = readdirSync(REAL).filter((f) => f.endsWith('.jsonl') && (size += statSync(join(REAL, f)).size) < 900_000)

function read(name: string) {
  const p = newParser()
  feed(p, readFileSync(join(REAL, name)))
  return finish(p, { id: name, path: join(REAL, name), projectDir: 'p' })
}

test('a transcript read before and after the first MB of a process: the same info', () => {
  const first = files.map(read)
  // past the first MB: real lines fed to a parser of their own
  const lines = files.map((f) => readFileSync(join(REAL, f)))
  for (let fed = 0; fed < 2 << 20; ) for (const b of lines) feed(newParser(), b), (fed += b.length)
  assert.deepEqual(files.map(read), first)
  assert.ok(files.length >= 4 && first.filter((info) => info.userMessages + info.assistantMessages > 0).length >= 3)
})

import assert from 'node:assert/strict'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'node:test'
import { jsonArray } from '../lib/format.ts'
import { writeArray } from '../lib/stdout.ts'

function written(runs: string[][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cs-stdout-'))
  try {
    const fd = openSync(join(dir, 'out'), 'w')
    assert.equal(writeArray(runs, fd), true)
    closeSync(fd)
    return readFileSync(join(dir, 'out'), 'utf8')
  } finally {
    rmSync(dir, { recursive: true })
  }
}

test('writeArray writes the rows of every run in order, as jsonArray lays them out, across its buffer and beyond it', () => {
  // non-ASCII rows that end a buffer, a row larger than the buffer, an empty run
  const rows: string[] = []
  for (let i = 0; i < 3000; i++) rows.push(`{"id":${i},"title":"é✓ ${'x'.repeat(i % 97)} 🙂"}`)
  const big = JSON.stringify('y'.repeat(200_000) + '€')
  const runs = [rows.slice(0, 10), [], rows.slice(10), [big, '{}']]
  const out = written(runs)
  assert.equal(out, `${jsonArray([...rows, big, '{}'])}\n`)
  assert.ok(Buffer.byteLength(out) > 4 * 64 * 1024)
  assert.deepEqual(JSON.parse(out).length, 3002)
})

test('writeArray of no rows writes an empty array', () => {
  assert.equal(written([]), '[]\n')
  assert.equal(written([[], []]), '[]\n')
  assert.equal(written([['1']]), '[\n1\n]\n')
})

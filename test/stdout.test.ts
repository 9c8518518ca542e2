import assert from 'node:assert/strict'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'node:test'
import { jsonArray } from '../lib/format.ts'
import { writeArray } from '../lib/stdout.ts'

function written(runs: (string | Buffer)[][]): string {
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

test("writeArray writes the store's blocks (rows joined by ,\\n) as they are, between rows and each other", () => {
  const rows = Array.from({ length: 2000 }, (_, i) => `{"id":${i},"title":"é ${'z'.repeat(i % 89)}"}`)
  const block = (from: number, to: number) => Buffer.from(rows.slice(from, to).join(',\n'))
  // a block first, after rows that fill the buffer to its last bytes, an empty one, two in a row
  const runs = [[block(0, 3)], rows.slice(3, 1500), [Buffer.alloc(0), block(1500, 1800), block(1800, 1801)], rows.slice(1801), [Buffer.alloc(0)]]
  assert.equal(written(runs), `${jsonArray(rows)}\n`)
  assert.equal(written([[Buffer.alloc(0)], [block(0, 1)]]), `[\n${rows[0]}\n]\n`)
  // rows that fill the 64 KB buffer to its last byte ("[", "\n", 3 bytes a char, ",\n"), then a block
  const full = ['€'.repeat(10_000), '€'.repeat(11_844)]
  assert.equal(written([full, [block(0, 2)]]), `${jsonArray([...full, ...rows.slice(0, 2)])}\n`)
  assert.equal(written([[Buffer.alloc(0)]]), '[]\n')
})

test('writeArray of no rows writes an empty array', () => {
  assert.equal(written([]), '[]\n')
  assert.equal(written([[], []]), '[]\n')
  assert.equal(written([['1']]), '[\n1\n]\n')
})

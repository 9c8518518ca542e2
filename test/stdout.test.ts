import assert from 'node:assert/strict'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'node:test'
import { writeAll } from '../lib/stdout.ts'

function written(pieces: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cs-stdout-'))
  try {
    const fd = openSync(join(dir, 'out'), 'w')
    assert.equal(writeAll(pieces, fd), true)
    closeSync(fd)
    return readFileSync(join(dir, 'out'), 'utf8')
  } finally {
    rmSync(dir, { recursive: true })
  }
}

test('writeAll writes every piece in order, across its buffer and beyond it', () => {
  // non-ASCII pieces that end a buffer, a piece larger than the buffer, empty pieces
  const pieces = ['[\n']
  for (let i = 0; i < 3000; i++) pieces.push(i ? ',\n' : '', `{"id":${i},"title":"é✓ ${'x'.repeat(i % 97)} 🙂"}`)
  pieces.push('', 'y'.repeat(200_000) + '€', '\n]\n')
  const out = written(pieces)
  assert.equal(out, pieces.join(''))
  assert.ok(Buffer.byteLength(out) > 4 * 64 * 1024)
})

test('writeAll of nothing writes nothing', () => {
  assert.equal(written([]), '')
})

// A fuzz test of the transcript parser: real lines mutated byte by byte, cut short, joined,
// blown up (huge, deeply nested, invalid UTF-8), and plain random bytes. The parser never
// throws, counts the lines that are not JSON objects as bad (JSON.parse is the oracle), and
// gives the same answer however the file is cut into reads (and saved and loaded between them).
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { rng } from './harness/random.ts'
import { feed, finish, loadParser, newParser, saveParser } from '../lib/transcript.ts'

const REAL = join(import.meta.dirname, 'fixtures/real')
const realLines = readdirSync(REAL)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => readFileSync(join(REAL, f), 'utf8').split('\n').filter(Boolean))

const FILE = { id: 'fuzz', path: '/p/fuzz.jsonl', projectDir: 'p' }

/** Is this line one the parser must count as bad: blank-trimmed, not a JSON object? */
function isBad(line: Buffer): boolean {
  const text = line.toString('utf8').replace(/^[\s\0\ufeff]+|[\s\0]+$/g, '')
  if (text === '') return false
  try {
    const v = JSON.parse(text)
    return v === null || typeof v !== 'object' || Array.isArray(v)
  } catch {
    return true
  }
}

function mutate(line: string, r: () => number): Buffer {
  const b = Buffer.from(line)
  switch (Math.floor(r() * 9)) {
    case 0: // flip a few bytes (never into a newline: one line stays one line)
      for (let i = 0; i < 1 + r() * 4; i++) {
        const at = Math.floor(r() * b.length)
        b[at] = Math.floor(r() * 256)
        if (b[at] === 10) b[at] = 0x7b
      }
      return b
    case 1: // cut short
      return b.subarray(0, Math.floor(r() * b.length))
    case 2: // invalid UTF-8 in the middle of a string
      return Buffer.concat([b.subarray(0, b.length >> 1), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), b.subarray(b.length >> 1)])
    case 3: // deep nesting
      return Buffer.from(`{"type":"user","message":${'['.repeat(20000)}1${']'.repeat(20000)}}`)
    case 4: // a huge line: 6 MB of text in a known record
      return Buffer.from(JSON.stringify({ type: 'user', message: { role: 'user', content: 'x'.repeat(6e6) } }))
    case 5: // random bytes
      return Buffer.from(Array.from({ length: Math.floor(r() * 300) }, () => {
        const c = Math.floor(r() * 256)
        return c === 10 ? 32 : c
      }))
    case 6: // an unknown record type and unknown fields
      return Buffer.from(JSON.stringify({ type: `new-${Math.floor(r() * 1e6)}`, weird: { deep: [1, 2, { x: null }] } }))
    case 7: // valid JSON that is not an object
      return Buffer.from(['null', '42', '"text"', '[1,2]', 'true'][Math.floor(r() * 5)])
    default: // the line as it is
      return b
  }
}

function parseWhole(data: Buffer) {
  const p = newParser()
  const used = feed(p, data)
  return { info: finish(p, FILE), used }
}

/** The same bytes fed in random pieces, the state saved and loaded between them. */
function parseInPieces(data: Buffer, r: () => number) {
  let p = newParser()
  let start = 0
  let end = 0
  while (end < data.length) {
    end = Math.min(data.length, end + 1 + Math.floor(r() * 200_000))
    start = feed(p, data, start, end)
    if (r() < 0.3) p = loadParser(saveParser(p))
  }
  return { info: finish(p, FILE), used: start }
}

test('the parser never throws, counts every bad line, and reads alike however the file is cut', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed)
    const lines: Buffer[] = []
    const n = 20 + Math.floor(r() * 80)
    for (let i = 0; i < n; i++) lines.push(mutate(realLines[Math.floor(r() * realLines.length)], r))
    const data = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]))
    const tail = r() < 0.5 ? Buffer.from('{"type":"user","cut') : Buffer.alloc(0) // a file cut mid-line
    const file = Buffer.concat([data, tail])
    let whole
    try {
      whole = parseWhole(file)
    } catch (e) {
      assert.fail(`seed ${seed}: threw ${(e as Error).stack}`)
    }
    assert.equal(whole.used, data.length, `seed ${seed}: the cut last line is left for later`)
    // The scanner reads a record from its ends and leaves a big middle unwalked (by design:
    // lib/transcript-scan.ts), so damage in a middle it never needs may go unseen; a line
    // that is not even object-shaped is always counted, and nothing good is counted as bad.
    const bad = lines.filter(isBad)
    const shapeless = bad.filter((l) => !/^[\s\0]*(\ufeff)?[\s\0]*\{/.test(l.toString('utf8'))).length
    assert.ok(
      whole.info.badLines >= shapeless && whole.info.badLines <= bad.length,
      `seed ${seed}: ${whole.info.badLines} bad lines counted, ${shapeless}..${bad.length} expected`
    )
    assert.ok(whole.info.unknownRecords >= 0 && Number.isInteger(whole.info.unknownRecords))
    const pieces = parseInPieces(file, r)
    assert.deepEqual(pieces.info, whole.info, `seed ${seed}: pieces and whole agree`)
  }
})

test('unknown record types are counted, not shown', () => {
  const p = newParser()
  const data = Buffer.from(
    [
      JSON.stringify({ type: 'hologram', uuid: 'x', content: '\u001b]0;title\u0007' }),
      JSON.stringify({ type: 'user', message: { role: 'user', content: 'hello' }, uuid: 'u1', timestamp: '2026-01-01T00:00:00.000Z' }),
      '',
    ].join('\n')
  )
  feed(p, data)
  const info = finish(p, FILE)
  assert.equal(info.unknownRecords, 1)
  assert.equal(info.badLines, 0)
  assert.equal(info.firstPrompt, 'hello')
})

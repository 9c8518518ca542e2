// Format drift: what the real clients wrote is all known; what no tested release wrote is
// counted, with the version that wrote it.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { DriftCounter } from '../lib/drift.ts'

const FIXTURES = join(import.meta.dirname, 'fixtures')
const realSets = readdirSync(FIXTURES).filter((d) => d === 'real' || d.startsWith('real-'))

for (const set of realSets) {
  test(`every record type and field the real client wrote in fixtures/${set} is known`, () => {
    const d = new DriftCounter()
    const files = readdirSync(join(FIXTURES, set)).filter((f) => f.endsWith('.jsonl'))
    assert.ok(files.length >= 5, `${set} holds recorded transcripts`)
    for (const f of files) d.addFile(readFileSync(join(FIXTURES, set, f), 'utf8'))
    const r = d.report()
    assert.equal(r.files, files.length)
    assert.ok(r.lines > 50)
    assert.deepEqual({ types: r.types, fields: r.fields, badLines: r.badLines }, { types: [], fields: [], badLines: 0 })
  })
}

test('unknown types and fields are counted with the versions that wrote them', () => {
  const line = (o: object) => JSON.stringify(o)
  const d = new DriftCounter()
  d.addFile(
    [
      line({ type: 'user', version: '2.9.0', uuid: 'u', message: { role: 'user', content: 'hi' }, moodRing: 'blue' }),
      line({ type: 'hologram', version: '2.9.0' }),
      line({ type: 'hologram' }), // no version of its own: the file's
      'not json',
      '[1,2]',
      line({ type: 'custom-title', customTitle: 'x', sessionId: 's', colour: 'red' }),
      line({ type: 'ai-title', aiTitle: 'y', sessionId: 's' }),
    ].join('\n') + '\n'
  )
  d.addFile(line({ type: 'user', version: '2.9.1', moodRing: 'green' }) + '\n' + line({ noType: true }) + '\n')
  // a last line being written (no newline yet, no whole object) is not counted; a whole one is
  d.addFile(line({ type: 'ai-title', aiTitle: 'z', sessionId: 's' }) + '\n{"type":"user","message":{"role":"us')
  d.addFile(line({ type: 'ai-title', aiTitle: 'w', sessionId: 's' }))
  const r = d.report()
  assert.equal(r.files, 4)
  assert.equal(r.lines, 11)
  assert.equal(r.badLines, 2)
  assert.deepEqual(r.types, [
    { what: 'hologram', count: 2, versions: ['2.9.0'], files: 1 },
    { what: '(no type)', count: 1, versions: ['2.9.1'], files: 1 },
  ])
  assert.deepEqual(r.fields, [
    { what: 'user.moodRing', count: 2, versions: ['2.9.0', '2.9.1'], files: 2 },
    { what: 'custom-title.colour', count: 1, versions: ['2.9.0'], files: 1 },
  ])
})

test('lines are read as the index reads them: a BOM, CRLF and NUL padding are no bad lines, and the record behind them counts', () => {
  const line = (o: object) => JSON.stringify(o)
  const d = new DriftCounter()
  d.addFile(
    `\ufeff${line({ type: 'hologram', version: '2.9.0' })}\r\n` +
      '\0'.repeat(64) + '\n' +
      '\0'.repeat(8) + line({ type: 'ai-title', aiTitle: 'x', sessionId: 's', colour: 1 }) + '\n' +
      'garbage\n'
  )
  const r = d.report()
  assert.deepEqual([r.lines, r.badLines], [3, 1])
  assert.deepEqual(r.types, [{ what: 'hologram', count: 1, versions: ['2.9.0'], files: 1 }])
  assert.deepEqual(r.fields.map((f) => f.what), ['ai-title.colour'])
})

test('a field the parser reads that holds another kind of value is counted as drift, by kind', () => {
  const line = (o: object) => JSON.stringify(o)
  const d = new DriftCounter()
  d.addFile(
    [
      line({ type: 'user', version: '3.0.0', timestamp: 5, cwd: { a: 1 }, gitBranch: [1], message: 'x' }),
      line({ type: 'user', version: '3.0.0', timestamp: '2026-01-01T00:00:00.000Z', message: { role: 'user', content: 7 } }),
      line({ type: 'assistant', version: '3.0.0', message: { content: 'text', usage: 3 } }),
      line({ type: 'custom-title', customTitle: ['a'], sessionId: 's' }),
      // the kinds the parser takes, or none given: no drift
      line({ type: 'user', version: '3.0.0', timestamp: '2026-01-01T00:00:00.000Z', cwd: null, isMeta: true, message: { content: [] } }),
    ].join('\n') + '\n'
  )
  assert.deepEqual(
    d.report().fields.map((f) => [f.what, f.count]),
    [
      ['assistant.message.content (a string)', 1],
      ['assistant.message.usage (a number)', 1],
      ['custom-title.customTitle (an array)', 1],
      ['user.cwd (an object)', 1],
      ['user.gitBranch (an array)', 1],
      ['user.message (a string)', 1],
      ['user.message.content (a number)', 1],
      ['user.timestamp (a number)', 1],
    ]
  )
})

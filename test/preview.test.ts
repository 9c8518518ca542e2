import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { entryOf, lastEntries, PREVIEW_DEFAULTS, renderPreview } from '../lib/preview.ts'
import { linesFromEnd } from '../lib/tail.ts'
import { isolatedCs } from './harness/cs.ts'

const dir = mkdtempSync(join(tmpdir(), 'cs-preview-'))
const t = isolatedCs('preview')
after(() => {
  rmSync(dir, { recursive: true, force: true })
  t.cleanup()
})

const user = (content: unknown, extra = {}) => ({
  parentUuid: null,
  isSidechain: false,
  type: 'user',
  message: { role: 'user', content },
  ...extra,
})
const assistant = (content: unknown[]) => ({
  parentUuid: null,
  isSidechain: false,
  type: 'assistant',
  message: { id: 'm', role: 'assistant', content },
})
const jsonl = (...records: object[]) => records.map((r) => JSON.stringify(r) + '\n').join('')

test('linesFromEnd gives complete lines last first, across chunk boundaries, without the partial last line', () => {
  const path = join(dir, 'lines.txt')
  writeFileSync(path, 'one\ntwo\n\nthree-is-longer\nfour\npartial')
  assert.deepEqual([...linesFromEnd(path, { chunk: 3 })], ['four', 'three-is-longer', 'two', 'one'])
  writeFileSync(path, 'only a partial line')
  assert.deepEqual([...linesFromEnd(path)], [])
  writeFileSync(path, '')
  assert.deepEqual([...linesFromEnd(path)], [])
})

test('linesFromEnd reads a last line without its newline when it is a whole JSON object, as the index does', () => {
  const path = join(dir, 'last.jsonl')
  // a client that exited mid-write left a whole record: it is the transcript's last message
  writeFileSync(path, `{"n":1}\n{"n":2,"text":"a } b"}  \r`)
  assert.deepEqual([...linesFromEnd(path, { chunk: 5 })], ['{"n":2,"text":"a } b"}  \r', '{"n":1}'])
  // one still being written is not, even when a brace ends it
  for (const partial of ['{"n":2,"text":"a }', '{"n":2,"o":{"x":1}', '[1]', '{"n":']) {
    writeFileSync(path, `{"n":1}\n${partial}`)
    assert.deepEqual([...linesFromEnd(path)], ['{"n":1}'], partial)
  }
})

test('linesFromEnd skips a line longer than maxLine and goes on before it', () => {
  const path = join(dir, 'huge.txt')
  writeFileSync(path, `before\n${'x'.repeat(1000)}\nafter\n`)
  assert.deepEqual([...linesFromEnd(path, { chunk: 64, maxLine: 100 })], ['after', 'before'])
})

test('entryOf keeps what was typed and said, drops meta, tool results, thinking and wrappers', () => {
  assert.deepEqual(entryOf(user('fix it')), { role: 'user', text: 'fix it' })
  assert.deepEqual(
    entryOf(user('<command-name>/model</command-name>\n<command-args>opus</command-args>')),
    { role: 'user', text: '/model opus' }
  )
  assert.deepEqual(entryOf(user('<bash-input>ls</bash-input>')), { role: 'user', text: '! ls' })
  assert.equal(
    entryOf(user('<local-command-caveat>Caveat</local-command-caveat>', { isMeta: true })),
    null
  )
  assert.equal(entryOf(user('<system-reminder>x</system-reminder>')), null)
  assert.equal(entryOf(user([{ type: 'tool_result', tool_use_id: 't', content: 'out' }])), null)
  assert.equal(entryOf(user('[Request interrupted by user]')), null)
  assert.equal(entryOf(assistant([{ type: 'thinking', thinking: 'hmm' }])), null)
  assert.deepEqual(
    entryOf(assistant([{ type: 'tool_use', name: 'Bash', input: { command: 'npm test\n--x' } }])),
    { role: 'assistant', text: '→ Bash(npm test)' }
  )
  assert.equal(entryOf({ ...user('side'), isSidechain: true }), null)
})

test('lastEntries stops after the asked number of exchanges; renderPreview joins a reply', () => {
  const lines = jsonl(
    user('first'),
    assistant([{ type: 'text', text: 'one' }]),
    user('second'),
    assistant([{ type: 'tool_use', name: 'Read', input: { file_path: '/a' } }]),
    assistant([{ type: 'text', text: 'two' }]),
    { type: 'last-prompt', lastPrompt: 'second' }
  )
    .trimEnd()
    .split('\n')
    .reverse()
  const entries = lastEntries(lines, 1)
  assert.deepEqual(
    entries.map((e) => e.text),
    ['second', '→ Read(/a)', 'two']
  )
  assert.equal(renderPreview(entries), '> second\n\n  → Read(/a)\n  two')
  assert.equal(renderPreview(lastEntries(lines, 5)).split('\n')[0], '> first')
  assert.equal(renderPreview([]), '(no messages yet)')
  // a long reply cut to maxChars, the ellipsis counted, a surrogate pair never split
  const long = renderPreview([{ role: 'assistant', text: `${'a'.repeat(8)}🎉 and more` }], { ...PREVIEW_DEFAULTS, maxChars: 10 })
  assert.equal(long, `  ${'a'.repeat(8)}…`)
  assert.equal(renderPreview([{ role: 'assistant', text: 'a'.repeat(10) }], { ...PREVIEW_DEFAULTS, maxChars: 10 }), `  ${'a'.repeat(10)}`)
})

test('cs preview reads the end of a big transcript: a huge last line and a partial line are passed over', () => {
  const id = '5e5e5e5e-0000-4000-8000-000000000001'
  const path = t.session({ id, cwd: '/work/big', prompt: 'start' })
  const filler =
    JSON.stringify(user([{ type: 'tool_result', tool_use_id: 't', content: 'y'.repeat(4000) }])) +
    '\n'
  for (let i = 0; i < 5; i++) appendFileSync(path, filler.repeat(1000)) // ~20 MB of history
  appendFileSync(
    path,
    jsonl(user('what changed?'), assistant([{ type: 'text', text: 'The parser, and its tests.' }]))
  )
  // a 6 MB tool result as the last complete line, then a line still being written
  appendFileSync(
    path,
    JSON.stringify(user([{ type: 'tool_result', tool_use_id: 'u', content: 'z'.repeat(6e6) }])) +
      '\n'
  )
  appendFileSync(path, '{"parentUuid":null,"type":"user","message":{"role":"user","content":"half')
  const r = t.cs('preview', id, '--exchanges', '1')
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '> what changed?\n\n  The parser, and its tests.\n')
  const short = t.cs('preview', id.slice(0, 8), '-n', '1')
  assert.equal(short.stdout, r.stdout)
})

test('cs preview of an unknown session fails with a hint', () => {
  const r = t.cs('preview', 'ffffffff')
  assert.equal(r.status, 1)
  assert.match(r.stderr, /ffffffff/)
  assert.doesNotMatch(r.stderr, /at .*\.ts/)
})

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { isBlank, shorten, slashCommand, typedText } from '../lib/prompt.ts'
import type { TranscriptInfo } from '../lib/session.ts'
import { feed, feedLast, finish, loadParser, newParser, saveParser, type ParserState } from '../lib/transcript.ts'
import { scanLine } from '../lib/transcript-scan.ts'
import * as g from './fixtures/generate.ts'

const FILE = { id: 'f0e1d2c3-0000-4000-a000-000000000000', path: '/p/x.jsonl', projectDir: '-p' }
// Transcripts the real client wrote (test/harness/record.ts records them).
const real = (name: string) => readFileSync(new URL(`./fixtures/real/${name}`, import.meta.url))
/** A user record's prompt as shown: its typed text, shortened. */
const typedPrompt = (rec: Record<string, unknown>) => {
  const text = typedText(rec)
  return text === null ? null : shorten(text)
}
const bytes = (data: string | Buffer | g.Transcript) =>
  Buffer.isBuffer(data) ? data : Buffer.from(typeof data === 'string' ? data : g.jsonl(data.lines))

function parse(data: string | Buffer | g.Transcript): TranscriptInfo {
  const p = newParser()
  feed(p, bytes(data))
  return finish(p, FILE)
}

/** Feeds `data` the way the indexer does: chunks of `size()` bytes, the unconsumed tail carried
 *  over, optionally through saveParser/loadParser between chunks. */
function feedInChunks(data: Buffer, size: () => number, roundTrip: boolean): ParserState {
  let p = newParser()
  let carry = Buffer.alloc(0)
  for (let off = 0; off < data.length; ) {
    const n = Math.min(size(), data.length - off)
    const chunk = Buffer.concat([carry, data.subarray(off, off + n)])
    off += n
    carry = Buffer.from(chunk.subarray(feed(p, chunk)))
    if (roundTrip) p = loadParser(saveParser(p))
  }
  return p
}

const tokensOf = (...us: g.Usage[]) => ({
  input: us.reduce((a, u) => a + u.input_tokens, 0),
  output: us.reduce((a, u) => a + u.output_tokens, 0),
  cacheRead: us.reduce((a, u) => a + (u.cache_read_input_tokens ?? 0), 0),
  cacheWrite: us.reduce((a, u) => a + (u.cache_creation_input_tokens ?? 0), 0),
})

describe('transcripts Claude Code 2.1.332 wrote', () => {
  test('a plain session', () => {
    const t = parse(real('simple.jsonl'))
    assert.equal(t.firstPrompt, 'hello there')
    assert.equal(t.cwd, '/home/dev/project')
    assert.equal(t.branch, 'HEAD')
    assert.equal(t.version, '2.1.332')
    assert.equal(t.model, 'claude-opus-5-5')
    assert.deepEqual([t.userMessages, t.assistantMessages, t.orphan, t.sidechain], [1, 1, false, false])
    assert.deepEqual(t.tokens, { input: 12, output: 8, cacheRead: 0, cacheWrite: 0 })
    assert.deepEqual([t.unknownRecords, t.badLines], [0, 0])
    assert.ok(t.createdAt! <= t.updatedAt!)
  })
  test('named with -n, renamed with /rename', () => {
    assert.equal(parse(real('named.jsonl')).customTitle, 'Named session')
    const t = parse(real('renamed.jsonl'))
    assert.deepEqual([t.customTitle, t.agentName], ['Renamed later', 'Renamed later'])
    assert.deepEqual([t.firstPrompt, t.lastPrompt, t.userMessages], ['before rename', 'after rename', 2])
  })
  test('the file /clear leaves is an orphan carrying the old name; the old file is not', () => {
    const orphan = parse(real('clear-orphan.jsonl'))
    assert.deepEqual([orphan.orphan, orphan.customTitle, orphan.firstPrompt, orphan.lastPrompt], [true, 'Before clear', null, null]) // prettier-ignore
    assert.equal(parse(real('clear-old.jsonl')).orphan, false)
  })
  test('/compact: the summary is no prompt, the conversation goes on', () => {
    const t = parse(real('compact.jsonl'))
    assert.deepEqual([t.firstPrompt, t.lastPrompt, t.orphan], ['hello one', 'hello after compact', false])
    assert.equal(t.userMessages, 3)
  })
  test('interrupted before any answer: a prompt, no answer, no orphan', () => {
    const t = parse(real('interrupted.jsonl'))
    assert.deepEqual([t.userMessages, t.assistantMessages, t.firstPrompt, t.orphan], [1, 0, 'stall please', false])
  })
  test('a tool call: the result is no prompt', () => {
    const t = parse(real('bash-approved.jsonl'))
    assert.deepEqual([t.userMessages, t.assistantMessages, t.lastPrompt], [1, 2, 'run touch approved-marker'])
  })
})

describe('generated sessions', () => {
  test('a normal session: counts, dedup of records sharing message.id, tokens, times, leaf', () => {
    const s = g.normalSession(new g.Gen(1))
    const t = parse(s)
    assert.deepEqual([t.userMessages, t.assistantMessages], [2, 4])
    assert.deepEqual(t.tokens, tokensOf(g.TOOL_USAGE, g.ANSWER_USAGE, g.TOOL_USAGE, g.ANSWER_USAGE))
    assert.deepEqual([t.firstPrompt, t.lastPrompt], ['fix the failing test in src/index.ts', 'now run the linter'])
    assert.equal(t.lastUuid, s.leaf)
    assert.match(t.createdAt!, /^2026-11-25T13:27:/)
    assert.ok(t.createdAt! < t.updatedAt!)
    assert.deepEqual([t.orphan, t.sidechain, t.customTitle, t.aiTitle, t.tag, t.summary], [false, false, null, null, null, null]) // prettier-ignore
  })
  test("times past the file's last write by more than minutes are taken for a skewed clock", () => {
    const p = newParser()
    feed(p, bytes(g.normalSession(new g.Gen(1)))) // records of 2026-11-25T13:27
    const written = '2026-11-20T08:00:00.000Z'
    const t = finish(p, { ...FILE, mtimeMs: Date.parse(written) })
    assert.deepEqual([t.createdAt, t.updatedAt], [written, written])
    const behind = finish(p, { ...FILE, mtimeMs: Date.parse(p.updatedAt!) - 60_000 })
    assert.deepEqual([behind.createdAt, behind.updatedAt], [p.createdAt, p.updatedAt], 'a minute ahead: kept')
  })
  test('a time that is none (month 99, hour 25) is not read: the session keeps its own first and last times', () => {
    const p = newParser()
    feed(p, bytes(g.normalSession(new g.Gen(1))))
    const [createdAt, updatedAt] = [p.createdAt, p.updatedAt]
    for (const ts of ['9999-99-99T99:99:99.000Z', '0000-00-00T00:00:00.000Z', '2026-11-25T25:00:00.000Z', '2026-13-01T00:00:00Z', '2026-11-25T'])
      feed(p, bytes(JSON.stringify({ type: 'system', subtype: 'x', timestamp: ts }) + '\n'))
    assert.deepEqual([p.createdAt, p.updatedAt], [createdAt, updatedAt])
    // a time of another form that slipped through ends at the file's last write, as a skewed one
    const odd = { ...p, updatedAt: '2026-11-25T13:99:00.000Z' }
    assert.equal(finish(odd, { ...FILE, mtimeMs: Date.parse(updatedAt!) }).updatedAt, new Date(Date.parse(updatedAt!)).toISOString())
  })
  test('titles: the last custom title wins, ai titles likewise, each kept apart', () => {
    const gen = new g.Gen(2)
    assert.equal(parse(g.namedSession(gen, 'first name')).customTitle, 'first name')
    const renamed = parse(g.renamedSession(gen, 'second', { before: 'first' }))
    assert.deepEqual([renamed.customTitle, renamed.agentName, renamed.userMessages], ['second', 'second', 2])
    const ai = parse(g.aiTitleSession(gen, ['Fix tests', 'Fix tests and lint']))
    assert.deepEqual([ai.aiTitle, ai.customTitle], ['Fix tests and lint', null])
  })
  test('/clear orphans, named and unnamed; one that gets a prompt later is none', () => {
    const gen = new g.Gen(3)
    const named = parse(g.clearOrphan(gen, { name: 'my work' }))
    assert.deepEqual([named.orphan, named.customTitle, named.firstPrompt, named.userMessages], [true, 'my work', null, 0])
    const unnamed = parse(g.clearOrphan(gen))
    assert.deepEqual([unnamed.orphan, unnamed.customTitle, unnamed.cwd], [true, null, '/home/dev/project'])
    const used = parse(g.clearOrphan(gen, { then: ['carry on'] }))
    assert.deepEqual([used.orphan, used.firstPrompt], [false, 'carry on'])
    assert.equal(parse('').orphan, true)
    assert.equal(parse(`${g.customTitle(g.newCtx(gen), 'only metadata')}\n`).orphan, true)
  })
  for (const n of [1, 2])
    test(`/compact with ${n} boundary(ies) stays one session`, () => {
      const t = parse(g.compactSession(new g.Gen(4), n))
      assert.deepEqual([t.userMessages, t.assistantMessages, t.orphan], [1 + n, 2 * (1 + n), false])
      assert.equal(t.lastPrompt, `prompt after compact ${n}`)
      assert.deepEqual([t.unknownRecords, t.badLines], [0, 0])
    })
  test('1.0.x: summaries of other sessions kept, inline sidechains not counted, no message.id', () => {
    const gen = new g.Gen(5)
    const other = g.normalSession(gen)
    const s = g.legacySession(gen, { summaries: [{ leafUuid: other.leaf!, summary: 'Fixing the test suite' }] })
    const t = parse(s)
    assert.deepEqual(t.summaries, [{ leafUuid: other.leaf, summary: 'Fixing the test suite' }])
    assert.deepEqual([t.userMessages, t.assistantMessages, t.sidechain, t.version], [2, 2, false, '1.0.30'])
    assert.equal(t.sidechainMessages, 4, 'each inline subagent prompt and answer, counted apart')
    assert.deepEqual(t.tokens, { input: 200, output: 100, cacheRead: 0, cacheWrite: 0 })
    assert.equal(t.lastUuid, s.leaf)
    assert.equal(t.firstPrompt, 'explain the build')
  })
  test('subagent transcripts (2.0 flat, 2.1 nested) and a UUID file starting with a sidechain', () => {
    const gen = new g.Gen(6)
    for (const layout of ['2.0', '2.1'] as const) {
      const f = g.subagentFile(gen, 'parent-id', layout)
      assert.match(f.file, layout === '2.0' ? /^agent-[0-9a-f]{8}\.jsonl$/ : /^parent-id\/subagents\/agent-a[0-9a-f]{16}\.jsonl$/)
      const t = parse(f)
      assert.deepEqual([t.sidechain, t.userMessages, t.assistantMessages], [true, 1, 1])
    }
    const first = parse(g.sidechainFirstFile(gen))
    assert.deepEqual([first.sidechain, first.orphan], [true, true])
  })
  test('a 2.0.x warm-up file of sidechain records only is an orphan, not an invisible file', () => {
    const t = parse(g.warmupFile(new g.Gen(61)))
    assert.deepEqual([t.sidechain, t.orphan, t.userMessages, t.assistantMessages, t.version], [true, true, 1, 1, '2.0.50'])
  })
  test('a session opened by a slash command only keeps the command (`/name args`) for its title', () => {
    const t = parse(g.slashCommandSession(new g.Gen(62), 'orchestrator', 'ship release 2.4'))
    assert.equal(t.command, '/orchestrator ship release 2.4')
    assert.deepEqual([t.firstPrompt, t.lastPrompt, t.orphan], [null, null, false])
    // the real /clear orphan: its command, as Claude's picker shows an unnamed one
    assert.equal(parse(real('clear-orphan.jsonl')).command, '/clear')
    // a typed prompt first: no command is kept
    const c = g.newCtx(new g.Gen(63))
    const typed = [...g.turn(c, 'hello'), g.userRecord(c, g.commandText('model', 'opus'), {})]
    assert.equal(parse(g.jsonl(typed)).command, null)
  })
  test('tag (an empty tag clears), relocated cwd, last-prompt records', () => {
    const c = g.newCtx(new g.Gen(7), { cwd: '/old/place' })
    const lines = [...g.turn(c, 'first'), g.tagRecord(c, 'keep'), g.relocated(c, '/new/place')]
    assert.deepEqual([parse(g.jsonl(lines)).tag, parse(g.jsonl(lines)).cwd], ['keep', '/new/place'])
    lines.push(g.tagRecord(c, ''), g.lastPrompt(c, 'typed while busy'), g.lastPrompt(c))
    const t = parse(g.jsonl(lines))
    assert.deepEqual([t.tag, t.lastPrompt, t.firstPrompt], [null, 'typed while busy', 'first'])
  })
  test('a cwd that is no folder cs could show or go to (relative, escape sequences) is not taken', () => {
    const at = (cwd: string) => g.newCtx(new g.Gen(9), { cwd })
    const hostile = [...g.turn(at('/gone\u001b]0;OWNED\u0007\u001b[31m'), 'first'), g.relocated(at('/x'), 'here/\u009b31m')]
    assert.deepEqual([parse(g.jsonl(hostile)).cwd], [null])
    const later = [...hostile, ...g.turn(at('relative/path'), 'second'), ...g.turn(at('/work/ok'), 'third')]
    assert.equal(parse(g.jsonl(later)).cwd, '/work/ok')
  })
})

describe('prompts', () => {
  const c = () => g.newCtx(new g.Gen(8))
  const promptOf = (content: unknown, o?: g.UserOpts) => typedPrompt(JSON.parse(g.userRecord(c(), content, o)))
  test('typed text is collapsed and cut to 200 characters', () => {
    assert.equal(promptOf('  fix\n\n the   bug\t'), 'fix the bug')
    const long = promptOf('word '.repeat(100))!
    assert.equal(long.length, 201)
    assert.ok(long.endsWith('…'))
    assert.equal(promptOf([{ type: 'text', text: '<ide_opened_file>a.ts</ide_opened_file>' }, { type: 'text', text: 'explain this' }]), 'explain this') // prettier-ignore
  })
  test('what Claude Code writes in the user name is skipped', () => {
    for (const content of [g.commandText('clear'), g.CAVEAT, '<bash-input>ls</bash-input>', '[Request interrupted by user]', '[Request interrupted by user for tool use]', '   ', [{ tool_use_id: 't', type: 'tool_result', content: 'out' }], [{ type: 'image', source: {} }]]) // prettier-ignore
      assert.equal(promptOf(content), null, JSON.stringify(content))
    assert.equal(promptOf('looks typed', { meta: true }), null)
    assert.equal(promptOf(g.COMPACT_SUMMARY, { compactSummary: true }), null)
  })
  test('the last prompt is shortened when finished or saved; a last-prompt record after it wins', () => {
    const ctx = g.newCtx(new g.Gen(9))
    const long = (word: string) => `${word}  `.repeat(120)
    const p = newParser()
    feed(p, Buffer.from(g.jsonl([g.userRecord(ctx, long('one')), g.userRecord(ctx, long('two'))])))
    const two = shorten(long('two'))
    assert.equal(two?.length, 201)
    const t = finish(p, FILE)
    assert.deepEqual([t.firstPrompt, t.lastPrompt], [shorten(long('one')), two])
    assert.equal(JSON.parse(saveParser(p)).lastPrompt, two)
    feed(p, Buffer.from(g.jsonl([g.lastPrompt(ctx, 'typed while busy')])))
    assert.equal(finish(p, FILE).lastPrompt, 'typed while busy')
    // a last-prompt record's text is shortened as a typed one; a blank one leaves the one before
    for (const text of ['', ' \n\t ', '\u00a0\u3000', 'x', ' x ', '\u200b'])
      assert.equal(isBlank(text), shorten(text) === null, JSON.stringify(text))
    feed(p, Buffer.from(g.jsonl([g.lastPrompt(ctx, long('busy')), g.lastPrompt(ctx, ' \n\t ')])))
    assert.equal(finish(p, FILE).lastPrompt, shorten(long('busy')))
    assert.equal(JSON.parse(saveParser(p)).lastPrompt, shorten(long('busy')))
    feed(p, Buffer.from(g.jsonl([g.userRecord(ctx, long('three'))])))
    assert.equal(finish(loadParser(saveParser(p)), FILE).lastPrompt, shorten(long('three')))
  })
  test('shorten reads only the start of a long text, as if it collapsed the whole text first', () => {
    const whole = (text: string, max: number) => {
      const flat = text.replace(/\s+/g, ' ').trim()
      if (!flat) return null
      if (flat.length <= max) return flat
      return `${flat.slice(0, /[\uD800-\uDBFF]/.test(flat[max - 1]) ? max - 1 : max)}…`
    }
    const pieces = ['ab', ' ', '\n\t ', '\u00a0', '\u3000', '\ufeff', '😀', 'é']
    let seed = 7
    const next = () => (seed = (seed * 48271) % 2147483647)
    for (let k = 0; k < 3000; k++) {
      let text = ''
      for (let n = next() % 40; n > 0; n--) text += pieces[next() % pieces.length]
      for (const max of [1, 2, 5, 8, 200]) assert.equal(shorten(text, max), whole(text, max), JSON.stringify([text, max]))
    }
    // at the edge: exactly max characters, max + 1, and trailing blanks after max
    for (const text of ['x'.repeat(200), 'x'.repeat(201), `${'x'.repeat(200)}   `, `${'x'.repeat(199)}  y`, `${' '.repeat(500)}x`])
      assert.equal(shorten(text), whole(text, 200), JSON.stringify(text))
  })
  test('the long prompt read from a line equals the one JSON.parse gives', () => {
    const line = Buffer.from(g.userRecord(c(), `${'é'.repeat(3000)} "quoted" \\ ${'x'.repeat(9000)}`))
    assert.equal(typedPrompt(scanLine(line, 0, line.length)!), typedPrompt(JSON.parse(line.toString())))
  })
  test('a prompt of many blanks, or of a long wrapper, before its words reads as the whole one', () => {
    for (const text of [
      `why does this fail?${' '.repeat(1100)}TypeError: x is undefined`,
      `${'\n'.repeat(520)}please review the diff above`,
      `${'    x = 1\n'.repeat(300)}why is x one?`,
      `<system-reminder>${'context '.repeat(300)}</system-reminder>what now?`,
    ]) {
      const line = Buffer.from(g.userRecord(c(), text, { typed: true }))
      const scanned = scanLine(line, 0, line.length)!
      assert.equal(typedPrompt(scanned), typedPrompt(JSON.parse(line.toString())), JSON.stringify(text.slice(0, 40)))
      // counted as a full parse counts it (a reminder before any typed word is no prompt)
      assert.equal(parse(line.toString() + '\n').userMessages, typedText(JSON.parse(line.toString())) === null ? 0 : 1)
    }
  })
  test('a prompt the scanner cuts short reads as the whole one: its title, and no slash command', () => {
    // blanks as raw bytes and as escapes, wrappers and interrupts at the start or further on
    const pieces = ['word', ' ', '  ', '\n', '\t', '\u00a0', '😀', 'é', '"', '\\', '<', '[', '<b>', '<command-name>/x</command-name>', '<command-args>a</command-args>', '[Request interrupted by user]'] // prettier-ignore
    let seed = 11
    const next = () => (seed = (seed * 48271) % 2147483647)
    for (let k = 0; k < 3000; k++) {
      let text = ''
      for (let n = next() % 400; n > 0; n--) text += pieces[next() % pieces.length]
      const content = next() % 3 === 0 ? [{ type: 'text', text }, ...(next() % 2 ? [{ type: 'tool_result', content: 'x' }] : [])] : text // prettier-ignore
      const opts = [{ typed: true }, { compactSummary: true }, { meta: true }][next() % 3]
      const line = g.userRecord(c(), content, opts).replace(/\u00a0/g, '\\u00a0') // a blank as an escape
      const scanned = scanLine(Buffer.from(line), 0, Buffer.byteLength(line))!
      const parsed = JSON.parse(line)
      assert.equal(typedPrompt(scanned), typedPrompt(parsed), line)
      assert.equal(slashCommand(scanned), slashCommand(parsed), line)
    }
  })
})

describe('assistant messages', () => {
  test('records of one message.id count once, also apart, and the latest usage wins', () => {
    const c = g.newCtx(new g.Gen(9))
    const [a1, a2] = g.assistantRecords(c, [g.text('a'), g.toolUse('t1', 'Bash', {})], { input_tokens: 10, output_tokens: 1 }, { id: 'msg_1' }) // prettier-ignore
    const [late] = g.assistantRecords(c, [g.text('b')], { input_tokens: 10, output_tokens: 30 }, { id: 'msg_1' })
    const other = g.assistantRecords(c, [g.text('c')], { input_tokens: 5, output_tokens: 5 }, { id: 'msg_2' })
    const t = parse(g.jsonl([a1, a2, g.toolResult(c, 't1', 'ok'), late, ...other]))
    assert.equal(t.assistantMessages, 2)
    assert.deepEqual(t.tokens, { input: 15, output: 35, cacheRead: 0, cacheWrite: 0 })
  })
  test('synthetic messages are not the API: not counted, no model; the last real model wins', () => {
    const c = g.newCtx(new g.Gen(10))
    const lines = [...g.assistantRecords(c, [g.text('x')], { input_tokens: 1, output_tokens: 1 }, { model: 'claude-haiku-5' })]
    lines.push(...g.assistantRecords(c, [g.text('No response requested.')], { input_tokens: 0, output_tokens: 0 }, { model: '<synthetic>' })) // prettier-ignore
    const t = parse(g.jsonl(lines))
    assert.deepEqual([t.assistantMessages, t.model], [1, 'claude-haiku-5'])
  })
})

describe('malformed input: counted, never thrown', () => {
  test('lines that are not JSON objects are bad lines; blank lines are fine', () => {
    const s = g.normalSession(new g.Gen(11), { prompts: ['hi'] })
    const t = parse(`\n${g.jsonl(s.lines)}\n   \n${g.NON_OBJECT_LINES.join('\n')}\n`)
    assert.equal(t.badLines, g.NON_OBJECT_LINES.length)
    assert.deepEqual([t.userMessages, t.firstPrompt], [1, 'hi'])
  })
  test('unknown record types and typeless objects are counted', () => {
    assert.equal(parse(g.unknownTypesSession(new g.Gen(12))).unknownRecords, 2)
  })
  test('message:null, unknown content blocks, spaced JSON, NUL padding', () => {
    const c = g.newCtx(new g.Gen(13))
    const spaced = JSON.stringify(JSON.parse(g.userRecord(c, 'spaced prompt')), null, 2).replace(/\n\s*/g, ' ')
    const nulls = JSON.parse(g.assistantRecords(c, [g.text('x')], { input_tokens: 1, output_tokens: 1 })[0])
    nulls.message = null
    const odd = g.userRecord(c, [{ type: 'brand_new_block', data: [1, 2] }, { type: 'text', text: 'after odd block' }])
    const t = parse(`${spaced}\n${JSON.stringify(nulls)}\n\0\0\0\0\n${odd}\n\0\0${g.aiTitle(c, 'padded')}\n`)
    assert.deepEqual([t.firstPrompt, t.lastPrompt, t.userMessages, t.aiTitle], ['spaced prompt', 'after odd block', 2, 'padded'])
    assert.deepEqual([t.assistantMessages, t.badLines, t.unknownRecords], [0, 0, 0])
  })
  test('BOM and CRLF read like the plain file', () => {
    const s = g.namedSession(new g.Gen(14), 'crlf')
    assert.deepEqual(parse(g.withBomCrlf(s)), parse(s))
  })
  test('invalid UTF-8 inside a prompt', () => {
    const s = g.normalSession(new g.Gen(15), { prompts: ['broken MARK here'] })
    const t = parse(g.withInvalidUtf8(s, 'MARK'))
    assert.match(t.firstPrompt!, /^broken \uFFFD+ here$/)
    assert.equal(t.badLines, 0)
  })
  test('a 10 MB line', () => {
    const t = parse(g.hugeLineSession(new g.Gen(16), 10 << 20))
    assert.deepEqual([t.userMessages, t.assistantMessages, t.badLines], [1, 2, 0])
  })
  test('random bytes never throw', () => {
    const gen = new g.Gen(17)
    const junk = Buffer.from(Array.from({ length: 200_000 }, () => (gen.next() < 0.05 ? 10 : gen.pick([123, 125, 34, 92, 58, 44, 91, 93, 0, 0xff, 97, 116]))))
    const p = newParser()
    assert.equal(feed(p, junk), junk.lastIndexOf(10) + 1)
    assert.ok(finish(p, FILE).badLines > 0)
  })
})

describe('incremental feeding', () => {
  const gen = new g.Gen(18)
  const all = [g.normalSession(gen), g.renamedSession(gen, 'ünïcödé 名前'), g.compactSession(gen, 1), g.legacySession(gen), g.aiTitleSession(gen, ['t'])] // prettier-ignore
  const data = Buffer.concat([
    Buffer.from(g.jsonl(all.flatMap((t) => t.lines))),
    g.withInvalidUtf8(g.normalSession(gen, { prompts: ['bad MARK bytes', 'emoji 🎉 prompt'] }), 'MARK'),
    Buffer.from(`${g.NON_OBJECT_LINES.join('\n')}\n\n`),
  ])
  const whole = parse(data)

  test('random chunk splits, with and without save/load round trips, give the same result', () => {
    for (let round = 0; round < 30; round++) {
      const sizes = new g.Gen(100 + round)
      const max = sizes.pick([7, 100, 5000, 70_000])
      const p = feedInChunks(data, () => sizes.int(1, max), round % 2 === 0)
      assert.deepEqual(finish(p, FILE), whole, `round ${round}`)
    }
  })
  test('a trailing partial line waits for its newline', () => {
    const s = g.normalSession(new g.Gen(19))
    const half = g.halfWritten(s)
    const p = newParser()
    const used = feed(p, half)
    assert.equal(used, half.lastIndexOf(10) + 1)
    assert.equal(finish(p, FILE).badLines, 0)
    const rest = Buffer.concat([half.subarray(used), Buffer.from(g.jsonl(s.lines)).subarray(half.length)])
    assert.equal(feed(p, rest), rest.length)
    assert.deepEqual(finish(p, FILE), parse(s))
  })
  test('a last line without its newline is a record when it is a whole JSON object, counted once', () => {
    // the real client's file, cut after the answer (a client that exited mid-write)
    const file = real('simple.jsonl')
    const answer = file.indexOf('"type":"assistant"')
    const cut = file.indexOf(10, answer) // the answer's newline
    const head = file.subarray(0, cut)
    const p = newParser()
    const used = feed(p, head)
    assert.equal(finish(p, FILE).assistantMessages, 0, 'feed takes whole lines only')
    assert.equal(feedLast(p, head, used), head.length)
    assert.deepEqual([finish(p, FILE).userMessages, finish(p, FILE).assistantMessages], [1, 1])
    // its newline and the rest arrive: read on from past the object, nothing counted twice
    const rest = file.subarray(cut)
    assert.equal(feed(p, rest), rest.length)
    assert.deepEqual(finish(p, FILE), parse(file))
  })
  test('a half-written last line is left for later, even one that ends in a brace', () => {
    const line = Buffer.from(g.userRecord(g.newCtx(new g.Gen(23)), [{ type: 'text', text: 'hi' }]))
    const braces = [...line.keys()].filter((i) => line[i] === 125 && i < line.length - 1)
    assert.ok(braces.length > 0)
    for (const end of [...braces.map((i) => i + 1), line.length >> 1, 1]) {
      const p = newParser()
      assert.equal(feedLast(p, line.subarray(0, end)), 0, `cut at ${end}`)
      assert.deepEqual(finish(p, FILE), finish(newParser(), FILE))
    }
    for (const blank of ['', '  \r', '\0\0']) assert.equal(feedLast(newParser(), Buffer.from(blank)), 0)
    assert.equal(feedLast(newParser(), Buffer.from(`\ufeff${line.toString()}\r`)), line.length + 4, 'BOM and CR')
  })
  test('feed reads only buf[start, end)', () => {
    const s = Buffer.from(g.jsonl(g.namedSession(new g.Gen(20), 'inside').lines))
    const buf = Buffer.concat([Buffer.from('{"type":"custom-title","customTitle":"outside"}\n'), s, Buffer.from('{"type":"tag","tag":"x"}\n')])
    const p = newParser()
    const start = buf.indexOf(s)
    assert.equal(feed(p, buf, start, start + s.length), start + s.length)
    assert.deepEqual(finish(p, FILE), parse(s))
  })
  test('the state stays small whatever the file holds', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => g.summaryRecord(`leaf-${i}`, `summary ${i} ${'x'.repeat(300)}`))
    lines.push(g.customTitle(g.newCtx(new g.Gen(21)), 'y'.repeat(100_000)))
    const p = newParser()
    feed(p, Buffer.from(g.jsonl(lines)))
    assert.ok(saveParser(p).length < 40_000)
    assert.equal(finish(p, FILE).summaries.at(-1)!.leafUuid, 'leaf-4999')
  })
  test('finish does not change the state', () => {
    const p = newParser()
    feed(p, bytes(g.normalSession(new g.Gen(22))))
    const before = saveParser(p)
    finish(p, FILE).tokens.input = -1
    assert.equal(saveParser(p), before)
  })
  test('loadParser refuses corrupt state', () => {
    const good = JSON.parse(saveParser(newParser()))
    for (const bad of ['', 'not json', '{}', '[]', JSON.stringify({ ...good, v: 99 }), JSON.stringify({ ...good, tokens: null }), JSON.stringify({ ...good, userMessages: '3' }), JSON.stringify({ ...good, recent: [{ id: 1 }] })]) // prettier-ignore
      assert.throws(() => loadParser(bad), bad)
  })
})

describe('the line scanner reads what JSON.parse reads', () => {
  // uuid only for messages: it names the chain's last message, the other records' is not read
  const FIELDS = ['type', 'timestamp', 'cwd', 'gitBranch', 'version', 'isSidechain', 'isMeta', 'isCompactSummary', 'customTitle', 'aiTitle', 'agentName', 'tag', 'lastPrompt', 'summary', 'leafUuid', 'relocatedCwd'] // prettier-ignore
  const view = (o: Record<string, unknown>) => {
    const m = o.message as Record<string, unknown> | null | undefined
    const usage = (m?.usage ?? {}) as Record<string, unknown>
    return {
      ...Object.fromEntries(FIELDS.map((k) => [k, o[k]])),
      ...(o.type === 'user' || o.type === 'assistant'
        ? { uuid: o.uuid, id: m?.id, model: m?.model, prompt: o.type === 'user' && typedPrompt(o), usage: [usage.input_tokens, usage.output_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens] } // prettier-ignore
        : {}),
    }
  }
  test('on every real and generated line', () => {
    const gen = new g.Gen(23)
    const generated = [g.normalSession(gen), g.renamedSession(gen, 'r'), g.clearOrphan(gen, { name: 'n' }), g.compactSession(gen, 2), g.legacySession(gen), g.subagentFile(gen, 'p', '2.1'), g.unknownTypesSession(gen)].flatMap((t) => t.lines) // prettier-ignore
    const realLines = ['simple', 'named', 'renamed', 'compact', 'clear-old', 'clear-orphan', 'bash-approved', 'interrupted'].flatMap((n) => real(`${n}.jsonl`).toString().split('\n').filter(Boolean)) // prettier-ignore
    // Keys and closers inside strings, escaped quotes after escaped backslashes: none of it is structure.
    const c = g.newCtx(gen)
    const evil = '\\" \\\\" "}]},"uuid":"evil","timestamp":"2020-01-01T00:00:00Z","isMeta":true}\\'
    const tricky = [g.userRecord(c, evil), g.toolResult(c, 't', evil), ...g.assistantRecords(c, [g.text(evil)], { input_tokens: 1, output_tokens: 2 })] // prettier-ignore
    for (const line of [...realLines, ...generated, ...tricky]) {
      const b = Buffer.from(line)
      const rec = scanLine(b, 0, b.length)
      assert.ok(rec, line.slice(0, 200))
      assert.deepEqual(view(rec), view(JSON.parse(line)), line.slice(0, 200))
    }
  })
})

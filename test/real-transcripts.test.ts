// The parser on transcripts the real client wrote (test/fixtures/real from the pinned 2.1.332,
// real-2.1.200 from an older release; made by test/harness/record.ts): titles, prompts, counts,
// orphans and compaction as a user sees them, the same from both releases.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { feed, finish, newParser } from '../lib/transcript.ts'
import type { TranscriptInfo } from '../lib/session.ts'
import { FAKE_USAGE } from './harness/fake-api.ts'

const FIXTURES = join(import.meta.dirname, 'fixtures')
const PROJECT = '-home-dev-project'
/** Each recorded release, its folder, the model it asks for by default, and what it writes
 *  differently: 2.1.200's /clear copies the custom title into the new file but not the agent name. */
const RELEASES: [version: string, folder: string, model: string, differs: Record<string, Partial<Expected>>][] = [
  ['2.1.332', 'real', 'claude-opus-5-5', {}],
  ['2.1.200', 'real-2.1.200', 'claude-opus-4-8', { 'clear-orphan': { agentName: null } }],
]

let DIR = join(FIXTURES, 'real')
const bytes = (name: string) => readFileSync(join(DIR, `${name}.jsonl`))
const sessionId = (name: string): string =>
  JSON.parse(bytes(name).toString('utf8').split('\n')[0]).sessionId

function parse(name: string, chunk = Infinity): TranscriptInfo {
  const buf = bytes(name)
  const p = newParser()
  // Fed the way the indexer reads a growing file: a chunk at a time, partial lines carried over.
  let done = 0
  for (let end = Math.min(chunk, buf.length); ; end = Math.min(end + chunk, buf.length)) {
    done = feed(p, buf, done, end)
    if (end === buf.length) break
  }
  assert.equal(done, buf.length, 'every line consumed')
  return finish(p, { id: sessionId(name), path: join(DIR, `${name}.jsonl`), projectDir: PROJECT })
}

interface Expected {
  title: string | null
  first: string | null
  last: string | null
  user: number
  assistant: number
  orphan?: boolean
  /** when it is not the title */
  agentName?: string | null
}

const cases: Record<string, Expected> = {
  simple: { title: null, first: 'hello there', last: 'hello there', user: 1, assistant: 1 },
  named: { title: 'Named session', first: 'hello named', last: 'hello named', user: 1, assistant: 1 },
  renamed: { title: 'Renamed later', first: 'before rename', last: 'after rename', user: 2, assistant: 2 },
  'clear-old': { title: 'Before clear', first: 'hello before clear', last: 'hello before clear', user: 1, assistant: 1 },
  // the file /clear starts holds only the command's echo and the inherited name
  'clear-orphan': { title: 'Before clear', first: null, last: null, user: 0, assistant: 0, orphan: true },
  // the compaction summary is neither a prompt nor a message of the user
  compact: { title: null, first: 'hello one', last: 'hello after compact', user: 3, assistant: 3 },
  // the tool call and the answer after its result are two API messages; the tool result is no prompt
  'bash-approved': { title: null, first: 'run touch approved-marker', last: 'run touch approved-marker', user: 1, assistant: 2 },
  // Esc before any token: the prompt stays, no answer
  interrupted: { title: null, first: 'stall please', last: 'stall please', user: 1, assistant: 0 },
}

for (const [version, folder, model, differs] of RELEASES)
for (const [name, common] of Object.entries(cases)) {
  test(`${folder}/${name}.jsonl (Claude Code ${version})`, () => {
    const want = { ...common, ...differs[name] }
    DIR = join(FIXTURES, folder)
    const info = parse(name)
    assert.equal(info.id, sessionId(name))
    assert.equal(info.customTitle, want.title)
    assert.equal(info.agentName, want.agentName === undefined ? want.title : want.agentName, 'agent-name beside custom-title')
    assert.equal(info.firstPrompt, want.first)
    assert.equal(info.lastPrompt, want.last)
    assert.equal(info.userMessages, want.user)
    assert.equal(info.assistantMessages, want.assistant)
    assert.equal(info.orphan, want.orphan ?? false)
    assert.equal(info.sidechain, false)
    assert.equal(info.cwd, '/home/dev/project')
    assert.equal(info.version, version)
    assert.equal(info.branch, 'HEAD')
    assert.equal(info.model, want.assistant ? model : null)
    assert.deepEqual(info.tokens, {
      input: FAKE_USAGE.input * want.assistant,
      output: FAKE_USAGE.output * want.assistant,
      cacheRead: 0,
      cacheWrite: 0,
    })
    assert.ok(info.createdAt !== null && info.updatedAt !== null && info.createdAt <= info.updatedAt)
    assert.equal(info.badLines, 0)
    assert.equal(info.unknownRecords, 0, `every record type ${version} writes is known`)
  })
}

test('the /clear orphan and the session it came from share the name but not the id', () => {
  DIR = join(FIXTURES, 'real')
  const old = parse('clear-old')
  const orphan = parse('clear-orphan')
  assert.notEqual(old.id, orphan.id)
  assert.equal(orphan.customTitle, old.customTitle)
  assert.ok(orphan.createdAt! >= old.createdAt!)
})

test('feeding a real transcript in small chunks gives the same result as all at once', () => {
  DIR = join(FIXTURES, 'real')
  for (const name of ['compact', 'bash-approved', 'renamed']) assert.deepEqual(parse(name, 997), parse(name))
})

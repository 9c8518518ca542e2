// The harness itself: the fake API speaks the Messages API, and the real client renders it.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { after, before, test } from 'node:test'
import { makeClaudeEnv } from './harness/claude-env.ts'
import type { ClaudeEnv } from './harness/claude-env.ts'
import { exitClaude, startClaude, submit, transcripts, waitRegistry } from './harness/claude.ts'
import { startFakeApi } from './harness/fake-api.ts'
import type { FakeApi } from './harness/fake-api.ts'
import { poll, TestTmux } from './harness/tmux.ts'

let api: FakeApi
before(async () => {
  api = await startFakeApi()
})
after(() => api.close())

const post = (body: unknown) => fetch(`${api.url}/v1/messages`, { method: 'POST', body: JSON.stringify(body) })

/** The data of each server-sent event, in order. */
const events = (text: string) =>
  text
    .split('\n\n')
    .filter(Boolean)
    .map((chunk) => JSON.parse(chunk.split('\n').find((l) => l.startsWith('data: '))!.slice(6)))

test('a streamed text reply has the Messages API event sequence', async () => {
  api.script(() => ({ kind: 'text', text: 'hi back' }))
  const res = await post({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] })
  assert.equal(res.headers.get('content-type'), 'text/event-stream')
  const ev = events(await res.text())
  assert.deepEqual(
    ev.map((e) => e.type),
    ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']
  )
  assert.equal(ev[2].delta.text, 'hi back')
  assert.equal(ev[4].delta.stop_reason, 'end_turn')
  assert.equal(typeof ev[4].usage.output_tokens, 'number')
})

test('a bash reply streams a tool_use block with its input as JSON deltas', async () => {
  api.script(() => ({ kind: 'bash', command: 'ls -la' }))
  const ev = events(await (await post({ stream: true, messages: [{ role: 'user', content: 'go' }] })).text())
  assert.equal(ev[1].content_block.type, 'tool_use')
  assert.equal(ev[1].content_block.name, 'Bash')
  assert.equal(JSON.parse(ev[2].delta.partial_json).command, 'ls -la')
  assert.equal(ev[4].delta.stop_reason, 'tool_use')
})

test('a non-streamed request gets one JSON message', async () => {
  api.script(() => ({ kind: 'text', text: 'title' }))
  const body = await (await post({ stream: false, max_tokens: 50, messages: [{ role: 'user', content: 'x' }] })).json()
  assert.equal(body.type, 'message')
  assert.deepEqual(body.content, [{ type: 'text', text: 'title' }])
})

test('the script sees the last typed text and tool results; system reminders are skipped', async () => {
  const seen: string[] = []
  api.script((r) => {
    seen.push(`${r.lastUserText}|${r.toolResult}`)
    return { kind: 'text', text: 'ok' }
  })
  await post({
    messages: [
      { role: 'user', content: [{ type: 'text', text: '<system-reminder>x</system-reminder>' }, { type: 'text', text: 'do it' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Bash', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'done' }] },
    ],
  })
  assert.deepEqual(seen, ['|true'])
})

test('a stall holds the reply after message_start until release', async () => {
  api.script(() => ({ kind: 'stall' }))
  const res = await post({ stream: true, messages: [{ role: 'user', content: 'wait' }] })
  await poll(() => ({ ok: api.stalled() === 1, last: api.stalled() }), 10_000, 'one stalled reply')
  api.release('finally')
  const ev = events(await res.text())
  assert.equal(ev[0].type, 'message_start')
  assert.equal(ev.at(-1).type, 'message_stop')
  assert.equal(ev.find((e) => e.type === 'content_block_delta').delta.text, 'finally')
})

test('a client hanging up on a stall neither crashes the fake nor stays stalled', async () => {
  api.script(() => ({ kind: 'stall' }))
  const req = request(`${api.url}/v1/messages`, { method: 'POST' })
  req.on('error', () => {})
  req.end(JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'x' }] }))
  await poll(() => ({ ok: api.stalled() === 1, last: api.stalled() }), 10_000, 'one stalled reply')
  req.destroy()
  await poll(() => ({ ok: api.stalled() === 0, last: api.stalled() }), 10_000, 'the stall to be dropped')
  const res = await fetch(`${api.url}/v1/models`)
  assert.equal(res.status, 200)
})

test('unknown endpoints get a JSON 404, and every request is logged', async () => {
  const before = api.requests.length
  const res = await fetch(`${api.url}/v1/nothing`)
  assert.equal(res.status, 404)
  assert.equal((await res.json()).type, 'error')
  assert.equal(api.requests.at(before)?.path, '/v1/nothing')
})

test('the real client renders the fake answer and writes it to its transcript', async (t) => {
  api.script((r) => ({ kind: 'text', text: `Fake says: ${r.lastUserText.toUpperCase()}` }))
  const ce: ClaudeEnv = makeClaudeEnv({ apiUrl: api.url, socket: 'unused' })
  const tmux = new TestTmux('harness', ce.env)
  t.after(() => {
    tmux.cleanup()
    ce.cleanup()
  })
  const cwd = ce.project('project')
  const id = randomUUID()
  const pane = await startClaude(tmux, { name: 'h', cwd, args: ['--session-id', id] })
  await submit(tmux, pane, 'ping the fake')
  await tmux.waitFor(pane, (s) => s.includes('Fake says: PING THE FAKE'), { what: 'the answer on screen' })
  await waitRegistry(ce, (e) => e.sessionId === id && e.status === 'idle', 'idle after the answer')
  assert.ok(api.requests.some((r) => r.path === '/v1/messages' && r.lastUserText === 'ping the fake'))
  await exitClaude(tmux, pane, 'h')
  const [file] = transcripts(ce, cwd)
  assert.ok(file.endsWith(`${id}.jsonl`))
  const records = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  const answer = records.find((r) => r.type === 'assistant')
  assert.deepEqual(answer.message.content, [{ type: 'text', text: 'Fake says: PING THE FAKE' }])
})

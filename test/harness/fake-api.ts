// A loopback fake of the Anthropic Messages API for running the real Claude Code client in tests.
// Each reply is decided by a script from the request; streamed replies are server-sent events.
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ApiRequest {
  method: string
  path: string
  body: any
  stream: boolean
  /** the last text the user typed (system reminders skipped), '' when none */
  lastUserText: string
  /** the last user message carries a tool_result: the client ran a tool and wants the follow-up */
  toolResult: boolean
  /** the text of those tool results (a command's output, or its error) */
  toolOutput: string
  /** the system prompt flattened to text: tells side calls (titles, summaries) from the main turn */
  system: string
}

export type Reply =
  | { kind: 'text'; text: string }
  /** message_start, then nothing until release() or the client hangs up: the turn stays busy */
  | { kind: 'stall' }
  | { kind: 'bash'; command: string; description?: string }
  /** an API error the client does not retry (400): the turn ends in error, no Stop hook */
  | { kind: 'refuse' }

export type Script = (req: ApiRequest) => Reply

export interface FakeApi {
  url: string
  requests: ApiRequest[]
  /** finishes every stalled reply with this text */
  release(text?: string): void
  /** number of replies currently stalled */
  stalled(): number
  script(fn: Script): void
  close(): Promise<void>
}

const textOf = (content: unknown): string[] => {
  if (typeof content === 'string') return [content]
  if (!Array.isArray(content)) return []
  return content.filter((b) => b?.type === 'text' && typeof b.text === 'string').map((b) => b.text)
}

export function describe(method: string, path: string, body: any): ApiRequest {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : []
  const lastUser = [...messages].reverse().find((m) => m?.role === 'user')
  const typed = textOf(lastUser?.content).filter((t) => !t.trimStart().startsWith('<'))
  const results = Array.isArray(lastUser?.content) ? lastUser.content.filter((b: any) => b?.type === 'tool_result') : []
  const system = Array.isArray(body?.system) ? textOf(body.system).join('\n') : String(body?.system ?? '')
  return {
    method,
    path,
    body,
    stream: body?.stream === true,
    lastUserText: typed.at(-1)?.trim() ?? '',
    toolResult: results.length > 0,
    toolOutput: results.flatMap((b: any) => textOf(b.content)).join('\n'),
    system,
  }
}

/** Answers every prompt with `OK: <prompt>`, and a tool result with `Done.` */
export const echo: Script = (req) => ({ kind: 'text', text: req.toolResult ? 'Done.' : `OK: ${req.lastUserText}` })

/** Tokens every reply reports: input in message_start, final output in message_delta. */
export const FAKE_USAGE = { input: 12, output: 8 }

/**
 * Prompts drive the fake: `stall…` hangs (WORKING), `run CMD` asks to run CMD in Bash (the
 * permission dialog), `refuse…` is an API error, a tool result gets `Done.` (or hangs when its
 * output says `stall after`), the /compact request
 * a summary, else `OK: <prompt>`.
 */
export const byPrompt: Script = (r) => {
  if (r.toolResult) return r.toolOutput.includes('stall after') ? { kind: 'stall' } : { kind: 'text', text: 'Done.' }
  if (/summar/i.test(r.lastUserText) && /conversation/i.test(r.lastUserText))
    return { kind: 'text', text: '<analysis>Short.</analysis>\n<summary>The user said hello; nothing else happened.</summary>' }
  if (r.lastUserText.startsWith('stall')) return { kind: 'stall' }
  if (r.lastUserText.startsWith('refuse')) return { kind: 'refuse' }
  const run = /^run (.+)$/.exec(r.lastUserText)
  if (run) return { kind: 'bash', command: run[1], description: 'Run the requested command' }
  return { kind: 'text', text: `OK: ${r.lastUserText}` }
}

/** The replies that are a message. */
type Answer = Exclude<Reply, { kind: 'stall' } | { kind: 'refuse' }>

let ids = 0
const nextId = (prefix: string) => `${prefix}_fake${Date.now().toString(36)}${(ids++).toString(36)}`

function message(model: string, content: unknown[], stopReason: string | null, outputTokens = 0) {
  return {
    id: nextId('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: FAKE_USAGE.input, output_tokens: outputTokens, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  }
}

function blocksOf(reply: Answer): { block: any; delta: any }[] {
  if (reply.kind === 'text')
    return [{ block: { type: 'text', text: '' }, delta: { type: 'text_delta', text: reply.text } }]
  const input = { command: reply.command, description: reply.description ?? 'Run a command' }
  return [
    {
      block: { type: 'tool_use', id: nextId('toolu'), name: 'Bash', input: {} },
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) },
    },
  ]
}

function finalBlock(b: { block: any; delta: any }) {
  if (b.block.type === 'text') return { type: 'text', text: b.delta.text }
  return { ...b.block, input: JSON.parse(b.delta.partial_json) }
}

const stopOf = (reply: Reply) => (reply.kind === 'bash' ? 'tool_use' : 'end_turn')

function sse(res: ServerResponse, event: string, data: unknown) {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
}

/** Streams the rest of a reply after message_start has been sent. */
function finishStream(res: ServerResponse, reply: Answer) {
  const blocks = blocksOf(reply)
  blocks.forEach((b, index) => {
    sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: b.block })
    sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: b.delta })
    sse(res, 'content_block_stop', { type: 'content_block_stop', index })
  })
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopOf(reply), stop_sequence: null },
    usage: { output_tokens: FAKE_USAGE.output },
  })
  sse(res, 'message_stop', { type: 'message_stop' })
  res.end()
}

function readBody(req: IncomingMessage): Promise<any> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        resolve(text ? JSON.parse(text) : null)
      } catch {
        resolve(text)
      }
    })
    req.on('error', () => resolve(null))
  })
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

export async function startFakeApi(initial: Script = echo): Promise<FakeApi> {
  let decide = initial
  const requests: ApiRequest[] = []
  const stalled = new Set<ServerResponse>()
  const log = process.env.FAKE_API_LOG === '1'

  const answer = (req: ApiRequest, res: ServerResponse) => {
    const model = req.body?.model ?? 'claude-fake'
    const reply = decide(req)
    if (reply.kind === 'refuse')
      return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'fake: refused' } })
    if (!req.stream) {
      const r = reply.kind === 'stall' ? { kind: 'text' as const, text: 'OK' } : reply
      return json(res, 200, message(model, blocksOf(r).map(finalBlock), stopOf(r), FAKE_USAGE.output))
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    sse(res, 'message_start', { type: 'message_start', message: message(model, [], null, 1) })
    if (reply.kind !== 'stall') return finishStream(res, reply)
    stalled.add(res)
    res.on('close', () => stalled.delete(res))
  }

  const server = createServer(async (req, res) => {
    res.on('error', () => {}) // a client abort (Esc) must not crash the fake
    const path = (req.url ?? '/').split('?')[0]
    const body = req.method === 'POST' ? await readBody(req) : null
    const r = describe(req.method ?? 'GET', path, body)
    requests.push(r)
    if (log) console.error(`[fake-api] ${r.method} ${path} stream=${r.stream} user=${JSON.stringify(r.lastUserText.slice(0, 60))}`)
    if (r.method === 'POST' && path === '/v1/messages') return answer(r, res)
    if (r.method === 'POST' && path === '/v1/messages/count_tokens') return json(res, 200, { input_tokens: FAKE_USAGE.input })
    if (r.method === 'GET' && path === '/v1/models') return json(res, 200, { data: [], has_more: false })
    json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `fake: no ${path}` } })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    release(text = 'Released.') {
      for (const res of stalled) finishStream(res, { kind: 'text', text })
      stalled.clear()
    },
    stalled: () => stalled.size,
    script(fn) {
      decide = fn
    },
    close() {
      for (const res of stalled) res.destroy()
      stalled.clear()
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

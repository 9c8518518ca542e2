// The transcript parser: folds the lines of one Claude Code .jsonl into a TranscriptInfo.
// Incremental (feed whole lines as they are appended, save the state between runs), pure, and
// bounded: the state holds counters and a few short strings whatever the file size. Lines are
// read by lib/transcript-scan.ts without parsing what is not needed; JSON.parse is the fallback.
import { isBlank, shorten, slashCommand, typedText } from './prompt.ts'
import { noTokens, type Tokens, type TranscriptInfo } from './session.ts'
import { scanLine, type Rec } from './transcript-scan.ts'
import { isCwd, isObject, jsonObject } from './untrusted.ts'

export interface ParserState {
  v: number
  cwd: string | null
  relocatedCwd: string | null
  branch: string | null
  customTitle: string | null
  agentName: string | null
  aiTitle: string | null
  tag: string | null
  firstPrompt: string | null
  lastPrompt: string | null // as last saved: finish() also sees a later one (unshortened)
  command: string | null // the slash command typed before any prompt (`/name args`)
  createdAt: string | null
  updatedAt: string | null
  model: string | null
  version: string | null
  lastUuid: string | null
  sidechain: boolean | null // null until the first chain record
  userMessages: number
  assistantMessages: number
  sidechainMessages: number // inline subagent turns (1.0.x), left out of the two above
  /** The last few inline subagent message ids: their records are counted once, like the others. */
  sidechainIds: string[]
  unknownRecords: number
  badLines: number
  tokens: Tokens
  /** The last few assistant message ids with the usage counted for each: one API message is
   *  written as several records (one per content block), not always adjacent. */
  recent: { id: string; usage: Tokens }[]
  summaries: { leafUuid: string; summary: string }[]
  /** the file's last bytes read (latin1, a few dozen), set by the indexer: a file that reads
   *  otherwise there now was rewritten in place (restored with cp), not appended to */
  tail: string
}

const VERSION = 3
const RECENT = 16
const MAX_SUMMARIES = 64
const MAX_TEXT = 1000 // no stored string grows with the file

const CHAIN = new Set(['user', 'assistant', 'attachment', 'system', 'progress'])
/** Every type known not to matter here: the reference's inventory plus those seen from 2.1.332. */
export const KNOWN_TYPES: ReadonlySet<string> = new Set([
  ...CHAIN, 'summary', 'custom-title', 'ended-by-model', 'ai-title', 'last-prompt', 'tag', 'relocated',
  'agent-name', 'agent-color', 'agent-setting', 'pr-link', 'frame-link', 'bridge-session',
  'file-history-snapshot', 'attribution-snapshot', 'speculation-accept', 'mode', 'permission-mode',
  'isolation-latch', 'worktree-state', 'queue-operation', 'marble-origami-commit',
  'marble-origami-snapshot', 'marble-origami-reset', 'content-replacement', 'fork-context-ref',
  'cost-state', 'atis-latch', 'api-request', 'api-request-shape', 'api-request-blob', 'tools-used',
]) // prettier-ignore


export function newParser(): ParserState {
  return {
    v: VERSION,
    cwd: null,
    relocatedCwd: null,
    branch: null,
    customTitle: null,
    agentName: null,
    aiTitle: null,
    tag: null,
    firstPrompt: null,
    lastPrompt: null,
    command: null,
    createdAt: null,
    updatedAt: null,
    model: null,
    version: null,
    lastUuid: null,
    sidechain: null,
    userMessages: 0,
    assistantMessages: 0,
    sidechainMessages: 0,
    sidechainIds: [],
    unknownRecords: 0,
    badLines: 0,
    tokens: noTokens(),
    recent: [],
    summaries: [],
    tail: '',
  }
}

/** Consumes whole lines of buf[start,end) only; returns the index just past the last '\n'
 *  consumed (a trailing partial line is left for next time). Never throws on any input. */
export function feed(p: ParserState, buf: Buffer, start = 0, end = buf.length): number {
  let s = start
  for (;;) {
    const nl = buf.indexOf(10, s)
    if (nl < 0 || nl >= end) return s
    line(p, buf, s, nl)
    s = nl + 1
  }
}

/**
 * The last line of a file that does not end with '\n' (buf[start,end)): a record when it is a
 * whole JSON object, else left for later. A line being written is never one until its closing
 * brace, its last byte, is there; once taken, the newline that may follow it is an empty line to
 * the next read. Returns end when the line was taken, else start.
 */
export function feedLast(p: ParserState, buf: Buffer, start = 0, end = buf.length): number {
  if (!isWholeObject(buf, start, end)) return start
  line(p, buf, start, end)
  return end
}

/** Whether buf[start,end), a last line without its newline, is a whole JSON object (blanks
 *  aside): a record, where a line being written is not one until its closing brace is there. */
export function isWholeObject(buf: Buffer, start = 0, end = buf.length): boolean {
  let e = end
  while (e > start && blank(buf[e - 1])) e--
  const open = buf.indexOf(123, start)
  if (e === start || buf[e - 1] !== 125 || open < 0 || open >= e) return false
  // the scanner may trust a line's ends: a whole object is proven by JSON.parse alone
  return jsonObject(buf.toString('utf8', open, e)) !== null
}

/** A line too long to be read (lib/indexer.ts MAX_LINE): counted as a bad line. */
export function skippedLine(p: ParserState): void {
  p.badLines++
}

// Blanks around a line: spaces, tabs, CR of CRLF files, NUL padding left by a crash.
const blank = (c: number) => c === 32 || c === 9 || c === 13 || c === 0

/** Where a line's record starts: past blanks and a BOM. The drift count (lib/drift.ts) reads lines
 *  as the index does. */
export function recordStart(b: Buffer, s: number, e: number): number {
  while (s < e && blank(b[s])) s++
  if (e - s >= 3 && b[s] === 0xef && b[s + 1] === 0xbb && b[s + 2] === 0xbf) s += 3 // BOM
  while (s < e && blank(b[s])) s++
  return s
}
/** Where it ends: before trailing blanks. */
export function recordEnd(b: Buffer, s: number, e: number): number {
  while (e > s && blank(b[e - 1])) e--
  return e
}

/** Bytes of records a process reads with JSON.parse before the scanner takes over. The scanner's
 *  first lines run in V8's interpreter: where a process reads little (a dashboard after an
 *  append), 15 KB of records took 2.8 ms through it and 0.4 ms through JSON.parse. A first MB read
 *  so cost a cold index of the tiny corpus some 5% (interleaved runs); a first 256 KB some 2%.
 *  A line damaged in a middle the scanner skips is counted bad here, and may pass it later in a
 *  long read (its ends are read). */
const PARSED_FIRST = 256 * 1024
let parsedFirst = 0

function line(p: ParserState, b: Buffer, s: number, e: number) {
  s = recordStart(b, s, e)
  e = recordEnd(b, s, e)
  if (s === e) return
  try {
    const scan = b[s] === 123 && (parsedFirst > PARSED_FIRST || (parsedFirst += e - s) > PARSED_FIRST)
    const rec = (scan ? scanLine(b, s, e) : null) ?? parseObject(b, s, e)
    if (rec) apply(p, rec)
    else p.badLines++
  } catch {
    p.badLines++
  }
}

const parseObject = (b: Buffer, s: number, e: number): Rec | null => jsonObject(b.toString('utf8', s, e))
const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? (v.length > MAX_TEXT ? v.slice(0, MAX_TEXT) : v) : null
const digit = (s: string, i: number) => {
  const c = s.charCodeAt(i)
  return c >= 48 && c <= 57
}
/** The two digits at i as a number (both checked to be digits). */
const two = (s: string, i: number) => (digit(s, i) && digit(s, i + 1) ? (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48 : -1)
/** Starts like an ISO 8601 time, each field in its range (`2026-11-25T10:04`): times are compared
 *  as text, so one that is not a time (`9999-99-99T99:…`) would be every session's latest for good.
 *  Read on every record: not a regular expression, nor Date.parse. */
const isIso = (s: string) =>
  s.length >= 16 && two(s, 0) >= 0 && two(s, 2) >= 0 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 &&
  s.charCodeAt(10) === 84 && s.charCodeAt(13) === 58 && two(s, 5) >= 1 && two(s, 5) <= 12 && two(s, 8) >= 1 &&
  two(s, 8) <= 31 && two(s, 11) >= 0 && two(s, 11) <= 23 && two(s, 14) >= 0 && two(s, 14) <= 59 // prettier-ignore

function apply(p: ParserState, rec: Rec) {
  const type = rec.type
  if (typeof type !== 'string') {
    p.unknownRecords++
    return
  }
  const chain = CHAIN.has(type)
  if (chain && p.sidechain === null) p.sidechain = rec.isSidechain === true
  const ts = rec.timestamp
  // Earliest and latest: records are not written in timestamp order (a /clear echo, say).
  if (typeof ts === 'string' && ts.length < 40 && isIso(ts)) {
    if (p.createdAt === null || ts < p.createdAt) p.createdAt = ts
    if (p.updatedAt === null || ts > p.updatedAt) p.updatedAt = ts
  }
  // 1.0.x wrote subagent turns inline: activity, but not this session's conversation.
  if (chain && rec.isSidechain === true && !p.sidechain) return sidechainTurn(p, rec)
  // Claude's file says where it ran: a folder as another machine's rows are checked (lib/untrusted.ts)
  p.cwd ??= isCwd(rec.cwd) ? rec.cwd : null
  p.branch = str(rec.gitBranch) ?? p.branch
  p.version = str(rec.version) ?? p.version
  switch (type) {
    case 'user':
      return user(p, rec)
    case 'assistant':
      return assistant(p, rec)
    case 'custom-title':
      p.customTitle = str(rec.customTitle) ?? p.customTitle
      return
    case 'agent-name':
      p.agentName = str(rec.agentName) ?? p.agentName
      return
    case 'ai-title':
      p.aiTitle = str(rec.aiTitle) ?? p.aiTitle
      return
    case 'tag':
      if (typeof rec.tag === 'string') p.tag = str(rec.tag) // '' clears
      return
    case 'last-prompt':
      // as a typed prompt: shortened when asked for (a session may hold thousands); a blank one
      // (shortened to nothing) leaves the one before it
      if (typeof rec.lastPrompt === 'string' && !isBlank(rec.lastPrompt)) unshortened.set(p, rec.lastPrompt)
      return
    case 'relocated':
      p.relocatedCwd = isCwd(rec.relocatedCwd) ? rec.relocatedCwd : p.relocatedCwd
      return
    case 'summary':
      return summary(p, rec)
    default:
      if (!KNOWN_TYPES.has(type)) p.unknownRecords++
  }
}

// The last prompt of a state as written (typed, or a last-prompt record's): shortened when asked
// for (lastPromptOf), not at each of the thousands a session may hold. A state loaded from its
// saved form has none.
const unshortened = new WeakMap<ParserState, string>()
const lastPromptOf = (p: ParserState) => {
  const text = unshortened.get(p)
  return text === undefined ? p.lastPrompt : shorten(text)
}

function user(p: ParserState, rec: Rec) {
  p.lastUuid = str(rec.uuid) ?? p.lastUuid
  const text = typedText(rec)
  if (text === null) {
    // a title for a session opened by a slash command only, as Claude's picker shows it
    if (p.firstPrompt === null && p.command === null && rec.isMeta !== true) p.command = slashCommand(rec)
    return
  }
  p.userMessages++
  p.firstPrompt ??= shorten(text)
  unshortened.set(p, text)
}

function assistant(p: ParserState, rec: Rec) {
  p.lastUuid = str(rec.uuid) ?? p.lastUuid
  const m = rec.message
  if (!isObject(m) || m.model === '<synthetic>') return // synthetic: written by Claude Code, not the API
  p.model = str(m.model) ?? p.model
  const usage = usageOf(m.usage)
  const id = str(m.id)
  const seen = id === null ? undefined : p.recent.find((r) => r.id === id)
  if (seen) {
    // Another record of a message already counted: its latest usage wins.
    addTokens(p.tokens, seen.usage, -1)
    seen.usage = usage
  } else {
    p.assistantMessages++
    if (id !== null) p.recent.push({ id, usage })
    if (p.recent.length > RECENT) p.recent.shift()
  }
  addTokens(p.tokens, usage, 1)
}

/** Counts an inline subagent message as user() and assistant() count the session's own. */
function sidechainTurn(p: ParserState, rec: Rec) {
  if (rec.type === 'user') {
    if (typedText(rec) !== null) p.sidechainMessages++
    return
  }
  const m = rec.message
  if (rec.type !== 'assistant' || !isObject(m) || m.model === '<synthetic>') return
  const id = str(m.id)
  if (id !== null && p.sidechainIds.includes(id)) return
  p.sidechainMessages++
  if (id !== null && p.sidechainIds.push(id) > RECENT) p.sidechainIds.shift()
}

function usageOf(u: unknown): Tokens {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0)
  if (!isObject(u)) return noTokens()
  return {
    input: n(u.input_tokens),
    output: n(u.output_tokens),
    cacheRead: n(u.cache_read_input_tokens),
    cacheWrite: n(u.cache_creation_input_tokens),
  }
}

function addTokens(t: Tokens, u: Tokens, sign: 1 | -1) {
  t.input += sign * u.input
  t.output += sign * u.output
  t.cacheRead += sign * u.cacheRead
  t.cacheWrite += sign * u.cacheWrite
}

function summary(p: ParserState, rec: Rec) {
  const leafUuid = str(rec.leafUuid)
  const text = str(rec.summary)
  if (leafUuid === null || text === null) return
  const i = p.summaries.findIndex((x) => x.leafUuid === leafUuid)
  if (i >= 0) p.summaries.splice(i, 1)
  p.summaries.push({ leafUuid, summary: text })
  if (p.summaries.length > MAX_SUMMARIES) p.summaries.shift()
}

/** How far past its file's last write a record's time may run before it is taken for a skewed
 *  clock (a file copied from another host, say): past that the write time stands in for it, so
 *  that such a session neither shows as active just now nor sorts above every other for good. */
const SKEW_MS = 10 * 60_000

/** `ts`, or the file's write time when `ts` is implausibly later than it, or no time at all. */
function notAfterWrite(ts: string | null, mtimeMs: number | undefined): string | null {
  const t = ts === null ? NaN : Date.parse(ts)
  if (ts === null || mtimeMs === undefined || t <= mtimeMs + SKEW_MS) return ts
  return new Date(mtimeMs).toISOString()
}

/** Snapshot of what is known; does not mutate p. `mtimeMs`: the file's last write, if known. */
export function finish(
  p: ParserState,
  file: { id: string; path: string; projectDir: string; mtimeMs?: number }
): TranscriptInfo {
  return {
    id: file.id,
    path: file.path,
    projectDir: file.projectDir,
    cwd: p.relocatedCwd ?? p.cwd,
    branch: p.branch,
    customTitle: p.customTitle,
    agentName: p.agentName,
    aiTitle: p.aiTitle,
    summary: null, // the store joins other files' summaries[].leafUuid to lastUuid
    firstPrompt: p.firstPrompt,
    lastPrompt: lastPromptOf(p),
    command: p.command,
    tag: p.tag,
    createdAt: notAfterWrite(p.createdAt, file.mtimeMs),
    updatedAt: notAfterWrite(p.updatedAt, file.mtimeMs),
    userMessages: p.userMessages,
    assistantMessages: p.assistantMessages,
    sidechainMessages: p.sidechainMessages,
    model: p.model,
    tokens: { ...p.tokens },
    version: p.version,
    // a file whose first conversation record is a subagent's (2.0.x wrote warm-ups so) is not
    // a session of its own: Claude's picker hides it, gc may trash it
    orphan: p.sidechain === true || (p.userMessages === 0 && p.assistantMessages === 0),
    sidechain: p.sidechain === true,
    unknownRecords: p.unknownRecords,
    badLines: p.badLines,
    lastUuid: p.lastUuid,
    summaries: p.summaries.map((x) => ({ ...x })),
  }
}

export function saveParser(p: ParserState): string {
  return JSON.stringify(unshortened.has(p) ? { ...p, lastPrompt: lastPromptOf(p) } : p)
}

/** Throws only on corrupt input; the caller then re-reads the file from 0. */
export function loadParser(s: string): ParserState {
  const p: unknown = JSON.parse(s)
  if (!isObject(p) || p.v !== VERSION) throw new Error('transcript parser state: unknown version')
  const fresh = newParser() as unknown as Rec
  const tokens = (t: unknown) => isObject(t) && Object.keys(noTokens()).every((k) => typeof t[k] === 'number')
  for (const [k, want] of Object.entries(fresh)) {
    const got = p[k]
    const ok =
      k === 'tokens' ? tokens(got)
      : k === 'recent' ? Array.isArray(got) && got.every((r) => isObject(r) && typeof r.id === 'string' && tokens(r.usage))
      : k === 'summaries' ? Array.isArray(got) && got.every((r) => isObject(r) && typeof r.leafUuid === 'string' && typeof r.summary === 'string')
      : k === 'sidechainIds' ? Array.isArray(got) && got.every((id) => typeof id === 'string')
      : k === 'sidechain' ? got === null || typeof got === 'boolean'
      : want === null ? got === null || typeof got === 'string'
      : typeof got === typeof want // prettier-ignore
    if (!ok) throw new Error(`transcript parser state: bad ${k}`)
  }
  return p as unknown as ParserState
}

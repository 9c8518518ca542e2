// Reads the few fields cs needs from one transcript line without parsing the rest. The result
// has the shape JSON.parse would give, holding only those fields, so lib/transcript.ts handles
// it and a fully parsed line alike. Safe because a raw `"` never occurs inside a JSON string:
// every unescaped quote delimits a string, so strings are skipped with indexOf and keys are
// found by walking the structure, never by guessing from text.
//
// Big values are not walked at all when the line's ends say enough: a value we do not read
// makes the scanner read the line's trailing scalars backward from the end, and if those
// complete the record (see `complete`) the middle is left unread. Assistant lines take the
// same shortcut at message.content: message.usage is found backward from the message's end.
// Returns null when unsure (malformed, unexpected shape); the caller then uses JSON.parse.

import { PROMPT_MAX } from './prompt.ts'

export type Rec = Record<string, unknown>

/** The records the scanner makes: every kept field set up front, so that all share one shape
 *  (objects grown key by key in each line's order would each get their own). */
class Line {
  type: unknown = undefined
  subtype: unknown = undefined
  uuid: unknown = undefined
  timestamp: unknown = undefined
  cwd: unknown = undefined
  gitBranch: unknown = undefined
  version: unknown = undefined
  isSidechain: unknown = undefined
  isMeta: unknown = undefined
  isCompactSummary: unknown = undefined
  customTitle: unknown = undefined
  aiTitle: unknown = undefined
  agentName: unknown = undefined
  tag: unknown = undefined
  lastPrompt: unknown = undefined
  summary: unknown = undefined
  leafUuid: unknown = undefined
  relocatedCwd: unknown = undefined
  message: unknown = undefined
}
class Message {
  role: unknown = undefined
  id: unknown = undefined
  model: unknown = undefined
  content: unknown = undefined
  usage: unknown = undefined
}
class Usage {
  input_tokens: unknown = undefined
  output_tokens: unknown = undefined
  cache_read_input_tokens: unknown = undefined
  cache_creation_input_tokens: unknown = undefined
}
class Block {
  type: unknown = undefined
  text: unknown = undefined
}

const FAIL = -1
const DONE = -2 // the record is complete: stop reading the line

/** Keys whose scalar values are kept, per level: the line, its message, message.usage, a content
 *  block. Levels are bits, so that a key's `levels` says at once where it is kept. */
const TOP = 1
const MESSAGE = 2
const USAGE = 4
const BLOCK = 8
/** Objects within a record, walked into: named, their values not kept as scalars. */
const CONTAINERS = ['message', 'usage']
const scalars = (fields: object) => Object.keys(fields).filter((k) => !CONTAINERS.includes(k))
const kept = (): [number, string[]][] => [
  [TOP, scalars(new Line())],
  [MESSAGE, scalars(new Message())],
  [USAGE, scalars(new Usage())],
  [BLOCK, scalars(new Block())],
  [0, [...CONTAINERS, 'userType', 'entrypoint', 'sessionId']], // the envelope's others: named, not kept
]
/** The envelope that ends most 2.1.x records: the same bytes on every line of a file. */
const ENVELOPE = new Set(['userType', 'entrypoint', 'cwd', 'sessionId', 'version', 'gitBranch'])
/** A key that matters, with the last short values read for it: most values repeat from line to
 *  line (type, cwd, version, gitBranch, model), and comparing bytes is cheaper than decoding. */
interface Key {
  name: string
  levels: number
  envelope: boolean
  /** ASCII only (a byte equals a char code only then); null for values that never repeat */
  recent: string[] | null
}
const REPEATING = new Set(['type', 'subtype', 'cwd', 'gitBranch', 'version', 'role', 'model'])
// Keys by hash, in a table indexed by the hash's bits folded: no two kept keys share a slot.
// Made by the first scanLine, not as the bundle loads: a dashboard with nothing changed reads no
// transcript.
const SLOTS = 2047
const slot = (h: number) => (h ^ (h >>> 11)) & SLOTS
let BY_HASH: (Key | undefined)[] = []
function keyTable(): (Key | undefined)[] {
  const table: (Key | undefined)[] = new Array(SLOTS + 1).fill(undefined)
  for (const [level, names] of kept())
    for (const name of names) {
      let h = 0
      for (let k = 0; k < name.length; k++) h = (Math.imul(h, 31) + name.charCodeAt(k)) | 0
      const recent = REPEATING.has(name) ? [] : null
      const key = (table[slot(h)] ??= { name, levels: 0, envelope: ENVELOPE.has(name), recent })
      if (key.name !== name) throw new Error(`transcript-scan: hash clash on ${name}`)
      key.levels |= level
    }
  return table
}
/** How many recent values a key remembers (type alternates between a few). */
const RECENT = 4
/** Values up to this long are compared with the key's last one before being decoded. */
const REUSE = 64

// Per-line scanner state: the scan is synchronous and not re-entrant.
let lineStart = 0
let lineEnd = 0
let tailStop = FAIL // where the backward tail scan stopped: the closer of the last nested value
let tailDone = false

type Slicer = { utf8Slice(start: number, end: number): string } // Buffer's unchecked toString('utf8')

const isWs = (c: number) => c === 32 || c === 9 || c === 13 || c === 10
function ws(b: Buffer, i: number, e: number): number {
  while (i < e && isWs(b[i])) i++
  return i
}
function wsBack(b: Buffer, i: number, lo: number): number {
  while (i > lo && isWs(b[i])) i--
  return i
}
const isScalarByte = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 45 || c === 43 || c === 46 || c === 69

const NEAR = 64

/** b[i] is an opening quote: index past the closing one, or FAIL. */
function skipString(b: Buffer, i: number, e: number): number {
  // Most strings are short (keys, ids, times): a loop beats a native call for those.
  const near = Math.min(e, i + NEAR)
  let j = i + 1
  for (; j < near; j++) {
    const c = b[j]
    if (c === 34) return j + 1
    if (c === 92) break
  }
  for (;;) {
    const q = b.indexOf(34, j)
    if (q < 0 || q >= e) return FAIL
    let k = q - 1
    while (b[k] === 92) k--
    if ((q - k) % 2 === 1) return q + 1 // an even run of backslashes (or none) before it
    j = q + 1
  }
}

/** b[q] is a closing quote: index of the opening one, or FAIL. */
function stringStartBack(b: Buffer, q: number, lo: number): number {
  let j = q - 1
  // as in skipString: a loop for short strings, a native search for long ones
  for (const near = Math.max(lo, q - NEAR); j >= near; j--) {
    const c = b[j]
    if (c === 92) break
    if (c === 34) return j
  }
  for (;;) {
    if (j < lo) return FAIL
    const p = b.lastIndexOf(34, j)
    if (p < lo) return FAIL
    let k = p - 1
    while (k >= lo && b[k] === 92) k--
    if ((p - k) % 2 === 1) return p
    j = p - 1
  }
}

/** The kept key spanning b[from, to) (quotes excluded), else null. */
function keyOf(b: Buffer, from: number, to: number): Key | null {
  let h = 0
  for (let k = from; k < to; k++) h = (Math.imul(h, 31) + b[k]) | 0
  return keyAt(b, from, to, h)
}
/** keyOf, given the hash of the bytes. */
function keyAt(b: Buffer, from: number, to: number, h: number): Key | null {
  const key = BY_HASH[slot(h)]
  if (key === undefined) return null
  const n = key.name
  if (n.length !== to - from) return null
  for (let k = 0; k < n.length; k++) if (b[from + k] !== n.charCodeAt(k)) return null
  return key
}
const nameOf = (b: Buffer, from: number, to: number) => keyOf(b, from, to)?.name ?? null

function skipValue(b: Buffer, i: number, e: number): number {
  const c = b[i]
  if (c === 34) return skipString(b, i, e)
  if (c === 123 || c === 91) {
    let depth = 0
    while (i < e) {
      const d = b[i]
      if (d === 34) {
        i = skipString(b, i, e)
        if (i < 0) return FAIL
        continue
      }
      if (d === 123 || d === 91) depth++
      else if ((d === 125 || d === 93) && --depth === 0) return i + 1
      i++
    }
    return FAIL
  }
  const j = i
  while (i < e && isScalarByte(b[i])) i++
  return i > j ? i : FAIL
}

/** Backward twin of skipValue for containers: b[j] closes one; index of its opener, or FAIL. */
function containerStartBack(b: Buffer, j: number, lo: number): number {
  let depth = 0
  while (j >= lo) {
    const d = b[j]
    if (d === 34) {
      j = stringStartBack(b, j, lo) - 1
      if (j < FAIL) return FAIL
      continue
    }
    if (d === 125 || d === 93) depth++
    else if ((d === 123 || d === 91) && --depth === 0) return j
    j--
  }
  return FAIL
}

/** The scalar spanning b[i, j), read for `key`. A `prompt` text is cut where promptEnd says it
 *  may be, else read whole: blanks or a wrapper may come before its first 200 characters. */
function scalar(b: Buffer, i: number, j: number, key: Key, prompt = false): unknown {
  const c = b[i]
  if (c === 34) {
    let z = j - 1
    const len = z - i - 1
    const recent = key.recent
    if (recent !== null && len <= REUSE) {
      for (let r = 0; r < recent.length; r++) {
        const v = recent[r]
        if (v.length !== len) continue
        let k = 0
        while (k < len && b[i + 1 + k] === v.charCodeAt(k)) k++
        if (k === len) return v
      }
    } else if (prompt && len > PROMPT_MAX) {
      const cut = promptEnd(b, i + 1, z)
      if (cut > 0) z = cut
    }
    const raw = (b as unknown as Slicer).utf8Slice(i + 1, z)
    if (raw.includes('\\')) return JSON.parse(`"${raw}"`)
    // as many chars as bytes: ASCII (or U+FFFD, which no byte equals)
    if (recent !== null && raw.length === len && len <= REUSE && recent.unshift(raw) > RECENT)
      recent.pop()
    return raw
  }
  if (c === 116) return true
  if (c === 102) return false
  if (c === 110) return null
  // a plain integer (token counts): read here rather than through a string
  if (j - i < 16) {
    let n = 0
    let k = i
    while (k < j && b[k] >= 48 && b[k] <= 57) n = n * 10 + b[k++] - 48
    if (k === j && (b[i] !== 48 || j - i === 1)) return n
  }
  const n = Number(b.toString('latin1', i, j))
  if (Number.isNaN(n)) throw new SyntaxError('bad number')
  return n
}

/**
 * Where a prompt's raw text b[from, to) may be cut without changing what lib/prompt.ts makes of
 * it, or FAIL: just past its (PROMPT_MAX + 1)th plain ASCII character, as shorten() keeps every
 * such character and reads no further. Only for a text that starts (blanks aside) with a plain
 * character other than `<` or `[` (no wrapper, no interrupt, no slash command's echo), so that
 * typedText() and slashCommand() read the same. Decoding a few hundred bytes instead of 1 KB
 * (and unescaping them) is what makes prompt-heavy files cheaper.
 */
function promptEnd(b: Buffer, from: number, to: number): number {
  let k = from
  for (;;) {
    const c = b[k]
    if (c === 32) k++
    else if (c === 92 && (b[k + 1] === 110 || b[k + 1] === 116 || b[k + 1] === 114)) k += 2 // \n \t \r
    else break
  }
  const first = b[k]
  if (k >= to || first <= 32 || first >= 127 || first === 92 || first === 60 || first === 91) return FAIL
  let seen = 0
  while (k < to) {
    const c = b[k++]
    if (c === 92) k += b[k] === 117 ? 5 : 1 // an escape, maybe a blank: not counted
    else if (c > 32 && c < 127 && ++seen > PROMPT_MAX) break
  }
  return k >= to ? FAIL : k
}

/** Whether the value of `key` is read into `into` at `level` (uuid: only a message's, the
 *  others are not used). */
const wanted = (key: Key, into: Rec, level: number) =>
  (key.levels & level) !== 0 && (key.name !== 'uuid' || into.type === undefined || into.type === 'user' || into.type === 'assistant') // prettier-ignore

/** Scans the object at b[i] === '{' into `into`; `onNested` handles nested values it cares about
 *  (returning the index past the value, FAIL or DONE) and returns undefined for the rest. */
function scanObject(
  b: Buffer,
  i: number,
  e: number,
  into: Rec,
  keep: number,
  onNested: (name: string | null, i: number) => number | undefined
): number {
  i = ws(b, i + 1, e)
  if (b[i] === 125) return i + 1
  for (;;) {
    if (b[i] !== 34) return FAIL
    // the key's hash as its closing quote is looked for: its bytes are read once
    let h = 0
    let ke = i + 1
    for (let d = b[ke]; d !== 34 && d !== 92 && ke < e; d = b[++ke]) h = (Math.imul(h, 31) + d) | 0
    let key: Key | null
    if (b[ke] === 34 && ke < e) key = keyAt(b, i + 1, ke++, h)
    else {
      ke = skipString(b, i, e) // an escape in the key
      if (ke < 0) return FAIL
      key = keyOf(b, i + 1, ke - 1)
    }
    const name = key === null ? null : key.name
    i = ws(b, ke, e)
    if (b[i] !== 58) return FAIL
    i = ws(b, i + 1, e)
    const c = b[i]
    let next: number | undefined
    if (c === 123 || c === 91) next = onNested(name, i)
    if (next === undefined) {
      next = skipValue(b, i, e)
      if (key !== null && next > 0 && c !== 123 && c !== 91 && wanted(key, into, keep)) {
        into[key.name] = scalar(b, i, next, key, name === 'text' || name === 'content')
      }
    }
    if (next < 0) return next
    // past the nested value where the line's tail was read back to: the rest is read
    if (keep === TOP && tailDone && next === tailStop + 1) return lineEnd
    i = ws(b, next, e)
    if (b[i] === 44) i = ws(b, i + 1, e)
    else return b[i] === 125 ? i + 1 : FAIL
  }
}

/** Reads `"key":scalar` pairs backward from b[j], the last byte of the object's last value.
 *  Returns the index of the closer of the nested value it stopped at, or FAIL. */
function scanBack(
  b: Buffer,
  j: number,
  lo: number,
  into: Rec,
  keep: number,
  track = false // note where the run of envelope pairs ending the line starts (see tail)
): number {
  let inEnvelope = track
  for (;;) {
    j = wsBack(b, j, lo)
    const c = b[j]
    if (c === 125 || c === 93) return j
    const vEnd = j + 1
    if (c === 34) j = stringStartBack(b, j, lo)
    else while (j > lo && isScalarByte(b[j - 1])) j--
    if (j <= lo) return FAIL
    const vStart = j
    j = wsBack(b, j - 1, lo)
    if (b[j] !== 58) return FAIL
    j = wsBack(b, j - 1, lo)
    if (b[j] !== 34) return FAIL
    const ks = stringStartBack(b, j, lo)
    if (ks < 0) return FAIL
    const key = keyOf(b, ks + 1, j)
    const read = key !== null && wanted(key, into, keep)
    const v = read ? (into[key.name] = scalar(b, vStart, vEnd, key)) : undefined
    if (inEnvelope) {
      inEnvelope = key !== null && key.envelope && b[ks - 1] === 44
      if (inEnvelope) {
        envelopeFrom = ks
        if (v !== undefined) envelopeRead.push(key!.name, v)
      }
    }
    j = wsBack(b, ks - 1, lo)
    if (b[j] !== 44) return FAIL // reached the object's '{': no nested value at all
    j--
  }
}

const CHAIN = new Set(['user', 'assistant', 'attachment', 'system', 'progress'])

function isToolResult(rec: Rec): boolean {
  const m = rec.message as Rec | undefined
  return Array.isArray(m?.content) && m.content.some((x: Rec) => x?.type === 'tool_result')
}

/** Whether the fields read so far are all a record of this type needs. */
function complete(rec: Rec): boolean {
  const t = rec.type
  if (typeof t !== 'string') return false
  if (!CHAIN.has(t)) return true
  if (rec.timestamp === undefined) return false
  if (t === 'user') return rec.uuid !== undefined && isToolResult(rec) // a prompt needs every flag
  if (t === 'assistant') return rec.uuid !== undefined && (rec.message as Rec)?.usage !== undefined
  return true
}

/** Reads the line's trailing scalars (once) and says whether the record is now complete. */
function finishFromTail(b: Buffer, rec: Rec): boolean {
  if (!tailDone) {
    tailDone = true
    const j = wsBack(b, lineEnd - 1, lineStart)
    tailStop = b[j] === 125 ? tail(b, j, rec) : FAIL
  }
  return complete(rec)
}

// The last envelope read (its pairs up to the line's closing brace, after a comma) and the
// values it held: a line that ends with the same bytes takes them without reading them again.
const ENVELOPE_MAX = 1024
const envelope = Buffer.alloc(ENVELOPE_MAX)
let envelopeLen = 0
let envelopeFields: unknown[] = [] // name, value, name, value...
let envelopeFrom = FAIL // set by a tracking scanBack: where the run of envelope pairs starts
let envelopeRead: unknown[] = []

/** The line's trailing pairs read backward from its closing brace b[j]: as scanBack does. */
function tail(b: Buffer, j: number, rec: Rec): number {
  const s = j + 1 - envelopeLen
  if (envelopeLen > 0 && s - 1 > lineStart && b[s - 1] === 44) {
    if (envelope.compare(b, s, j + 1, 0, envelopeLen) === 0) {
      for (let f = 0; f < envelopeFields.length; f += 2)
        rec[envelopeFields[f] as string] = envelopeFields[f + 1]
      return scanBack(b, s - 2, lineStart, rec, TOP)
    }
  }
  envelopeFrom = FAIL
  envelopeRead = []
  const stop = scanBack(b, j - 1, lineStart, rec, TOP, true)
  const len = j + 1 - envelopeFrom
  if (stop >= 0 && envelopeFrom > lineStart && len <= ENVELOPE_MAX) {
    b.copy(envelope, 0, envelopeFrom, j + 1)
    envelopeLen = len
    envelopeFields = envelopeRead
  }
  return stop
}

/** At an assistant's message.content: reads message.usage backward from the message's end. */
function assistantShortcut(b: Buffer, rec: Rec, msg: Rec): boolean {
  if (finishFromTail(b, rec)) return true
  if (tailStop < 0 || b[tailStop] !== 125) return false
  const j = scanBack(b, tailStop - 1, lineStart, msg, MESSAGE)
  if (j < 0) return false
  if (b[j] === 125 && msg.usage === undefined) {
    const open = containerStartBack(b, j, lineStart)
    const colon = wsBack(b, open - 1, lineStart)
    const kq = wsBack(b, colon - 1, lineStart)
    const ks = b[colon] === 58 && b[kq] === 34 ? stringStartBack(b, kq, lineStart) : FAIL
    if (ks < 0 || nameOf(b, ks + 1, kq) !== 'usage') return false
    const usage = new Usage() as unknown as Rec
    if (scanObject(b, open, j + 1, usage, USAGE, () => undefined) !== j + 1) return false
    msg.usage = usage
  }
  return complete(rec)
}

function scanContent(b: Buffer, i: number, e: number, msg: Rec): number {
  if (b[i] !== 91) return FAIL // an object as content: leave it to JSON.parse
  const blocks: Rec[] = []
  msg.content = blocks
  i = ws(b, i + 1, e)
  if (b[i] === 93) return i + 1
  for (;;) {
    if (b[i] === 123) {
      const block = new Block() as unknown as Rec
      blocks.push(block)
      i = scanObject(b, i, e, block, BLOCK, () => undefined)
    } else i = skipValue(b, i, e)
    if (i < 0) return FAIL
    i = ws(b, i, e)
    if (b[i] === 44) i = ws(b, i + 1, e)
    else return b[i] === 93 ? i + 1 : FAIL
  }
}

function scanMessage(b: Buffer, i: number, e: number, rec: Rec): number {
  const msg = new Message() as unknown as Rec
  rec.message = msg
  return scanObject(b, i, e, msg, MESSAGE, (name, j) => {
    if (name === 'usage' && b[j] === 123) {
      const usage = new Usage() as unknown as Rec
      msg.usage = usage
      return scanObject(b, j, e, usage, USAGE, () => undefined)
    }
    if (name !== 'content') return undefined
    const role = msg.role ?? rec.type
    if (role === 'user') return scanContent(b, j, e, msg)
    if (role === 'assistant' && assistantShortcut(b, rec, msg)) return DONE
    return undefined
  })
}

/** The record on line b[s, e) (b[s] === '{', no trailing blanks), or null when unsure. */
export function scanLine(b: Buffer, s: number, e: number): Rec | null {
  if (BY_HASH.length === 0) BY_HASH = keyTable()
  lineStart = s
  lineEnd = e
  tailDone = false
  const rec = new Line() as unknown as Rec
  try {
    const end = scanObject(b, s, e, rec, TOP, (name, i) => {
      const t = rec.type
      if (name === 'message' && b[i] === 123 && (t === undefined || t === 'user' || t === 'assistant'))
        return scanMessage(b, i, e, rec)
      return finishFromTail(b, rec) ? DONE : undefined
    })
    return end === DONE || end === e ? rec : null
  } catch {
    return null // a string JSON.parse refused: let the slow path decide
  }
}

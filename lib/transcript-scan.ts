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

export type Rec = Record<string, unknown>

const FAIL = -1
const DONE = -2 // the record is complete: stop reading the line

/** Keys whose scalar values are kept, per level: the line, its message, message.usage, a content block. */
const TOP = new Set([
  'type', 'subtype', 'uuid', 'timestamp', 'cwd', 'gitBranch', 'version', 'isSidechain', 'isMeta',
  'isCompactSummary', 'customTitle', 'aiTitle', 'agentName', 'tag', 'lastPrompt', 'summary',
  'leafUuid', 'relocatedCwd',
]) // prettier-ignore
const MESSAGE = new Set(['role', 'id', 'model', 'content'])
const USAGE = new Set(['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'])
const BLOCK = new Set(['type', 'text'])
const BY_HASH = new Map<number, string>()
for (const n of [...TOP, ...MESSAGE, ...USAGE, ...BLOCK, 'message', 'usage']) {
  let h = 0
  for (let k = 0; k < n.length; k++) h = (Math.imul(h, 31) + n.charCodeAt(k)) | 0
  if (BY_HASH.has(h) && BY_HASH.get(h) !== n) throw new Error(`transcript-scan: hash clash on ${n}`)
  BY_HASH.set(h, n)
}
/** Raw text of a string value kept whole beyond this is cut (prompt text: only its start shows). */
const PREFIX = 4096

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

/** b[i] is an opening quote: index past the closing one, or FAIL. */
function skipString(b: Buffer, i: number, e: number): number {
  // Most strings are short (keys, ids, times): a loop beats a native call for those.
  const near = Math.min(e, i + 40)
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

/** The kept name for the key spanning b[from, to) (quotes excluded), else null. */
function nameOf(b: Buffer, from: number, to: number): string | null {
  let h = 0
  for (let k = from; k < to; k++) h = (Math.imul(h, 31) + b[k]) | 0
  const n = BY_HASH.get(h)
  if (n === undefined || n.length !== to - from) return null
  for (let k = 0; k < n.length; k++) if (b[from + k] !== n.charCodeAt(k)) return null
  return n
}

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

/** The scalar spanning b[i, j). Strings longer than `cut` bytes are cut (at a whole escape). */
function scalar(b: Buffer, i: number, j: number, cut = Infinity): unknown {
  const c = b[i]
  if (c === 34) {
    let z = j - 1
    if (z - i - 1 > cut) {
      z = i + 1 + cut
      for (let k = z - 6; k < z; k++)
        if (b[k] === 92) {
          while (b[k - 1] === 92) k--
          z = k
          break
        }
    }
    const raw = (b as unknown as Slicer).utf8Slice(i + 1, z)
    return raw.includes('\\') ? JSON.parse(`"${raw}"`) : raw
  }
  if (c === 116) return true
  if (c === 102) return false
  if (c === 110) return null
  const n = Number(b.toString('latin1', i, j))
  if (Number.isNaN(n)) throw new SyntaxError('bad number')
  return n
}

/** Scans the object at b[i] === '{' into `into`; `onNested` handles nested values it cares about
 *  (returning the index past the value, FAIL or DONE) and returns undefined for the rest. */
function scanObject(
  b: Buffer,
  i: number,
  e: number,
  into: Rec,
  keep: Set<string>,
  onNested: (name: string | null, i: number) => number | undefined
): number {
  i = ws(b, i + 1, e)
  if (b[i] === 125) return i + 1
  for (;;) {
    if (b[i] !== 34) return FAIL
    const ke = skipString(b, i, e)
    if (ke < 0) return FAIL
    const name = nameOf(b, i + 1, ke - 1)
    i = ws(b, ke, e)
    if (b[i] !== 58) return FAIL
    i = ws(b, i + 1, e)
    const c = b[i]
    let next: number | undefined
    if (c === 123 || c === 91) next = onNested(name, i)
    if (next === undefined) {
      next = skipValue(b, i, e)
      if (name !== null && next > 0 && c !== 123 && c !== 91 && keep.has(name))
        into[name] = scalar(b, i, next, name === 'text' || name === 'content' ? PREFIX : Infinity)
    }
    if (next < 0) return next
    i = ws(b, next, e)
    if (b[i] === 44) i = ws(b, i + 1, e)
    else return b[i] === 125 ? i + 1 : FAIL
  }
}

/** Reads `"key":scalar` pairs backward from b[j], the last byte of the object's last value.
 *  Returns the index of the closer of the nested value it stopped at, or FAIL. */
function scanBack(b: Buffer, j: number, lo: number, into: Rec, keep: Set<string>): number {
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
    const name = nameOf(b, ks + 1, j)
    if (name !== null && keep.has(name)) into[name] = scalar(b, vStart, vEnd)
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
    tailStop = b[j] === 125 ? scanBack(b, j - 1, lineStart, rec, TOP) : FAIL
  }
  return complete(rec)
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
    const usage: Rec = {}
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
      const block: Rec = {}
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
  const msg: Rec = {}
  rec.message = msg
  return scanObject(b, i, e, msg, MESSAGE, (name, j) => {
    if (name === 'usage' && b[j] === 123) {
      const usage: Rec = {}
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
  lineStart = s
  lineEnd = e
  tailDone = false
  const rec: Rec = {}
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

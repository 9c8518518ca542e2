// Checks for values cs did not make: what another machine wrote (the shared store, a remote
// `cs ls --json`), Claude's own files and the config file. A value passes one of these before it
// reaches tmux, ssh, a shell, a path or the terminal; one that fails is skipped and counted.
import { isAbsolute } from 'node:path'
import { shellWord } from './quote.ts'
import { isState, type HostRow } from './session.ts'

const HOST = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$/
// an ssh destination: a host, or user@host
const DESTINATION = new RegExp(`^(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,63}@)?${HOST.source.slice(1)}`)
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
// tmux reads `.` and `:` in a target as window and pane separators, a leading `$` as an id;
// it prints control characters as octal escapes, and stores a backslash doubled (3.3), so that
// the name given is not the name made
export const UNTARGETABLE = /[.:\\]|^\$/

/** A JSON object: not an array, null or a scalar. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A line or file of JSON that must be an object: it, or null (malformed, cut short, another shape). */
export function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text)
    return isObject(v) ? v : null
  } catch {
    return null
  }
}

/** A plain host name: letters, digits, `.`, `-`, `_`, never a leading `-` (ssh would read an option). */
export const isHostName = (s: unknown): s is string => typeof s === 'string' && HOST.test(s)

/** An ssh destination, from the config or another machine: `host` or `user@host` (a host name or
 *  an alias of the ssh config), plain words only: never a leading `-` (an option), no whitespace,
 *  control or shell characters (a second word). */
export const isSshDestination = (s: unknown): s is string => typeof s === 'string' && DESTINATION.test(s)

/** A Claude session id: a UUID, so never a path or an option. */
export const isSessionId = (s: unknown): s is string => typeof s === 'string' && UUID.test(s)

/** The longest tmux session name cs makes or takes from another machine: tmux takes a command of
 *  at most 16 KB, and a launch names its session in some 16 targets. */
export const TMUX_NAME_MAX = 200

/** A tmux session name cs could have made: targetable exactly, no control characters or
 *  bidirectional overrides, no leading `-`. */
export const isTmuxName = (s: unknown): s is string =>
  typeof s === 'string' &&
  s.trim() === s &&
  s.length > 0 &&
  s.length <= TMUX_NAME_MAX &&
  !s.startsWith('-') &&
  !CONTROL.test(s) &&
  !BIDI.test(s) &&
  !UNTARGETABLE.test(s)

/** A working folder: absolute, no control characters, no bidirectional override (which would
 *  reorder what a terminal shows of it, `cs ls --json` included). */
export const isCwd = (s: unknown): s is string =>
  typeof s === 'string' && isAbsolute(s) && s.length <= 4096 && !CONTROL.test(s) && !BIDI.test(s)

// ANSI escape sequences (CSI, OSC ending in BEL or ST, and two-byte escapes), then any control
// character left, then runs of whitespace.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]|\u009b[0-?]*[ -/]*[@-~]/g
// The bidirectional overrides and isolates, which reorder what a terminal shows after them (in a
// title, the columns that follow it): dropped from all text shown, refused in a tmux name.
const BIDI_CLASS = '[\u202a-\u202e\u2066-\u2069]'
export const BIDI = new RegExp(BIDI_CLASS)
const EVERY_BIDI = new RegExp(BIDI_CLASS, 'g')
export const withoutBidi = (text: string) => text.replace(EVERY_BIDI, '')
// Control characters, bidirectional overrides and any whitespace but a lone inner space: what
// cleanText() rewrites.
const UNCLEAN = new RegExp(
  `[\\u0000-\\u001f\\u007f-\\u009f\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]|${BIDI_CLASS}| {2}|^ | $`
)
const MESSY = /[\u0000-\u001f\u007f-\u009f\s]+/g

/** The longest name, tag, title, project, branch or model a session row carries to another
 *  host: cleanText cuts longer text, and checkHostRow skips a row that holds any. */
export const TEXT_MAX = 2000

/**
 * Text made safe for one line of a terminal: escape sequences removed, control characters and
 * whitespace runs turned into one space, cut to TEXT_MAX characters (a pair of surrogates kept
 * whole). Null when nothing is left. Most text is clean already: testing costs far less than
 * rewriting every space.
 */
export function cleanText(text: string | null | undefined): string | null {
  if (!text) return null
  if (text.length <= TEXT_MAX && !UNCLEAN.test(text)) return text
  const clean = withoutBidi(text.replace(ESCAPES, '')).replace(MESSY, ' ').trim()
  if (clean.length <= TEXT_MAX) return clean || null
  const last = clean.charCodeAt(TEXT_MAX - 2)
  return `${clean.slice(0, last >= 0xd800 && last <= 0xdbff ? TEXT_MAX - 2 : TEXT_MAX - 1)}\u2026`
}

/** Text for the terminal: a control character (an escape sequence in an argument or a file
 *  name, say) written as `\xNN`, a bidirectional override as `\uNNNN`, not acted on; tabs and
 *  newlines kept. */
export const visible = (text: string) =>
  text.replace(UNSHOWN, (c) => {
    const code = c.charCodeAt(0)
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`
  })
// Control characters but tab and newline, and the bidirectional overrides: what visible() writes
// escaped and cleanLines() drops.
const UNSHOWN = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]|${BIDI_CLASS}`, 'g')

// what jsonText writes escaped beyond JSON.stringify
const JSON_UNSHOWN = new RegExp(`[\\u007f-\\u009f]|${BIDI_CLASS}`, 'g')

/** A value from outside printed as JSON (`cs ls --json` of another host, printed again):
 *  JSON.stringify escapes only the controls below U+0020; the others and the bidirectional
 *  overrides are written as \u escapes too, so that the JSON means the same and shows no effect. */
export const jsonText = (v: unknown) =>
  JSON.stringify(v, null, 2).replace(JSON_UNSHOWN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/** A value from outside named in a message: escapes and control characters removed, cut short,
 *  then made a shell word (lib/quote.ts), so that it reads as one word and pastes as what cs saw. */
export const quoted = (v: unknown) => shellWord(cleanText(String(v).slice(0, 80)) ?? '')

const KINDS = ['tmux', 'background', 'plain']
const ISO = /^\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})$/
/** The form cs writes times in (toISOString): compared as text, they sort as times. */
const UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/

/** How far past this host's clock another host's time may run before it is taken for a clock
 *  that runs ahead, or made up: it stands at now then, instead of showing `0s` and sorting above
 *  every session for as long as it runs ahead (for good, for 9999-12-31). */
const AHEAD_MS = 10 * 60_000

/** A time of another host's row as cs writes it: one of another ISO 8601 form (an offset) written
 *  so, now for one far ahead, null when absent; undefined for anything else, a shape of no real
 *  time among them (`9999-13-45T25:61Z`, which showed no age and sorted first). */
export function timeOf(v: unknown): string | null | undefined {
  if (v == null) return null
  if (typeof v !== 'string' || !ISO.test(v)) return undefined
  const ms = Date.parse(v)
  if (!Number.isFinite(ms)) return undefined
  if (ms > Date.now() + AHEAD_MS) return new Date().toISOString()
  const iso = new Date(ms).toISOString()
  // Date.parse takes February 30 for March 2: a time of cs's form must read back as itself
  if (UTC.test(v)) return iso.slice(0, 19) === v.slice(0, 19) ? v : undefined
  return iso
}
const VERSION = /^[0-9A-Za-z.+_-]{1,40}$/
/** A cs version as another host states it (`0.1.0`, `unknown`). */
export const isVersion = (s: unknown): s is string => typeof s === 'string' && VERSION.test(s)

/** One row from another machine, checked field by field: the row, or why it is skipped. */
export function checkHostRow(doc: unknown): HostRow | { skipped: string } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { skipped: 'not an object' }
  const d = doc as Record<string, unknown>
  // named only when skipped: quoting both for every row cost more than the checks
  const bad = (field: string) => ({ skipped: `${quoted(d.host)}:${quoted(d.id)}: bad ${field}` })
  if (!isHostName(d.host)) return bad('host')
  if (!isSessionId(d.id)) return bad('id')
  if (d.tmuxSession != null && !isTmuxName(d.tmuxSession)) return bad('tmuxSession')
  if (d.cwd != null && !isCwd(d.cwd)) return bad('cwd')
  if (!KINDS.includes(d.kind as string)) return bad('kind')
  if (!isState(d.state)) return bad('state')
  const [stateSince, createdAt, updatedAt] = [d.stateSince, d.createdAt, d.updatedAt].map(timeOf)
  if (stateSince === undefined) return bad('stateSince')
  if (createdAt === undefined) return bad('createdAt')
  if (updatedAt === undefined) return bad('updatedAt')
  for (const k of ['userMessages', 'assistantMessages'])
    if (!Number.isSafeInteger(d[k]) || (d[k] as number) < 0) return bad(k)
  const t = d.tokens as Record<string, unknown> | null
  const counts = ['input', 'output', 'cacheRead', 'cacheWrite']
  if (typeof t !== 'object' || t === null || !counts.every((k) => Number.isSafeInteger(t[k]) && (t[k] as number) >= 0))
    return bad('tokens')
  for (const k of ['name', 'tag', 'title', 'project', 'branch', 'model'])
    if (d[k] != null && (typeof d[k] !== 'string' || (d[k] as string).length > TEXT_MAX)) return bad(k)
  if (typeof d.deleted !== 'boolean') return bad('deleted')
  if (!isVersion(d.csVersion)) return bad('csVersion')
  const text = (k: string) => cleanText(d[k] as string | null)
  return {
    id: d.id.toLowerCase(),
    host: d.host,
    tmuxSession: (d.tmuxSession as string | null) ?? null,
    kind: d.kind as HostRow['kind'],
    name: text('name'),
    tag: text('tag'),
    title: text('title'),
    cwd: (d.cwd as string | null) ?? null,
    project: text('project'),
    branch: text('branch'),
    state: d.state as HostRow['state'],
    stateSince,
    createdAt,
    updatedAt,
    userMessages: d.userMessages as number,
    assistantMessages: d.assistantMessages as number,
    model: text('model'),
    tokens: { input: t.input as number, output: t.output as number, cacheRead: t.cacheRead as number, cacheWrite: t.cacheWrite as number },
    deleted: d.deleted,
    csVersion: d.csVersion,
  }
}

/**
 * Text made safe for several lines of a terminal (a preview, a prompt shown whole): escape
 * sequences removed, tabs as spaces, other control characters and bidirectional overrides
 * dropped; newlines and indentation kept.
 */
export function cleanLines(text: string): string {
  return text.replace(ESCAPES, '').replace(/\t/g, '  ').replace(UNSHOWN, '')
}

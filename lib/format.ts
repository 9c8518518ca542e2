// Rendering of sessions for the terminal: the dashboard table, plain lists, `cs info` and the
// --json rows. Pure apart from useColor(), which asks whether stdout is a terminal, and the
// print helpers at the end, which write what was rendered.
import type { Config } from './config.ts'
import type { SessionView, State, TranscriptInfo } from './session.ts'
import { cleanText, jsonText } from './untrusted.ts'
import { layoutColumns, out, stdoutIsTTY } from './stdout.ts'

// The few SGR styles cs paints with, open and close codes. Written here rather than taken from
// a colour library: those ask at load whether stdout is a terminal, which creates process.stdout
// (lib/stdout.ts).
const STYLES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39] } as const
export type Colors = Record<keyof typeof STYLES, (text: string) => string>

/** Colour only for a terminal, and never under NO_COLOR. */
export const useColor = (config: Config) => config.color && stdoutIsTTY()

/** The styles, each leaving the text as it is when not enabled. A close code inside the text
 *  (a style nested in this one) opens this one again. */
export function colors(enabled: boolean): Colors {
  const style = ([open, close]: readonly [number, number]) => (text: string) =>
    enabled ? `\x1b[${open}m${text.replaceAll(`\x1b[${close}m`, `\x1b[${close}m\x1b[${open}m`)}\x1b[${close}m` : text
  return Object.fromEntries(Object.entries(STYLES).map(([name, codes]) => [name, style(codes)])) as Colors
}

/** `1 session`, `2 sessions`. */
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

/** `42s`, `3m`, `2h`, `5d`, `1y`: how long ago `iso` was. */
export function age(iso: string | null, now: Date): string {
  if (!iso) return '-'
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1000))
  if (Number.isNaN(s)) return '-'
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86400) return `${Math.floor(s / 3600)}h`
  if (s < 365 * 86400) return `${Math.floor(s / 86400)}d`
  return `${Math.floor(s / (365 * 86400))}y`
}

// East Asian wide code points and emoji shown as emoji (✅ ⭐ 🎉, not ☺) take two terminal
// cells, as wcwidth(3) has them; combining marks of any script, zero-width and format characters
// and variation selectors none.
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}\p{Emoji_Presentation}]/u
const ZERO = /[\p{Mn}\p{Me}\u200b-\u200f\u2060\ufeff\ufe00-\ufe0f]/u
// a flag's two regional indicators: one cell each to wcwidth(3), though emoji
const REGIONAL = /[\u{1f1e6}-\u{1f1ff}]/u
export const cells = (ch: string) => (ZERO.test(ch) ? 0 : WIDE.test(ch) && !REGIONAL.test(ch) ? 2 : 1)

// printable ASCII is one cell a character: most titles, and 10,000 of them per picker cache
export const ASCII = /^[\x20-\x7e]*$/
export const displayWidth = (text: string) =>
  ASCII.test(text) ? text.length : [...text].reduce((n, ch) => n + cells(ch), 0)

/** Cuts `text` to `width` terminal cells, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text
  if (ASCII.test(text)) return `${text.slice(0, Math.max(0, width - 1))}…` // a cell a character
  let out = ''
  let used = 0
  for (const ch of text) {
    if (used + cells(ch) > width - 1) break
    out += ch
    used += cells(ch)
  }
  return out + '…'
}

const pad = (text: string, width: number) =>
  text + ' '.repeat(Math.max(0, width - displayWidth(text)))

/** Rows of cells as lines, each column as wide as its widest cell (in terminal cells), two
 *  spaces apart; the last column is not padded. */
export function alignColumns(rows: string[][]): string {
  const widths: number[] = []
  for (const row of rows) row.forEach((text, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(text))))
  return rows
    .map((row) => row.map((text, i) => (i === row.length - 1 ? text : pad(text, widths[i]))).join('  '))
    .join('\n')
}

const STATE_PAINT: Record<State, 'green' | 'yellow' | 'dim' | 'red'> = {
  working: 'green',
  waiting: 'yellow',
  idle: 'dim',
  dead: 'red',
  stopped: 'dim',
}

/** Live rows: the state and how long in it; history: `-`, or why it is hidden by default. */
function stateCell(s: SessionView, now: Date): string {
  if (s.state !== 'stopped')
    return s.state.toUpperCase() + (s.stateSince ? ` ${age(s.stateSince, now)}` : '')
  return s.deleted ? 'deleted' : s.orphan ? 'orphan' : '-'
}

/** Another host's row older than a minute (the host did not answer): its host and how old it is. */
const STALE_AFTER_MS = 60_000
const hostCell = (s: SessionView, now: Date, fetchedAt: Map<string, string> | undefined) => {
  const at = fetchedAt?.get(s.host)
  return at && now.getTime() - Date.parse(at) > STALE_AFTER_MS ? `${s.host} (${age(at, now)} ago)` : s.host
}

interface Column {
  head: string
  cell: (s: SessionView) => string
  paint?: (s: SessionView, text: string, c: Colors) => string
  /** Cut (with …) down to this many cells when the row is wider than the terminal: the title
   *  first, then the others in order. Columns without one are never cut. */
  least?: number
  /** Left out, lowest first, when the row is still wider than the terminal once cut (a phone's
   *  ssh client): ID, TITLE and STATE stay. */
  drop?: number
}

export interface TableOptions {
  now: Date
  color: boolean
  width: number // terminal columns
  header?: boolean
  state?: boolean // the dashboard shows state; `cs list` does not
  counts?: Map<string, TranscriptInfo> // --verbose: lines the parser did not understand
  fetchedAt?: Map<string, string> // other hosts: when their rows were copied here (HostFacts)
}

export function renderTable(views: SessionView[], o: TableOptions): string {
  const c = colors(o.color)
  const state: Column = {
    head: 'STATE',
    cell: (s) => stateCell(s, o.now),
    paint: (s, text, c) => c[STATE_PAINT[s.state]](text),
  }
  const counts = o.counts
  const unknown: Column = {
    head: 'UNKNOWN/BAD',
    cell: (s) => {
      const t = counts?.get(s.id)
      return t ? `${t.unknownRecords}/${t.badLines}` : '-'
    },
  }
  const columns: Column[] = [
    { head: 'ID', cell: (s) => s.short || '-', paint: (_, text, c) => c.bold(text) },
    { head: 'TITLE', cell: (s) => s.title, least: 10 },
    { head: 'HOST', cell: (s) => hostCell(s, o.now, o.fetchedAt), least: 8, drop: 1 },
    ...(o.state === false ? [] : [state]),
    { head: 'PROJECT', cell: (s) => s.project ?? '-', least: 8, drop: 0 },
    { head: 'AGE', cell: (s) => age(s.updatedAt, o.now), paint: (_, text, c) => c.dim(text), drop: 2 },
    ...(counts ? [{ ...unknown, drop: 3 }] : []),
  ]
  const all = views.map((s) => columns.map((col) => col.cell(s)))
  const fullWidths = columns.map((col, i) =>
    Math.max(o.header ? col.head.length : 0, ...all.map((row) => displayWidth(row[i])))
  )
  const cut = (kept: number[]) => {
    // a long project or host name must not wrap every row: each gives way, the title first
    const widths = kept.map((i) => fullWidths[i])
    let over = widths.reduce((n, w) => n + w, 0) + 2 * (kept.length - 1) - o.width
    for (const [k, i] of kept.entries()) {
      const give = Math.min(over, widths[k] - (columns[i].least ?? widths[k]))
      if (give > 0) (widths[k] -= give), (over -= give)
    }
    return { widths, over }
  }
  // still too wide once cut (a phone's ssh client): columns left out, the least needed first
  const droppable = columns.flatMap((col, i) => (col.drop === undefined ? [] : [i]))
  droppable.sort((a, b) => columns[a].drop! - columns[b].drop!)
  let kept = columns.map((_, i) => i)
  let fit = cut(kept)
  for (const i of droppable) {
    if (fit.over <= 0) break
    kept = kept.filter((k) => k !== i)
    fit = cut(kept)
  }
  // one left out before another went may fit again (AGE, once --verbose's column is gone)
  for (const i of [...droppable].reverse()) {
    if (kept.includes(i)) continue
    const more = [...kept, i].sort((a, b) => a - b)
    const wider = cut(more)
    if (wider.over <= 0) (kept = more), (fit = wider)
  }
  const widths = fit.widths
  const texts = all.map((row) => kept.map((i) => row[i]))
  const shown = kept.map((i) => columns[i])
  const line = (cellsOf: string[], paint: (i: number, text: string) => string) =>
    cellsOf
      .map((text, i) => {
        const cut = shown[i].least === undefined ? text : truncate(text, widths[i])
        return paint(i, i === cellsOf.length - 1 ? cut : pad(cut, widths[i]))
      })
      .join('  ')
  const lines = texts.map((row, r) =>
    line(row, (i, text) => shown[i].paint?.(views[r], text, c) ?? text)
  )
  if (o.header)
    lines.unshift(
      line(
        shown.map((col) => col.head),
        (_, text) => c.dim(text)
      )
    )
  return lines.join('\n')
}

/**
 * --json rows: SessionView as is (state lower case, times ISO 8601), plus parser counts. One
 * compact object a line: thousands of rows stay readable and cost a third less than indented.
 */
export function jsonRows(views: SessionView[], counts?: Map<string, TranscriptInfo>): string {
  return jsonArray(
    views.map((s) => {
      const t = counts?.get(s.id)
      return JSON.stringify(counts ? { ...s, unknownRecords: t?.unknownRecords ?? 0, badLines: t?.badLines ?? 0 } : s)
    })
  )
}

/** Rows already in JSON as one array, one a line. */
export const jsonArray = (rows: string[]) => (rows.length ? `[\n${rows.join(',\n')}\n]` : '[]')

/** 12,345: Number#toLocaleString would start ICU, tens of ms on the dashboard's path. */
export const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ',')

/** Code-unit order, as for ISO times and tmux names: localeCompare would start ICU's collator. */
export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** `cs info`: everything known about one session, one `label  value` line each. */
export function renderInfo(
  s: SessionView,
  t: TranscriptInfo | null,
  now: Date,
  color: boolean
): string {
  const c = colors(color)
  const when = (iso: string | null) => (iso ? `${iso} (${age(iso, now)} ago)` : '-')
  const inline = t?.sidechainMessages ?? 0 // subagent turns written into the conversation's file
  const rows: [string, string | null | undefined][] = [
    ['id', s.id || null],
    ['short', s.short || null],
    ['name', s.name],
    ['title', s.title],
    ['tag', s.tag],
    ['host', s.host],
    [
      'state',
      s.state === 'stopped' ? 'stopped' : `${s.state} (${s.kind}) since ${when(s.stateSince)}`,
    ],
    ['tmux', s.tmuxSession],
    ['project', s.project],
    ['cwd', s.cwd],
    ['branch', s.branch],
    ['transcript', s.path],
    ['created', when(s.createdAt)],
    ['updated', when(s.updatedAt)],
    [
      'messages',
      t
        ? `${thousands(s.messages)} (${thousands(t.userMessages)} user, ${thousands(t.assistantMessages)} assistant): ` +
          (t.sidechain
            ? "all of them a subagent's (the file holds no conversation of its own)"
            : inline > 0
              ? 'the conversation, subagent turns written inline left out'
              : 'no subagent turns written inline')
        : thousands(s.messages),
    ],
    [
      'with subagents',
      inline > 0
        ? `${thousands(s.messages + inline)}: the ${thousands(inline)} subagent (sidechain) turns written inline counted too`
        : null,
    ],
    ['model', s.model],
    [
      'tokens',
      `${thousands(s.tokens.input)} in, ${thousands(s.tokens.output)} out, ${thousands(s.tokens.cacheRead)} cache read, ${thousands(s.tokens.cacheWrite)} cache write`,
    ],
    ['version', t?.version],
    ['first prompt', t?.firstPrompt],
    ['last prompt', t?.lastPrompt],
    [
      'orphan',
      !s.orphan ? null
      : t?.sidechain ? "yes: a subagent's records only (sidechain), no conversation of its own"
      : 'yes: left by /clear or /compact, no conversation of its own',
    ], // prettier-ignore
    ['deleted', s.deleted ? 'yes (`cs rm --undo` brings it back)' : null],
    [
      'not understood',
      t && (t.unknownRecords || t.badLines)
        ? `${t.unknownRecords} unknown records, ${t.badLines} bad lines`
        : null,
    ],
  ]
  // every value may come from a transcript or another machine: one line each, no escapes
  const shown = rows
    .map(([label, value]): [string, string | null] => [label, cleanText(value)])
    .filter((r): r is [string, string] => r[1] !== null)
  const width = Math.max(...shown.map(([label]) => label.length))
  return shown.map(([label, value]) => `${c.dim(label.padEnd(width))}  ${value}`).join('\n')
}

export const print = (text: string): void => void out(text + '\n')

export interface PrintOptions extends Omit<TableOptions, 'now' | 'color' | 'width'> {
  json?: boolean
  empty: string // said instead of an empty table
}

/** A table for a terminal (or pipe), the rows as JSON under --json. */
export function printViews(config: Config, views: SessionView[], o: PrintOptions): void {
  if (o.json) return void print(jsonRows(views, o.counts))
  if (views.length === 0) return void print(o.empty)
  const width = layoutColumns()
  print(renderTable(views, { ...o, now: new Date(), color: useColor(config), width }))
}

/** The result of a change: a sentence, or the given data under --json. */
export const report = (json: boolean, sentence: string, data: unknown) =>
  print(json ? jsonText(data) : sentence)

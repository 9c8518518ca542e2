// picker.tsv: the history rows of the tmux picker, written by the commands that already hold
// every session's view, read by tmux/list.awk so the picker shows them without starting Node.
// The same rows are what `cs resume` lists (lib/picker.ts), through the same list.awk.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.ts'
import { ASCII, cells } from './format.ts'
import { readRegularBytes, replaceFile } from './regular-file.ts'
import type { SessionView } from './session.ts'
import { dashboardOrder } from './views.ts'

export const pickerCachePath = (config: Config) => join(config.stateDir, 'picker.tsv')
/** Far more than the rows of 10,000 sessions (about 1 MB). */
const MAX_BYTES = 256 * 1024 * 1024

// a tab or newline inside a field would shift list.awk's columns
const field = (text: string | null) => (text ?? '').replace(/[\t\n\r]+/g, ' ')

const letter = (ch: string) => String.fromCharCode(97 + Buffer.byteLength(ch) * 3 + cells(ch))
const PLAIN = letter('a') // one byte, one cell

/** One letter a character, its UTF-8 bytes and terminal cells, for tmux/list.awk (which counts
 *  bytes) to cut and pad the text as a terminal shows it; '' for printable ASCII. */
export function cellMap(text: string): string {
  if (ASCII.test(text)) return ''
  // a run of printable ASCII at once: most of a title whose only other character is shorten's '…'
  return text.replace(/[\x20-\x7e]+|[^]/gu, (run) => (ASCII.test(run) ? PLAIN.repeat(run.length) : letter(run)))
}

const epoch = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) || 0 : 0)

/**
 * picker.tsv's text for these sessions in this order: a header naming this host, then one row a
 * session: id, state, flags (o orphan, d deleted), updated (epoch s), host, tmux session, title
 * and its cell map, project and its cell map.
 */
export function pickerRows(views: SessionView[], host: string): string {
  return [header(host), ...views.map(pickerRow), ''].join('\n')
}

const header = (host: string) => `#cs-picker\t${field(host)}`

function pickerRow(v: SessionView): string {
  const title = field(v.title)
  const project = field(v.project ?? '-')
  return [
    v.id,
    v.state,
    (v.orphan ? 'o' : '') + (v.deleted ? 'd' : ''),
    epoch(v.updatedAt),
    field(v.host),
    field(v.tmuxSession),
    title,
    cellMap(title),
    project,
    cellMap(project),
  ].join('\t')
}

/** The picker's history: every session with an id, in the dashboard's order. */
export const pickerCacheText = (views: SessionView[], host: string) =>
  pickerRows(views.filter((v) => v.id).sort(dashboardOrder), host)

/** Replaces picker.tsv in one rename: the picker never reads half a file. */
export function writePickerCache(config: Config, views: SessionView[]): void {
  replace(config, pickerCacheText(views, config.host))
}

function replace(config: Config, text: string | Buffer): void {
  const path = pickerCachePath(config)
  mkdirSync(config.stateDir, { recursive: true })
  replaceFile(path, text)
}

/**
 * Writes these sessions' rows again where picker.tsv holds them, the others as they are: after a
 * change to cs's metadata (a name, a tag, a deletion), which moves no row (lib/views.ts
 * dashboardOrder). False, writing nothing, when the file does not hold every one of them for this
 * host: it is then written whole.
 */
export function patchPickerCache(config: Config, views: SessionView[]): boolean {
  const file = readRegularBytes(pickerCachePath(config), MAX_BYTES)
  const head = Buffer.from(`${header(config.host)}\n`)
  if (file === null || !file.subarray(0, head.length).equals(head)) return false
  // each row found by its id at a line's start, the bytes around it kept as they are
  const byId = new Map(views.filter((v) => v.id).map((v) => [v.id, v]))
  const rows = [...byId.values()].map((v) => {
    const at = file.indexOf(`\n${v.id}\t`)
    return { at: at + 1, end: file.indexOf('\n', at + 1), text: pickerRow(v) }
  })
  if (rows.some((r) => r.at === 0 || r.end < 0)) return false
  rows.sort((a, b) => a.at - b.at)
  const parts: Buffer[] = []
  let from = 0
  for (const r of rows) {
    parts.push(file.subarray(from, r.at), Buffer.from(r.text))
    from = r.end
  }
  parts.push(file.subarray(from))
  replace(config, Buffer.concat(parts))
  return true
}

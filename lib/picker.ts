// Picker rows: what fzf shows of a session, alike in the tmux picker (whose history rows come
// padded from picker.tsv) and in `cs resume`. Pure.
import { age, colors, displayWidth, truncate } from './format.ts'
import type { SessionView, State } from './session.ts'
import { newestFirst } from './views.ts'

// Cells of each column; tmux/variables.sh holds the same widths for the rows tmux formats.
export const TITLE_WIDTH = 40
export const PROJECT_WIDTH = 16
export const HOST_WIDTH = 12

/** Cut to width - 1 cells (tmux's `#{=/N/…:}` does the same), then padded to width. */
function padTo(text: string, width: number): string {
  const cut = truncate(text, width - 1)
  return cut + ' '.repeat(Math.max(0, width - displayWidth(cut)))
}

/** Title and project, padded: the middle of every picker row. */
export const columns = (v: SessionView) =>
  `${padTo(v.title, TITLE_WIDTH)}  ${padTo(v.project ?? '-', PROJECT_WIDTH)}`

const PAINT: Record<State, 'yellow' | 'green' | 'dim' | 'red'> = {
  waiting: 'yellow',
  working: 'green',
  idle: 'dim',
  dead: 'red',
  stopped: 'dim',
}

/** `● WAITING` for a live session; `○ -`, `○ orphan` or `○ deleted` for history. */
export function stateCell(v: SessionView, color: boolean): string {
  const text =
    v.state === 'stopped'
      ? `○ ${v.deleted ? 'deleted' : v.orphan ? 'orphan' : '-'}`
      : `● ${v.state.toUpperCase()}`
  return colors(color)[PAINT[v.state]](text.padEnd(11))
}

/** `cs resume`'s fzf line: the id (hidden), then what list.awk shows for a session. */
export function pickerLine(v: SessionView, now: Date, color: boolean): string {
  const host = v.host.slice(0, HOST_WIDTH).padEnd(HOST_WIDTH)
  return `${v.id}\t${stateCell(v, color)}${columns(v)}  ${host}  ${age(v.updatedAt, now)}`
}

/** The list shown without fzf: one numbered line a session. */
export function numberedList(views: SessionView[], now: Date): string {
  const width = String(views.length).length
  return views
    .map((v, i) => `${String(i + 1).padStart(width)}  ${columns(v)}  ${age(v.updatedAt, now)}`)
    .join('\n')
}

/** The session a typed number picks, or null (empty, not a number, out of range). */
export function chosen(answer: string, views: SessionView[]): SessionView | null {
  const n = Number(answer.trim())
  return Number.isInteger(n) && n >= 1 && n <= views.length ? views[n - 1] : null
}

/** Sessions `cs resume` offers: this host's transcripts, QUERY matched in title, project or id. */
export function resumable(views: SessionView[], host: string, query = ''): SessionView[] {
  const q = query.toLowerCase()
  return views
    .filter((v) => v.id && v.path && v.host === host && !v.orphan && !v.deleted)
    .filter(
      (v) =>
        !q || [v.title, v.project ?? '', v.id, v.cwd ?? ''].some((f) => f.toLowerCase().includes(q))
    )
    .sort(newestFirst)
}

// `cs resume`'s list: its sessions in picker.tsv's format, formatted by tmux/list.sh as the tmux
// picker formats its history, so that both look alike and their column widths are set in one
// place (tmux/variables.sh; the title takes what fzf has left). Choosing from them is pure.
import { execFileSync } from 'node:child_process'
import { CsError } from './errors.ts'
import { pluginScript } from './paths.ts'
import { pickerRows } from './picker-cache.ts'
import type { SessionView } from './session.ts'
import { dashboardOrder } from './views.ts'

/** What fzf gets, one line a session in their order: id, id, what it shows (`--with-nth=3`).
 *  `columns`: the terminal cells fzf has. */
export function pickerLines(views: SessionView[], host: string, o: { columns: number; color: boolean }): string[] {
  if (views.length === 0) return []
  let out: string
  try {
    out = execFileSync('sh', [pluginScript('list.sh'), '--rows', '-'], {
      input: pickerRows(views, host),
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, CS_PICKER_COLUMNS: String(o.columns), NO_COLOR: o.color ? '' : '1' },
      maxBuffer: Infinity, // a line a session: 10,000 are some 1.5 MB, beyond the default 1 MB
    })
  } catch (e) {
    const err = e as { stderr?: string; message: string }
    throw new CsError(`cannot list the sessions: ${(err.stderr || err.message).trim()}`, undefined, 'cs doctor checks sh and awk')
  }
  return out.split('\n').filter(Boolean)
}

/** The list shown without fzf: pickerLines' text, numbered. */
export function numberedList(lines: string[]): string {
  const width = String(lines.length).length
  return lines.map((l, i) => `${String(i + 1).padStart(width)}  ${l.split('\t')[2]}`).join('\n')
}

/** The session a typed number picks, or null (empty, not a number, out of range). */
export function chosen(answer: string, views: SessionView[]): SessionView | null {
  const n = Number(answer.trim())
  return Number.isInteger(n) && n >= 1 && n <= views.length ? views[n - 1] : null
}

/** A session `claude --resume` can take up on `host`: its own, with a transcript, neither an
 *  orphan nor soft-deleted. */
export const canResume = (v: SessionView, host: string) => Boolean(v.id && v.path) && v.host === host && !v.orphan && !v.deleted

/** Running now (not DEAD): attached, not resumed. */
export const running = (v: SessionView) => v.live && v.state !== 'dead'

/** Sessions `cs resume` offers, in the picker's (and the dashboard's) order: this host's running
 *  sessions first (it attaches them, as the picker does), then its transcripts, QUERY matched in
 *  title, project or id. */
export function resumable(views: SessionView[], host: string, query = ''): SessionView[] {
  const q = query.toLowerCase()
  return views
    .filter((v) => (running(v) && v.host === host) || canResume(v, host))
    .filter(
      (v) =>
        !q || [v.title, v.project ?? '', v.id, v.cwd ?? ''].some((f) => f.toLowerCase().includes(q))
    )
    .sort(dashboardOrder)
}

// Sessions of other hosts in the dashboard: this host's views turned into the metadata-only rows
// other hosts copy (rowOf), those rows turned back into views (viewOf), and both merged with short
// ids unique over every host shown (withHosts). Pure.
import { isDeleted, type HostRow, type SessionView } from './session.ts'
import { shortIds } from './shortid.ts'
import { checkHostRow } from './untrusted.ts'

/** The fields of a session that leave this machine, in the shared store's documents. */
export const HOST_ROW_FIELDS = [
  'id', 'host', 'tmuxSession', 'kind', 'name', 'tag', 'title', 'cwd', 'project', 'branch', 'state',
  'stateSince', 'createdAt', 'updatedAt', 'userMessages', 'assistantMessages', 'model', 'tokens',
  'deleted', 'csVersion',
] as const satisfies readonly (keyof HostRow)[]

/**
 * This host's view as a row for other hosts. `counts`: user and assistant messages, when the
 * transcript is indexed. With `titles` false the title stays here (a name still travels).
 */
export function rowOf(
  v: SessionView,
  counts: { user: number; assistant: number } | null,
  csVersion: string,
  titles: boolean
): HostRow {
  return {
    id: v.id,
    host: v.host,
    tmuxSession: v.tmuxSession,
    kind: v.kind === 'tmux' || v.kind === 'background' ? v.kind : 'plain',
    name: v.name,
    tag: v.tag,
    title: titles ? v.title : null,
    cwd: v.cwd,
    project: v.project,
    branch: v.branch,
    state: v.state,
    stateSince: v.stateSince,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    userMessages: counts?.user ?? v.messages,
    assistantMessages: counts?.assistant ?? 0,
    model: v.model,
    tokens: v.tokens,
    deleted: v.deleted,
    csVersion,
  }
}

/** A row from another host's `cs ls --json --local` (its SessionView objects), checked like a
 *  shared-store document: the row, or why it is skipped. For the ssh source of the local copy. */
export function rowFromRemoteView(v: unknown, csVersion: string): HostRow | { skipped: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { skipped: 'not an object' }
  // counts and flags another cs version may leave out mean nothing unsafe: they default; the
  // fields that reach tmux, ssh, a path or the terminal are checked as they came
  const o = v as Partial<SessionView>
  const n = (x: unknown) => (Number.isSafeInteger(x) && (x as number) >= 0 ? (x as number) : 0)
  const t: Partial<Record<keyof SessionView['tokens'], unknown>> = typeof o.tokens === 'object' && o.tokens ? o.tokens : {}
  const tokens = { input: n(t.input), output: n(t.output), cacheRead: n(t.cacheRead), cacheWrite: n(t.cacheWrite) }
  const view = { ...o, messages: n(o.messages), tokens, deleted: o.deleted === true } as SessionView
  return checkHostRow(rowOf(view, null, csVersion, true))
}

/** A stable text of a row: the same text means nothing to push. */
export const rowHash = (r: HostRow) => JSON.stringify(HOST_ROW_FIELDS.map((k) => r[k]))

/** Another host's row as a dashboard row; cs's own names, tags and deletions (shared) win. */
export function viewOf(r: HostRow, meta?: { name: string | null; tag: string | null; deletedAt: string | null }): SessionView {
  const live = r.state !== 'stopped' && r.state !== 'dead'
  const name = meta?.name ?? r.name
  return {
    id: r.id,
    short: '',
    name,
    title: name ?? r.title ?? '(session)',
    host: r.host,
    state: r.state,
    stateSince: r.stateSince,
    cwd: r.cwd,
    project: r.project,
    branch: r.branch,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    messages: r.userMessages + r.assistantMessages,
    orphan: false,
    deleted: meta ? isDeleted(meta.deletedAt, r.updatedAt) : r.deleted,
    live,
    tag: meta?.tag != null ? meta.tag || null : r.tag,
    model: r.model,
    tokens: r.tokens,
    path: null, // another machine's file: never a path here
    tmuxSession: r.tmuxSession,
    kind: r.kind === 'plain' ? (live ? 'external' : 'history') : r.kind,
  }
}

/**
 * This host's views and the other hosts' rows in one list, short ids unique over all. A row of
 * this host, or an id this host already shows, is left out: the index here is the truth.
 */
export function withHosts(
  views: SessionView[],
  rows: HostRow[],
  host: string,
  meta: Map<string, { name: string | null; tag: string | null; deletedAt: string | null }>
): SessionView[] {
  if (rows.length === 0) return views
  // a row of another host never stands for one of this host's sessions; one id on two other
  // hosts is two rows, as the dashboard shows them, each acted on as HOST:ID
  const here = new Set(views.map((v) => v.id))
  const all = views.slice()
  for (const r of rows) if (r.host !== host && !here.has(r.id)) all.push(viewOf(r, meta.get(r.id)))
  const shorts = shortIds(all.filter((v) => v.id).map((v) => v.id))
  for (const v of all) v.short = shorts.get(v.id) ?? ''
  return all
}

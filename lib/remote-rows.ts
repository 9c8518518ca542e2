// Another host's answer to `cs ls --json --local`, checked field by field before any of it is
// shown or acted on (a row that fails is skipped and counted), and merged with this host's rows
// under short ids unique across hosts. Pure.
import type { SessionView, State } from './session.ts'
import { shortIds } from './shortid.ts'
import { cleanText, isCwd, isSessionId, isTmuxName } from './untrusted.ts'

const STATES: readonly string[] = ['working', 'waiting', 'idle', 'dead', 'stopped']
const KINDS: readonly string[] = ['tmux', 'background', 'external', 'history']

/** One host's rows as last asked. */
export interface HostRows {
  host: string
  /** when the rows were fetched (ISO 8601) */
  at: string
  rows: SessionView[]
  /** rows of the answer that failed a check */
  skipped: number
}

const time = (v: unknown): string | null =>
  typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v)).toISOString() : null
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0)
const text = (v: unknown): string | null => (typeof v === 'string' ? cleanText(v.slice(0, 1000)) : null)

/** A checked row, its host forced to the one asked (a host speaks for itself only), else null. */
export function checkRow(v: unknown, host: string, at: string): SessionView | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null
  const r = v as Record<string, unknown>
  if (!isSessionId(r.id)) return null
  if (r.host !== host) return null
  if (typeof r.state !== 'string' || !STATES.includes(r.state)) return null
  if (r.tmuxSession != null && !isTmuxName(r.tmuxSession)) return null
  if (r.cwd != null && !isCwd(r.cwd)) return null
  const tokens = typeof r.tokens === 'object' && r.tokens !== null ? (r.tokens as Record<string, unknown>) : {}
  const name = text(r.name)
  const cwd = (r.cwd as string | null | undefined) ?? null // isCwd: no control character
  return {
    id: r.id,
    short: '',
    name,
    title: name ?? text(r.title) ?? '(session)',
    host,
    state: r.state as State,
    stateSince: time(r.stateSince),
    cwd,
    project: text(r.project),
    branch: text(r.branch),
    createdAt: time(r.createdAt),
    updatedAt: time(r.updatedAt),
    messages: count(r.messages),
    orphan: r.orphan === true,
    deleted: r.deleted === true,
    live: r.live === true,
    tag: text(r.tag),
    model: text(r.model),
    tokens: { input: count(tokens.input), output: count(tokens.output), cacheRead: count(tokens.cacheRead), cacheWrite: count(tokens.cacheWrite) },
    // another host's paths mean nothing here: never read, moved or deleted from this host
    path: null,
    tmuxSession: (r.tmuxSession as string | null | undefined) ?? null,
    kind: typeof r.kind === 'string' && KINDS.includes(r.kind) ? (r.kind as SessionView['kind']) : 'history',
    asOf: at,
  }
}

/** Parses a `cs ls --json` answer; throws on text that is not a JSON array. */
export function parseAnswer(stdout: string, host: string, at: string): HostRows {
  const parsed: unknown = JSON.parse(stdout)
  if (!Array.isArray(parsed)) throw new Error('not a JSON array')
  const rows: SessionView[] = []
  let skipped = 0
  for (const v of parsed) {
    const row = checkRow(v, host, at)
    if (row) rows.push(row)
    else skipped++
  }
  return { host, at, rows, skipped }
}

/** This host's rows and the other hosts', short ids recomputed over all of them. A host's own
 *  rows win over a copy claiming the same host. */
export function mergeHosts(local: SessionView[], others: HostRows[], self: string): SessionView[] {
  const rows = [...local]
  for (const h of others) if (h.host !== self) for (const r of h.rows) rows.push({ ...r })
  const shorts = shortIds(rows.flatMap((r) => (r.id ? [r.id] : [])))
  for (const r of rows) r.short = shorts.get(r.id) ?? ''
  return rows
}

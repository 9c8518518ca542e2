// The dashboard's rows: the transcript index, cs's own metadata and live state merged into one
// SessionView per session id, then filtered and sorted. Pure: every input is passed in.
import { basename } from 'node:path'
import { shortIds } from './shortid.ts'
import type { LiveInfo, SessionMeta, SessionView, TranscriptInfo } from './session.ts'

export type SortKey = 'updated' | 'title' | 'host' | 'project'
export const SORT_KEYS: SortKey[] = ['updated', 'title', 'host', 'project']

export interface ViewFilter {
  all?: boolean // include orphans and soft-deleted sessions
  deletedOnly?: boolean
  host?: string
  project?: string // case-insensitive substring of the project name or cwd
  limit?: number
  sort?: SortKey
}

const NO_TOKENS = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }
// tmux sessions first: they are what cs manages; Claude's daemon and foreign processes follow
const KIND_RANK: Record<LiveInfo['kind'], number> = { tmux: 0, background: 1, external: 2 }

/** One row per session id; live sessions with no transcript yet are rows too. */
export function buildViews(
  transcripts: TranscriptInfo[],
  meta: Map<string, SessionMeta>,
  live: LiveInfo[],
  host: string
): SessionView[] {
  const liveById = new Map<string, LiveInfo>()
  const anonymous: LiveInfo[] = [] // a live process whose claude session id is not known yet
  for (const l of live) {
    if (!l.id) anonymous.push(l)
    else if (!liveById.has(l.id) || KIND_RANK[l.kind] < KIND_RANK[liveById.get(l.id)!.kind])
      liveById.set(l.id, l)
  }
  const rows: SessionView[] = []
  const seen = new Set<string>()
  for (const t of transcripts) {
    if (t.sidechain || seen.has(t.id)) continue
    seen.add(t.id)
    rows.push(view(t.id, t, meta.get(t.id), liveById.get(t.id), host))
  }
  for (const [id, l] of liveById)
    if (!seen.has(id)) rows.push(view(id, null, meta.get(id), l, host))
  for (const l of anonymous) rows.push(view('', null, undefined, l, host))
  const shorts = shortIds(rows.filter((r) => r.id).map((r) => r.id))
  for (const r of rows) r.short = shorts.get(r.id) ?? ''
  return rows
}

function view(
  id: string,
  t: TranscriptInfo | null,
  m: SessionMeta | undefined,
  l: LiveInfo | undefined,
  host: string
): SessionView {
  const name = clean(m?.name ?? t?.customTitle ?? t?.agentName ?? l?.name ?? null)
  const cwd = t?.cwd ?? l?.cwd ?? null
  return {
    id,
    short: '',
    name,
    title:
      name ??
      clean(t?.aiTitle ?? t?.summary ?? t?.firstPrompt ?? t?.lastPrompt ?? null) ??
      '(session)',
    host: l?.host ?? host,
    state: l?.state ?? 'stopped',
    stateSince: l?.stateSince ?? null,
    cwd,
    project: cwd ? basename(cwd) || cwd : null,
    branch: t?.branch ?? null,
    createdAt: t?.createdAt ?? l?.stateSince ?? null,
    updatedAt: latest(t?.updatedAt ?? null, l?.stateSince ?? null),
    messages: t ? t.userMessages + t.assistantMessages : 0,
    orphan: t?.orphan ?? false,
    deleted: Boolean(m?.deletedAt),
    live: Boolean(l),
    // cs's tag wins; '' is cs's record of a cleared tag, hiding the transcript's own
    tag: m?.tag != null ? m.tag || null : t?.tag || null,
    model: t?.model ?? null,
    tokens: t?.tokens ?? NO_TOKENS,
    path: t?.path ?? null,
    tmuxSession: l?.tmuxSession ?? null,
    kind: l?.kind ?? 'history',
  }
}

/** Titles come from prompts: one line, no control characters that could drive the terminal. */
function clean(text: string | null): string | null {
  if (text == null) return null
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim()
  return line || null
}

function latest(a: string | null, b: string | null): string | null {
  if (!a || !b) return a ?? b
  return a > b ? a : b
}

/** Protected sessions are never touched by gc, prune or a pattern purge. */
export const isProtected = (s: SessionView) => s.live || s.name !== null || s.tag !== null

export function selectViews(views: SessionView[], f: ViewFilter): SessionView[] {
  const project = f.project?.toLowerCase()
  const rows = views.filter(
    (s) =>
      (f.deletedOnly ? s.deleted : f.all || s.live || (!s.orphan && !s.deleted)) &&
      (!f.host || s.host === f.host) &&
      (!project ||
        (s.project ?? '').toLowerCase().includes(project) ||
        (s.cwd ?? '').toLowerCase().includes(project))
  )
  rows.sort(compare(f.sort ?? 'updated'))
  return f.limit !== undefined ? rows.slice(0, f.limit) : rows
}

const newestFirst = (a: SessionView, b: SessionView) =>
  (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '')

/** `updated`: live sessions first, then newest first; other keys ascending, ties newest first. */
function compare(key: SortKey): (a: SessionView, b: SessionView) => number {
  if (key === 'updated') return (a, b) => Number(b.live) - Number(a.live) || newestFirst(a, b)
  const field = (s: SessionView) =>
    (key === 'title' ? s.title : key === 'host' ? s.host : s.project) ?? ''
  return (a, b) =>
    field(a).localeCompare(field(b), undefined, { sensitivity: 'base' }) || newestFirst(a, b)
}

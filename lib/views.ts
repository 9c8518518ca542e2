// The dashboard's rows: the transcript index, cs's own metadata, live state and launch records
// merged into one SessionView per session id, then filtered and sorted. Pure: every input,
// the clock included, is passed in.
import { basename } from 'node:path'
import { shortIds } from './shortid.ts'
import { cleanText } from './untrusted.ts'
import { isDeleted, noTokens, type Launch, type LiveInfo, type SessionMeta, type SessionView, type State, type TranscriptInfo } from './session.ts'

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

// tmux sessions first: they are what cs manages; Claude's daemon and foreign processes follow
const KIND_RANK: Record<LiveInfo['kind'], number> = { tmux: 0, background: 1, external: 2 }

/** How long a cs-launched session that stopped running stays DEAD before it is plain history. */
export const DEAD_FOR_MS = 24 * 3600_000

/**
 * One row per session id; live sessions with no transcript yet are rows too. A session with no
 * live process whose id a launch record on this host holds, and whose tmux session is gone (or
 * its claude exited), is DEAD while the record's or the transcript's last activity is within
 * DEAD_FOR_MS of `now`: cs launched it and it stopped without cs being asked. Older ones are
 * plain history (`stopped`).
 */
export function buildViews(
  transcripts: TranscriptInfo[],
  meta: Map<string, SessionMeta>,
  live: LiveInfo[],
  host: string,
  launches: Launch[],
  now: Date
): SessionView[] {
  const liveById = new Map<string, LiveInfo>()
  const anonymous: LiveInfo[] = [] // a live process whose claude session id is not known yet
  for (const l of live) {
    if (!l.id) anonymous.push(l)
    else if (!liveById.has(l.id) || KIND_RANK[l.kind] < KIND_RANK[liveById.get(l.id)!.kind])
      liveById.set(l.id, l)
  }
  const stopped = stoppedLaunches(launches, live, host)
  const dead = (id: string, t: TranscriptInfo | null) => {
    const r = liveById.has(id) ? undefined : stopped.get(id)
    const last = r && latest(t?.updatedAt ?? null, lastSeen(r))
    return r && last && now.getTime() - Date.parse(last) <= DEAD_FOR_MS ? r : undefined
  }
  const rows: SessionView[] = []
  const seen = new Set<string>()
  const project = projects()
  for (const t of transcripts) {
    if (seen.has(t.id)) continue
    seen.add(t.id)
    rows.push(view(t.id, t, meta.get(t.id), liveById.get(t.id), host, project, dead(t.id, t)))
  }
  for (const [id, l] of liveById)
    if (!seen.has(id)) rows.push(view(id, null, meta.get(id), l, host, project))
  // a launch that died before claude wrote its transcript
  for (const id of stopped.keys()) {
    const r = seen.has(id) ? undefined : dead(id, null)
    if (r) rows.push(view(id, null, meta.get(id), undefined, host, project, r))
  }
  for (const l of anonymous) rows.push(view('', null, undefined, l, host, project))
  const shorts = shortIds(seen.size === rows.length ? seen : rows.filter((r) => r.id).map((r) => r.id))
  for (const r of rows) r.short = shorts.get(r.id) ?? ''
  return rows
}

/** A cwd's project name, worked out once per cwd: thousands of sessions share a few hundred. */
function projects(): (cwd: string) => string {
  const known = new Map<string, string>()
  return (cwd) => {
    let name = known.get(cwd)
    if (name === undefined) known.set(cwd, (name = cleanText(basename(cwd)) ?? cleanText(cwd) ?? '-'))
    return name
  }
}

/**
 * This host's launch records whose tmux session runs no live session, by claude id (the most
 * recently seen record when several hold one id). A record whose tmux session is live but
 * under another id was left behind by a /clear the record has not followed yet: not stopped.
 */
function stoppedLaunches(launches: Launch[], live: LiveInfo[], host: string): Map<string, Launch> {
  const running = new Set(live.filter((l) => l.host === host).map((l) => l.tmuxSession))
  const byId = new Map<string, Launch>()
  for (const r of launches) {
    if (r.host !== host || running.has(r.tmuxSession)) continue
    const other = byId.get(r.id)
    if (!other || lastSeen(r) > lastSeen(other)) byId.set(r.id, r)
  }
  return byId
}

const lastSeen = (r: Launch) => latest(r.lastSeenAt, r.launchedAt)!

/** `dead`: the launch record of a session that stopped running (see buildViews). */
function view(
  id: string,
  t: TranscriptInfo | null,
  m: SessionMeta | undefined,
  l: LiveInfo | undefined,
  host: string,
  project: (cwd: string) => string,
  dead?: Launch
): SessionView {
  const name = cleanText(m?.name ?? t?.customTitle ?? t?.agentName ?? l?.name ?? null)
  const cwd = t?.cwd ?? l?.cwd ?? dead?.cwd ?? null
  // DEAD since its last sign of life: cs's last sighting (or launch) and the transcript's last
  // record, whichever is later (cs sees a session only when a command runs)
  const since = l?.stateSince ?? (dead ? latest(lastSeen(dead), t?.updatedAt ?? null) : null)
  return {
    id,
    short: '',
    name,
    title:
      name ??
      cleanText(t?.aiTitle ?? t?.summary ?? t?.firstPrompt ?? t?.lastPrompt ?? t?.command ?? null) ??
      cleanText(dead?.tmuxSession ?? null) ??
      '(session)',
    host: l?.host ?? host,
    state: l?.state ?? (dead ? 'dead' : 'stopped'),
    stateSince: since,
    cwd,
    project: cwd ? project(cwd) : null,
    branch: cleanText(t?.branch),
    createdAt: t?.createdAt ?? l?.stateSince ?? dead?.launchedAt ?? null,
    updatedAt: latest(t?.updatedAt ?? null, since),
    messages: t ? t.userMessages + t.assistantMessages : 0,
    orphan: t?.orphan ?? false,
    deleted: isDeleted(m?.deletedAt, t?.updatedAt ?? null),
    live: Boolean(l),
    // cs's tag wins; '' is cs's record of a cleared tag, hiding the transcript's own
    tag: m?.tag != null ? m.tag || null : cleanText(t?.tag) || null,
    model: cleanText(t?.model),
    tokens: t?.tokens ?? noTokens(),
    path: t?.path ?? null,
    tmuxSession: l?.tmuxSession ?? dead?.tmuxSession ?? null,
    kind: l?.kind ?? (dead ? 'tmux' : 'history'),
  }
}

function latest(a: string | null, b: string | null): string | null {
  if (!a || !b) return a ?? b
  return a > b ? a : b
}

/** Protected sessions are never touched by gc, prune or a pattern purge. */
export const isProtected = (s: SessionView) => s.live || s.name !== null || s.tag !== null

/** Who needs you first: live sessions WAITING, WORKING, IDLE, then DEAD ones (`cs attach` brings
 *  one back, a live tmux session whose claude exited included), then history. */
export const URGENCY: Record<State, number> = { waiting: 0, working: 1, idle: 2, dead: 3, stopped: 4 }

/** Shown without --all: orphans and soft-deleted sessions are hidden, unless live; a DEAD session
 *  shows even when its transcript is an orphan (/clear, then exit): its tmux session is what
 *  stopped. */
export const shownByDefault = (s: SessionView) => s.live || (!s.deleted && (!s.orphan || s.state === 'dead'))

export function selectViews(views: SessionView[], f: ViewFilter): SessionView[] {
  const project = f.project?.toLowerCase()
  const rows = views.filter(
    (s) =>
      (f.deletedOnly ? s.deleted : f.all || shownByDefault(s)) &&
      (!f.host || s.host === f.host) &&
      (!project ||
        (s.project ?? '').toLowerCase().includes(project) ||
        (s.cwd ?? '').toLowerCase().includes(project))
  )
  rows.sort(compare(f.sort ?? 'updated'))
  return f.limit !== undefined ? rows.slice(0, f.limit) : rows
}

/** ISO 8601 times in UTC order as plain strings: no locale needed. */
const newestFirst = (a: SessionView, b: SessionView) => {
  const x = a.updatedAt ?? ''
  const y = b.updatedAt ?? ''
  return x < y ? 1 : x > y ? -1 : 0
}

/** Newest first, then by id: the dashboard's order within a state. */
export const byRecency = (a: SessionView, b: SessionView) => newestFirst(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** The dashboard's order (the picker's too): by URGENCY, then byRecency (the store's rows come
 *  in the same order from SQL: lib/rows.ts). */
export const dashboardOrder = (a: SessionView, b: SessionView) => URGENCY[a.state] - URGENCY[b.state] || byRecency(a, b)

/** `updated`: the dashboard's order; other keys ascending, ties newest first. */
function compare(key: SortKey): (a: SessionView, b: SessionView) => number {
  if (key === 'updated') return dashboardOrder
  const field = (s: SessionView) =>
    (key === 'title' ? s.title : key === 'host' ? s.host : s.project) ?? ''
  return (a, b) =>
    field(a).localeCompare(field(b), undefined, { sensitivity: 'base' }) || newestFirst(a, b)
}

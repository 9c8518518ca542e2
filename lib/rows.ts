// The dashboard's rows kept ready in the local store (lib/store-sqlite.ts): one a session of every
// host, its JSON text rewritten only when that session changed, beside the columns a listing
// filters and sorts on. A listing streams the stored text in SQL order and builds fresh only the
// rows whose state comes from live state (this host's live sessions and DEAD ones), so that its
// cost follows what changed and what is shown, not how much history there is.
import type { SessionView, State } from './session.ts'
import { shortIds } from './shortid.ts'
import type { RowQuery, Store } from './store.ts'
import { byRecency, selectViews, shownByDefault, URGENCY } from './views.ts'

/** A view as stored. Nothing in it depends on the clock: ages are worked out when shown. */
export interface StoredRow {
  host: string
  id: string
  urgency: number
  updated: string // ISO 8601, '' when unknown (sorts last)
  hidden: boolean // shown only with --all
  tail: string // the view's JSON after its short id, which depends on every other id: rowHead
}

/** A row's JSON up to the end of its short id (without the closing quote): its id and short id
 *  come first in a view, then `","name":`. */
export const rowHead = (id: string, short: string) => `{"id":${JSON.stringify(id)},"short":${JSON.stringify(short).slice(0, -1)}`

export function storedRow(v: SessionView): StoredRow {
  const json = JSON.stringify({ ...v, short: '' })
  return {
    host: v.host,
    id: v.id,
    urgency: URGENCY[v.state],
    updated: v.updatedAt ?? '',
    hidden: !shownByDefault(v),
    tail: json.slice(rowHead(v.id, '').length),
  }
}

export interface ListQuery {
  all: boolean
  host?: string
  limit?: number
}

const LIVE_OR_DEAD: [number, number] = [0, URGENCY.dead]
export const HISTORY: [number, number] = [URGENCY.stopped, URGENCY.stopped]

/**
 * What a listing needs besides the stored rows: this host's views whose state comes from live
 * state (live and DEAD ones: the others are as stored), with their short ids, and the stored
 * short ids that the ids of those rows not stored lengthen.
 */
function prepare(store: Store, views: SessionView[], q: ListQuery) {
  const fresh = views.filter((v) => v.live || v.state === 'dead')
  const ids = fresh.flatMap((v) => (v.id ? [v.id] : []))
  const stored = store.storedShorts(ids)
  // every one stored (the common case): the stored short ids are those of the same set of ids
  const shorts = stored.size === new Set(ids).size ? {} : lengthened(store, ids)
  for (const v of fresh) if (v.id) v.short = shorts[v.id] ?? stored.get(v.id)!
  const query: RowQuery = { all: q.all, host: q.host ?? null, exclude: ids, shorts }
  return { shown: selectViews(fresh, { all: q.all, host: q.host }), query }
}

/** Short ids by id among the stored ids and `ids`, some not stored: those of `ids`, and those of
 *  their stored neighbours that differ from the stored ones. */
function lengthened(store: Store, ids: string[]): Record<string, string> {
  const near = new Map(ids.map((id) => [id, store.rowNeighbours(id)]))
  const shortOf = (id: string, around: string[]) => shortIds([id, ...around, ...ids]).get(id) ?? ''
  const shorts: Record<string, string> = {}
  for (const id of ids) shorts[id] = shortOf(id, near.get(id)!.map(([x]) => x))
  for (const [x, short] of [...near.values()].flat())
    if (!ids.includes(x)) {
      const right = shortOf(x, store.rowNeighbours(x).map(([y]) => y))
      if (right !== short) shorts[x] = right
    }
  return shorts
}

/**
 * The dashboard's rows (its default order: lib/views.ts dashboardOrder) as JSON texts, from the
 * stored rows and the given views of this host built from live state. With a limit, every live
 * row is shown and the others fill up to it; `more`: how many the limit left out.
 */
export function listRows(store: Store, views: SessionView[], q: ListQuery): { rows: string[]; more: number } {
  const { shown, query } = prepare(store, views, q)
  const first = merge(shown, store.storedRows(query, LIVE_OR_DEAD, null))
  const live = first.filter((r) => r.live).length
  const take = q.limit === undefined ? null : Math.max(0, Math.max(q.limit, live) - first.length)
  const rest = take === 0 ? [] : store.storedRows(query, HISTORY, take).map((r) => r[3])
  const rows = [...first.map((r) => r.json), ...rest]
  const total = q.limit === undefined ? rows.length : first.length + store.countRows(query, HISTORY)
  const cut = q.limit === undefined ? rows : rows.slice(0, Math.max(q.limit, live))
  return { rows: cut, more: total - cut.length }
}

/** This host's fresh views merged with the stored live and DEAD rows, as JSON texts, and the
 *  query of the history that follows them. */
function liveAndDead(store: Store, views: SessionView[], q: ListQuery): [string[], RowQuery] {
  const { shown, query } = prepare(store, views, q)
  return [merge(shown, store.storedRows(query, LIVE_OR_DEAD, null)).map((r) => r.json), query]
}

/**
 * Every row of the dashboard, JSON texts in its order, in two runs: the live and DEAD rows, then
 * the stored history, never as one string (it is most of 7 MB at 10,000 sessions): in blocks of
 * rows, or a row at a time. lib/stdout.ts writeArray writes them.
 */
export function jsonRows(store: Store, views: SessionView[], q: ListQuery): [string[], Iterable<string | Buffer>] {
  const [first, query] = liveAndDead(store, views, q)
  return [first, store.historyChunks(query)]
}

/**
 * A host's sessions that are not live, hidden ones too, in byRecency order: its DEAD rows (a
 * few, as jsonRows's first run has them) merged into its history, each history row parsed only when
 * reached, so that `cs last` reads as far as its answer and no further.
 */
export function* notLive(store: Store, views: SessionView[], host: string): Generator<SessionView> {
  const [first, query] = liveAndDead(store, views, { all: true, host })
  const dead = first.map((json) => JSON.parse(json) as SessionView).filter((v) => !v.live)
  let i = 0
  for (const json of store.storedTexts(query, HISTORY)) {
    const v = JSON.parse(json) as SessionView
    while (i < dead.length && byRecency(dead[i], v) < 0) yield dead[i++]
    yield v
  }
  yield* dead.slice(i)
}

/**
 * The sessions `text` may mean, for lib/shortid.ts resolve, without building every view: this
 * host's views built from live state (with a listing's short ids) and the stored rows that name
 * it (Store matchingRows); for `HOST:REST`, those REST names on that host too. `host`: that
 * host's sessions only. `hasHost` says which hosts have sessions at all, as resolve asks.
 */
export function candidates(store: Store, views: SessionView[], text: string, host?: string) {
  const { shown, query } = prepare(store, views, { all: true, host })
  const hasHost = (name: string) =>
    (host === undefined || name === host) && (shown.some((v) => v.host === name) || store.hasRows(name))
  const found = new Map<string, SessionView>()
  const look = (t: string, on: string | null) => {
    for (const json of store.matchingRows(on === null ? query : { ...query, host: on }, t)) {
      const v = JSON.parse(json) as SessionView
      found.set(`${v.host}/${v.id}`, v)
    }
  }
  const q = text.trim()
  look(q, query.host)
  const colon = q.indexOf(':')
  const on = colon > 0 ? q.slice(0, colon) : null
  if (on !== null && hasHost(on)) {
    // resolve takes the host off the front, and again as often as it is repeated
    for (let rest = q.slice(colon + 1).trim(); ; rest = rest.slice(on.length + 1).trim()) {
      look(rest, on)
      if (!rest.startsWith(`${on}:`)) break
    }
  }
  return { views: [...shown, ...found.values()], hasHost }
}

const STATE_OF = Object.fromEntries(Object.entries(URGENCY).map(([state, u]) => [u, state as State]))

/** How many of the views the dashboard shows without --all are in each state. */
export function countByState(views: SessionView[]): Record<State, number> {
  const out: Record<State, number> = { waiting: 0, working: 0, idle: 0, dead: 0, stopped: 0 }
  for (const v of views) if (shownByDefault(v)) out[v.state]++
  return out
}

/**
 * countByState() of a host's sessions without building them all: this host's views built from
 * live state and the stored live and DEAD rows counted, the history tallied.
 */
export function stateCounts(store: Store, views: SessionView[], host: string): Record<State, number> {
  const { shown, query } = prepare(store, views, { all: false, host })
  const out = countByState(shown)
  for (const [, urgency] of store.storedRows(query, LIVE_OR_DEAD, null)) out[STATE_OF[urgency]]++
  out.stopped = store.countRows(query, HISTORY)
  return out
}

/** Fresh views and stored rows, both in the dashboard's order, as one list in it. */
function merge(shown: SessionView[], stored: [string, number, string, string][]): { json: string; live: boolean }[] {
  const out: { json: string; live: boolean }[] = []
  let i = 0
  let j = 0
  while (i < shown.length || j < stored.length) {
    const f = shown[i]
    const s = stored[j]
    if (!s || (f && before(f, s))) {
      out.push({ json: JSON.stringify(f), live: f.live })
      i++
    } else {
      out.push({ json: s[3], live: s[1] <= URGENCY.idle })
      j++
    }
  }
  return out
}

/** Whether the fresh view comes before the stored row in the dashboard's order. */
function before(f: SessionView, [id, urgency, updated]: [string, number, string, string]): boolean {
  const u = URGENCY[f.state]
  if (u !== urgency) return u < urgency
  const at = f.updatedAt ?? ''
  if (at !== updated) return at > updated
  return f.id < id
}

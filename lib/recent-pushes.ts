// A host's last few small pushes, carried in its document in the shared store, so that a reader
// copies a live-state change with the one query it makes anyway (every host's document) instead
// of a query on the rows' push numbers: FerretDB 1.24 looks documents up quickly by _id alone and
// scans the whole collection for any other condition (about 2 s for 10,000 rows), far past the
// dashboard's bound. A reader that is further behind than these pushes reach reads by push
// number (`cs sync`, or a background pull). Pure.
import type { HostRow } from './session.ts'

/** One push: the rows it wrote (null: too many to carry, read them by push number), the ids it
 *  marked gone, and the ids whose name, tag or deletion it changed. `after`: the last whole push
 *  before it, so that a reader can tell that no push in between is missing. */
export interface RecentPush {
  after: number
  seq: number
  rows: HostRow[] | null
  gone: string[]
  meta: string[]
}

/** A push of more rows than this carries none (a first sync, a full re-index). */
export const RECENT_ROWS = 20
/** The document keeps the latest pushes while they carry at most this many rows together… */
const RECENT_KEPT_ROWS = 50
/** …and at most this many pushes (a minute of pushes every few seconds). */
const RECENT_PUSHES = 16

/** The entry of a push, carrying its rows when they are few. */
export function recentPush(after: number, seq: number, rows: HostRow[], gone: string[], meta: string[]): RecentPush {
  const small = rows.length <= RECENT_ROWS && gone.length <= RECENT_ROWS && meta.length <= RECENT_ROWS
  return { after, seq, rows: small ? rows : null, gone: small ? gone : [], meta: small ? meta : [] }
}

/** The list as the host document keeps it: `before` (as read back, unchecked) with `push` added,
 *  oldest dropped first. Without `titles` (sync.titles false) the pushes kept lose theirs too:
 *  those made before the setting are not left on the server. */
export function withRecent(before: unknown, push: RecentPush, titles = true): RecentPush[] {
  const kept = (Array.isArray(before) ? before : [])
    .filter((e): e is RecentPush => typeof e === 'object' && e !== null && Number.isSafeInteger(e.seq) && e.seq < push.seq)
    .map((e) => (titles || !Array.isArray(e.rows) ? e : { ...e, rows: e.rows.map((r) => ({ ...r, title: null })) }))
  const out = [push]
  let rows = push.rows?.length ?? 0
  for (const e of kept.reverse()) {
    rows += Array.isArray(e.rows) ? e.rows.length : 0
    if (out.length >= RECENT_PUSHES || rows > RECENT_KEPT_ROWS) break
    out.unshift(e)
  }
  return out
}

export interface RecentChanges {
  rows: unknown[] // unchecked: another machine wrote them
  gone: unknown[]
  meta: unknown[]
}

/**
 * What the pushes (after, upTo] changed, from a host document's `recent` (unchecked), or null
 * when the list does not hold every one of them with its rows: read them by push number then.
 * Later pushes win: a row is its latest version, or gone.
 */
export function recentChanges(recent: unknown, after: number, upTo: number): RecentChanges | null {
  if (!Array.isArray(recent)) return null
  const entries = recent
    .filter((e) => typeof e === 'object' && e !== null && Number.isSafeInteger(e.seq) && e.seq > after && e.seq <= upTo)
    .sort((a, b) => a.seq - b.seq)
  let reached = after
  for (const e of entries) {
    if (!Number.isSafeInteger(e.after) || e.after > reached || !Array.isArray(e.rows)) return null
    if (!Array.isArray(e.gone) || !Array.isArray(e.meta)) return null
    reached = e.seq
  }
  if (reached !== upTo) return null
  const rows = new Map<unknown, unknown>()
  const gone = new Map<unknown, unknown>()
  const meta = new Set<unknown>()
  for (const e of entries) {
    for (const r of e.rows) {
      const id = typeof r === 'object' && r !== null ? (r as { id?: unknown }).id : r
      gone.delete(id)
      rows.set(id, r)
    }
    for (const id of e.gone) {
      rows.delete(id)
      gone.set(id, id)
    }
    for (const id of e.meta) meta.add(id)
  }
  return { rows: [...rows.values()], gone: [...gone.values()], meta: [...meta] }
}

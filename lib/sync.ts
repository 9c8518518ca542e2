// Sync with the shared store: push this host's rows that changed since the last push (and the
// names, tags and deletions changed here), then pull what other hosts pushed since the last pull
// into the local copy. See lib/shared-store.ts for how pushes are numbered.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { startInBackground } from './background.ts'
import { maskUrl, type Config } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { age } from './format.ts'
import { withLockAsync } from './lock.ts'
import { rowHash, rowOf } from './host-rows.ts'
import { recentChanges, recentPush, withRecent, type RecentChanges } from './recent-pushes.ts'
import { readRegular, replaceFile } from './regular-file.ts'
import { sharedLaunch, type HostFacts, type HostRow, type SessionView, type TranscriptInfo } from './session.ts'
import { pushedUpTo, seqOf, type SeqRange, type SharedStore } from './shared-store.ts'
import { META_FIELDS, type Store } from './store.ts'
import type { Sessions } from './sessions.ts'
import type { Stores } from './stores.ts'
import { Tmux } from './tmux.ts'
import { listSessions, retitle } from './tmux-sessions.ts'
import { checkHostRow, cleanText, isHostName, isSessionId, isSshDestination, quoted, timeOf } from './untrusted.ts'
import pkg from '../package.json' with { type: 'json' }

export interface PushReport {
  rows: number // rows written
  gone: number // rows marked gone (their transcript is gone)
  stale: number // rows a newer push had already written
  meta: number // name/tag/deletion changes pushed
  compared: number // rows compared with the last push (only the live ones when no row was written)
}

export interface PullReport {
  rows: number // rows copied
  gone: number // rows dropped from the copy
  meta: number
  hosts: number // other hosts known
  skipped: string[] // documents refused, each with why
  /** the server holds none of this host's pushes, or fewer than it made: all go again */
  lost: boolean
}

/** The sync values the pushes note (rowsToPush, notePushed, push): forgotten with what was pushed. */
const PUSH_NOTES = ['pushBasis', 'fullCompareAt', 'pushedFresh', 'pushedSeq'] as const

/** How often an idle host refreshes its heartbeat (a push refreshes it too). */
const HEARTBEAT_EVERY_MS = 60_000
/** A host whose heartbeat is older than this is taken for silent: cron's sync beats every 5
 *  minutes, a hook's push at each state change. */
const SILENT_AFTER_MS = 10 * 60_000

/** This host's rows as they would be pushed: its sessions with an id, orphans left out. */
function localRows(config: Config, views: SessionView[], transcripts: Map<string, TranscriptInfo>): HostRow[] {
  const rows: HostRow[] = []
  for (const v of views) {
    if (v.host !== config.host || !v.id || v.orphan || !isSessionId(v.id)) continue
    const t = transcripts.get(v.id)
    const counts = t ? { user: t.userMessages, assistant: t.assistantMessages } : null
    rows.push(rowOf(v, counts, pkg.version, config.syncTitles))
  }
  return rows
}

/** A push compares only the rows whose state comes from live state while no row was written
 *  since its last full comparison, for at most this long: a full one at least this often. */
const FULL_COMPARE_EVERY_MS = 5 * 60_000

/** The rows a push compares with what it pushed last. */
export interface PushRows {
  rows: HostRow[]
  /** only some rows: one missing is not gone */
  partial: boolean
  /** what the rows were made from (their write count, host, version, titles setting), null
   *  while the dashboard's rows are not built (their writes are not counted then) */
  basis: string | null
  /** ids of this host's sessions whose state comes from live state */
  fresh: string[]
}

/**
 * Every row of this host, unless no row was written since the last full comparison (a recent
 * one, of the same basis): then only the rows whose state comes from live state, now or at the
 * last push, which no write to the rows shows. At 10,000 sessions, building every view to find
 * that none changed was most of a sync with nothing to push.
 */
export function rowsToPush(config: Config, s: Sessions, now: Date): PushRows {
  const written = s.store.rowsWritten()
  const basis = written === null ? null : JSON.stringify([written, config.host, pkg.version, config.syncTitles])
  const live = s.fresh()
  const fresh = live.views.flatMap((v) => (v.host === config.host && v.id ? [v.id] : []))
  const compared = Date.parse(s.store.syncValue('fullCompareAt') ?? '') || 0
  if (basis !== null && basis === s.store.syncValue('pushBasis') && now.getTime() - compared < FULL_COMPARE_EVERY_MS) {
    const before = idsOf(s.store.syncValue('pushedFresh'))
    const { views, transcripts } = before.length ? s.fresh(before) : live
    return { rows: localRows(config, views, new Map(transcripts.map((t) => [t.id, t]))), partial: true, basis, fresh }
  }
  return { rows: localRows(config, s.views, s.transcripts), partial: false, basis, fresh }
}

const idsOf = (json: string | null): string[] => {
  try {
    const ids: unknown = JSON.parse(json ?? '[]')
    return Array.isArray(ids) ? ids.filter(isSessionId) : []
  } catch {
    return []
  }
}

/** Notes what a push compared, once it is pushed: the next one may compare less. */
function notePushed(store: Store, what: PushRows, at: string): void {
  if (!what.partial) {
    store.setSyncValue('pushBasis', what.basis)
    store.setSyncValue('fullCompareAt', at)
  }
  store.setSyncValue('pushedFresh', JSON.stringify(what.fresh))
}

/** Pushes what changed; writes nothing at all (no round trip) when nothing did and the
 *  heartbeat is fresh. Run under the push lock, taken before `rows` were read. */
export async function push(config: Config, store: Store, shared: SharedStore, what: PushRows, now = new Date()): Promise<PushReport> {
  // a partial push compares a few rows and removes none: their hashes are all it reads
  const pushed = store.pushedHashes(what.partial ? what.rows.map((r) => r.id) : undefined)
  const changed: [HostRow, string][] = []
  const current = new Set<string>()
  for (const r of what.rows) {
    current.add(r.id)
    const h = rowHash(r)
    if (pushed.get(r.id) !== h) changed.push([r, h])
  }
  const gone = what.partial ? [] : [...pushed.keys()].filter((id) => !current.has(id))
  const meta = store.dirtyMeta()
  const report: PushReport = { rows: 0, gone: gone.length, stale: 0, meta: meta.length, compared: what.rows.length }
  const at = now.toISOString()
  const commit = { host: config.host, csVersion: pkg.version, ssh: config.sshDestination, at }
  if (!changed.length && !gone.length && !meta.length) {
    const beat = Date.parse(store.syncValue('heartbeat') ?? '') || 0
    if (now.getTime() - beat >= HEARTBEAT_EVERY_MS) {
      await shared.commit({ ...commit, seq: 0 })
      store.setSyncValue('heartbeat', at)
    }
    notePushed(store, what, at)
    return report
  }
  // Readers take a small push from this host's document as soon as it is there: its metadata
  // first (they look it up by id), then the document, then the rows (slow on FerretDB 1.24,
  // which scans the collection for each conditional update) and the mark that they are written.
  const slot = await shared.nextSeq(config.host)
  const seq = slot.seq
  const fresh = new Set(changed.filter(([r]) => !pushed.has(r.id)).map(([r]) => r.id))
  await shared.putMeta(config.host, seq, meta)
  const entry = recentPush(slot.after, seq, changed.map(([r]) => r), gone, [...new Set(meta.map((m) => m.id))])
  const launches = store.launches().filter((l) => l.host === config.host).map(sharedLaunch)
  await shared.commit({ ...commit, seq: 0, carried: seq, launches, recent: withRecent(slot.recent, entry, config.syncTitles) })
  const w = await shared.putRows(config.host, seq, changed.map(([r]) => r), gone, fresh)
  await shared.commit({ ...commit, seq })
  store.savePushed([...changed.map(([r, h]): [string, string] => [r.id, h]), ...gone.map((id): [string, null] => [id, null])])
  store.clearDirtyMeta(meta)
  store.setSyncValue('heartbeat', at)
  store.setSyncValue('lastPush', at)
  store.setSyncValue('pushedSeq', String(seq))
  notePushed(store, what, at)
  report.rows = w.written
  report.stale = w.stale
  return report
}

/** Copies what other hosts pushed since the last pull; every document is checked first. */
export async function pull(
  config: Config,
  store: Store,
  shared: SharedStore,
  now = new Date(),
  cancel?: { cancelled: boolean } // set by a caller that stopped waiting: write nothing
): Promise<PullReport> {
  const report: PullReport = { rows: 0, gone: 0, meta: 0, hosts: 0, skipped: [], lost: false }
  const ranges: SeqRange[] = []
  const facts: HostFacts[] = []
  const inline = new Map<string, RecentChanges>()
  // read before the documents: a push of this host's committed between the two reads is one the
  // server holds, not one it lost
  const pushedSeq = Number(store.syncValue('pushedSeq') ?? 0)
  const documents = await shared.hosts()
  for (const d of documents) {
    const name = d._id
    if (name === config.host) continue
    if (!isHostName(name)) {
      report.skipped.push(`host ${quoted(name)}: bad name`)
      continue
    }
    report.hosts++
    // as a row's times: one far ahead (a skewed clock) stands at now
    const iso = (v: unknown) => timeOf(v) ?? null
    facts.push({
      name,
      ssh: isSshDestination(d.ssh) ? d.ssh : null,
      csVersion: typeof d.csVersion === 'string' ? cleanText(d.csVersion.slice(0, 40)) : null,
      lastSync: iso(d.lastSync),
      heartbeat: iso(d.heartbeat),
      fetchedAt: null, // set below: this pull copied every change of it up to now
      source: 'shared',
    })
    const written = seqOf(d, 'seq')
    const upTo = pushedUpTo(d)
    let after = Number(store.syncValue(`pulled:${name}`) ?? 0)
    if (upTo < after) after = 0 // the store was reset: copy it all again
    if (upTo <= after) continue
    // the pushes a host's document carries need no other query; the rest are read by push number
    const changes = recentChanges(d.recent, after, upTo)
    if (changes) {
      inline.set(name, changes)
      ranges.push({ host: name, after, upTo })
    } else if (written > after) ranges.push({ host: name, after, upTo: written })
  }
  const byNumber = ranges.filter((r) => !inline.has(r.host))
  const rowDocs = await shared.rowsIn(byNumber)
  const metaIds = [...inline.values()].flatMap((c) => c.meta.filter(isSessionId))
  const metaDocs = [...(await shared.metaIn(byNumber)), ...(await shared.metaOf([...new Set(metaIds)]))]
  const byHost = new Map<string, { rows: HostRow[]; gone: string[] }>(ranges.map((r) => [r.host, { rows: [], gone: [] }]))
  const takeRow = (d: Record<string, unknown>, host?: string) => {
    const into = typeof d.host === 'string' && (host === undefined || d.host === host) ? byHost.get(d.host) : undefined
    if (d.gone === true && into && isSessionId(d.id)) {
      into.gone.push(d.id.toLowerCase())
      return
    }
    const r = checkHostRow(d)
    if ('skipped' in r) report.skipped.push(r.skipped)
    else if (into) into.rows.push(r)
  }
  for (const d of rowDocs) takeRow(d)
  for (const [host, c] of inline) {
    for (const d of c.rows) takeRow(typeof d === 'object' && d !== null ? (d as Record<string, unknown>) : {}, host)
    for (const id of c.gone) if (isSessionId(id)) byHost.get(host)!.gone.push(id.toLowerCase())
  }
  const seenMeta = new Set<unknown>()
  const meta = metaDocs.flatMap((d) => {
    if (seenMeta.has(d._id)) return []
    seenMeta.add(d._id)
    if (!isSessionId(d._id)) {
      report.skipped.push(`meta ${quoted(d._id)}: bad id`)
      return []
    }
    const id = (d._id as string).toLowerCase()
    return META_FIELDS.flatMap((field) => {
      const v = d[field]
      if (v === undefined) return []
      // a deletion time as a row's: one ahead of this clock would hide the session written after it
      const deletedAt = field === 'deletedAt' && v !== null ? timeOf(v) : null
      if (v !== null && (typeof v !== 'string' || v.length > 2000 || deletedAt === undefined)) {
        report.skipped.push(`meta ${id}: bad ${field}`)
        return []
      }
      return [{ id, field, value: v === null ? null : field === 'deletedAt' ? deletedAt! : cleanText(v) }]
    })
  })
  if (cancel?.cancelled) return report
  const at = now.toISOString()
  // a host silent for long (its machine off, asleep, cut off) has its rows shown as of its last
  // word, with their age: live states it can no longer tell are not shown as now
  const asOf = new Map(facts.map((f) => [f.name, f.heartbeat && now.getTime() - Date.parse(f.heartbeat) > SILENT_AFTER_MS ? f.heartbeat : at]))
  for (const f of facts) store.saveHost({ ...f, fetchedAt: asOf.get(f.name)! })
  // a host whose document is gone from the server (taken out there): what was copied of it goes
  const onServer = new Set(documents.map((d) => d._id))
  for (const f of store.hosts()) if (f.source === 'shared' && !onServer.has(f.name)) store.dropHost(f.name, at)
  for (const r of ranges) {
    const got = byHost.get(r.host)!
    store.saveHostRows(r.host, got.rows, asOf.get(r.host) ?? at, { gone: got.gone })
    store.setSyncValue(`pulled:${r.host}`, String(r.upTo))
    report.rows += got.rows.length
    report.gone += got.gone.length
  }
  store.applySharedMeta(meta)
  retitleLive(config, store, meta.filter((c) => c.field === 'name').map((c) => c.id))
  report.meta = meta.length
  // this host's document missing, or behind the pushes noted here: a new, wiped or restored
  // server, which lacks rows and names the hashes here say it has. Forgotten once what others
  // pushed is in: all of it goes again, newer names of theirs included, not this host's older
  const mine = documents.find((d) => d._id === config.host)
  if (pushedSeq > 0 && (!mine || pushedUpTo(mine) < pushedSeq)) {
    store.forgetPushed(PUSH_NOTES)
    report.lost = true
  }
  noteSkipped(store, report.skipped)
  store.setSyncValue('lastPull', at)
  store.setSyncValue('offline', null)
  store.setSyncValue('offlineSlow', null)
  return report
}

/** Names given elsewhere to sessions that run in tmux here: shown in the status line and the
 *  picker at once, as a rename here is (a name changed here meanwhile, not pushed yet, wins). */
function retitleLive(config: Config, store: Store, ids: string[]): void {
  if (!ids.length) return
  const tmux = new Tmux(config.tmuxSocket)
  const meta = store.meta(ids)
  for (const s of listSessions(tmux)) {
    if (!s.id || !ids.includes(s.id)) continue
    const own = store.transcriptsOf([s.id])[0]
    retitle(tmux, s.name, meta.get(s.id)?.name ?? null, own?.customTitle ?? own?.agentName ?? null)
  }
}

/** Refused documents, for cs doctor: how many different ones, and the latest few. A host's
 *  document is read by every pull: the same refusal is counted once. */
function noteSkipped(store: Store, skipped: string[]): void {
  const before = skippedDocs(store)
  const fresh = [...new Set(skipped)].filter((x) => !before.latest.includes(x))
  if (!fresh.length) return
  const latest = [...fresh, ...before.latest].slice(0, 20)
  store.setSyncValue('skipped', JSON.stringify({ count: before.count + fresh.length, latest }))
}

export function skippedDocs(store: Store): { count: number; latest: string[] } {
  try {
    const v = JSON.parse(store.syncValue('skipped') ?? '')
    return { count: Number(v.count) || 0, latest: Array.isArray(v.latest) ? v.latest.map(String) : [] }
  } catch {
    return { count: 0, latest: [] }
  }
}

/** The shared view's state for a notice: offline since when, and how old the copy is. */
function sharedStatus(store: Store, config: Config): { offline: string | null; lastPull: string | null } {
  // an offline note of another URL (the config changed since) is not this one's
  const offline = store.syncValue('offlineFor') === serverOf(config) ? store.syncValue('offline') : null
  return { offline, lastPull: store.syncValue('lastPull') }
}

/** The shared store an offline note is about: its URL, the password masked. */
const serverOf = (config: Config) => (config.shared ? maskUrl(config.shared.url) : null)

/** Notes the shared store offline: dashboards stop asking it for OFFLINE_RETRY_MS, unless it is
 *  only `slow` (it did not answer within the bound): a background pull is copying it then, and
 *  the next dashboard asks again as usual, or a state change would wait those seconds more. */
export function noteOffline(store: Store, config: Config, why: string, now = new Date(), slow = false): void {
  store.setSyncValue('offline', why)
  store.setSyncValue('offlineFor', serverOf(config))
  store.setSyncValue('offlineSlow', slow ? '1' : null)
  store.setSyncValue('lastPullTry', now.toISOString())
}

/**
 * Runs fn holding this host's push lock (lib/lock.ts): pushes of one host must not interleave,
 * or a reader could pass a push that is not whole yet, and one that read older state could
 * overwrite newer. Waits up to waitMs, then fails. fn gets the token of the taking before this
 * one (takeToken).
 */
export async function withPushLock<T>(
  config: Config,
  waitMs: number,
  fn: (before: string | null) => Promise<T>
): Promise<T> {
  const busy = () => new CsError('another cs sync is pushing this host', EXIT.failure, 'try again in a moment')
  // the dashboard's pull goes on while it waits
  return withLockAsync(join(config.stateDir, 'push.lock'), waitMs, busy, () => fn(takeToken(config)))
}

/**
 * Writes a new token to push.taken, under the push lock, and returns the one before. bin/cs
 * reads it, then that the lock is free, before it lists the panes for a `cs sync` (config.
 * panesTaken): the same token once that sync holds the lock means that no push read state after
 * that listing, which may then stand for the push's own read (lib/live.ts readLiveSoon). A token
 * that cannot be written is removed, so that none is found again; if that fails too, no push.
 */
function takeToken(config: Config): string | null {
  const file = join(config.stateDir, 'push.taken')
  const before = readRegular(file)?.trim() || null
  const token = `${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 10)}`
  try {
    replaceFile(file, `${token}\n`, { mode: 0o600 })
  } catch {
    rmSync(file, { force: true })
  }
  return before
}

/** The dashboard waits at most this long for the shared store (connecting and reading; loading
 *  the driver is not waiting), then shows the local copy. */
export const PULL_BOUND_MS = 300
/** …and asks it at most this often (a dashboard refreshed every second asks every time), */
const PULL_EVERY_MS = 1000
/** …or, while it is offline (not merely slow), this often: loading the driver alone can take a
 *  second on a busy machine, which a dashboard should not pay on every refresh for a server that
 *  is down. */
const OFFLINE_RETRY_MS = 10_000

/**
 * The dashboard's pull: what other hosts pushed, if the shared store answers within the bound;
 * else the local copy stands and the store is noted offline. Never throws for the server.
 */
export async function pullBounded(config: Config, stores: Stores, now = new Date()): Promise<void> {
  if (!config.shared) return
  const store = stores.local
  const tried = Date.parse(store.syncValue('lastPullTry') ?? '') || 0
  const { offline } = sharedStatus(store, config)
  // a note of another URL's (the config changed since) is not this server's: asked now
  const otherServer = !offline && store.syncValue('offline') !== null
  const every = offline && !store.syncValue('offlineSlow') ? OFFLINE_RETRY_MS : PULL_EVERY_MS
  if (!otherServer && Math.abs(now.getTime() - tried) < every) return
  store.setSyncValue('lastPullTry', now.toISOString())
  try {
    await stores.loadDriver()
  } catch (e) {
    return noteOffline(store, config, `cannot load the MongoDB driver: ${(e as Error).message}`)
  }
  const cancel = { cancelled: false }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), PULL_BOUND_MS)))
  const work = (async () => {
    const shared = await stores.shared(PULL_BOUND_MS)
    return shared ? pull(config, store, shared, now, cancel) : null
  })()
  work.catch(() => {}) // abandoned after the bound: its failure is the offline note below
  try {
    if ((await Promise.race([work, timeout])) === 'timeout') {
      cancel.cancelled = true
      noteOffline(store, config, `no answer within ${PULL_BOUND_MS} ms`, now, true)
      startInBackground(config, 'pull') // so that the next dashboard shows what it copies
    }
  } catch (e) {
    noteOffline(store, config, e instanceof CsError ? e.message : String(e))
  } finally {
    clearTimeout(timer)
  }
}

/** One line for the dashboard when the shared view is offline: why, and how old the copy is. */
export function sharedNotice(store: Store, config: Config, now: Date): string | null {
  const { offline, lastPull } = sharedStatus(store, config)
  if (!offline) return null
  return `shared view offline (${offline}); other hosts ${lastPull ? `as of ${age(lastPull, now)} ago` : 'never synced'}`
}

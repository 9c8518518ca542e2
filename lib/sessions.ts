// The one sequence behind every command that shows or changes sessions: read live state, index
// what changed on disk (the hot set: lib/indexer.ts), read cs's metadata, keep the launch
// records current with what is live, and merge them all into views.
import { existsSync, statSync } from 'node:fs'
import type { Config } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { fileError } from './file-errors.ts'
import { startInBackground } from './background.ts'
import { fullWalkDue, indexTranscripts, nothingRead, type IndexOptions, type IndexReport } from './indexer.ts'
import { readLiveSoon } from './live.ts'
import { heldSessions } from './registry.ts'
import { patchPickerCache, pickerCachePath, writePickerCache } from './picker-cache.ts'
import type { PaneRow } from './pane-row.ts'
import type { Launch, LiveInfo, SessionMeta, SessionView, State, TranscriptInfo } from './session.ts'
import { sortGone } from './revive.ts'
import { candidates, countByState, jsonRows, listRows, notLive, stateCounts, type ListQuery } from './rows.ts'
import { MIN, resolve } from './shortid.ts'
import type { Store } from './store.ts'
import { openStores, type Stores } from './stores.ts'
import { pullBounded, sharedNotice } from './sync.ts'
import { withHosts } from './host-rows.ts'
import { Tmux, tmuxCalls } from './tmux.ts'
import { buildViews, byRecency, DEAD_FOR_MS } from './views.ts'
import { say } from './stdout.ts'
import { INSTALL } from './install-hints.ts'

export interface Sessions {
  store: Store
  /** What this command's index run read (SessionsOptions.index). */
  indexed: IndexReport
  views: SessionView[] // every session of every host shown, orphans and soft-deleted included
  /** The shared view is offline (and since when the copy of other hosts dates), else null. */
  notice: string | null
  /** The shared store, connected on first use; null when none is configured. */
  shared: Stores['shared']
  transcripts: Map<string, TranscriptInfo>
  /** This host's transcript of a session, without reading every one. */
  transcriptOf(id: string): TranscriptInfo | null
  /** Whether a running claude holds the session, whatever its kind: a daemon's workers too,
   *  which no view shows as live. gc, prune and purge leave such a session alone. */
  held(id: string): boolean
  meta: Map<string, SessionMeta> // cs's own names, tags and soft deletions
  /** The dashboard's rows in its order, from the rows the store keeps ready; this host's live
   *  and DEAD ones, whose state comes from live state, built fresh (lib/rows.ts). */
  rows(q: ListQuery): { rows: string[]; more: number }
  /** This host's sessions whose state comes from live state (live ones, launch records) and
   *  the `extra` ids, built from their own transcripts alone: as every view shows them. */
  fresh(extra?: string[]): { views: SessionView[]; transcripts: TranscriptInfo[] }
  /** The same rows, every one, as `cs ls --json` prints them: in runs (lib/rows.ts jsonRows). */
  json(q: ListQuery): Iterable<string | Buffer>[]
  /** A host's sessions that are not live, hidden ones too, newest first (lib/views.ts
   *  byRecency): from those rows, read as far as the caller goes, once they are built; else
   *  from every view. */
  notLive(host: string): Iterable<SessionView>
  /** How many of the host's sessions the dashboard shows in each state: from those rows, or
   *  from every view while they are not built or the store cannot be written. */
  counts(host: string): Record<State, number>
  /**
   * A full id, a unique prefix or a name: the session, or a CsError listing candidates.
   * `recorded`: refuse a live process whose claude session id is not known yet (no id to record).
   * `host`: only that host's sessions (`--host NAME`).
   */
  find(query: string, opts?: { recorded?: boolean; host?: string }): SessionView
  /** A session other than `own` whose id starts with `name` (MIN characters or more), live ones
   *  with no transcript yet too: `cs attach NAME` would go there, as resolve looks for an id
   *  prefix before a name. Null when there is none. */
  idStartedBy(name: string, own?: string): SessionView | null
  /** Throws when `--host NAME` names a host cs knows nothing of (not this one, not in the hosts
   *  list, none the local store holds), instead of an empty listing or "no session matches". */
  checkHost(host: string | undefined): void
}

/** How a command indexes before it shows or syncs: SessionsOptions.index. */
export type IndexRun = 'hot' | 'due' | 'walk' | 'again'

export interface SessionsOptions {
  /** Copy what other hosts pushed first, waiting at most PULL_BOUND_MS (the dashboard). */
  pull?: boolean
  /** Other hosts asked over ssh (lib/hosts.ts startAsking): their answers are kept in this
   *  store after the index, before fn; moved() says whether they changed what the picker shows. */
  asked?: { keep(store: Store): Promise<void>; moved(): boolean }
  /** The index run before fn: `hot` (default) stats what can have changed and leaves a due
   *  stat of every file to a background `cs sync`; `due` runs that walk here (cs sync); `walk`
   *  runs it whether due or not (gc and prune decide on the files as they are: a file the hot
   *  run does not stat may have been resumed since); `again` reads every file again from the
   *  start (cs sync --full). Only `hot` shows what was saved when the store cannot be written;
   *  the others fail. */
  index?: IndexRun
  /** Start connecting to the shared store before fn runs (cs sync). Connecting takes several
   *  promise turns: they pass while tmux answers when Node lists the panes itself, but with the
   *  panes bin/cs gave, the index runs first and the driver loads after it. Waiting for the
   *  driver before the index there saved nothing measurable (BENCHMARKS.md, afternoon of
   *  2026-12-06). */
  connect?: boolean
  /** fn changes cs's metadata (names, tags, deletions) of the sessions it finds, and nothing
   *  else: the picker's cache is then written again for their rows alone (lib/picker-cache.ts
   *  patchPickerCache), not from every view */
  changesFound?: boolean
  /** A command that may change rows and reads no blocks of them (rename, tag, rm, sync, gc...):
   *  the blocks of the rows it changed are built again as it ends, so that the next `cs ls
   *  --json` reads them whole rather than building them first (Store freshenBlocks). */
  freshensBlocks?: boolean
  /** fn starts a session (cs launch): the picker's cache is not written from the live state read
   *  before it, which would list the new session as DEAD */
  startsSessions?: boolean
  /** A tmux command run in the call that reads live state (lib/live.ts readLiveSoon) */
  tmux?: string[]
  /** Given when the panes bin/cs listed may stand for that call: `tmux` then runs on its own
   *  when this says so of them */
  tmuxNeeded?: (panes: PaneRow[]) => boolean
}

/**
 * Runs fn over fresh views, built when fn first looks (loading 10,000 sessions is most of a
 * command's time); the store stays open for fn and is closed after it. The picker's
 * history cache is rewritten at once when fn changed cs's metadata (rename, tag, delete), so the
 * tmux picker never shows what a command just changed.
 */
export async function withSessions<T>(
  config: Config,
  fn: (s: Sessions) => T | Promise<T>,
  opts: SessionsOptions = {}
): Promise<T> {
  let started = false
  try {
    return await sessionsOnce(config, fn, opts, () => (started = true))
  } catch (e) {
    // a damaged store found before fn ran was set aside: once more, on the rebuilt one
    if (started || !(e instanceof CsError) || e.reason !== 'damaged') throw e
    say(e.message)
    return sessionsOnce(config, fn, opts, () => {})
  }
}

async function sessionsOnce<T>(
  config: Config,
  fn: (s: Sessions) => T | Promise<T>,
  opts: SessionsOptions,
  starting: () => void
): Promise<T> {
  // tmux answers while the store opens (the other core): awaited where live state is first needed
  const liveSoon = readLiveSoon(config, opts.tmux, opts.tmuxNeeded)
  liveSoon.catch(() => {}) // a failure is met where it is awaited, or not at all if opening failed
  const stores = openStores(config)
  const store = stores.local
  if (opts.connect) stores.shared().catch(() => {}) // its failure is met where fn asks for it
  let walkDue = false
  try {
    const claudeDir = config.claudeConfigEnv && existsSync(config.claudeDir) ? statSync(config.claudeDir) : null
    if (config.claudeConfigEnv && !claudeDir?.isDirectory())
      warnOnce(
        `CLAUDE_CONFIG_DIR=${config.claudeConfigEnv} ${claudeDir ? 'is not a folder' : 'does not exist'}: no ` +
          "transcripts or live sessions to read there (unset it, or point it at Claude Code's folder)"
      )
    const opened = store.changes()
    // a store that cannot be written takes no copy (nor a note of the try): what was saved shows
    if (opts.pull) await pullBounded(config, stores).catch((e) => showingSaved(notWritable(e)))
    const live = await liveSoon
    const ids = live.flatMap((l) => (l.id ? [l.id] : []))
    const now = new Date()
    const tmux = new Tmux(config.tmuxSocket)
    const index = opts.index ?? 'hot'
    const run = () => indexTranscripts(config, store, indexOptions(index, ids, now.getTime()))
    // the periodic stat of every transcript runs in a background `cs sync`, off this path
    walkDue = index === 'hot' && fullWalkDue(config, now.getTime())
    // Where the store cannot be written (read-only, a full disk), what was saved still answers.
    const report = index === 'hot' ? (unwritable(store, run) ?? nothingRead()) : run()
    const launches =
      unwritable(store, () => noteLive(store, live, config.host, now, () => tmux.startTime())) ?? store.launches()
    if (tmuxCalls.notInstalled && launches.some((l) => l.host === config.host))
      warnOnce(`tmux is not installed: the sessions cs launched here cannot be seen running (${INSTALL.tmux})`)
    await opts.asked?.keep(store)
    const written = store.changes()
    let transcripts: TranscriptInfo[] | undefined
    let meta: Map<string, SessionMeta> | undefined
    let views: SessionView[] | undefined
    let byId: Map<string, TranscriptInfo> | undefined
    const loaded = () => (transcripts ??= store.transcripts())
    const metaOf = () => (meta ??= store.meta())
    // other hosts' rows (the local copy, filled by sync or by ssh answers) join when fn first looks
    const viewsOf = () =>
      (views ??= withHosts(
        buildViews(loaded(), metaOf(), live, config.host, launches, now),
        store.hostRows(),
        config.host,
        metaOf()
      ))
    // this host's sessions whose state comes from live state, built fresh: the live ones and
    // those of launch records (DEAD ones among them), and any others asked for
    const fresh = (extra: string[] = []) => {
      const here = launches.filter((r) => r.host === config.host).map((r) => r.id)
      const wanted = [...new Set([...ids, ...here, ...extra])]
      const transcripts = store.transcriptsOf(wanted)
      return { views: buildViews(transcripts, store.meta(wanted), live, config.host, launches, now), transcripts }
    }
    const liveViews = () => fresh().views
    // the dashboard's rows answer for one session without every view built, once they are built
    // (building them is a write, and a cost that a first listing pays anyway)
    const rowsReady = () => !store.readOnly() && store.rowsWritten() !== null
    const byIdOf = () => (byId ??= new Map(loaded().map((t) => [t.id, t])))
    // the sessions fn found: changesFound patches their rows in the picker's cache
    const found: SessionView[] = []
    let held: Set<string> | undefined
    starting()
    const checkHost = (host: string | undefined) => {
      if (host === undefined || host === config.host || config.hosts.some((h) => h.name === host)) return
      const known = store.hosts().map((h) => h.name)
      if (known.includes(host) || store.hostRows(host).length > 0) return
      const names = [...new Set([config.host, ...config.hosts.map((h) => h.name), ...known])]
      throw new CsError(`no host named '${host}'`, EXIT.failure, `cs knows ${names.join(', ')} (cs hosts lists them)`)
    }
    const result = await fn({
      store,
      indexed: report,
      get views() {
        return viewsOf()
      },
      get transcripts() {
        return byIdOf()
      },
      transcriptOf: (id) => (transcripts || !rowsReady() ? byIdOf().get(id) : store.transcriptsOf([id])[0]) ?? null,
      held: (id) => (held ??= heldSessions(config.claudeDir)).has(id),
      get meta() {
        return metaOf()
      },
      notice: config.shared ? sharedNotice(store, config, now) : null,
      shared: stores.shared,
      fresh,
      rows: (q) => listRows(store, liveViews(), q),
      json: (q) => jsonRows(store, liveViews(), q),
      notLive: (host) =>
        rowsReady() ? notLive(store, liveViews(), host) : viewsOf().filter((v) => v.host === host && !v.live).sort(byRecency),
      counts: (host) =>
        rowsReady() ? stateCounts(store, liveViews(), host) : countByState(viewsOf().filter((v) => v.host === host)),
      find(query, opts) {
        const host = opts?.host
        checkHost(host)
        // only the sessions the query may mean, unless every view is built anyway
        const among = views || !rowsReady() ? null : candidates(store, liveViews(), query, host)
        const v = among
          ? resolve(query, among.views, config.host, among.hasHost)
          : resolve(query, host ? viewsOf().filter((x) => x.host === host) : viewsOf(), config.host)
        if (opts?.recorded && !v.id)
          throw new CsError(
            `'${query}' has no Claude session id yet`,
            EXIT.failure,
            'wait until it has started, then use the id shown by `cs ls`'
          )
        found.push(v)
        return v
      },
      idStartedBy(name, own) {
        // ids are lower case: `F11F` is refused too, though resolve would not take it for one
        const start = name.toLowerCase()
        if (start.length < MIN) return null
        const among = views || !rowsReady() ? viewsOf() : candidates(store, liveViews(), start).views
        return among.find((v) => v.id && v.id !== own && v.id.startsWith(start)) ?? null
      },
      checkHost,
    })
    unwritable(store, () => {
      if (store.changes() !== written) {
        // this host's sessions, each as it is now (another's is changed there, and all its rows
        // are copied again)
        const mine = found.every((v) => v.host === config.host) && rowsReady()
        const current = () => fresh(found.map((v) => v.id)).views.filter((v) => found.some((f) => f.id === v.id))
        // after a launch the live state read before fn no longer holds: the next command writes it
        const patched = () => opts.changesFound && mine && patchPickerCache(config, current())
        if (!opts.startsSessions && !patched()) refreshPickerCache(config, store, live)
      } else if (opts.asked?.moved() || pickerCacheStale(config, indexChanged(report), now, index === 'hot'))
        // when no view was built, from the kept rows
        writePickerCache(config, views ?? listRows(store, liveViews(), { all: true }).rows.map((r) => JSON.parse(r) as SessionView))
      // what the pull and the index changed too
      if (opts.freshensBlocks && store.changes() !== opened) store.freshenBlocks()
    })
    return result
  } finally {
    await stores.close()
    // started once this run is done: beside it, the walk took the other core and the disk
    if (walkDue) startInBackground(config, 'walk')
  }
}

const warned = new Set<string>()
const warnOnce = (text: string) => {
  if (warned.has(text)) return
  warned.add(text)
  say(`warning: ${text}`)
}

/** e as the CsError of a state folder that cannot be written; anything else is thrown again. */
function notWritable(e: unknown): CsError {
  const err = fileError(e) ?? e
  if (!(err instanceof CsError) || err.reason !== 'unwritable') throw err
  return err
}
const showingSaved = (e: CsError) => warnOnce(`${e.message}; showing what was saved`)

/**
 * fn's result, or undefined when it could not write to the state folder: the store or a cache
 * is read-only or the disk is full. Said once on stderr; a command that only shows sessions
 * goes on with what was saved, one that changes something fails when it tries.
 */
function unwritable<T>(store: Store, fn: () => T): T | undefined {
  const readOnly = store.readOnly()
  if (readOnly) return void showingSaved(readOnly)
  try {
    return fn()
  } catch (e) {
    return void showingSaved(notWritable(e))
  }
}

/** The picker's history is a minute behind the index at most: rewriting 10,000 rows on every
 * dashboard refresh while a session works would cost more than the dashboard itself. */
const PICKER_CACHE_EVERY_MS = 60_000

export const indexChanged = (r: IndexReport) => r.read > 0 || r.dropped > 0

/** What SessionsOptions.index asks of the indexer, given the live sessions' ids. */
export const indexOptions = (index: IndexRun, live: string[], now = Date.now()): IndexOptions => ({
  scope: index === 'walk' ? 'full' : 'hot',
  live,
  walkWhenDue: index !== 'hot',
  full: index === 'again',
  now,
})

/** `throttled`: a dashboard's run, which rewrites it at most every PICKER_CACHE_EVERY_MS. */
function pickerCacheStale(config: Config, changed: boolean, now: Date, throttled: boolean): boolean {
  const written = statSync(pickerCachePath(config), { throwIfNoEntry: false })?.mtimeMs
  if (written === undefined) return true
  return changed && (!throttled || now.getTime() - written > PICKER_CACHE_EVERY_MS)
}

/** Rewrites the picker's cache from the store as it is now. */
export function refreshPickerCache(config: Config, store: Store, live: LiveInfo[]): void {
  const meta = store.meta()
  const views = buildViews(store.transcripts(), meta, live, config.host, store.launches(), new Date())
  writePickerCache(config, withHosts(views, store.hostRows(), config.host, meta))
}

/** A launch record's sighting older than this is refreshed by the next command that sees it. */
export const SEEN_EVERY_MS = 60_000

/**
 * The launch records as live state shows them now. A tmux session of a launch record that runs
 * a claude whose id or state differs from the record, or that was last seen over SEEN_EVERY_MS
 * ago, is noted: the record follows /clear (a new id), and `cs revive` learns when a session
 * was last seen live (lib/revive.ts sortGone). A record whose session ended while its tmux
 * server ran on is noted dead (see noteEnded). Nothing is written when nothing changed: every
 * dashboard refresh runs this.
 */
export function noteLive(
  store: Store,
  live: LiveInfo[],
  host: string,
  now: Date,
  serverStart: () => number | null // epoch seconds, null when no server runs; asked only when needed
): Launch[] {
  const seen = new Map<string, LiveInfo>()
  const byId = new Map<string, LiveInfo>()
  for (const l of live)
    if (l.kind === 'tmux' && l.host === host && l.id && l.tmuxSession) {
      seen.set(l.tmuxSession, l)
      byId.set(l.id, l)
    }
  const at = now.toISOString()
  const all = store.launches()
  const named = new Set(all.filter((r) => r.host === host).map((r) => r.tmuxSession))
  const records = all.map((r) => {
    const l = r.host === host ? seen.get(r.tmuxSession) : undefined
    // its tmux session renamed (tmux rename-session): the record follows it, under its new name
    const moved = l || r.host !== host ? undefined : byId.get(r.id)
    if (moved && !named.has(moved.tmuxSession!)) {
      named.add(moved.tmuxSession!)
      store.dropLaunch(host, r.tmuxSession)
      const followed = { ...r, tmuxSession: moved.tmuxSession!, lastState: moved.state, lastSeenAt: at }
      store.saveLaunch(followed)
      return followed
    }
    const stale = !r.lastSeenAt || now.getTime() - Date.parse(r.lastSeenAt) > SEEN_EVERY_MS
    if (!l || (l.id === r.id && l.state === r.lastState && !stale)) return r
    store.noteState(r.tmuxSession, host, l.id!, l.state, at)
    return { ...r, id: l.id!, lastState: l.state, lastSeenAt: at }
  })
  return noteEnded(store, records, live, host, now, serverStart)
}

/**
 * Records whose tmux session closed while its server ran on (claude exited or was killed) are
 * noted dead now, as `cs revive` would: DEAD then counts from when cs first saw it gone, which is
 * at once when the session-closed hook runs `cs sync`, not from its last sighting alive. Those
 * that went with their server (a reboot, a killed server) are left for `cs revive`.
 */
function noteEnded(
  store: Store,
  records: Launch[],
  live: LiveInfo[],
  host: string,
  now: Date,
  serverStart: () => number | null
): Launch[] {
  const running = new Set(live.flatMap((l) => (l.host === host && l.tmuxSession ? [l.tmuxSession] : [])))
  const recent = records.filter((r) => now.getTime() - Date.parse(r.lastSeenAt ?? r.launchedAt) <= DEAD_FOR_MS)
  // with no server start, every gone record sorts as `revive`: the candidates, without a tmux call
  const gone = sortGone(recent, host, running, null).revive
  if (gone.length === 0) return records
  const ended = new Set(sortGone(gone, host, running, serverStart()).ended)
  if (ended.size === 0) return records
  const at = now.toISOString()
  return records.map((r) => {
    if (!ended.has(r)) return r
    store.noteState(r.tmuxSession, r.host, r.id, 'dead', at)
    return { ...r, lastState: 'dead', lastSeenAt: at }
  })
}

// Live state of every Claude session on this host, reconciled from three sources:
//  1. tmux options (@cs_*) that tmux/hook.sh sets on each event: instant edges, pane <-> session;
//  2. Claude's registry (sessions/<pid>.json): exact busy/idle/waiting, sees Esc and crashes,
//     and sessions cs did not launch (background ones too);
//  3. the screen (capture-pane), only for panes that have neither.
// One `tmux list-panes -a` reads everything tmux knows; corrections go back in one more call, so
// that the status line, which reads the options, agrees with `cs ls`.
import { closeSync, readSync } from 'node:fs'
import type { Config } from './config.ts'
import { stateFromScreen } from './pane.ts'
import { FIELDS, hookState, hookStateAt, hookWaitingFor, PANE_FORMAT, parsePanes, type PaneRow } from './pane-row.ts'
import { hasStatus, procStat, readJobs, readRegistry, type RegistryEntry, type RegistryStatus, type StatusEntry } from './registry.ts'
import type { LiveInfo, LiveState } from './session.ts'
import { stuck, THEN, Tmux, tmuxCalls } from './tmux.ts'
import { isCwd, isSessionId } from './untrusted.ts'

const SHELLS = new Set(['sh', 'bash', 'zsh', 'fish', 'dash', 'ksh', 'mksh', 'tcsh', 'csh', 'nu', 'xonsh', 'elvish'])
/** The pane's foreground program is a shell: the claude it ran has exited. */
const shellInFront = (row: PaneRow) => SHELLS.has(row.command.replace(/^-/, ''))
/** Claude's process name: `claude`, or the version of the native build (`2.1.332`). */
const claudeInFront = (row: PaneRow) => row.command === 'claude' || /^\d+\.\d+\.\d+/.test(row.command)

const fromRegistry = (s: RegistryStatus): LiveState => (s === 'busy' ? 'working' : s === 'waiting' ? 'waiting' : 'idle')
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** A state cs decided for a pane that differs from its @cs_state, to write back. */
export interface Correction {
  pane: string
  state: LiveState
  at: number // epoch seconds
  waitingFor: string | null
  seenAt: string // @cs_state_at as read (digits, or empty): the write applies only if no hook changed it since
  /** written on the pane's session only: the pane is not claude's (claude's was closed) */
  sessionOnly?: boolean
}

/** Reconciles the hook's view of a claude pane with its registry entry (null: no entry). Pure. */
export function reconcile(
  row: PaneRow,
  entry: StatusEntry | null,
  nowSec: number
): { state: LiveState; since: number | null; waitingFor: string | null; correction: Correction | null } {
  const hook = hookState(row)
  const hookAt = hookStateAt(row)
  let state: LiveState
  let since = hookAt === null ? null : hookAt * 1000
  let waitingFor = hookWaitingFor(row)
  if (row.dead === '1' || (!entry && (hook === 'dead' || shellInFront(row)))) {
    state = 'dead'
    // when its process exited, where tmux kept the pane; else when first seen, then kept
    const deadAt = row.dead === '1' && /^\d+$/.test(row.deadAt) ? Number(row.deadAt) : nowSec
    if (hook !== 'dead') since = deadAt * 1000
  } else if (entry) {
    const reg = fromRegistry(entry.status)
    const regAt = entry.statusUpdatedAt
    // the registry wins, unless a hook event came in a later second (the registry may lag it)
    const hookNewer = hook !== null && hookAt !== null && regAt !== null && hookAt > Math.floor(regAt / 1000)
    state = hook === reg || !hookNewer ? reg : hook
    if (state !== hook) since = regAt ?? nowSec * 1000
    if (state === 'waiting' && state !== hook) waitingFor = entry.waitingFor
  } else {
    state = hook ?? 'idle'
  }
  if (state !== 'waiting') waitingFor = null
  const correction =
    state === hook
      ? null
      : { pane: row.pane, state, at: Math.floor((since ?? nowSec * 1000) / 1000), waitingFor, seenAt: hookAt === null ? '' : String(hookAt) }
  return { state, since, waitingFor, correction }
}

/** tmux commands that apply the corrections, each only if the pane's @cs_state_at is unchanged. */
export function writeBack(corrections: Correction[]): string[] {
  return corrections.flatMap((c, i) => {
    const wait = c.waitingFor ? `"${c.waitingFor.replace(/[^\w .,:/-]/g, '')}"` : null
    const sets = (c.sessionOnly ? ['set'] : ['set -p', 'set']).flatMap((scope) => [
      `${scope} -t ${c.pane} ${FIELDS.stateAt} ${c.at}`,
      `${scope} -t ${c.pane} ${FIELDS.state} ${c.state}`,
      wait ? `${scope} -t ${c.pane} ${FIELDS.waitingFor} ${wait}` : `${scope} -qu -t ${c.pane} ${FIELDS.waitingFor}`,
    ])
    const cmd = ['if-shell', '-F', '-t', c.pane, `#{==:#{${FIELDS.stateAt}},${c.seenAt}}`, sets.join(' ; ')]
    return i === 0 ? cmd : [THEN, ...cmd]
  })
}

/** The pane a registry entry's process runs in: its pid or an ancestor is a pane's pid (claude
 * may run under a shell); without /proc, the entry's own `tmux` field, if it names a pane here. */
function paneOf(entry: RegistryEntry, byPid: Map<string, PaneRow>, byPane: Map<string, PaneRow>): PaneRow | null {
  let pid = entry.pid
  if (!procStat(pid)) {
    const row = entry.tmuxPane ? byPane.get(entry.tmuxPane) : undefined
    return row && (!entry.tmuxSession || row.session === entry.tmuxSession) ? row : null
  }
  for (let depth = 0; depth < 8 && pid > 1; depth++) {
    const row = byPid.get(String(pid))
    if (row) return row
    const stat = procStat(pid)
    if (!stat) return null
    pid = stat.ppid
  }
  return null
}

/** Every live session on this host; a missing tmux server or registry just yields fewer rows.
 *  `also`: a tmux command (that prints nothing) run in the same call, after the read; when the
 *  panes are those bin/cs listed while Node started, run on its own if `needed` says so of them. */
export function readLive(config: Config, also: string[] = [], needed = (_: PaneRow[]) => true): LiveInfo[] {
  const tmux = new Tmux(config.tmuxSocket)
  const listed = listedByBin(config)
  if (listed === null) return liveFrom(config, tmux, tmux.try(...listPanes(also)))
  if (also.length && needed(parsePanes(listed))) tmux.try(...also)
  return liveFrom(config, tmux, listed)
}

/** readLive with tmux started now and read when awaited: the dashboard opens its store and
 *  reads its index meanwhile, on the other core. The panes bin/cs listed while Node started,
 *  when it did, but with `also` only when `needed` is given (`also` then runs on its own when it
 *  says so of them): a sync's push must read state once it holds the push lock, and reads again
 *  unless no push took the lock since bin/cs read (lib/sync.ts withPushLock). Panes read again
 *  are read to their end and dropped, so that bin/cs's tmux does not wait on a pipe nobody reads. */
export async function readLiveSoon(
  config: Config,
  also: string[] = [],
  needed?: (panes: PaneRow[]) => boolean
): Promise<LiveInfo[]> {
  const tmux = new Tmux(config.tmuxSocket)
  const listed = listedByBin(config)
  if (listed !== null && (!also.length || needed)) {
    if (needed?.(parsePanes(listed))) await tmux.tryLater(...also)
    return liveFrom(config, tmux, listed)
  }
  return liveFrom(config, tmux, await tmux.tryLater(...listPanes(also)))
}

let listed = false
/** What bin/cs's tmux wrote on config.panesFd, read up to the status line bin/cs adds after it
 *  (`\x1eSTATUS`), not to the pipe's end: tmux hands its client's stdout to the server, so a
 *  stuck server holds the pipe open. Null when there is no such fd; once: the fd is closed then.
 *  Status 124 or 137 is tmux killed by `timeout`: a server that did not answer. */
function listedByBin(config: Config): string | null {
  if (config.panesFd === null || listed) return null
  listed = true
  const chunks: Buffer[] = []
  let tail = ''
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024)
      const n = readSync(config.panesFd, chunk)
      if (n === 0) break
      chunks.push(chunk.subarray(0, n))
      tail = (tail + chunk.toString('latin1', Math.max(0, n - 16), n)).slice(-16)
      if (STATUS_LINE.test(tail)) break
    }
  } catch {
    return null
  } finally {
    try {
      closeSync(config.panesFd)
    } catch {}
  }
  const status = STATUS_LINE.exec(tail)?.[1]
  if (status === '124' || status === '137') throw stuck(config.tmuxSocket)
  if (status === '127') tmuxCalls.notInstalled = true // sh's word for a command not found
  return Buffer.concat(chunks).toString('utf8')
}
const STATUS_LINE = /\x1e(\d+)\n$/

const listPanes = (also: string[]) => ['list-panes', '-a', '-F', PANE_FORMAT, ...(also.length ? [THEN, ...also] : [])]

function liveFrom(config: Config, tmux: Tmux, panes: string | null): LiveInfo[] {
  const rows = parsePanes(panes ?? '')
  const entries = readRegistry(config.claudeDir)
    .filter(hasStatus)
    .filter((e) => e.kind !== 'daemon' && e.kind !== 'daemon-worker')
  const jobs = readJobs(config.claudeDir)
  const nowSec = Math.floor(Date.now() / 1000)
  const base = { host: config.host, bgId: null, tmuxSession: null, tmuxPane: null, pid: null }

  // Sessions cs tracks (options carry a claude id) and the pane claude runs in: @cs_pane, else
  // the first pane; undefined when that pane was closed and other panes remain.
  const tracked = new Map<string, PaneRow | undefined>()
  for (const r of rows) {
    if (!(r.id || r.managed === '1') || tracked.get(r.session)) continue
    if (r.pane === r.claudePane || !r.claudePane) tracked.set(r.session, r)
    else if (!tracked.has(r.session)) tracked.set(r.session, undefined)
  }
  const isTracked = (r: PaneRow) => tracked.get(r.session) === r

  const byPid = new Map(rows.map((r) => [r.pid, r]))
  const byPane = new Map(rows.map((r) => [r.pane, r]))
  const entryOfPane = new Map<string, StatusEntry>()
  const out: LiveInfo[] = []
  for (const e of entries) {
    const background = e.kind === 'bg' || e.jobId !== null
    const row = background ? null : paneOf(e, byPid, byPane)
    if (row && !entryOfPane.has(row.pane)) entryOfPane.set(row.pane, e)
    if (row && isTracked(row)) continue // reconciled below
    const job = e.jobId ? jobs.get(e.jobId) : undefined
    out.push({
      ...base,
      id: e.sessionId,
      kind: background ? 'background' : 'external',
      state: fromRegistry(e.status),
      stateSince: iso(e.statusUpdatedAt),
      waitingFor: e.waitingFor,
      name: e.name ?? job?.name ?? job?.intent ?? null,
      cwd: e.cwd,
      tmuxSession: row?.session ?? null,
      tmuxPane: row?.pane ?? null,
      pid: e.pid,
      bgId: background ? e.jobId : null,
    })
  }

  const corrections: Correction[] = []
  const scrape: PaneRow[] = []
  for (const [session, row] of tracked) {
    if (!row) {
      // claude's pane was closed: dead since the hook said so (SessionEnd, on the session, which
      // the other panes' options fall back to), else since now, kept on the session from now on
      const any = rows.find((r) => r.session === session)!
      const said = hookState(any) === 'dead' ? hookStateAt(any) : null
      if (said === null) corrections.push({ pane: any.pane, state: 'dead', at: nowSec, waitingFor: null, seenAt: any.stateAt, sessionOnly: true })
      const since = iso((said ?? nowSec) * 1000)
      out.push({ ...base, ...identity(any), kind: 'tmux', state: 'dead', stateSince: since, tmuxSession: session })
      continue
    }
    const entry = entryOfPane.get(row.pane) ?? null
    // no hook ever ran (SessionStart sets the transcript) and no registry: only the screen can tell
    if (!entry && !row.transcript && row.dead !== '1' && !shellInFront(row)) scrape.push(row)
    const r = reconcile(row, entry, nowSec)
    if (r.correction) corrections.push(r.correction)
    out.push({
      ...base,
      ...identity(row),
      id: entry?.sessionId ?? idOf(row),
      kind: 'tmux',
      state: r.state,
      stateSince: iso(r.since),
      waitingFor: r.waitingFor,
      cwd: entry?.cwd ?? cwdOf(row.cwd),
      tmuxSession: session,
      tmuxPane: row.pane,
      pid: entry?.pid ?? null,
    })
  }
  // Old clients elsewhere in tmux: claude in front, no registry entry, no options.
  for (const r of rows) if (!tracked.has(r.session) && !entryOfPane.has(r.pane) && claudeInFront(r)) scrape.push(r)

  for (const [row, screen] of capture(tmux, scrape)) {
    const state = stateFromScreen(screen)
    if (!state) continue
    const i = out.findIndex((l) => l.tmuxPane === row.pane)
    if (i >= 0) out[i] = { ...out[i], state, stateSince: null }
    else
      out.push({
        ...base,
        id: null,
        kind: 'external',
        state,
        stateSince: null,
        waitingFor: null,
        name: null,
        cwd: cwdOf(row.path),
        tmuxSession: row.session,
        tmuxPane: row.pane,
      })
  }
  if (corrections.length) tmux.try(...writeBack(corrections))
  return out
}

// the hook sets @cs_id and @cs_cwd from Claude's payload: checked as the registry's entries are
const idOf = (row: PaneRow) => (isSessionId(row.id) ? row.id : null)
const cwdOf = (cwd: string) => (isCwd(cwd) ? cwd : null)
const identity = (row: PaneRow) => ({
  id: idOf(row),
  name: row.name || row.title || null,
  cwd: cwdOf(row.cwd),
  waitingFor: null,
})

/** The screens of these panes, in one tmux call: each capture follows a marker line. */
function capture(tmux: Tmux, rows: PaneRow[]): [PaneRow, string][] {
  if (!rows.length) return []
  const mark = `\x1ecs-capture-${process.pid}` // a control character: on no screen
  const args = rows.flatMap((r, i) => [
    ...(i ? [THEN] : []),
    'display-message', '-p', '-t', r.pane, `${mark} #{pane_id}`, THEN,
    'capture-pane', '-p', '-t', r.pane,
  ])
  const out = tmux.try(...args)
  if (out === null) return []
  const screens = new Map<string, string>()
  for (const part of out.split(`${mark} `).slice(1)) {
    const nl = part.indexOf('\n')
    screens.set(part.slice(0, nl), part.slice(nl + 1))
  }
  return rows.flatMap((r) => (screens.has(r.pane) ? [[r, screens.get(r.pane)!] as [PaneRow, string]] : []))
}

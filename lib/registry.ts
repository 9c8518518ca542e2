// Claude Code's own live registry: `<claudeDir>/sessions/<pid>.json`, one file per running client
// (2.1.139+), and the background jobs of `claude --bg` under `<claudeDir>/jobs/<id>/state.json`.
// Parsing is pure and never throws; the readers drop files of dead or reused pids and of
// processes that are not claude. Any process may write there: every field is checked as untrusted.
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { readRegular } from './regular-file.ts'
import { cleanText, isCwd, isSessionId, jsonObject } from './untrusted.ts'

export type RegistryStatus = 'busy' | 'idle' | 'waiting' | 'shell'
const STATUSES: readonly string[] = ['busy', 'idle', 'waiting', 'shell']

export interface RegistryEntry {
  pid: number
  sessionId: string
  /** null: none (an SDK session's) or one this cs does not know (a newer client's); the
   *  session is held all the same, but no state is read from it */
  status: RegistryStatus | null
  waitingFor: string | null // only when waiting: "permission prompt", "dialog open", …
  statusUpdatedAt: number | null // epoch ms
  cwd: string | null
  kind: string | null // interactive | bg | daemon | daemon-worker
  name: string | null
  procStart: string | null // field 22 of /proc/<pid>/stat when the file was written
  tmuxPane: string | null // %N, from `tmux: "<session>:@<window>.%<pane>"` (2.1.3xx)
  tmuxSession: string | null
  jobId: string | null // background sessions: the short id of `claude attach|stop`
  version: string | null
}

export interface BackgroundJob {
  id: string // the folder name: the short id
  sessionId: string | null
  state: string | null // working | blocked | done …
  intent: string | null // the prompt it was started with
  name: string | null
  cwd: string | null
  updatedAt: string | null // ISO 8601
}



const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const clean = (v: unknown): string | null => cleanText(str(v))
const sessionId = (v: unknown): string | null => (isSessionId(v) ? v : null)
const cwd = (v: unknown): string | null => (isCwd(v) ? v : null)
// what `claude attach|stop` takes: a short id, never an option or a path
const JOB_ID = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/
const jobId = (v: unknown): string | null => (typeof v === 'string' && JOB_ID.test(v) ? v : null)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** An entry the dashboard can read a state from. */
export type StatusEntry = RegistryEntry & { status: RegistryStatus }
export const hasStatus = (e: RegistryEntry): e is StatusEntry => e.status !== null

/** One registry file. Null for anything that is not a registry object (the legacy `pid-N.json`
 *  generation has other names: never read). */
export function parseRegistryEntry(text: string): RegistryEntry | null {
  const o = jsonObject(text)
  if (!o) return null
  const pid = num(o.pid)
  const id = sessionId(o.sessionId)
  const given = str(o.status)
  const status = given !== null && STATUSES.includes(given) ? (given as RegistryStatus) : null
  if (pid === null || pid <= 0 || !Number.isInteger(pid) || !id) return null
  const tmux = str(o.tmux)
  // session names cannot hold ':' (tmux replaces it), so the first ':' ends the name
  const where = tmux?.match(/^(.*?):@\d+\.(%\d+)$/)
  const procStart = o.procStart
  const start = typeof procStart === 'number' ? String(procStart) : str(procStart)
  return {
    pid,
    sessionId: id,
    status,
    waitingFor: status === 'waiting' ? clean(o.waitingFor) : null,
    statusUpdatedAt: num(o.statusUpdatedAt) ?? num(o.updatedAt),
    cwd: cwd(o.cwd),
    kind: clean(o.kind),
    // 2.1.332 names every session after its folder (`project-18`, nameSource derived): no name
    // the user gave, and it would stand before the session's own title
    name: o.nameSource === 'derived' ? null : clean(o.name),
    procStart: start && /^\d+$/.test(start) ? start : null,
    tmuxPane: where?.[2] ?? null,
    tmuxSession: where?.[1] ?? null,
    jobId: jobId(o.jobId),
    version: clean(o.version),
  }
}

/** One `jobs/<id>/state.json`. */
export function parseJob(id: string, text: string): BackgroundJob | null {
  const o = jsonObject(text)
  const short = o && (jobId(o.daemonShort) ?? jobId(id))
  if (!o || !short) return null
  return {
    id: short,
    sessionId: sessionId(o.sessionId),
    state: clean(o.state),
    intent: clean(o.intent),
    name: clean(o.name),
    cwd: cwd(o.cwd),
    updatedAt: clean(o.updatedAt),
  }
}

export interface ProcStat {
  comm: string // field 2, without its parentheses
  state: string // field 3: R, S, D… Z a zombie (exited, its parent has not reaped it yet)
  ppid: number
  start: string // field 22: start time in clock ticks since boot
}

/** Parses /proc/<pid>/stat text. The command name (field 2) may hold spaces and parentheses:
 * fields are counted from its last ')'. */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return null
  const rest = text.slice(close + 2).split(' ') // rest[0] is field 3
  const ppid = Number(rest[1])
  const start = rest[19]
  const comm = text.slice(open + 1, close)
  return Number.isInteger(ppid) && start && /^\d+$/.test(start) ? { comm, state: rest[0], ppid, start } : null
}

/** /proc/<pid>/stat, or null where there is no such process or no /proc (macOS). */
export function procStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return null
  }
}

/** Whether a process with this pid runs (another user's too). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' // someone else's process: it exists
  }
}

/** Does /proc say this process is a claude client? Its name (`claude`, or the version the
 * native build sets as its title) or its program's file name. Null where there is no /proc. */
export function runsClaude(pid: number): boolean | null {
  const stat = procStat(pid)
  if (!stat) return null
  if (CLAUDE_NAME.test(stat.comm) || VERSION_TITLE.test(stat.comm)) return true
  const argv = (readRegular(`/proc/${pid}/cmdline`) ?? '').split('\0')
  // argv[0] the program, or the script an interpreter runs (`node …/claude`)
  return argv.slice(0, 2).some((a) => CLAUDE_NAME.test(basename(a)))
}
const CLAUDE_NAME = /claude/i
const VERSION_TITLE = /^\d+\.\d+\.\d+/

/** Is this entry's process still the one that wrote it, and a claude? A dead pid, or one
 * reused by another process (another start time), leaves a stale file behind; a file naming
 * pid 1 or any other process that is not claude is not believed. */
export function running(entry: RegistryEntry): boolean {
  if (!processAlive(entry.pid)) return false
  const stat = procStat(entry.pid)
  if (!stat) return true // no /proc (macOS): a live pid is all there is to go on
  if (stat.state === 'Z') return false // a claude killed a moment ago, not yet reaped
  if (entry.procStart && stat.start !== entry.procStart) return false
  return runsClaude(entry.pid) === true
}

function files(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

/** The registry entries of running clients under claudeDir. */
export function readRegistry(claudeDir: string): RegistryEntry[] {
  const dir = join(claudeDir, 'sessions')
  const out: RegistryEntry[] = []
  for (const f of files(dir)) {
    if (!/^\d+\.json$/.test(f)) continue
    const body = readRegular(join(dir, f))
    const entry = body === null ? null : parseRegistryEntry(body)
    if (entry && running(entry)) out.push(entry)
  }
  return out
}

/** Every session a running claude holds, whatever its kind or status: a daemon's workers and
 *  SDK sessions too, which no view shows as live. */
export const heldSessions = (claudeDir: string): Set<string> => new Set(readRegistry(claudeDir).map((e) => e.sessionId))

/** Background jobs by short id. */
export function readJobs(claudeDir: string): Map<string, BackgroundJob> {
  const dir = join(claudeDir, 'jobs')
  const out = new Map<string, BackgroundJob>()
  for (const id of files(dir)) {
    const body = readRegular(join(dir, id, 'state.json'))
    const job = body === null ? null : parseJob(id, body)
    if (job) out.set(id, job)
  }
  return out
}

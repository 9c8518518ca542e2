// Claude Code's own live registry: `<claudeDir>/sessions/<pid>.json`, one file per running client
// (2.1.139+), and the background jobs of `claude --bg` under `<claudeDir>/jobs/<id>/state.json`.
// Parsing is pure and never throws; the readers drop files of dead or reused pids.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type RegistryStatus = 'busy' | 'idle' | 'waiting' | 'shell'
const STATUSES: readonly string[] = ['busy', 'idle', 'waiting', 'shell']

export interface RegistryEntry {
  pid: number
  sessionId: string
  status: RegistryStatus
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

type Json = Record<string, unknown>

function object(text: string): Json | null {
  try {
    const v: unknown = JSON.parse(text)
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null
  } catch {
    return null
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** One registry file. Null for the legacy `pid-N.json` generation and SDK sessions (no `status`),
 * and for anything that is not a registry object. */
export function parseRegistryEntry(text: string): RegistryEntry | null {
  const o = object(text)
  if (!o) return null
  const pid = num(o.pid)
  const sessionId = str(o.sessionId)
  const status = str(o.status)
  if (pid === null || pid <= 0 || !Number.isInteger(pid) || !sessionId || !status || !STATUSES.includes(status))
    return null
  const tmux = str(o.tmux)
  // session names cannot hold ':' (tmux replaces it), so the first ':' ends the name
  const where = tmux?.match(/^(.*?):@\d+\.(%\d+)$/)
  const procStart = o.procStart
  return {
    pid,
    sessionId,
    status: status as RegistryStatus,
    waitingFor: status === 'waiting' ? str(o.waitingFor) : null,
    statusUpdatedAt: num(o.statusUpdatedAt) ?? num(o.updatedAt),
    cwd: str(o.cwd),
    kind: str(o.kind),
    name: str(o.name),
    procStart: typeof procStart === 'number' ? String(procStart) : str(procStart),
    tmuxPane: where?.[2] ?? null,
    tmuxSession: where?.[1] ?? null,
    jobId: str(o.jobId),
    version: str(o.version),
  }
}

/** One `jobs/<id>/state.json`. */
export function parseJob(id: string, text: string): BackgroundJob | null {
  const o = object(text)
  if (!o) return null
  return {
    id: str(o.daemonShort) ?? id,
    sessionId: str(o.sessionId),
    state: str(o.state),
    intent: str(o.intent),
    name: str(o.name),
    cwd: str(o.cwd),
    updatedAt: str(o.updatedAt),
  }
}

export interface ProcStat {
  ppid: number
  start: string // field 22: start time in clock ticks since boot
}

/** Parses /proc/<pid>/stat text. The command name (field 2) may hold spaces and parentheses:
 * fields are counted from its last ')'. */
export function parseStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')')
  if (close < 0) return null
  const rest = text.slice(close + 2).split(' ') // rest[0] is field 3
  const ppid = Number(rest[1])
  const start = rest[19]
  return Number.isInteger(ppid) && start && /^\d+$/.test(start) ? { ppid, start } : null
}

/** /proc/<pid>/stat, or null where there is no such process or no /proc (macOS). */
export function procStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return null
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' // someone else's process: it exists
  }
}

/** Is this entry's process still the one that wrote it? A dead pid, or one reused by another
 * process (another start time), leaves a stale file behind. */
export function running(entry: RegistryEntry): boolean {
  if (!alive(entry.pid)) return false
  const stat = procStat(entry.pid)
  return !stat || !entry.procStart || stat.start === entry.procStart
}

function files(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/** The registry entries of running clients under claudeDir. */
export function readRegistry(claudeDir: string): RegistryEntry[] {
  const dir = join(claudeDir, 'sessions')
  const out: RegistryEntry[] = []
  for (const f of files(dir)) {
    if (!/^\d+\.json$/.test(f)) continue
    const text = read(join(dir, f))
    const entry = text === null ? null : parseRegistryEntry(text)
    if (entry && running(entry)) out.push(entry)
  }
  return out
}

/** Background jobs by short id. */
export function readJobs(claudeDir: string): Map<string, BackgroundJob> {
  const dir = join(claudeDir, 'jobs')
  const out = new Map<string, BackgroundJob>()
  for (const id of files(dir)) {
    const text = read(join(dir, id, 'state.json'))
    const job = text === null ? null : parseJob(id, text)
    if (job) out.set(id, job)
  }
  return out
}

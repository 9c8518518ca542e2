// The session model shared by the index, the stores, live state and rendering.

/** What a session is doing. `stopped` is history: no process, nothing wrong. */
export const STATES = ['working', 'waiting', 'idle', 'dead', 'stopped'] as const
export type State = (typeof STATES)[number]

/** The states a live session can be in (everything but history's `stopped`), as @cs_state holds them. */
export type LiveState = Exclude<State, 'stopped'>
export const LIVE_STATES: readonly string[] = STATES.filter((s) => s !== 'stopped')

/** A value read from outside (tmux, a file, another host) that names a state. */
export const isState = (s: unknown): s is State => (STATES as readonly unknown[]).includes(s)

export interface Tokens {
  input: number
  output: number
  cacheRead: number
  cacheWrite: number
}
export const noTokens = (): Tokens => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 })

/** Everything the index knows of one transcript file, derived by lib/transcript.ts. */
export interface TranscriptInfo {
  id: string // the session uuid: the file's name, never a record's sessionId
  path: string // absolute path of the .jsonl
  projectDir: string // name of the folder under <claudeDir>/projects
  cwd: string | null // first cwd recorded inside (relocatedCwd wins); never decoded from the folder
  branch: string | null // last gitBranch seen
  customTitle: string | null // last custom-title
  agentName: string | null // last agent-name
  aiTitle: string | null // last ai-title
  summary: string | null // a legacy summary record whose leafUuid points into this session
  firstPrompt: string | null // first real user prompt, shortened
  lastPrompt: string | null // last real user prompt (or last-prompt record), shortened
  command: string | null // the slash command (`/name args`) typed before any prompt, shortened
  tag: string | null // last tag record ('' clears)
  createdAt: string | null // ISO 8601
  updatedAt: string | null // ISO 8601
  userMessages: number
  assistantMessages: number
  sidechainMessages: number // subagent turns written inline (1.0.x): not in the two counts above
  model: string | null
  tokens: Tokens
  version: string | null // Claude Code version that last wrote
  orphan: boolean // no conversation of its own: left by /clear or /compact, or a sidechain file
  sidechain: boolean // its first conversation record is a subagent's: an orphan
  unknownRecords: number // records of a type this parser does not know
  badLines: number // lines that are not a JSON object, or too long to read (lib/indexer.ts MAX_LINE)
  lastUuid: string | null // uuid of the last user/assistant record: legacy summaries point at it
  summaries: { leafUuid: string; summary: string }[] // legacy summary records found in this file (they title other sessions)
}

/** Live facts about a session, from tmux options, Claude's registry or its daemon. */
export interface LiveInfo {
  id: string | null // claude session id, when known
  host: string
  kind: 'tmux' | 'background' | 'external' // cs-launched tmux, `claude --bg`, claude cs did not launch
  state: LiveState
  stateSince: string | null // ISO 8601
  waitingFor: string | null
  name: string | null
  cwd: string | null
  tmuxSession: string | null
  tmuxPane: string | null // %N
  pid: number | null
  bgId: string | null // short id for `claude attach|stop`
}

/** Metadata cs keeps of its own: never transcript content. */
export interface SessionMeta {
  id: string
  name: string | null // `cs rename`
  tag: string | null // `cs tag`
  deletedAt: string | null // soft delete (`cs rm`, `cs prune`)
}

/** Whether a soft deletion stands: until the session is written to after it (resumed outside
 *  cs, after a prune, shows again). A deletion is stamped after the time the session showed
 *  (deletionTime), whichever clock wrote that. */
export const isDeleted = (deletedAt: string | null | undefined, updatedAt: string | null): boolean =>
  Boolean(deletedAt) && !(updatedAt !== null && Date.parse(updatedAt) > Date.parse(deletedAt!))

/** The time to stamp a deletion of these sessions with: now, or just after the latest time one
 *  of them shows when that is later (a transcript's clock ahead of this host's, by as much as
 *  the index allows, or another host's, with a shared store). */
export function deletionTime(sessions: { updatedAt: string | null }[], now = Date.now()): string {
  const shown = sessions.map((s) => (s.updatedAt === null ? NaN : Date.parse(s.updatedAt))).filter((t) => !Number.isNaN(t))
  return new Date(Math.max(now, ...shown.map((t) => t + 1))).toISOString()
}

/** A launch record: enough to bring a session back after a reboot. */
export interface Launch {
  id: string // claude session id (follows /clear)
  host: string
  tmuxSession: string
  cwd: string
  launchedAt: string
  lastState: State | null
  lastSeenAt: string | null
  /** what came after `--` at `cs launch`: claude's options, given again when cs brings it back */
  args: string[]
}

/** What other hosts learn of a launch record: not its claude arguments, which may hold a prompt
 *  or a path of this host's. */
export const sharedLaunch = ({ args: _, ...shared }: Launch): Omit<Launch, 'args'> => shared

/** One dashboard row: the index, cs's metadata and live state merged. */
export interface SessionView {
  id: string
  short: string // shortest unique prefix, >= 4 characters
  name: string | null // cs rename, else the session's own custom title / agent name
  title: string // what to show: name, else ai title, summary, first prompt, or the id
  host: string
  state: State
  stateSince: string | null
  cwd: string | null
  project: string | null // basename of cwd
  branch: string | null
  createdAt: string | null
  updatedAt: string | null
  messages: number // user and assistant messages, inline subagent turns left out
  orphan: boolean
  deleted: boolean
  live: boolean
  tag: string | null
  model: string | null
  tokens: Tokens
  path: string | null
  tmuxSession: string | null
  kind: LiveInfo['kind'] | 'history'
}

/**
 * One session of another host, as the shared store or a remote `cs ls --json --local` carries it:
 * metadata only, never message content (a prompt travels only as the title, and not at all with
 * `sync.titles: false`). Every field is checked (lib/untrusted.ts checkHostRow) before it is
 * stored or shown.
 */
export interface HostRow {
  id: string // a UUID
  host: string // a plain host name
  tmuxSession: string | null
  kind: 'tmux' | 'background' | 'plain'
  name: string | null
  tag: string | null
  title: string | null
  cwd: string | null
  project: string | null
  branch: string | null
  state: State
  stateSince: string | null
  createdAt: string | null
  updatedAt: string | null
  userMessages: number
  assistantMessages: number
  model: string | null
  tokens: Tokens
  deleted: boolean
  csVersion: string
}

/** What cs knows of another host: filled by sync (shared store) or by ssh answers. */
export interface HostFacts {
  name: string
  ssh: string | null // what ssh connects to, when known
  csVersion: string | null
  lastSync: string | null // ISO 8601: when that host last pushed
  heartbeat: string | null // ISO 8601: that host's last sign of life
  fetchedAt: string | null // ISO 8601: when this host last copied its rows
  source: 'shared' | 'ssh'
}

// The session model shared by the index, the stores, live state and rendering.

/** What a session is doing. `stopped` is history: no process, nothing wrong. */
export type State = 'working' | 'waiting' | 'idle' | 'dead' | 'stopped'

export interface Tokens {
  input: number
  output: number
  cacheRead: number
  cacheWrite: number
}

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
  tag: string | null // last tag record ('' clears)
  createdAt: string | null // ISO 8601
  updatedAt: string | null // ISO 8601
  userMessages: number
  assistantMessages: number
  model: string | null
  tokens: Tokens
  version: string | null // Claude Code version that last wrote
  orphan: boolean // left by /clear or /compact: no conversation of its own
  sidechain: boolean // a subagent transcript: never listed as a session
  unknownRecords: number // records of a type this parser does not know
  badLines: number // lines that are not a JSON object
  lastUuid: string | null // uuid of the last user/assistant record: legacy summaries point at it
  summaries: { leafUuid: string; summary: string }[] // legacy summary records found in this file (they title other sessions)
}

/** Live facts about a session, from tmux options, Claude's registry or its daemon. */
export interface LiveInfo {
  id: string | null // claude session id, when known
  host: string
  kind: 'tmux' | 'background' | 'external' // cs-launched tmux, `claude --bg`, claude cs did not launch
  state: Exclude<State, 'stopped'>
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

/** A launch record: enough to bring a session back after a reboot. */
export interface Launch {
  id: string // claude session id (follows /clear)
  host: string
  tmuxSession: string
  cwd: string
  launchedAt: string
  lastState: State | null
  lastSeenAt: string | null
}

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
  messages: number
  orphan: boolean
  deleted: boolean
  live: boolean
  tag: string | null
  model: string | null
  tokens: Tokens
  path: string | null
  tmuxSession: string | null
  kind: LiveInfo['kind'] | 'history'
  /** another host's row: when that host was asked (ISO 8601); absent on this host's rows */
  asOf?: string
}

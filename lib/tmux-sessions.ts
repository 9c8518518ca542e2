// The tmux sessions on cs's server as cs sees them: name and the @cs_* options (set by
// `cs launch` and the hook), each read with one tmux call. A format reads the pane's option
// first, then the session's, so a session whose active pane is a split-off shell still shows
// the session-level values the hook keeps.
import { LIVE_STATES, type State } from './session.ts'
import { THEN, exact, exactPane, type Tmux } from './tmux.ts'

export interface TmuxSession {
  name: string
  managed: boolean // launched by cs (@cs_managed)
  id: string | null // claude session id
  title: string | null
  state: Exclude<State, 'stopped'> | null // null: no hook has spoken and cs did not launch it
  stateAt: number | null // epoch seconds
  waitingFor: string | null
  cwd: string | null
}

const FIELDS = ['session_name', '@cs_managed', '@cs_id', '@cs_title', '@cs_state', '@cs_state_at', '@cs_waiting_for', '@cs_cwd']
const FORMAT = FIELDS.map((f) => `#{${f}}`).join('\t')

/** One line of FORMAT output (the cwd, last, may itself hold a tab). */
export function parseLine(line: string): TmuxSession {
  const [name, managed, id, title, state, at, waitingFor, ...cwd] = line.split('\t')
  const or = (s: string | undefined) => s || null
  return {
    name,
    managed: managed === '1',
    id: or(id),
    title: or(title),
    state: LIVE_STATES.includes(state) ? (state as TmuxSession['state']) : null,
    stateAt: /^\d+$/.test(at ?? '') ? Number(at) : null,
    waitingFor: or(waitingFor),
    cwd: or(cwd.join('\t')),
  }
}

/** Every session on the server; none when no server runs (or no tmux). */
export function listSessions(tmux: Tmux): TmuxSession[] {
  const out = tmux.try('list-sessions', '-F', FORMAT) ?? ''
  return out.split('\n').filter(Boolean).map(parseLine)
}

/** The session named exactly name, or null. */
export function probe(tmux: Tmux, name: string): TmuxSession | null {
  // display-message succeeds (printing nothing) for a target that does not exist: has-session
  // first, and a failure there ends the sequence
  const out = tmux.try('has-session', '-t', exact(name), THEN, 'display-message', '-p', '-t', exactPane(name), FORMAT)
  return out === null ? null : parseLine(out.replace(/\n$/, ''))
}

/** A session of Claude's: launched by cs, or tagged by the hook. */
export const isClaude = (s: TmuxSession) => s.managed || s.id !== null

// The tmux sessions on cs's server as cs sees them: name and the @cs_* options (set by
// `cs launch` and the hook), each read with one tmux call in lib/pane-row.ts's format. An option
// resolves on the session's active pane first, then on the session, so a session whose active
// pane is a split-off shell still shows the session-level values the hook keeps.
import { FIELDS, hookState, hookStateAt, hookWaitingFor, PANE_FORMAT, parsePanes, type PaneRow } from './pane-row.ts'
import type { LiveState } from './session.ts'
import { THEN, exact, exactPane, type Tmux } from './tmux.ts'

export interface TmuxSession {
  name: string
  managed: boolean // launched by cs (@cs_managed)
  id: string | null // claude session id
  title: string | null
  state: LiveState | null // null: no hook has spoken and cs did not launch it
  stateAt: number | null // epoch seconds
  waitingFor: string | null
  cwd: string | null
}

/** A session as cs sees it, from its record of PANE_FORMAT. */
export function sessionOf(row: PaneRow): TmuxSession {
  const or = (s: string) => s || null
  return {
    name: row.session,
    managed: row.managed === '1',
    id: or(row.id),
    title: or(row.name) ?? or(row.title),
    state: hookState(row),
    stateAt: hookStateAt(row),
    waitingFor: hookWaitingFor(row),
    cwd: or(row.cwd),
  }
}

/** Every session on the server; none when no server runs (or no tmux). */
export function listSessions(tmux: Tmux): TmuxSession[] {
  return parsePanes(tmux.try('list-sessions', '-F', PANE_FORMAT) ?? '').map(sessionOf)
}

/** The session named exactly name, or null. */
export function probe(tmux: Tmux, name: string): TmuxSession | null {
  // display-message succeeds (printing nothing) for a target that does not exist: has-session
  // first, and a failure there ends the sequence
  const show = ['display-message', '-p', '-t', exactPane(name), PANE_FORMAT]
  const [row] = parsePanes(tmux.try('has-session', '-t', exact(name), THEN, ...show) ?? '')
  return row ? sessionOf(row) : null
}

/** A session of Claude's: launched by cs, or tagged by the hook. */
export const isClaude = (s: TmuxSession) => s.managed || s.id !== null

/** A live tmux session shows its new name in the status line and picker at once, and keeps it:
 *  cs's name is @cs_name, which the hook never sets (it writes Claude's title to @cs_title at
 *  each prompt). Cleared (null), the session's own title shows again. */
export function retitle(tmux: Tmux, session: string, name: string | null, ownTitle: string | null): void {
  const target = exactPane(session)
  const pane = tmux.try('display', '-p', '-t', target, `#{${FIELDS.claudePane}}`)?.trim()
  const option = (scope: string[], field: string, value: string | null) =>
    value === null ? ['set', '-qu', ...scope, field] : ['set', '-q', ...scope, field, value]
  const set = (...scope: string[]) =>
    name !== null
      ? option(scope, FIELDS.name, name)
      : [...option(scope, FIELDS.name, null), THEN, ...option(scope, FIELDS.title, ownTitle)]
  tmux.try(...set('-t', target), ...(pane ? [THEN, ...set('-p', '-t', pane)] : []))
}

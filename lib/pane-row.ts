// What tmux tells of a pane and the @cs_* options that `cs launch` and the hook set, as one format
// and its one parser: live state (lib/live.ts, over `list-panes -a`) and cs's tmux sessions
// (lib/tmux-sessions.ts, over `list-sessions`, whose formats resolve in each session's active
// pane) read the same fields. An @ option resolves on the pane first, then on its session.
import { LIVE_STATES, type LiveState } from './session.ts'
import { cleanText } from './untrusted.ts'

/** Each field's tmux format: the @cs_* options by name, for those that set them too. */
export const FIELDS = {
  session: 'session_name',
  pane: 'pane_id',
  pid: 'pane_pid',
  dead: 'pane_dead',
  deadAt: 'pane_dead_time', // epoch seconds; tmux 3.3 and later
  command: 'pane_current_command',
  path: 'pane_current_path',
  managed: '@cs_managed',
  claudePane: '@cs_pane',
  id: '@cs_id',
  name: '@cs_name', // cs's own name (cs rename): shown before @cs_title, which the hook sets
  title: '@cs_title',
  state: '@cs_state',
  stateAt: '@cs_state_at',
  waitingFor: '@cs_waiting_for',
  transcript: '@cs_transcript',
  cwd: '@cs_cwd',
  // `=` and @cs-push-sum when @cs-push (lib/push-trigger.ts), a global option, is set: whether
  // `cs sync` must publish it again or clear it
  pushSet: '?@cs-push,=#{@cs-push-sum},',
} as const
/** One pane's values as tmux printed them (empty when unset). */
export type PaneRow = { [K in keyof typeof FIELDS]: string }

// Control characters no session name, path or title holds: a value holding one only loses its row.
const SEP = '\x1f'
const END = '\x1e'
const KEYS = Object.keys(FIELDS) as (keyof PaneRow)[]
export const PANE_FORMAT = KEYS.map((k) => `#{${FIELDS[k]}}`).join(SEP) + END

/** Parses tmux output in PANE_FORMAT, one record a pane (or session); skips malformed records. */
export function parsePanes(out: string): PaneRow[] {
  const rows: PaneRow[] = []
  for (const record of out.split(`${END}\n`)) {
    const values = record.split(SEP)
    if (values.length !== KEYS.length || !/^%\d+$/.test(values[1])) continue
    rows.push(Object.fromEntries(KEYS.map((k, i) => [k, values[i]])) as PaneRow)
  }
  return rows
}

/** The state the hook last set (@cs_state), or null when none or not one cs knows. */
export const hookState = (row: PaneRow): LiveState | null =>
  LIVE_STATES.includes(row.state) ? (row.state as LiveState) : null

/** What a waiting session waits for (@cs_waiting_for), as text fit for a terminal, or null: the
 *  hook sets a few words of its own, but anyone on the tmux server can set the option. */
export const hookWaitingFor = (row: PaneRow): string | null => cleanText(row.waitingFor) || null

/** When it set it (@cs_state_at, epoch seconds), or null. */
export const hookStateAt = (row: PaneRow): number | null =>
  /^\d+$/.test(row.stateAt) ? Number(row.stateAt) : null

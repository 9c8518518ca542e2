// A live session as the dashboard meets one: a tmux session whose pane runs `sleep`, carrying the
// @cs_* options `cs launch` sets (lib/launcher.ts) and those the hook adds at SessionStart
// (tmux/hook.sh: the transcript, the cwd, the pane), on the session and on its pane. Without the
// hook's, cs reads the pane's screen: the last fallback, for a claude whose hook never ran.

export interface LiveSession {
  name: string
  id: string
  title: string
  state: 'working' | 'waiting' | 'idle'
  /** epoch seconds */
  stateAt: number
  cwd: string
  /** the transcript's path; null: no hook has run yet */
  transcript: string | null
}

/** tmux arguments that start the session and set its options, in one call (`;` chains them). */
export function startArgs(s: LiveSession): string[] {
  const target = `=${s.name}:`
  const options: [string, string][] = [
    ['@cs_managed', '1'],
    ['@cs_id', s.id],
    ['@cs_title', s.title],
    ['@cs_cwd', s.cwd],
    ['@cs_state', s.state],
    ['@cs_state_at', String(s.stateAt)],
    ...(s.transcript === null ? [] : [['@cs_transcript', s.transcript] as [string, string]]),
  ]
  // prettier-ignore
  return [
    'new-session', '-d', '-s', s.name, '-x', '80', '-y', '24', 'sleep 100000',
    ...options.flatMap(([k, v]) => [';', 'set-option', '-t', target, k, v, ';', 'set-option', '-p', '-t', target, k, v]),
    ...(s.transcript === null ? [] : [';', 'set-option', '-F', '-t', target, '@cs_pane', '#{pane_id}']),
  ]
}

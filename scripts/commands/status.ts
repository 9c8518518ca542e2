// `cs status`: the live Claude sessions in tmux and their states, from tmux and Claude's registry
// (no store, no index): fast enough for scripts. Their states are those `cs ls` shows: the hook's
// word corrected where the registry or tmux knows better (an Esc, a crash, a claude that exited).
import { defineCommand } from '../../lib/command.ts'
import { isSet, JSON_OPTION } from '../../lib/flags.ts'
import { age, alignColumns, truncate } from '../../lib/format.ts'
import { readLive } from '../../lib/live.ts'
import type { LiveInfo } from '../../lib/session.ts'
import { isClaude, listSessions } from '../../lib/tmux-sessions.ts'
import { requireTmux } from '../../lib/tmux.ts'
import { out } from '../../lib/stdout.ts'
import { cleanText, jsonText } from '../../lib/untrusted.ts'

export default defineCommand({
  usage: 'status [--json]',
  maxArgs: 0,
  summary: "The live Claude sessions in tmux and what each is doing, read from tmux and Claude's registry.",
  details: '  --json   an array of {tmuxSession, id, host, state, stateSince, waitingFor, title, cwd, managed}, named as in cs ls --json',
  options: JSON_OPTION,
  run({ config, flags }) {
    const all = listSessions(requireTmux(config))
    // each session's state as reconciled (lib/live.ts), as the dashboard shows it: cs's, and a
    // claude started by hand in a pane of this server, which its registry names (no hook ran)
    const live = new Map<string, LiveInfo>()
    for (const l of readLive(config)) if (l.kind !== 'background' && l.tmuxSession !== null) live.set(l.tmuxSession, l)
    const sessions = all.filter((s) => isClaude(s) || live.has(s.name))
    const rows = sessions.map((s) => {
      const l = live.get(s.name)
      return {
        tmuxSession: s.name,
        id: s.id ?? l?.id ?? null,
        host: config.host,
        state: l ? l.state : s.state,
        stateSince: l ? l.stateSince : s.stateAt === null ? null : new Date(s.stateAt * 1000).toISOString(),
        waitingFor: l ? l.waitingFor : s.waitingFor,
        // a claude started by hand: no hook set these; its registry entry has them
        title: s.title ?? l?.name ?? null,
        cwd: s.cwd ?? l?.cwd ?? null,
        managed: s.managed,
      }
    })
    if (isSet(flags, 'json')) return void out(jsonText(rows) + '\n')
    if (!rows.length) return void out('no live sessions in tmux\n')
    const now = new Date()
    // tmux's names and the hook's folders, shown as the table shows text: cleaned, a name cut short
    const lines = rows.map((r) => [
      truncate(cleanText(r.tmuxSession) ?? '?', NAME_CELLS),
      r.state === 'waiting' && r.waitingFor ? `waiting (${r.waitingFor})` : (r.state ?? '?'),
      age(r.stateSince, now),
      cleanText(r.cwd) ?? '',
    ])
    out(alignColumns([['NAME', 'STATE', 'SINCE', 'FOLDER'], ...lines]) + '\n')
  },
})

/** The most cells a name takes: the rest of the line is the state, its age and the folder. */
const NAME_CELLS = 40

// `cs status`: the live Claude sessions in tmux and their states, from one tmux call (no store,
// no index): fast enough for scripts and status lines.
import { defineCommand } from '../../lib/command.ts'
import { isSet, JSON_OPTION } from '../../lib/flags.ts'
import { age, alignColumns, truncate } from '../../lib/format.ts'
import { isClaude, listSessions } from '../../lib/tmux-sessions.ts'
import { requireTmux } from '../../lib/tmux.ts'
import { out } from '../../lib/stdout.ts'
import { cleanText } from '../../lib/untrusted.ts'

export default defineCommand({
  usage: 'status [--json]',
  maxArgs: 0,
  summary: 'The live Claude sessions in tmux and what each is doing, read from tmux alone.',
  details: '  --json   an array of {name, id, state, stateSince, waitingFor, title, cwd, managed}',
  options: JSON_OPTION,
  run({ config, flags }) {
    const rows = listSessions(requireTmux(config))
      .filter(isClaude)
      .map((s) => ({
        name: s.name,
        id: s.id,
        state: s.state,
        stateSince: s.stateAt === null ? null : new Date(s.stateAt * 1000).toISOString(),
        waitingFor: s.waitingFor,
        title: s.title,
        cwd: s.cwd,
        managed: s.managed,
      }))
    if (isSet(flags, 'json')) return void out(JSON.stringify(rows, null, 2) + '\n')
    if (!rows.length) return void out('no live sessions in tmux\n')
    const now = new Date()
    // tmux's names and the hook's folders, shown as the table shows text: cleaned, a name cut short
    const lines = rows.map((r) => [
      truncate(cleanText(r.name) ?? '?', NAME_CELLS),
      r.state === 'waiting' && r.waitingFor ? `waiting (${r.waitingFor})` : (r.state ?? '?'),
      age(r.stateSince, now),
      cleanText(r.cwd) ?? '',
    ])
    out(alignColumns([['NAME', 'STATE', 'SINCE', 'FOLDER'], ...lines]) + '\n')
  },
})

/** The most cells a name takes: the rest of the line is the state, its age and the folder. */
const NAME_CELLS = 40

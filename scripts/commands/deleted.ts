// `cs deleted`: the soft-deleted sessions (by `cs rm` or `cs prune`).
import { defineCommand } from '../../lib/command.ts'
import { isSet } from '../../lib/flags.ts'
import { printViews } from '../../lib/format.ts'
import { withSessions } from '../../lib/sessions.ts'
import { selectViews } from '../../lib/views.ts'

export default defineCommand({
  usage: 'deleted [--json]',
  summary: 'List soft-deleted sessions. `cs rm --undo ID` brings one back.',
  details: '  --json          an array of session objects',
  run: ({ config, flags }) =>
    withSessions(config, (s) =>
      printViews(config, selectViews(s.views, { deletedOnly: true }), {
        json: isSet(flags, 'json'),
        state: false,
        header: true,
        empty: 'no deleted sessions',
      })
    ),
})

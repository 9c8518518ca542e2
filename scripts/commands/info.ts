// `cs info ID`: everything known about one session.
import { defineCommand } from '../../lib/command.ts'
import { usageError } from '../../lib/errors.ts'
import { isSet } from '../../lib/flags.ts'
import { print, renderInfo, useColor } from '../../lib/format.ts'
import { withSessions } from '../../lib/sessions.ts'

export default defineCommand({
  usage: 'info ID [--json]',
  summary:
    'Everything known about one session: paths, times, counts, tokens, model, tag, host, state.',
  details: [
    '  ID              a full id, a short id (at least 4 characters) or a session name',
    '  --json          the session object, with the transcript index entry under `transcript`',
  ].join('\n'),
  run: ({ config, flags, positionals }) => {
    if (positionals.length !== 1) throw usageError('info takes one session', 'cs info ID')
    return withSessions(config, (s) => {
      const v = s.find(positionals[0])
      const t = s.transcripts.get(v.id) ?? null
      print(
        isSet(flags, 'json')
          ? JSON.stringify({ ...v, transcript: t }, null, 2)
          : renderInfo(v, t, new Date(), useColor(config))
      )
    })
  },
})

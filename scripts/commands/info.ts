// `cs info ID`: everything known about one session.
import { defineCommand } from '../../lib/command.ts'
import { usageError } from '../../lib/errors.ts'
import { HOST_OPTION, hostFlag, ID_HELP, isSet, JSON_OPTION, SESSION_HOST_HELP } from '../../lib/flags.ts'
import { print, renderInfo, useColor } from '../../lib/format.ts'
import { withSessions } from '../../lib/sessions.ts'
import { jsonText } from '../../lib/untrusted.ts'

export default defineCommand({
  usage: 'info ID [--host NAME] [--json]',
  summary:
    'Everything known about one session: paths, times, counts, tokens, model, tag, host, state.',
  details: [
    ID_HELP,
    SESSION_HOST_HELP,
    '  --json          the session object, with the transcript index entry under `transcript`',
  ].join('\n'),
  options: { ...JSON_OPTION, ...HOST_OPTION },
  run: ({ config, flags, positionals }) => {
    const host = hostFlag(flags, config)
    if (positionals.length !== 1) throw usageError('info takes one session', 'cs info ID')
    return withSessions(config, (s) => {
      const v = s.find(positionals[0], { host })
      const t = s.transcriptOf(v.id)
      print(
        isSet(flags, 'json')
          ? jsonText({ ...v, transcript: t })
          : renderInfo(v, t, new Date(), useColor(config))
      )
    })
  },
})

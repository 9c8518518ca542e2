// `cs deleted`: the soft-deleted sessions (by `cs rm` or `cs prune`).
import { defineCommand } from '../../lib/command.ts'
import { HOST_HELP, HOST_OPTION, hostFlag, isSet, JSON_OPTION, LOCAL_HELP } from '../../lib/flags.ts'
import { printViews } from '../../lib/format.ts'
import { startAsking } from '../../lib/hosts.ts'
import { withSessions } from '../../lib/sessions.ts'
import { selectViews } from '../../lib/views.ts'

export default defineCommand({
  usage: 'deleted [--local | --host NAME] [--json]',
  maxArgs: 0,
  summary: 'List soft-deleted sessions. `cs rm --undo ID` brings one back.',
  details: [LOCAL_HELP, HOST_HELP, '  --json          an array of session objects'].join('\n'),
  options: { ...JSON_OPTION, local: { type: 'boolean' }, ...HOST_OPTION },
  run: ({ config, flags }) => {
    const host = hostFlag(flags, config)
    // another host of the list: asked, as a listing asks it
    const hosts = startAsking(config, host)
    return withSessions(config, (s) => {
      s.checkHost(host)
      hosts.report(s.notice)
      printViews(config, selectViews(s.views, { deletedOnly: true, host }), {
        json: isSet(flags, 'json'),
        state: false,
        header: true,
        empty: 'no deleted sessions',
      })
    }, { pull: host !== config.host, asked: hosts }).then(() => hosts.exitCode())
  },
})

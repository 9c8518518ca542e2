// `cs list`: sessions one per line, filtered and sorted, for reading or for scripts.
import { defineCommand } from '../../lib/command.ts'
import { countFlag, HOST_HELP, HOST_OPTION, hostFlag, isSet, JSON_OPTION, LOCAL_HELP, sortFlag, stringFlag } from '../../lib/flags.ts'
import { printViews } from '../../lib/format.ts'
import { startAsking } from '../../lib/hosts.ts'
import { withSessions } from '../../lib/sessions.ts'
import { selectViews } from '../../lib/views.ts'

export default defineCommand({
  usage: 'list [--local] [--host NAME] [--project NAME] [--limit N] [--sort KEY] [--all] [--json]',
  maxArgs: 0,
  summary: 'List sessions, one per line: short id, title, host, project, age (every host of the hosts list, as cs ls).',
  details: [
    LOCAL_HELP,
    HOST_HELP,
    '  --project NAME  only sessions whose project (folder) name or path contains NAME',
    '  --limit N       at most N sessions',
    '  --sort KEY      updated (default: live first, newest first), title, host or project',
    '  -a, --all       include orphans and soft-deleted sessions',
    '  --json          an array of session objects',
  ].join('\n'),
  options: {
    ...JSON_OPTION,
    local: { type: 'boolean' },
    ...HOST_OPTION,
    project: { type: 'string' },
    limit: { type: 'string' },
    sort: { type: 'string' },
    all: { type: 'boolean', short: 'a' },
  },
  run: ({ config, flags }) => {
    const filter = {
      all: isSet(flags, 'all'),
      host: hostFlag(flags, config),
      project: stringFlag(flags, 'project'),
      limit: countFlag(flags, 'limit', 1),
      sort: sortFlag(flags),
    }
    const hosts = startAsking(config, filter.host)
    return withSessions(
      config,
      (s) => {
        s.checkHost(filter.host)
        hosts.report(s.notice)
        printViews(config, selectViews(s.views, filter), { json: isSet(flags, 'json'), state: false, empty: 'no sessions match' })
      },
      { pull: filter.host !== config.host, asked: hosts }
    ).then(() => hosts.exitCode())
  },
})

// `cs ls` (and plain `cs`): the dashboard.
import { defineCommand } from '../../lib/command.ts'
import { HOST_HELP, HOST_OPTION, hostFlag, isSet, LOCAL_HELP, sortFlag } from '../../lib/flags.ts'
import { fetchedAt, startAsking } from '../../lib/hosts.ts'
import { jsonRows, printViews } from '../../lib/format.ts'
import { printCached } from '../../lib/output-cache.ts'
import pkg from '../../package.json' with { type: 'json' }
import { withSessions } from '../../lib/sessions.ts'
import { selectViews } from '../../lib/views.ts'

export default defineCommand({
  usage: 'ls [--all] [--local | --host NAME] [--sort KEY] [--verbose] [--json]',
  summary: [
    'The dashboard: one line per session, live ones first (WAITING, WORKING, IDLE), then DEAD',
    'ones, then history, newest first.',
    'DEAD: a session cs launched that stopped running (claude exited, its tmux session or the',
    'server was killed) in the last 24 hours; cs attach brings one back, cs revive all that',
    'died with the tmux server. Older ones are history. With a hosts list in the config and no',
    'shared store, every host is asked over ssh at once; one that does not answer shows as last seen.',
  ].join('\n'),
  details: [
    '  -a, --all       include orphans (left by /clear and /compact) and soft-deleted sessions',
    LOCAL_HELP,
    HOST_HELP,
    '  --sort KEY      updated (default), title, host or project',
    '  -v, --verbose   add per session the transcript records cs did not know and the bad lines',
    '  --json          an array of session objects instead of the table',
  ].join('\n'),
  options: {
    all: { type: 'boolean', short: 'a' },
    local: { type: 'boolean' },
    ...HOST_OPTION,
    sort: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
  },
  run: ({ config, flags }) => {
    const filter = { all: isSet(flags, 'all'), sort: sortFlag(flags), host: hostFlag(flags, config) }
    // with a shared store: what other hosts pushed, if it answers within 300 ms; with a hosts
    // list and none: every host asked over ssh at once
    const hosts = startAsking(config, filter.host)
    return withSessions(config, async (s) => {
      const answers = await hosts.settle()
      for (const line of hosts.notices(new Date())) process.stderr.write(`cs: ${line}\n`)
      if (s.notice) process.stderr.write(`cs: ${s.notice}\n`)
      // scripts poll this: the same sessions in the same state give the same text, kept
      if (isSet(flags, 'json') && !isSet(flags, 'verbose') && !answers.length) {
        const key = JSON.stringify([pkg.version, s.fingerprint(), filter])
        return printCached(config, 'ls-json', key, () => jsonRows(selectViews(s.views, filter)))
      }
      printViews(config, selectViews(s.views, filter), {
        json: isSet(flags, 'json'),
        header: true,
        counts: isSet(flags, 'verbose') ? s.transcripts : undefined,
        fetchedAt: fetchedAt(s.store),
        empty: 'no sessions yet: start one with `claude` or `cs launch NAME`',
      })
    }, { pull: filter.host !== config.host, othersMoved: hosts.moved })
  },
})

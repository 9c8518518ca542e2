// `cs ls` (and plain `cs`): the dashboard.
import { defineCommand } from '../../lib/command.ts'
import { countFlag, HOST_HELP, HOST_OPTION, hostFlag, isSet, JSON_OPTION, LOCAL_HELP, sortFlag } from '../../lib/flags.ts'
import { fetchedAt, startAsking } from '../../lib/hosts.ts'
import { colors, jsonArray, print, printViews, thousands, truncate, useColor } from '../../lib/format.ts'
import type { SessionView } from '../../lib/session.ts'
import { withSessions } from '../../lib/sessions.ts'
import { selectViews } from '../../lib/views.ts'
import { layoutColumns, terminalSize, writeArray } from '../../lib/stdout.ts'

/** Rows of the table when stdout is not a terminal (and no --limit or --all says otherwise). */
const PIPED_ROWS = 50

/** As many rows as fit the terminal: its height less the header, the count line and a prompt. */
const tableRows = () => {
  const rows = terminalSize()?.rows
  return rows ? Math.max(5, rows - 3) : PIPED_ROWS
}

export default defineCommand({
  usage: 'ls [--all] [--limit N] [--local | --host NAME] [--sort KEY] [--verbose] [--json]',
  maxArgs: 0,
  summary: [
    'The dashboard: one line per session, live ones first (WAITING, WORKING, IDLE), then DEAD',
    'ones, then history, newest first.',
    'DEAD: a session cs launched that stopped running (claude exited, its tmux session or the',
    'server was killed) in the last 24 hours; cs attach brings one back, cs revive all that',
    'died with the tmux server. Older ones are history. With a hosts list in the config and no',
    'shared store, every host is asked over ssh at once; one that does not answer shows as last seen.',
    'The table shows every live session and the most recent others that fit the terminal (50 rows',
    'when stdout is not a terminal), and says how many more there are; --json shows every one.',
  ].join('\n'),
  details: [
    '  -a, --all       every session: no limit, orphans (left by /clear and /compact) and soft-deleted too',
    '  --limit N       at most N sessions (live ones are always shown)',
    LOCAL_HELP,
    HOST_HELP,
    '  --sort KEY      updated (default), title, host or project',
    '  -v, --verbose   add per session the transcript records cs did not know and the bad lines',
    '  --json          an array of session objects instead of the table',
  ].join('\n'),
  options: {
    ...JSON_OPTION,
    all: { type: 'boolean', short: 'a' },
    local: { type: 'boolean' },
    ...HOST_OPTION,
    limit: { type: 'string' },
    sort: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
  },
  run: ({ config, flags }) => {
    const filter = { all: isSet(flags, 'all'), sort: sortFlag(flags), host: hostFlag(flags, config) }
    // with a shared store: what other hosts pushed, if it answers within 300 ms; with a hosts
    // list and none: every host asked over ssh at once
    const hosts = startAsking(config, filter.host)
    return withSessions(config, (s) => {
      s.checkHost(filter.host)
      hosts.report(s.notice)
      const json = isSet(flags, 'json')
      const limit = countFlag(flags, 'limit', 1) ?? (json || filter.all ? undefined : tableRows())
      const empty = 'no sessions yet: start one with `claude` or `cs launch NAME`'
      const verbose = isSet(flags, 'verbose')
      // the default order from the rows the store keeps ready; another order, the parser's counts
      // (--verbose) or a store that cannot be written (its rows may not be built) from every view
      let shown: SessionView[]
      let more: number
      if ((filter.sort ?? 'updated') === 'updated' && !verbose && !s.store.readOnly()) {
        const q = { all: filter.all, host: filter.host, limit }
        if (json && limit === undefined) return void writeArray(s.json(q))
        const listing = s.rows(q)
        if (json) return print(jsonArray(listing.rows))
        shown = listing.rows.map((text) => JSON.parse(text) as SessionView)
        more = listing.more
      } else {
        const all = selectViews(s.views, filter)
        shown = limit === undefined ? all : all.slice(0, Math.max(limit, all.filter((v) => v.live).length))
        more = all.length - shown.length
      }
      printViews(config, shown, {
        json,
        header: true,
        counts: verbose ? s.transcripts : undefined,
        fetchedAt: fetchedAt(s.store),
        empty,
      })
      if (more > 0 && !json)
        // cut as the rows are, on a terminal narrower than it (a phone's ssh client)
        print(colors(useColor(config)).dim(truncate(`… ${thousands(more)} more: --limit N shows N, --all every one`, layoutColumns())))
    }, { pull: filter.host !== config.host, asked: hosts }).then(() => hosts.exitCode())
  },
})

// `cs prune --days N`: soft-delete what has been idle too long. Deletes no file.
import { defineCommand } from '../../lib/command.ts'
import { usageError } from '../../lib/errors.ts'
import { countFlag, isSet } from '../../lib/flags.ts'
import { print, printViews, report } from '../../lib/format.ts'
import { withSessions } from '../../lib/sessions.ts'
import { isProtected } from '../../lib/views.ts'
import rm from './rm.ts'

const DAY = 86_400_000

export default defineCommand({
  usage: 'prune --days N [--dry-run] [--json] | prune --undo ID…',
  summary:
    'Soft-delete sessions idle for more than N days (hidden from the dashboard, shown by\n' +
    '`cs ls --all`). Live, named and tagged sessions are kept. No file is deleted.',
  details: [
    '  --days N        idle for more than N days (since the last message)',
    '  -n, --dry-run   only list what would be soft-deleted',
    '  --undo ID…      bring sessions back (as `cs rm --undo`)',
    '  --json          the sessions concerned, as an array',
  ].join('\n'),
  options: {
    days: { type: 'string' },
    'dry-run': { type: 'boolean', short: 'n' },
    undo: { type: 'boolean' },
  },
  run: (ctx) => {
    const { config, flags, positionals } = ctx
    const json = isSet(flags, 'json')
    if (isSet(flags, 'undo')) return rm.run({ ...ctx, flags: { ...flags, undo: true } })
    const days = countFlag(flags, 'days')
    if (days === undefined || positionals.length)
      throw usageError('prune wants --days N (or --undo ID)', 'cs prune --days 30')
    const cutoff = Date.now() - days * DAY
    return withSessions(config, (s) => {
      // this host's sessions only: another host prunes its own
      const stale = s.views.filter((v) => {
        if (v.host !== config.host) return false
        const last = v.updatedAt ?? v.createdAt
        return !v.deleted && !isProtected(v) && v.id && last !== null && Date.parse(last) < cutoff
      })
      const dry = isSet(flags, 'dry-run')
      const at = new Date().toISOString()
      if (!dry) for (const v of stale) s.store.setDeleted(v.id, at)
      const empty = `nothing idle for more than ${days} days`
      if (!json) printViews(config, stale, { state: false, header: true, empty })
      if (json)
        report(
          true,
          '',
          stale.map((v) => ({ ...v, deleted: !dry }))
        )
      else if (stale.length)
        print(
          dry
            ? `would soft-delete ${stale.length} (run without --dry-run)`
            : `soft-deleted ${stale.length} (undo one: cs prune --undo ID)`
        )
    })
  },
})

// `cs cron on|off|status`: a crontab line that runs `cs sync` every 5 minutes. Idempotent; it
// touches no shell start-up file and no other crontab line.
import { defineCommand } from '../../lib/command.ts'
import type { Config } from '../../lib/config.ts'
import { cronLine, cronLineOf, currentCrontab, setCronLine } from '../../lib/cron.ts'
import { usageError } from '../../lib/errors.ts'
import { isSet, JSON_OPTION } from '../../lib/flags.ts'
import { report } from '../../lib/format.ts'
import { detachedCs } from '../../lib/install.ts'
import { say } from '../../lib/stdout.ts'

/** Whether the shared store is given by CS_MONGO_URL alone: cron starts the sync with a bare
 *  environment, and cs writes no URL (it may hold a password) into the crontab. */
const urlOnlyInEnv = (config: Config) => config.mongoUrlIn.env && !config.mongoUrlIn.file

function line(config: Config): string {
  return cronLine(detachedCs(config, 'sync'))
}

export default defineCommand({
  usage: 'cron on|off|status [--json]',
  summary: 'Sync every 5 minutes from your crontab (one line, marked; nothing else is touched).',
  options: JSON_OPTION,
  run({ config, positionals, flags }) {
    const [verb, ...extra] = positionals
    if (!['on', 'off', 'status'].includes(verb ?? '') || extra.length) throw usageError('cron wants on, off or status', 'cs cron on')
    if (verb !== 'status') setCronLine(verb === 'on' ? line(config) : null)
    const on = cronLineOf(currentCrontab()) !== null
    if (on && urlOnlyInEnv(config))
      say(
        "warning: the shared store is set by CS_MONGO_URL alone, which cron's sync does not see: it " +
          'indexes this host only (to sync with the shared store from cron too: cs config set mongo.url URL)'
      )
    report(isSet(flags, 'json'), on ? 'cs sync runs every 5 minutes (cron)' : 'no periodic sync (cs cron on starts one)', { on })
  },
})

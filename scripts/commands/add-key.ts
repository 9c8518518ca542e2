// `cs add-key [FILE] [--host NAME|--all]`: a key into cs's ssh agent, here or on other hosts.
import { addKey } from '../../lib/agent.ts'
import { defineCommand } from '../../lib/command.ts'
import { EXIT, usageError } from '../../lib/errors.ts'
import { TARGET_HOSTS_HELP, TARGET_HOSTS_OPTIONS } from '../../lib/flags.ts'
import { print } from '../../lib/format.ts'
import { onHosts, runRemoteHere } from '../../lib/remote.ts'
import { targetHosts } from '../../lib/hosts.ts'

export default defineCommand({
  usage: 'add-key [FILE] [--host NAME | --all]',
  summary: [
    "Load a key into cs's ssh agent (started when absent): ssh-add FILE, or ssh-add's default keys;",
    'it asks for the passphrase on this terminal. --host NAME: on that host over ssh; --all: here, then on',
    'every host of the hosts list in turn.',
  ].join('\n'),
  details: TARGET_HOSTS_HELP,
  options: TARGET_HOSTS_OPTIONS,
  async run({ config, positionals, flags }) {
    if (positionals.length > 1) throw usageError('add-key takes at most one key file', 'cs add-key [FILE]')
    const { here, others } = targetHosts(config, flags)
    if (here && others.length) print(`${config.host}:`)
    const code = here ? addKey(config, positionals[0]) : EXIT.ok
    // a passphrase is typed there: each host in this terminal, in turn
    return Math.max(code, await onHosts(others, (h) => runRemoteHere(config, h, ['add-key', '--', ...positionals])))
  },
})

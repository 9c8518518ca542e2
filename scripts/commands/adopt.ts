// `cs adopt ID|NAME`: a session started outside cs, resumed in a managed tmux session with the
// hook on, so that it shows its state and survives a dropped terminal.
import { attachTmux } from '../../lib/attach.ts'
import { defineCommand } from '../../lib/command.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { isSet, JSON_OPTION } from '../../lib/flags.ts'
import { openLauncher } from '../../lib/launcher.ts'
import { argsLine, shellWord } from '../../lib/quote.ts'
import { bringBack } from '../../lib/revive.ts'
import { sshLine } from '../../lib/ssh.ts'
import { openLocalStore } from '../../lib/stores.ts'
import { findTarget } from '../../lib/target.ts'
import { Tmux } from '../../lib/tmux.ts'
import { out } from '../../lib/stdout.ts'
import { jsonText } from '../../lib/untrusted.ts'

export default defineCommand({
  usage: 'adopt ID|NAME [--attach] [--json]',
  summary: [
    'Resume a session started outside cs (plain claude, another terminal) in a new tmux session',
    'managed by cs, named after the session (or its folder). The session must not be running.',
  ].join('\n'),
  details: [
    '  -a, --attach   attach to it right away',
    '  --json         print the launch record',
  ].join('\n'),
  options: { ...JSON_OPTION, attach: { type: 'boolean', short: 'a' } },
  async run({ config, positionals, flags }) {
    const [query, ...more] = positionals
    if (!query || more.length) throw usageError('adopt takes one session', 'cs adopt ID|NAME')
    const tmux = new Tmux(config.tmuxSocket)
    const t = await findTarget(config, tmux, query)
    if (t.kind === 'tmux') {
      if (!t.session.managed)
        throw new CsError(`${shellWord(query)} already runs in tmux session ${shellWord(t.session.name)}`, EXIT.failure, 'quit claude there first, then cs adopt')
      if (!isSet(flags, 'json')) out(`${shellWord(t.session.name)} is already managed by cs\n`)
      else {
        // its launch record, as an adoption prints one
        const store = openLocalStore(config)
        const record = store.launches().find((l) => l.host === config.host && l.tmuxSession === t.session.name)
        store.close()
        out(jsonText(record ?? { id: t.session.id, host: config.host, tmuxSession: t.session.name }) + '\n')
      }
      return isSet(flags, 'attach') ? attachTmux(config, tmux, t.session.name) : EXIT.ok
    }
    if (t.kind === 'background')
      throw new CsError(`${shellWord(query)} runs as background session ${t.bgId}`, EXIT.failure, `cs attach ${argsLine([query])} opens it`)
    if (t.kind === 'external')
      throw new CsError(`${shellWord(query)} is running${t.pid ? ` (pid ${t.pid})` : ''}`, EXIT.failure, 'quit it where it runs, then cs adopt it')
    if (t.kind === 'remote')
      throw new CsError(`${shellWord(query)} is a session of ${t.host.name}`, EXIT.failure, `adopt it there: ${sshLine(config, t.host)}, then cs adopt ${shellWord(t.view.id)}`)
    const store = openLocalStore(config)
    let name: string
    try {
      const launch = bringBack(openLauncher(config, store, tmux), t, true)
      name = launch.tmuxSession
      if (isSet(flags, 'json')) out(jsonText(launch) + '\n')
      else out(`adopted ${t.id} as ${shellWord(name)} in ${launch.cwd}\n  attach: cs attach ${shellWord(name)}\n`)
    } finally {
      store.close()
    }
    return isSet(flags, 'attach') ? attachTmux(config, tmux, name) : EXIT.ok
  },
})

// `cs attach NAME|ID-PREFIX`: to the session's tmux session (switch-client inside tmux), to a
// background session through `claude attach`, or, when its tmux session is gone, back into one.
// A session of a listed host (--host) is attached there at once, before anything of this host's
// is loaded or read: the rest comes in only for the other cases (lib/attach.ts).
import { writeLaunchers } from '../../lib/attach-launcher.ts'
import { defineCommand } from '../../lib/command.ts'
import { usageError } from '../../lib/errors.ts'
import { HOST_OPTION, hostFlag, isSet } from '../../lib/flags.ts'
import { attachRemote } from '../../lib/remote.ts'
import { hostOf } from '../../lib/ssh.ts'

export default defineCommand({
  usage: 'attach NAME|ID-PREFIX [--host NAME] [--yes]',
  summary: [
    'Attach to a session: its tmux session name, a short id, its name (cs rename or /rename) or its',
    "project's name. Inside tmux this client switches to it. A background session (claude --bg)",
    'opens through claude attach. A session whose tmux session is gone is offered to be brought',
    'back: relaunched with claude --resume in its folder under the same name. A session of another',
    'host (the hosts list) is attached there over ssh: this terminal outside tmux; inside tmux a new',
    'window named after host and session (tmux option @cs-remote-attach: window, popup or replace).',
  ].join('\n'),
  details: [
    '  --host NAME   the session on host NAME (over ssh when cs knows its ssh destination)',
    '  -y, --yes     bring a session back without asking',
  ].join('\n'),
  options: { yes: { type: 'boolean', short: 'y' }, ...HOST_OPTION },
  async run({ config, positionals, flags }) {
    const [query, ...more] = positionals
    if (!query || more.length) throw usageError('attach takes one session', 'cs attach NAME|ID-PREFIX')
    const yes = isSet(flags, 'yes')
    const on = hostFlag(flags, config)
    // that host resolves the query itself (its rows may not be copied here yet): a tmux session
    // of that name straight away, else its cs
    const listed = on && on !== config.host ? hostOf(config, [], on) : null
    if (listed) {
      // the next such attach starts ssh from bin/cs, without Node
      if (!config.insideTmux) writeLaunchers(config)
      return attachRemote(config, listed, { tmuxSession: query, query, label: query, yes })
    }
    const { attachQuery } = await import('../../lib/attach.ts')
    return attachQuery(config, query, on, yes)
  },
})

// `cs attach NAME|ID-PREFIX`: to the session's tmux session (switch-client inside tmux), to a
// background session through `claude attach`, or, when its tmux session is gone, back into one.
import { defineCommand } from '../../lib/command.ts'
import { interactive, confirm } from '../../lib/confirm.ts'
import { attachTmux, claudeBackground } from '../../lib/attach.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { HOST_OPTION, hostFlag, isSet } from '../../lib/flags.ts'
import { remoteHost } from '../../lib/hosts.ts'
import { attachRemote } from '../../lib/remote.ts'
import { openLauncher } from '../../lib/launcher.ts'
import { shellWord } from '../../lib/quote.ts'
import { bringBack } from '../../lib/revive.ts'
import { openLocalStore } from '../../lib/stores.ts'
import { findTarget } from '../../lib/target.ts'
import { Tmux } from '../../lib/tmux.ts'

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
    // a host cs reaches over ssh resolves the query itself (its rows may not be copied here yet)
    const there = on && on !== config.host ? remoteHost(config, on) : null
    if (there) return attachRemote(config, there, query, query, yes)
    const tmux = new Tmux(config.tmuxSocket)
    const t = await findTarget(config, tmux, query, on)
    if (t.kind === 'remote') {
      const v = t.view
      if (v.state === 'dead' && !yes && !(await confirm(`${shellWord(v.tmuxSession ?? v.title)} on ${t.host.name}: its tmux session is gone. Bring it back there?`))) {
        if (interactive()) return EXIT.failure
        throw new CsError(`the tmux session of ${shellWord(v.tmuxSession ?? v.short)} on ${t.host.name} is gone`, EXIT.failure, `cs attach --yes ${shellWord(query)} brings it back`)
      }
      return attachRemote(config, t.host, v.id, v.tmuxSession ?? v.short, yes || v.state === 'dead')
    }
    if (t.kind === 'tmux') return attachTmux(config, tmux, t.session.name)
    if (t.kind === 'background') return claudeBackground(config, 'attach', t.bgId)
    if (t.kind === 'external')
      throw new CsError(
        `session ${t.id} runs outside tmux${t.pid ? ` (pid ${t.pid})` : ''}`,
        EXIT.failure,
        'go to the terminal that runs it, or quit it there and run cs adopt'
      )
    const ask = `${shellWord(t.name)}: its tmux session is gone. Bring it back (claude --resume in ${t.cwd ?? '?'})?`
    if (!yes && !(await confirm(ask))) {
      if (interactive()) return EXIT.failure
      throw new CsError(`the tmux session of ${shellWord(t.name)} is gone`, EXIT.failure, `cs attach --yes ${shellWord(query)} brings it back`)
    }
    const store = openLocalStore(config)
    let name: string
    try {
      name = bringBack(openLauncher(config, store, tmux), t).tmuxSession
    } finally {
      store.close()
    }
    return attachTmux(config, tmux, name)
  },
})

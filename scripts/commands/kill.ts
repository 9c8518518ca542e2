// `cs kill NAME|ID-PREFIX` and `cs kill --all`: end tmux sessions (transcripts stay), or stop a
// background session through `claude stop`.
import { claudeBackground } from '../../lib/attach.ts'
import { defineCommand } from '../../lib/command.ts'
import { confirm, interactive } from '../../lib/confirm.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { HOST_OPTION, hostFlag, isSet } from '../../lib/flags.ts'
import { plural } from '../../lib/format.ts'
import { askHost, hostNamed, keptRows, remoteHost } from '../../lib/hosts.ts'
import { runRemote } from '../../lib/remote.ts'
import type { Flags } from '../../lib/command.ts'
import { shellWord } from '../../lib/quote.ts'
import { openLocalStore } from '../../lib/stores.ts'
import { findTarget } from '../../lib/target.ts'
import { readLive } from '../../lib/live.ts'
import { isClaude, listSessions, type TmuxSession } from '../../lib/tmux-sessions.ts'
import { Tmux, exact, requireTmux, tmuxCommand } from '../../lib/tmux.ts'
import type { Config, HostEntry } from '../../lib/config.ts'
import { out } from '../../lib/stdout.ts'

/** Ends the tmux sessions and marks their launches dead, so that `cs revive` leaves them be. */
function killAll(config: Config, tmux: Tmux, sessions: TmuxSession[]): void {
  const store = openLocalStore(config)
  try {
    const launches = store.launches().filter((l) => l.host === config.host)
    const at = new Date().toISOString()
    for (const s of sessions) {
      tmux.run('kill-session', '-t', exact(s.name))
      const launch = launches.find((l) => l.tmuxSession === s.name)
      if (launch) store.noteState(s.name, config.host, s.id ?? launch.id, 'dead', at)
      out(`killed ${shellWord(s.name)} (the transcript stays)\n`)
    }
  } finally {
    store.close()
  }
}

/** `cs kill [ID|--all] --host NAME`: that host's cs does it; --all asks here first, naming what
 *  that host runs. */
async function killRemote(config: Config, host: HostEntry, positionals: string[], flags: Flags): Promise<number> {
  if (!isSet(flags, 'all')) {
    if (positionals.length !== 1) throw usageError('kill takes one session, or --all', `cs kill ID --host ${host.name}`)
    return runRemote(config, host, ['kill', '--', positionals[0]], false) // a word, never a flag there
  }
  if (positionals.length) throw usageError('give a session or --all, not both')
  await askHost(config, host)
  const live = (keptRows(config, host.name)?.rows ?? []).filter((v) => v.kind === 'tmux' && v.state !== 'stopped' && v.state !== 'dead')
  if (!live.length) {
    out(`no tmux sessions launched by cs on ${host.name}\n`)
    return EXIT.ok
  }
  const names = live.map((v) => shellWord(v.tmuxSession ?? v.id.slice(0, 8))).join(', ')
  if (!isSet(flags, 'yes') && !(await confirm(`kill ${plural(live.length, 'tmux session')} on ${host.name}: ${names}?`))) {
    if (interactive()) return EXIT.failure
    throw new CsError(`refusing to kill ${plural(live.length, 'session')} on ${host.name} without asking`, EXIT.failure, 'add --yes')
  }
  // the sessions named, by id, each its own `cs kill` there over the shared connection: one
  // launched there since the question was not agreed to
  let code: number = EXIT.ok
  for (const v of live) code = Math.max(code, await runRemote(config, host, ['kill', '--', v.id], false))
  return code
}

export default defineCommand({
  usage: 'kill NAME|ID-PREFIX [--host NAME] | kill --all [--host NAME] [--yes]',
  summary: [
    "End a session's tmux session; its transcript stays (cs attach brings it back). A background",
    'session (claude --bg) is stopped with claude stop. A session of another host (the hosts',
    'list) is ended there, over ssh, by its cs.',
  ].join('\n'),
  details: [
    '  --all         every tmux session cs launched (asks first)',
    '  --host NAME   on host NAME, over ssh (the hosts list, or its ssh destination in the shared store)',
    '  -y, --yes     do not ask',
  ].join('\n'),
  options: { all: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' }, ...HOST_OPTION },
  async run({ config, positionals, flags }) {
    const on = hostFlag(flags, config)
    const elsewhere = on !== undefined && on !== config.host
    // --all of a host cs cannot reach is an error, never this host's sessions
    const there = elsewhere ? (isSet(flags, 'all') ? hostNamed(config, on) : remoteHost(config, on)) : null
    if (there) return killRemote(config, there, positionals, flags)
    if (isSet(flags, 'all')) {
      if (positionals.length) throw usageError('give a session or --all, not both')
      const tmux = requireTmux(config)
      const managed = listSessions(tmux).filter((s) => s.managed)
      if (!managed.length) {
        out('no tmux sessions launched by cs\n')
        return
      }
      const names = managed.map((s) => shellWord(s.name)).join(', ')
      if (!isSet(flags, 'yes') && !(await confirm(`kill ${plural(managed.length, 'tmux session')}: ${names}?`))) {
        if (interactive()) return EXIT.failure
        throw new CsError(`refusing to kill ${plural(managed.length, 'session')} without asking`, EXIT.failure, 'add --yes')
      }
      return killAll(config, tmux, managed)
    }
    const [query, ...more] = positionals
    if (!query || more.length) throw usageError('kill takes one session, or --all', 'cs kill NAME|ID-PREFIX')
    const tmux = new Tmux(config.tmuxSocket)
    const t = await findTarget(config, tmux, query, on)
    if (t.kind === 'remote') return runRemote(config, t.host, ['kill', t.view.id], false)
    if (t.kind === 'background') return claudeBackground(config, 'stop', t.bgId)
    // without tmux, a session in tmux reads as one outside it, or gone: neither is so
    requireTmux(config)
    if (t.kind === 'gone') throw new CsError(`${shellWord(query)} is not running`, EXIT.failure, 'nothing to kill; cs ls shows what runs')
    if (t.kind === 'external')
      throw new CsError(`session ${t.id} runs outside tmux${t.pid ? ` (pid ${t.pid})` : ''}`, EXIT.failure, 'quit it where it runs')
    if (!isClaude(t.session)) {
      // a claude started there by hand shows in Claude's registry, not in cs's options
      const claude = readLive(config).some((l) => l.tmuxSession === t.session.name)
      throw new CsError(
        `tmux session ${shellWord(t.session.name)} ${claude ? 'runs a claude that cs did not launch' : 'does not run a Claude session'}`,
        EXIT.failure,
        `cs only ends its own; ${claude ? 'quit claude there, or ' : ''}end it with ${tmuxCommand(tmux.socket, 'kill-session', '-t', exact(t.session.name))}`
      )
    }
    killAll(config, tmux, [t.session])
  },
})

// `cs revive`: after a reboot or a killed tmux server, every session that was live when last
// seen comes back in its folder under its old name.
import { defineCommand } from '../../lib/command.ts'
import { CsError, EXIT } from '../../lib/errors.ts'
import { HOST_OPTION, isSet, JSON_OPTION, stringFlag } from '../../lib/flags.ts'
import { hostNamed } from '../../lib/hosts.ts'
import { runRemote } from '../../lib/remote.ts'
import { openLauncher } from '../../lib/launcher.ts'
import { shellLine, shellWord } from '../../lib/quote.ts'
import { bringBack, relaunchPlan, runningAlready, sortGone } from '../../lib/revive.ts'
import type { Launch } from '../../lib/session.ts'
import { openLocalStore } from '../../lib/stores.ts'
import { listSessions } from '../../lib/tmux-sessions.ts'
import { requireTmux } from '../../lib/tmux.ts'
import { out, say } from '../../lib/stdout.ts'
import { jsonText } from '../../lib/untrusted.ts'

export default defineCommand({
  usage: 'revive [--host NAME] [--dry-run] [--json]',
  maxArgs: 0,
  summary: [
    'Relaunch every session whose launch record says it was live when last seen and whose tmux',
    'session is gone (after a reboot or a killed tmux server): claude --resume ID in its folder,',
    'under its old name, given again what followed -- at its launch. Sessions that ended while',
    'tmux kept running (cs kill, /exit) stay down.',
  ].join('\n'),
  details: [
    '  --host NAME     on host NAME of the hosts list, over ssh (its cs does it)',
    '  -n, --dry-run   list what would come back',
    '  --json          the launch records (new ones when relaunched)',
  ].join('\n'),
  options: { ...JSON_OPTION, 'dry-run': { type: 'boolean', short: 'n' }, ...HOST_OPTION },
  run({ config, flags }) {
    const json = isSet(flags, 'json')
    const on = stringFlag(flags, 'host')
    if (on && on !== config.host) {
      const args = ['revive', ...(isSet(flags, 'dry-run') ? ['--dry-run'] : []), ...(json ? ['--json'] : [])]
      return runRemote(config, hostNamed(config, on), args, json)
    }
    const tell = (text: string) => json || out(text) // the sentences; --json prints the records
    const tmux = requireTmux(config)
    const store = openLocalStore(config)
    try {
      // a name held by a tmux session of the user's own (no claude of cs's in it) is no sign that
      // cs's session of that name runs: it comes back as NAME-2
      const live = new Set(listSessions(tmux).filter((s) => s.managed || s.id !== null).map((s) => s.name))
      const { revive: todo, ended } = sortGone(store.launches(), config.host, live, tmux.startTime())
      // settled for good: they ended while tmux ran on, so no later revive brings them back
      const at = new Date().toISOString()
      for (const l of ended) store.noteState(l.tmuxSession, l.host, l.id, 'dead', at)
      if (!todo.length) tell('nothing to revive: every session cs saw live is running or was ended\n')
      if (isSet(flags, 'dry-run')) {
        for (const l of todo) {
          const how = relaunchPlan(config, { ...l, name: l.tmuxSession }).resume ? 'resume' : 'start anew'
          const args = l.args.length ? `, claude given ${shellLine(l.args)}` : ''
          tell(`would revive ${shellWord(l.tmuxSession)} (${how} ${l.id}${args}) in ${l.cwd}\n`)
        }
        if (json) out(jsonText(todo) + '\n')
        return
      }
      if (!todo.length) return json ? void out('[]\n') : undefined
      const launcher = openLauncher(config, store, tmux)
      const revived: Launch[] = []
      let failed = 0
      for (const l of todo) {
        try {
          const launch = bringBack(launcher, { ...l, name: l.tmuxSession })
          revived.push(launch)
          const renamed = launch.tmuxSession === l.tmuxSession ? '' : ` (as ${shellWord(launch.tmuxSession)}: the old name is taken)`
          tell(`revived ${shellWord(l.tmuxSession)}${renamed} in ${l.cwd} (claude session ${l.id})\n`)
        } catch (e) {
          if (!(e instanceof CsError)) throw e
          // brought back by another revive (or attach) at the same moment: not this one's failure
          const already = e.reason === 'running' ? e : runningAlready(launcher, l.id)
          if (already) {
            tell(`${shellWord(l.tmuxSession)}: ${already.message}\n`)
            continue
          }
          failed++
          say(`could not revive ${shellWord(l.tmuxSession)}: ${e.message}`)
        }
      }
      if (json) out(jsonText(revived) + '\n')
      return failed ? EXIT.failure : EXIT.ok
    } finally {
      store.close()
    }
  },
})

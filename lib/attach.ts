// Putting the user in front of a session: a tmux session on cs's server (switch-client inside
// tmux, attach-session outside) or one of Claude's background sessions (`claude attach`).
import { spawnSync } from 'node:child_process'
import type { Config } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { claudeEnv, findClaude, unnested } from './launcher.ts'
import { shellWord } from './quote.ts'
import { Tmux, exact, exactPane, socketArgs } from './tmux.ts'

/** The socket path in $TMUX (`<socket path>,<server pid>,<session index>`). */
const socketOf = (tmuxEnv: string) => tmuxEnv.split(',').slice(0, -2).join(',')

/** Attaches this terminal to the session, or switches this tmux client to it; returns an exit code. */
export function attachTmux(config: Config, tmux: Tmux, name: string): number {
  if (!config.insideTmux) return tmux.interactive('attach-session', '-t', exact(name))
  const socket = tmux.run('display-message', '-p', '-t', exactPane(name), '#{socket_path}').trim()
  if (socketOf(config.insideTmux) !== socket)
    throw new CsError(
      `${shellWord(name)} runs on another tmux server (${socket}) than the one you are in`,
      EXIT.failure,
      `detach first, or nest it: TMUX= tmux ${[...socketArgs(config.tmuxSocket), 'attach', '-t', exact(name)].map(shellWord).join(' ')}`
    )
  tmux.run('switch-client', '-t', exact(name))
  return EXIT.ok
}

/** `claude attach|stop ID` for a background session; attach opens a new window when inside tmux. */
export function claudeBackground(config: Config, verb: 'attach' | 'stop', bgId: string): number {
  const claude = findClaude(config)
  if (verb === 'attach' && config.insideTmux) {
    // no -L: tmux talks to the server this terminal is in ($TMUX), whichever runs cs's sessions
    new Tmux(null).run('new-window', '--', ...unnested(), claude, 'attach', bgId)
    return EXIT.ok
  }
  const r = spawnSync(claude, [verb, bgId], { stdio: 'inherit', env: claudeEnv() })
  if (r.error) throw new CsError(`claude ${verb} ${bgId} failed: ${r.error.message}`, EXIT.unavailable)
  return r.status ?? EXIT.failure
}

// Putting the user in front of a session: a tmux session on cs's server (switch-client inside
// tmux, attach-session outside), one of Claude's background sessions (`claude attach`), one
// brought back, or one of another host (lib/remote.ts).
import { spawnSync } from 'node:child_process'
import type { Config } from './config.ts'
import { interactive, confirm } from './confirm.ts'
import { CsError, EXIT } from './errors.ts'
import { remoteHost } from './hosts.ts'
import { checkFolderBack, claudeEnv, findClaude, openLauncher, unnested } from './launcher.ts'
import { argsLine, shellWord } from './quote.ts'
import { attachRemote } from './remote.ts'
import { bringBack, relaunchPlan } from './revive.ts'
import { openLocalStore } from './stores.ts'
import { findTarget } from './target.ts'
import { Tmux, exact, exactPane, requireTmux, socketArgs } from './tmux.ts'

/** `cs attach QUERY [--host on]`: wherever the session is now; an exit code. */
export async function attachQuery(config: Config, query: string, on: string | undefined, yes: boolean): Promise<number> {
  // a host known from the shared store alone resolves the query itself, as a listed one does
  const there = on && on !== config.host ? remoteHost(config, on) : null
  if (there) return attachRemote(config, there, { tmuxSession: query, query, label: query, yes })
  const tmux = new Tmux(config.tmuxSocket)
  const t = await findTarget(config, tmux, query, on)
  if (t.kind === 'remote') {
    const v = t.view
    const dead = v.state === 'dead'
    if (dead && !yes && !(await confirm(`${shellWord(v.tmuxSession ?? v.title)} on ${t.host.name}: its tmux session is gone. Bring it back there?`))) {
      if (interactive()) return EXIT.failure
      throw new CsError(`the tmux session of ${shellWord(v.tmuxSession ?? v.short)} on ${t.host.name} is gone`, EXIT.failure, `cs attach --yes ${argsLine([query])} brings it back`)
    }
    // a live tmux session of that host is attached straight away; the rest through its cs
    const direct = v.kind === 'tmux' && v.live ? v.tmuxSession : null
    return attachRemote(config, t.host, { tmuxSession: direct, query: v.id, label: v.tmuxSession ?? v.short, yes: yes || dead })
  }
  if (t.kind === 'tmux') return attachTmux(config, tmux, t.session.name)
  if (t.kind === 'background') return claudeBackground(config, 'attach', t.bgId)
  // without tmux, a session in tmux reads as one outside it, or gone: neither is so
  requireTmux(config)
  if (t.kind === 'external')
    throw new CsError(
      `session ${t.id} runs outside tmux${t.pid ? ` (pid ${t.pid})` : ''}`,
      EXIT.failure,
      'go to the terminal that runs it, or quit it there and run cs adopt'
    )
  // a session cs ran in tmux is brought back; one of the history (never in cs's tmux) resumed
  const [state, act] = t.launched ? ['its tmux session is gone', 'brings it back'] : ['it is not running', 'resumes it in tmux']
  // as bringBack will do it: resumed when claude finds its transcript from that folder, else anew
  const how = t.cwd && relaunchPlan(config, { ...t, cwd: t.cwd }).resume ? 'claude --resume' : 'claude started anew, with its id'
  const ask = `${shellWord(t.name)}: ${state}. ${t.launched ? 'Bring it back' : 'Resume it in tmux'} (${how} in ${t.cwd ?? '?'})?`
  if (!yes && !(await confirm(ask))) {
    if (interactive()) return EXIT.failure
    throw new CsError(`${shellWord(t.name)}: ${state}`, EXIT.failure, `cs attach --yes ${argsLine([query])} ${act}`)
  }
  // nothing started for a terminal that cannot be attached (a gone folder said first)
  if (t.cwd) checkFolderBack(t.cwd)
  if (!config.insideTmux && !process.stdin.isTTY) throw noTerminal(query)
  const store = openLocalStore(config)
  let name: string
  try {
    name = bringBack(openLauncher(config, store, tmux), t).tmuxSession
  } finally {
    store.close()
  }
  return attachTmux(config, tmux, name)
}

/** tmux's own words for it: "open terminal failed: not a terminal" */
const noTerminal = (query: string) =>
  new CsError(`${shellWord(query)} is attached from a terminal: stdin is not one`, EXIT.failure, `run cs attach ${argsLine([query])} in a terminal`)

/** The socket path in $TMUX (`<socket path>,<server pid>,<session index>`). */
const socketOf = (tmuxEnv: string) => tmuxEnv.split(',').slice(0, -2).join(',')

/** Attaches this terminal to the session, or switches this tmux client to it; returns an exit code. */
export function attachTmux(config: Config, tmux: Tmux, name: string): number {
  if (!config.insideTmux) {
    if (!process.stdin.isTTY) throw noTerminal(name)
    return tmux.interactive('attach-session', '-t', exact(name))
  }
  const socket = tmux.run('display-message', '-p', '-t', exactPane(name), '#{socket_path}').trim()
  if (socketOf(config.insideTmux) !== socket)
    throw new CsError(
      `${shellWord(name)} runs on another tmux server (${socket}) than the one you are in`,
      EXIT.failure,
      `detach first, or nest it: TMUX= tmux ${[...socketArgs(config.tmuxSocket), 'attach', '-t', exact(name)].map(shellWord).join(' ')}`
    )
  // a pane target: switch-client finds a pane, and `=50%` is none (`%` names a pane)
  tmux.run('switch-client', '-t', exactPane(name))
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

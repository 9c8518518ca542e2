// @cs-push: the command tmux/hook.sh has the tmux server run (in the background) when a session's
// state changes, so that other hosts see WAITING within seconds. Published by `cs sync` while a
// shared store is configured, removed when none is. It carries where cs's files are, never the
// shared store's URL (the config file or the server's environment holds that).
import { fileURLToPath } from 'node:url'
import type { Config } from './config.ts'
import { csEntry } from './install.ts'
import type { PaneRow } from './pane-row.ts'
import { shellLine } from './quote.ts'
import { Tmux } from './tmux.ts'

const script = () => fileURLToPath(new URL('../tmux/push.sh', import.meta.url))

/** The shell command: push.sh STATE_DIR env … node cs.mjs sync --push. */
export function pushCommand(config: Config, env: Record<string, string | undefined> = process.env): string {
  const keep = ['HOME', 'PATH', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME', 'CLAUDE_CONFIG_DIR', 'CS_FROM_SOURCE']
  const vars = [
    ...keep.flatMap((k) => (env[k] ? [`${k}=${env[k]}`] : [])),
    `CS_HOST=${config.host}`,
    ...(config.tmuxSocket ? [`CS_TMUX_SOCKET=${config.tmuxSocket}`] : []),
  ]
  const argv = [script(), config.stateDir, 'env', ...vars, process.execPath, csEntry(), 'sync', '--push']
  return shellLine(argv)
}

/** The tmux command that sets @cs-push, or clears it when no shared store is configured: `cs
 *  sync` runs it in the tmux call that reads live state (a process started from Node costs 5-15
 *  ms of its time), on its own when bin/cs read the panes and pushStale says so, or alone
 *  through publishPush. */
export const pushOption = (config: Config): string[] =>
  config.shared ? ['set-option', '-gq', '@cs-push', pushCommand(config)] : ['set-option', '-gqu', '@cs-push']

/** Whether pushOption must run, given the panes bin/cs listed: with a shared store always (its
 *  command may have changed), else only to clear an @cs-push left set. */
export const pushStale = (config: Config, panes: PaneRow[]): boolean =>
  config.shared !== null || panes.some((p) => p.pushSet !== '')

/** Runs pushOption on this host's tmux server; no server running: nothing to do. */
export async function publishPush(config: Config): Promise<void> {
  await new Tmux(config.tmuxSocket).tryLater(...pushOption(config))
}

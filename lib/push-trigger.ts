// @cs-push: the command tmux/hook.sh has the tmux server run (in the background) when a session's
// state changes, so that other hosts see WAITING within seconds. Published by `cs sync` while a
// shared store is configured, removed when none is. It carries where cs's files are, never the
// shared store's URL (the config file or the server's environment holds that).
import type { Config } from './config.ts'
import { detachedCs } from './install.ts'
import type { PaneRow } from './pane-row.ts'
import { pluginScript } from './paths.ts'
import { shellLine } from './quote.ts'
import { THEN, Tmux } from './tmux.ts'

const script = () => pluginScript('push.sh')

/** The shell command: push.sh STATE_DIR env … node cs.mjs sync --push. */
const pushCommand = (config: Config): string => shellLine([script(), config.stateDir, ...detachedCs(config, 'sync', '--push')])

/** A digest of the command published (FNV-1a: node:crypto costs a sync with no shared store
 *  some 7 ms to load): tmux prints it beside each pane (lib/pane-row.ts), so that a sync tells
 *  whether the published command is this one without another tmux call. */
function pushSum(command: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < command.length; i++) h = Math.imul(h ^ command.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, '0')
}

/** The tmux command that sets @cs-push and its digest @cs-push-sum, or clears both when no shared
 *  store is configured: `cs sync` runs it in the tmux call that reads live state (a process
 *  started from Node costs 5-15 ms of its time), on its own when bin/cs read the panes and
 *  pushStale says so, or alone through publishPush. */
export function pushOption(config: Config): string[] {
  if (!config.shared) return ['set-option', '-gqu', '@cs-push', THEN, 'set-option', '-gqu', '@cs-push-sum']
  const command = pushCommand(config)
  return ['set-option', '-gq', '@cs-push', command, THEN, 'set-option', '-gq', '@cs-push-sum', pushSum(command)]
}

/** Whether pushOption must run, given the panes bin/cs listed: not when no server answered
 *  (none to publish to); with a shared store when the published command is another (or none),
 *  else only to clear an @cs-push left set. */
export function pushStale(config: Config, panes: PaneRow[]): boolean {
  if (!config.shared) return panes.some((p) => p.pushSet !== '')
  const want = `=${pushSum(pushCommand(config))}`
  return panes.some((p) => p.pushSet !== want)
}

/** Runs pushOption on this host's tmux server; no server running: nothing to do. */
export async function publishPush(config: Config): Promise<void> {
  await new Tmux(config.tmuxSocket).tryLater(...pushOption(config))
}

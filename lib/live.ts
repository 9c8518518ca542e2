// Live state of every Claude session on this host: tmux options set by the hook, Claude's own
// registry, and the screen as a last resort, reconciled into one LiveInfo per session.
import type { Config } from './config.ts'
import type { LiveInfo } from './session.ts'

/** Every live session on this host; never throws for a missing tmux server or registry. */
export function readLive(config: Config): LiveInfo[] {
  void config
  return []
}

// The one settings table: every environment variable cs reads, with its default, folded into
// one object once. Flags override fields of it in scripts/cs.ts; tmux-side options (@cs-*)
// live in tmux/variables.sh, their shell twin.
import { hostname, homedir } from 'node:os'
import { join } from 'node:path'

export interface Config {
  home: string
  /** Claude Code's root: $CLAUDE_CONFIG_DIR or ~/.claude */
  claudeDir: string
  /** cs's database and caches: $XDG_STATE_HOME/cs */
  stateDir: string
  /** cs's trash: $XDG_DATA_HOME/cs */
  dataDir: string
  /** cs's config files: $XDG_CONFIG_HOME/cs */
  configDir: string
  /** this host's name in every view */
  host: string
  /** $CLAUDE_CONFIG_DIR when set: claude launched in tmux gets it even from a tmux server
   *  started without it, so it writes where cs reads (unset, claude's default is right) */
  claudeConfigEnv: string | null
  /** the claude binary cs launches */
  claudeBin: string
  /** when set, every tmux call runs as `tmux -L <socket>` */
  tmuxSocket: string | null
  /** $TMUX: set when cs itself runs inside tmux (`<socket path>,<pid>,<session>`) */
  insideTmux: string | null
  /** $PATH: where `claude` is looked up before launching it */
  path: string
  color: boolean
  /** $CS_FULL_SCAN_SECONDS (default 300): how old the last stat of every transcript may get
   *  before a command that shows sessions stats them all again instead of only the hot ones */
  fullScanSeconds: number
}

export type Env = Record<string, string | undefined>

export function loadConfig(env: Env = process.env): Config {
  const home = env.HOME || homedir()
  const xdg = (name: string, fallback: string) => env[name] || join(home, fallback)
  return {
    home,
    claudeDir: env.CLAUDE_CONFIG_DIR || join(home, '.claude'),
    stateDir: join(xdg('XDG_STATE_HOME', '.local/state'), 'cs'),
    dataDir: join(xdg('XDG_DATA_HOME', '.local/share'), 'cs'),
    configDir: join(xdg('XDG_CONFIG_HOME', '.config'), 'cs'),
    claudeConfigEnv: env.CLAUDE_CONFIG_DIR || null,
    host: env.CS_HOST || hostname(),
    claudeBin: env.CS_CLAUDE || 'claude',
    tmuxSocket: env.CS_TMUX_SOCKET || null,
    insideTmux: env.TMUX || null,
    path: env.PATH || '/usr/local/bin:/usr/bin:/bin',
    color: !env.NO_COLOR && env.TERM !== 'dumb',
    fullScanSeconds: seconds(env.CS_FULL_SCAN_SECONDS, 300),
  }
}

/** A non-negative number of seconds, else the default. */
function seconds(value: string | undefined, fallback: number): number {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value)
  return Number.isFinite(n) && n >= 0 ? n : fallback
}

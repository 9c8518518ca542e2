// Every tmux call goes through here: argument arrays, never a shell string, and the socket
// from the settings table. Targets are exact (`=NAME`): a bare name matches prefixes.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { CsError, EXIT } from './errors.ts'
import type { Config } from './config.ts'
import { findOnPath } from './paths.ts'
import { shellLine } from './quote.ts'
import { INSTALL } from './install-hints.ts'

export const socketArgs = (socket: string | null): string[] => (socket ? ['-L', socket] : [])

/** `=NAME` matches exactly one session by name (a session target: has-session, kill-session, attach). */
export const exact = (session: string) => `=${session}`

/** `=NAME:` is the same session as a window or pane target (set-option, display): a bare `=NAME`
 * there matches nothing, or another pane. */
export const exactPane = (session: string) => `=${session}:`

/** tmux expands formats in some values (`new-session -s`, `-c`): `##` is a literal `#`, but a
 *  run of `#` before `[` (a style, left for drawing) is kept as it is, so it stays single. */
export const noFormat = (s: string) => s.replace(/#+(\[?)/g, (run, style) => (style ? run : run + run))

/** Separates two commands in one tmux call (NUL never occurs in a real argument). */
export const THEN = '\0;'

/** tmux splits its argv at a word ending in `;` (a command separator), so a name or prompt ending
 * in `;` would end the command early: escape it as `\;`, which tmux turns back into `;`. */
export const literal = (arg: string) =>
  arg === THEN ? ';' : arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg

// -u: without a UTF-8 locale (cron, a boot unit, a bare env) tmux prints non-ASCII names and
// tabs in formats as `_`; -u keeps its output byte-exact.
const argv = (socket: string | null, args: string[]) => ['-u', ...socketArgs(socket), ...args.map(literal)]

/** How long a tmux client may take: a stopped or stuck server accepts the connection and never
 *  answers, and cs must not hang with it (bin/cs bounds its own tmux call likewise). */
export const TMUX_ANSWER_SECONDS = 5
const BOUND = { timeout: TMUX_ANSWER_SECONDS * 1000, killSignal: 'SIGKILL' } as const

/** A tmux command as a hint tells the user to type it: with cs's socket, or it would reach the
 *  user's default server (and `kill-server` there would end all of their sessions). */
export const tmuxCommand = (socket: string | null, ...args: string[]) =>
  shellLine(['tmux', ...socketArgs(socket), ...args])

/** The error of a tmux server that did not answer in time. */
export const stuck = (socket: string | null) =>
  new CsError(
    `tmux did not answer within ${TMUX_ANSWER_SECONDS} s${socket ? ` (socket ${socket})` : ''}`,
    EXIT.unavailable,
    `its server is stopped or stuck: \`${tmuxCommand(socket, 'kill-server')}\` ends it, and its sessions with it`
  )

/** Whether a tmux call of this process found no tmux to run (bin/cs's, for the panes, too): a
 *  listing then shows every session of this host as not running, and says why. */
export const tmuxCalls = { notInstalled: false }

/** The error of a tmux that is not installed (not on PATH). */
const notInstalled = () => new CsError('tmux is not installed', EXIT.unavailable, `install it: ${INSTALL.tmux}`)

/** For a command that acts on this host's tmux sessions, where tmux's silence would read as
 *  "gone" or "not running": this host's tmux, or the error that it is not installed. */
export function requireTmux(config: Config): Tmux {
  if (!findOnPath(config, 'tmux')) throw notInstalled()
  return new Tmux(config.tmuxSocket)
}

export class Tmux {
  constructor(readonly socket: string | null) {}

  /** Runs tmux and returns stdout; throws CsError when tmux is missing, fails or hangs. */
  run(...args: string[]): string {
    try {
      return execFileSync('tmux', argv(this.socket, args), {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        ...BOUND,
      })
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: string }
      if (err.code === 'ENOENT') throw notInstalled()
      if (err.code === 'ETIMEDOUT') throw stuck(this.socket)
      throw new CsError(`tmux ${args[0]} failed: ${(err.stderr || err.message).trim()}`)
    }
  }

  /** Like run, but a failure (no server, no such session) is just null; a hang still throws. */
  try(...args: string[]): string | null {
    const r = spawnSync('tmux', argv(this.socket, args), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      ...BOUND,
    })
    const code = (r.error as NodeJS.ErrnoException | undefined)?.code
    if (code === 'ETIMEDOUT') throw stuck(this.socket)
    if (code === 'ENOENT') {
      tmuxCalls.notInstalled = true
      return null
    }
    return r.status === 0 ? r.stdout : null
  }

  /** Like try, started now and read when awaited: tmux runs while this process goes on. */
  tryLater(...args: string[]): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const child = spawn('tmux', argv(this.socket, args), { stdio: ['ignore', 'pipe', 'ignore'] })
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        child.stdout.destroy() // the server holds a copy of it (tmux hands it stdout): no end comes
        reject(stuck(this.socket))
      }, BOUND.timeout)
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
      child.on('error', (e: NodeJS.ErrnoException) => {
        tmuxCalls.notInstalled ||= e.code === 'ENOENT'
        clearTimeout(timer)
        resolve(null) // no tmux installed
      })
      child.on('close', (code) => {
        clearTimeout(timer)
        resolve(code === 0 ? out : null)
      })
    })
  }

  /** Runs tmux attached to this terminal (attach-session): returns its exit code. */
  interactive(...args: string[]): number {
    const r = spawnSync('tmux', argv(this.socket, args), { stdio: 'inherit' })
    if (r.error) throw notInstalled()
    return r.status ?? 1
  }

  /** When the server started (epoch seconds), or null when none runs. */
  startTime(): number | null {
    const out = this.try('display-message', '-p', '#{start_time}')?.trim()
    return out && /^\d+$/.test(out) ? Number(out) : null
  }

  hasSession(name: string): boolean {
    return this.try('has-session', '-t', exact(name)) !== null
  }
}

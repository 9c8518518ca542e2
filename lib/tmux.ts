// Every tmux call goes through here: argument arrays, never a shell string, and the socket
// from the settings table. Targets are exact (`=NAME`): a bare name matches prefixes.
import { execFileSync, spawnSync } from 'node:child_process'
import { CsError, EXIT } from './errors.ts'

export interface TmuxOptions {
  socket: string | null
}

export const socketArgs = (socket: string | null): string[] => (socket ? ['-L', socket] : [])

/** `=NAME` matches exactly one session by name. */
export const exact = (session: string) => `=${session}`

export class Tmux {
  constructor(readonly socket: string | null) {}

  /** Runs tmux and returns stdout; throws CsError when tmux is missing or fails. */
  run(...args: string[]): string {
    try {
      return execFileSync('tmux', [...socketArgs(this.socket), ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: string }
      if (err.code === 'ENOENT')
        throw new CsError('tmux is not installed', EXIT.unavailable, 'install it: apt-get install tmux')
      throw new CsError(`tmux ${args[0]} failed: ${(err.stderr || err.message).trim()}`)
    }
  }

  /** Like run, but a failure (no server, no such session) is just null. */
  try(...args: string[]): string | null {
    const r = spawnSync('tmux', [...socketArgs(this.socket), ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return null
    return r.status === 0 ? r.stdout : null
  }

  /** Runs tmux attached to this terminal (attach-session): returns its exit code. */
  interactive(...args: string[]): number {
    const r = spawnSync('tmux', [...socketArgs(this.socket), ...args], { stdio: 'inherit' })
    if (r.error) throw new CsError('tmux is not installed', EXIT.unavailable, 'install it: apt-get install tmux')
    return r.status ?? 1
  }

  hasSession(name: string): boolean {
    return this.try('has-session', '-t', exact(name)) !== null
  }
}

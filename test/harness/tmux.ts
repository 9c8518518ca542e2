// An isolated tmux server for tests: its own socket (-L) and a minimal conf file, so the
// user's server and ~/.tmux.conf are never touched.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export const WIDTH = 200
export const HEIGHT = 50

const CONF = [
  'set -g default-terminal "tmux-256color"',
  // without it the client prints a notice line suggesting it
  'set -g focus-events on',
  'set -g history-limit 5000',
  'set -g remain-on-exit off',
  'set -g status off',
  '',
].join('\n')

export interface WaitOptions {
  timeout?: number
  what?: string
  join?: boolean
}

export class TestTmux {
  readonly socket: string
  readonly conf: string
  private readonly dir: string

  /** env: the environment the tmux server starts with (and so every pane inherits); socket:
   *  to share a server with cs (its CS_TMUX_SOCKET), else one unique to name. */
  constructor(
    name: string,
    private readonly env: Record<string, string>,
    socket = `cs-test-${name}-${process.pid}`
  ) {
    this.socket = socket
    this.dir = mkdtempSync(join(tmpdir(), 'cs-tmux-'))
    this.conf = join(this.dir, 'tmux.conf')
    writeFileSync(this.conf, CONF)
  }

  /** Runs tmux on this server; throws with stderr on failure. */
  run(...args: string[]): string {
    const r = this.try(...args)
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${r.stderr.trim()}`)
    return r.stdout
  }

  try(...args: string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync('tmux', ['-L', this.socket, '-f', this.conf, ...args], {
      encoding: 'utf8',
      env: this.env,
    })
    return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
  }

  /** A detached session of WIDTHxHEIGHT running argv directly (no shell in between). */
  newSession(name: string, cwd: string, argv: string[], env: Record<string, string> = {}): string {
    const e = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`])
    return this.run(
      'new-session', '-d', '-P', '-F', '#{pane_id}', '-s', name, '-x', String(WIDTH), '-y', String(HEIGHT),
      '-c', cwd, ...e, '--', ...argv
    ).trim()
  }

  /** tmux send-keys: each key is a tmux key name (Enter, Escape, C-c) or, with literal, text. */
  sendKeys(target: string, ...keys: string[]): void {
    this.run('send-keys', '-t', target, ...keys)
  }

  capture(target: string, joined = false): string {
    return this.run('capture-pane', '-p', ...(joined ? ['-J'] : []), '-t', target)
  }

  /** Polls the pane until predicate holds; on timeout the error shows the last capture. */
  async waitFor(target: string, predicate: (screen: string) => boolean, opts: WaitOptions = {}): Promise<string> {
    return poll(
      () => {
        const r = this.try('capture-pane', '-p', ...(opts.join ? ['-J'] : []), '-t', target)
        return { ok: r.status === 0 && predicate(r.stdout), last: r.status === 0 ? r.stdout : r.stderr }
      },
      opts.timeout ?? 60_000,
      opts.what ?? predicate.toString()
    )
  }

  /** A user option (e.g. @cs_state) of a session (target `=NAME:`) or, with pane, a pane; null when unset. */
  showOption(target: string, option: string, pane = false): string | null {
    const r = this.try('show-options', ...(pane ? ['-p'] : []), '-v', '-q', '-t', target, option)
    const v = r.stdout.replace(/\n$/, '')
    return r.status === 0 && v !== '' ? v : null
  }

  hasSession(name: string): boolean {
    return this.try('has-session', '-t', `=${name}`).status === 0
  }

  /** Kills the server and removes the conf file. */
  cleanup(): void {
    killServer(this.socket, this.env)
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** Ends the server on `socket` and removes its socket file, which tmux leaves behind (a test run
 *  would leave some 40 in /tmp/tmux-UID). */
export function killServer(socket: string, env: Record<string, string | undefined>): void {
  spawnSync('tmux', ['-L', socket, 'kill-server'], { env, stdio: 'ignore' })
  rmSync(join(env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid!()}`, socket), { force: true })
}

/** Polls check every 200 ms until ok; on timeout throws with what was awaited and the last state. */
export async function poll<T>(
  check: () => { ok: boolean; last: T; value?: T },
  timeout: number,
  what: string
): Promise<T> {
  const end = Date.now() + timeout
  let last: T | undefined
  for (;;) {
    const r = check()
    last = r.last
    if (r.ok) return r.value ?? r.last
    if (Date.now() > end) {
      const shown = typeof last === 'string' ? last : JSON.stringify(last, null, 2)
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last seen:\n${shown}`)
    }
    await sleep(200)
  }
}

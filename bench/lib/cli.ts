// Running cs as a user does: `cs` (bin/cs, which runs the prebuilt bundle dist/cs.cjs; the
// bundle built afresh once per bench process so a stale dist/ is never measured) in an isolated
// environment.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from './measure.ts'

const root = new URL('../../', import.meta.url).pathname
/** the command users run */
export const csCommand = join(root, 'bin/cs')
/** the Node entry it runs, for node's own flags */
export const csBin = join(root, 'dist/cs.cjs')
/** Preloaded into a child, writes its peak RSS in bytes to $CS_BENCH_RSS_FILE at exit. */
export const maxRssPreload = new URL('./maxrss.mjs', import.meta.url).href

let built = false
export function ensureBundle(): void {
  if (built) return
  run([process.execPath, join(root, 'scripts/build.mjs')], { cwd: root })
  built = true
}

export interface Sandbox {
  dir: string
  /** the environment for cs: everything under dir, transcripts from claudeDir */
  env(overrides?: Record<string, string>): Record<string, string>
  remove(): void
}

/** A temporary HOME and XDG tree; CS_TMUX_SOCKET names a socket no server listens on. */
export function sandbox(claudeDir: string): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-'))
  for (const d of ['home', 'state', 'data', 'config']) mkdirSync(join(dir, d))
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    CLAUDE_CONFIG_DIR: claudeDir,
    XDG_STATE_HOME: join(dir, 'state'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    CS_HOST: 'bench',
    CS_TMUX_SOCKET: `cs-bench-none-${process.pid}`,
    NO_COLOR: '1',
  }
  return {
    dir,
    env: (overrides = {}) => ({ ...base, ...overrides }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** Restricts every thread of this process, and the children it starts from now on, to CPUs. */
export function pinTo(cpus: string): void {
  run(['taskset', '-apc', cpus, String(process.pid)])
}

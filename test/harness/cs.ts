// An isolated cs for CLI tests: a temp HOME with its own Claude folder, state, data and tmux
// socket, cs run as users run it (bin/cs, the built bundle), and transcripts written with the
// fixture generator.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { encodeProjectDir } from '../../lib/paths.ts'
import { ensureBundle } from './bundle.ts'
import { killServer } from './tmux.ts'
import { shellLine } from '../../lib/quote.ts'
import * as g from '../fixtures/generate.ts'

const REPO = resolve(import.meta.dirname, '../..')
/** The command users run: bin/cs, the sh that `cs install` links (it lists tmux's panes and starts
 *  the walk of every transcript itself, and runs the bundle). */
export const CS_COMMAND = join(REPO, 'bin/cs')

export interface Result {
  status: number
  stdout: string
  stderr: string
}

export interface SessionSpec {
  id: string
  cwd: string
  prompt?: string
  title?: string // a custom-title record, as `claude -n` or /rename write
  orphan?: boolean // what /clear leaves: the command echo and nothing typed
  at?: string // ISO time of every record
}

export function isolatedCs(suite: string) {
  ensureBundle()
  const home = mkdtempSync(join(tmpdir(), `cs-${suite}-`))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    XDG_STATE_HOME: join(home, '.local/state'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    CS_HOST: 'testhost',
    CS_TMUX_SOCKET: `cs-test-${suite}-${process.pid}`,
  }
  const projects = join(home, '.claude/projects')
  // a hang is a failure of its own: killed after a minute, status -1
  const cs = (...args: string[]): Result => {
    const r = spawnSync(CS_COMMAND, args, {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    })
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
  }
  /** Runs cs on a pseudo-terminal (util-linux `script`), for what only a terminal gets. */
  const pty = (args: string[], extra: Record<string, string> = {}): Result => {
    const argv = shellLine([CS_COMMAND, ...args])
    const r = spawnSync('script', ['-qec', argv, '/dev/null'], {
      env: { ...env, TERM: 'xterm', ...extra },
      encoding: 'utf8',
    })
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr }
  }
  /** Runs cs on a pseudo-terminal and answers its y/N question with `answer` once `meanwhile`
   *  has run: what a user does while a question waits. Output is stdout and stderr as one. */
  const answered = (args: string[], meanwhile: () => void, answer = 'y'): Promise<Result> =>
    new Promise((resolve, reject) => {
      const argv = shellLine([CS_COMMAND, ...args])
      const p = spawn('script', ['-qec', argv, '/dev/null'], { env: { ...env, TERM: 'xterm' } })
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000)
      let stdout = ''
      let asked = false
      p.stdout.on('data', (d: Buffer) => {
        stdout += d.toString('utf8')
        if (asked || !stdout.includes('[y/N]')) return
        asked = true
        try {
          meanwhile()
        } catch (e) {
          p.kill('SIGKILL')
          return reject(e)
        }
        p.stdin.end(`${answer}\n`)
      })
      p.on('error', reject)
      p.on('close', (code) => {
        clearTimeout(timer)
        resolve({ status: code ?? -1, stdout, stderr: '' })
      })
    })
  /** Runs cs and parses its --json output; throws with stderr when it fails. */
  const json = (...args: string[]) => {
    const r = cs(...args, '--json')
    if (r.status !== 0) throw new Error(`cs ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
    return JSON.parse(r.stdout)
  }
  /** Writes a transcript where Claude Code would, and returns its path. */
  const session = (spec: SessionSpec) => {
    const dir = join(projects, encodeProjectDir(spec.cwd))
    mkdirSync(dir, { recursive: true })
    const path = join(dir, `${spec.id}.jsonl`)
    writeFileSync(path, transcript(spec))
    return path
  }
  const cleanup = () => {
    killServer(env.CS_TMUX_SOCKET, env)
    rmSync(home, { recursive: true, force: true })
  }
  return { home, env, projects, cs, pty, answered, json, session, cleanup }
}

/** The session's lines, from the fixture generator's records (Claude Code 2.1.x format). */
export function transcript(s: SessionSpec): string {
  const gen = new g.Gen(parseInt(s.id.slice(0, 8), 16) || 1)
  const ctx = { sessionId: s.id, cwd: s.cwd, t: Date.parse(s.at ?? new Date().toISOString()) }
  const c = g.newCtx(gen, ctx)
  const lines = s.title ? [g.customTitle(c, s.title)] : []
  if (s.orphan) {
    lines.push(g.modeRecord(c), g.userRecord(c, g.CAVEAT, { meta: true }))
    lines.push(g.userRecord(c, g.commandText('clear'), {}))
    lines.push(
      g.systemRecord(c, 'local_command', {
        content: '<local-command-stdout></local-command-stdout>',
      })
    )
  } else {
    lines.push(...g.normalSession(gen, { prompts: [s.prompt ?? 'hello'], ctx }).lines)
  }
  return g.jsonl(lines)
}

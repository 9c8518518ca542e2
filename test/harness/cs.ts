// An isolated cs for CLI tests: a temp HOME with its own Claude folder, state, data and tmux
// socket, cs run from source, and hand-written transcripts in Claude Code's format.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { encodeProjectDir } from '../../lib/paths.ts'

const REPO = resolve(import.meta.dirname, '../..')

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
    CS_FROM_SOURCE: '1',
  }
  const projects = join(home, '.claude/projects')
  const cs = (...args: string[]): Result => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin/cs.mjs'), ...args], {
      env,
      encoding: 'utf8',
    })
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr }
  }
  /** Runs cs on a pseudo-terminal (util-linux `script`), for what only a terminal gets. */
  const pty = (args: string[], extra: Record<string, string> = {}): Result => {
    const argv = [process.execPath, join(REPO, 'bin/cs.mjs'), ...args].map(shellQuote).join(' ')
    const r = spawnSync('script', ['-qec', argv, '/dev/null'], {
      env: { ...env, TERM: 'xterm', ...extra },
      encoding: 'utf8',
    })
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr }
  }
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
    spawnSync('tmux', ['-L', env.CS_TMUX_SOCKET, 'kill-server'], { stdio: 'ignore' })
    rmSync(home, { recursive: true, force: true })
  }
  return { home, env, projects, cs, pty, json, session, cleanup }
}

const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`

export function transcript(s: SessionSpec): string {
  const at = s.at ?? new Date().toISOString()
  const base = { isSidechain: false, cwd: s.cwd, sessionId: s.id, timestamp: at, version: '2.1.332', gitBranch: 'main' }
  const user = (uuid: string, parentUuid: string | null, content: string, extra = {}) => ({
    ...base, type: 'user', parentUuid, uuid, message: { role: 'user', content }, ...extra,
  })
  const records: object[] = []
  if (s.title) records.push({ type: 'custom-title', customTitle: s.title, sessionId: s.id })
  records.push({ type: 'mode', mode: 'normal', sessionId: s.id })
  if (s.orphan) {
    records.push(
      user(`${s.id}-1`, null, '<local-command-caveat>Caveat: local commands below.</local-command-caveat>', { isMeta: true }),
      user(`${s.id}-2`, `${s.id}-1`, '<command-name>/clear</command-name>\n<command-message>clear</command-message>\n<command-args></command-args>'),
      { ...base, type: 'system', subtype: 'local_command', parentUuid: `${s.id}-2`, uuid: `${s.id}-3`, content: '<local-command-stdout></local-command-stdout>', level: 'info' }
    )
  } else {
    records.push(user(`${s.id}-1`, null, s.prompt ?? 'hello'), {
      ...base,
      type: 'assistant',
      parentUuid: `${s.id}-1`,
      uuid: `${s.id}-2`,
      message: { role: 'assistant', model: 'claude-test-1', content: [{ type: 'text', text: 'done' }], usage: { input_tokens: 10, output_tokens: 5 } },
    })
  }
  return records.map((r) => JSON.stringify(r) + '\n').join('')
}

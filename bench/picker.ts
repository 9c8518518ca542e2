// Issue 4: how soon the picker shows something. tmux/picker.sh runs as the popup would, with 50
// live cs sessions on a private tmux server and 5,000 sessions in picker.tsv; a stand-in fzf
// (cat) passes its input through, and the clock stops at the first session line. Baseline: the
// first line of a bare `tmux list-sessions` on the same server.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../lib/config.ts'
import { writePickerCache } from '../lib/picker-cache.ts'
import type { SessionView } from '../lib/session.ts'
import { median, nowMs, versus, type BenchOptions, type Row } from './lib/measure.ts'
import { killServer } from '../test/harness/tmux.ts'

const PICKER = new URL('../tmux/picker.sh', import.meta.url).pathname
const LIVE = 50
const HISTORY = 5000
const STATES = ['working', 'waiting', 'idle'] as const
const GOAL_MS = 50

/** Milliseconds from spawning argv to the first stdout line that isLine accepts. */
function firstLine(
  argv: string[],
  env: Record<string, string>,
  isLine: (line: string) => boolean
): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = nowMs()
    let at: number | null = null
    let seen = ''
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.on('data', (chunk: Buffer) => {
      if (at !== null) return
      seen += chunk.toString('utf8')
      if (seen.split('\n').slice(0, -1).some(isLine)) at = nowMs() - start
    })
    child.on('error', reject)
    child.on('close', () =>
      at === null ? reject(new Error(`bench picker: no line from ${argv[0]}`)) : resolve(at)
    )
  })
}

function history(i: number, now: number): SessionView {
  const id = `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`
  return {
    id,
    short: id.slice(0, 8),
    name: null,
    title: `history session ${i}: refactor the parser`,
    host: 'bench',
    state: 'stopped',
    stateSince: null,
    cwd: `/work/project-${i % 40}`,
    project: `project-${i % 40}`,
    branch: 'main',
    createdAt: null,
    updatedAt: new Date(now - i * 60_000).toISOString(),
    messages: 10,
    orphan: i % 10 === 0,
    deleted: false,
    live: false,
    tag: null,
    model: null,
    tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    path: `/p/${id}.jsonl`,
    tmuxSession: null,
    kind: 'history',
  }
}

export default async function bench({ quick }: BenchOptions): Promise<Row[]> {
  const socket = `cs-bench-picker-${process.pid}`
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-picker-'))
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  // the stand-in fzf: its input straight to picker.sh's stdout
  writeFileSync(join(bin, 'fzf'), '#!/bin/sh\nexec cat\n')
  chmodSync(join(bin, 'fzf'), 0o755)
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: dir,
    XDG_STATE_HOME: join(dir, 'state'),
    CS_TMUX_SOCKET: socket,
    CS_HOST: 'bench',
    LANG: 'C.UTF-8',
  }
  const tmux = (...args: string[]) =>
    spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { env })
  try {
    const now = Date.now()
    for (let i = 0; i < LIVE; i++) {
      const options: [string, string][] = [
        ['@cs_managed', '1'],
        ['@cs_id', `live${i}`],
        ['@cs_title', `live session ${i}`],
        ['@cs_state', STATES[i % STATES.length]],
        ['@cs_cwd', `/work/live-${i}`],
        ['@cs_state_at', String(Math.floor(now / 1000) - i)],
      ]
      tmux(
        'new-session',
        '-d',
        '-s',
        `live-${i}`,
        'sleep 100000',
        ...options.flatMap(([k, v]) => [';', 'set-option', '-t', `=live-${i}:`, k, v])
      )
    }
    writePickerCache(
      loadConfig(env),
      Array.from({ length: HISTORY }, (_, i) => history(i, now))
    )
    const session = (line: string) => line.split('\t').length >= 3 && line.split('\t')[0] !== ''
    const runs = quick ? 5 : 30
    const picker: number[] = []
    const baseline: number[] = []
    for (let i = 0; i <= runs; i++) {
      const p = await firstLine([PICKER], env, session)
      const b = await firstLine(['tmux', '-L', socket, 'list-sessions'], env, () => true)
      if (i > 0) picker.push(p) // the first round warms the page cache
      if (i > 0) baseline.push(b)
    }
    const lines =
      spawnSync(PICKER, [], { env, encoding: 'utf8' }).stdout.trimEnd().split('\n').length - 1
    const row = versus(
      'picker: first session line on fzf input',
      median(picker),
      median(baseline),
      'ms',
      null,
      `${LIVE} live sessions, ${HISTORY} in picker.tsv (${lines} lines listed); baseline: first line of tmux list-sessions`
    )
    return [{ ...row, goal: `< ${GOAL_MS} ms`, met: row.value < GOAL_MS }]
  } finally {
    killServer(socket, process.env)
    rmSync(dir, { recursive: true, force: true })
  }
}

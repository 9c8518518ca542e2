// Issue 3: what the Claude hook costs Claude on every event. tmux/hook.sh runs against a real tmux
// server on its own socket, fed the recorded payloads of the approve sequence in turn, against
// `node -e ''` reading the same stdin: the least any hook written in Node would cost.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { interleave, type BenchOptions, type Row } from './lib/measure.ts'

const HOOK = new URL('../tmux/hook.sh', import.meta.url).pathname
const FIXTURES = new URL('../test/fixtures/hooks/', import.meta.url).pathname
const SEQUENCE = ['UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop']
const GOAL_MS = 10
const GOAL_RATIO = 0.2

/** A recorded payload as Claude sends it: one line (the recorder added TMUX_PANE to the file). */
function payload(event: string): string {
  const { TMUX_PANE: _, ...body } = JSON.parse(readFileSync(join(FIXTURES, `${event}.json`), 'utf8'))
  return JSON.stringify(body)
}

function feed(argv: string[], input: string, env: Record<string, string>): void {
  const r = spawnSync(argv[0], argv.slice(1), { input, env, stdio: ['pipe', 'ignore', 'pipe'] })
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`)
}

function row(name: string, value: number, baseline: number, note: string): Row {
  const ratio = value / baseline
  return {
    name,
    value,
    unit: 'ms',
    baseline,
    ratio,
    goal: `< ${GOAL_MS} ms and <= ${GOAL_RATIO}x baseline`,
    met: value < GOAL_MS && ratio <= GOAL_RATIO,
    note,
  }
}

export default async function bench({ quick }: BenchOptions): Promise<Row[]> {
  const socket = `cs-bench-hook-${process.pid}`
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-hook-'))
  const tmux = (...args: string[]) =>
    spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' }).stdout.trim()
  try {
    const pane = tmux('new-session', '-d', '-P', '-F', '#{pane_id}', '-s', 'bench', '-c', dir, 'sleep 100000')
    const socketPath = tmux('display-message', '-p', '-t', pane, '#{socket_path}')
    if (!pane || !socketPath) throw new Error('bench hook: tmux did not start')
    // the environment Claude gives its hooks inside tmux
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', TMUX: `${socketPath},0,0`, TMUX_PANE: pane }
    const inputs = SEQUENCE.map(payload)
    let i = 0
    let j = 0
    const hook = () => feed([HOOK], inputs[i++ % inputs.length], env)
    const node = () => feed([process.execPath, '-e', ''], inputs[j++ % inputs.length], env)
    const runs = quick ? 10 : 100
    const [hookMs, nodeMs] = await interleave(runs, hook, node)
    if (tmux('show-options', '-p', '-v', '-t', pane, '@cs_state') === '') throw new Error('bench hook: no state set')

    // a PostToolUse that carries a large tool result (the hook reads every byte of its stdin)
    const big = JSON.stringify({
      ...JSON.parse(inputs[3]),
      tool_response: { stdout: 'line of output, "quoted", with commas\n'.repeat(2500), stderr: '' },
    })
    const [bigMs, bigNodeMs] = await interleave(quick ? 5 : 30, () => feed([HOOK], big, env), () =>
      feed([process.execPath, '-e', ''], big, env)
    )
    return [
      row(
        'hook: median time per event',
        hookMs,
        nodeMs,
        `${SEQUENCE.join(', ')} in turn, recorded 2.1.332 payloads; baseline: node -e '' on the same stdin`
      ),
      row('hook: PostToolUse with a 100 kB tool result', bigMs, bigNodeMs, "baseline: node -e '' on the same stdin"),
    ]
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' })
    rmSync(dir, { recursive: true, force: true })
  }
}

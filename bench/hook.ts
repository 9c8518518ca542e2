// Issue 3: what the Claude hook costs Claude on every event. tmux/hook.sh runs against a real tmux
// server on its own socket, fed the recorded payloads of the approve sequence in turn, with the
// event as its argument as lib/hooks.ts registers it, against `node -e ''` given the same stdin:
// the least any hook written in Node would cost.
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

/** withRatio: the whole goal; else only its absolute half, for the figures that take one more
 * process than the hot events by design (a payload scanned for fields). */
function row(name: string, value: number, baseline: number, note: string, withRatio = true): Row {
  const ratio = value / baseline
  return {
    name,
    value,
    unit: 'ms',
    baseline,
    ratio,
    goal: withRatio ? `< ${GOAL_MS} ms and <= ${GOAL_RATIO}x baseline` : `< ${GOAL_MS} ms`,
    met: value < GOAL_MS && (!withRatio || ratio <= GOAL_RATIO),
    note,
  }
}

/** A payload with big fields, as a long tool output or a pasted prompt makes it. */
const enlarged = (body: string, changes: Record<string, unknown>) =>
  JSON.stringify({ ...JSON.parse(body), ...changes })

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
    /** Median ms of the hook and of node, fed the [event, payload] cases in turn; withEvent: the
     * event is the hook's argument, else it reads it from stdin (settings of an older cs). */
    const measure = (cases: [string, string][], withEvent: boolean, runs: number) => {
      let i = 0
      let j = 0
      const hook = () => {
        const [event, body] = cases[i++ % cases.length]
        feed(withEvent ? [HOOK, event] : [HOOK], body, env)
      }
      const node = () => feed([process.execPath, '-e', ''], cases[j++ % cases.length][1], env)
      return interleave(runs, hook, node)
    }
    const sequence = SEQUENCE.map((e, k): [string, string] => [e, inputs[k]])
    const runs = quick ? 10 : 100
    const [hookMs, nodeMs] = await measure(sequence, true, runs)
    if (tmux('show-options', '-p', '-v', '-t', pane, '@cs_state') === '')
      throw new Error('bench hook: no state set')
    const [oldMs, oldNodeMs] = await measure(sequence, false, quick ? 10 : 50)

    // a PostToolUse that carries a large tool result (left unread), and a UserPromptSubmit with
    // a pasted prompt before the title (scanned whole)
    const stdout = 'line of output, "quoted", with commas\n'.repeat(2500)
    const bigTool = enlarged(inputs[3], { tool_response: { stdout, stderr: '' } })
    const [bigMs, bigNodeMs] = await measure([['PostToolUse', bigTool]], true, quick ? 5 : 30)
    const prompt = 'a pasted line, "quoted", with commas\n'.repeat(2500)
    const bigPrompt = enlarged(inputs[0], { prompt, session_title: 'Named session' })
    const [promptMs, promptNodeMs] = await measure([['UserPromptSubmit', bigPrompt]], true, quick ? 5 : 30)
    if (tmux('show-options', '-p', '-v', '-t', pane, '@cs_title') !== 'Named session')
      throw new Error('bench hook: the title was not found')
    const baseline = "baseline: node -e '' on the same stdin"
    return [
      row(
        'hook: median time per event',
        hookMs,
        nodeMs,
        `${SEQUENCE.join(', ')} in turn, recorded 2.1.332 payloads, the event as argument; ${baseline}`
      ),
      row('hook: PostToolUse with a 100 kB tool result', bigMs, bigNodeMs, `left unread; ${baseline}`),
      row(
        'hook: UserPromptSubmit with a 100 kB pasted prompt',
        promptMs,
        promptNodeMs,
        `scanned for the title that follows the prompt; ${baseline}`,
        false
      ),
      row(
        'hook: median time per event, no argument',
        oldMs,
        oldNodeMs,
        `as settings files of an older cs run it: the event read from stdin; ${baseline}`,
        false
      ),
    ]
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' })
    rmSync(dir, { recursive: true, force: true })
  }
}

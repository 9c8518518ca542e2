// Issue 3: what the Claude hook costs Claude on every event. tmux/hook.sh runs against a real tmux
// server on its own socket, fed the recorded payloads of the approve sequence in turn, with the
// event as its argument as lib/hooks.ts registers it, against `node -e ''` given the same stdin:
// the least any hook written in Node would cost.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, type BenchOptions, type Row } from './lib/measure.ts'
import { killServer } from '../test/harness/tmux.ts'

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

interface Task {
  argv: string[]
  input: string
}

// The timer runs in a bare node process: forking from the runner (tsx, other modules' corpora in
// its heap) costs milliseconds more per spawn, a cost of neither the hook nor the baseline that
// would weigh most on the smaller figure. Tasks run round-robin after one unmeasured round.
const TIMER = `
const { spawnSync } = require('node:child_process')
const { runs, tasks, env } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'))
const times = tasks.map(() => [])
const stdio = ['pipe', 'ignore', 'pipe']
for (let i = 0; i <= runs; i++)
  tasks.forEach((t, j) => {
    const start = process.hrtime.bigint()
    const r = spawnSync(t.argv[0], t.argv.slice(1), { input: t.input, env, stdio })
    if (r.status !== 0) throw new Error(t.argv.join(' ') + ' exited ' + r.status + ': ' + r.stderr)
    if (i > 0) times[j].push(Number(process.hrtime.bigint() - start) / 1e6)
  })
process.stdout.write(JSON.stringify(times))
`

/** Milliseconds of each task, runs times each, timed by TIMER. */
function time(tasks: Task[], runs: number, env: Record<string, string>): number[][] {
  const input = JSON.stringify({ runs, tasks, env })
  const clean = { PATH: env.PATH } // no NODE_OPTIONS from the runner
  const options = { input, env: clean, encoding: 'utf8', maxBuffer: 1 << 24 } as const
  const r = spawnSync(process.execPath, ['-e', TIMER], options)
  if (r.status !== 0) throw new Error(`bench hook: the timer failed: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

export default async function bench({ quick }: BenchOptions): Promise<Row[]> {
  const socket = `cs-bench-hook-${process.pid}`
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-hook-'))
  const tmux = (...args: string[]) =>
    spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' }).stdout.trim()
  const option = (pane: string, name: string) => tmux('show-options', '-p', '-v', '-t', pane, name)
  try {
    const pane = tmux('new-session', '-d', '-P', '-F', '#{pane_id}', '-s', 'bench', '-c', dir, 'sleep 100000')
    const socketPath = tmux('display-message', '-p', '-t', pane, '#{socket_path}')
    if (!pane || !socketPath) throw new Error('bench hook: tmux did not start')
    // the environment Claude gives its hooks inside tmux
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', TMUX: `${socketPath},0,0`, TMUX_PANE: pane }
    /** Median ms of the hook and of node over the [event, payload] cases, each run `runs` times;
     * withEvent: the event is the hook's argument, else it reads it from stdin (older settings). */
    const measure = (cases: [string, string][], withEvent: boolean, runs: number): [number, number] => {
      const tasks = cases.flatMap(([event, input]) => [
        { argv: withEvent ? [HOOK, event] : [HOOK], input },
        { argv: [process.execPath, '-e', ''], input },
      ])
      const times = time(tasks, runs, env)
      return [0, 1].map((side) => median(times.filter((_, k) => k % 2 === side).flat())) as [number, number]
    }
    const inputs = SEQUENCE.map(payload)
    const sequence = SEQUENCE.map((e, k): [string, string] => [e, inputs[k]])
    const [hookMs, nodeMs] = measure(sequence, true, quick ? 2 : 20)
    if (option(pane, '@cs_state') === '') throw new Error('bench hook: no state set')
    const [oldMs, oldNodeMs] = measure(sequence, false, quick ? 2 : 10)

    // a PostToolUse that carries a large tool result (left unread), and a UserPromptSubmit with
    // a pasted prompt before the title (scanned whole)
    const stdout = 'line of output, "quoted", with commas\n'.repeat(2500)
    const bigTool = enlarged(inputs[3], { tool_response: { stdout, stderr: '' } })
    const [bigMs, bigNodeMs] = measure([['PostToolUse', bigTool]], true, quick ? 5 : 30)
    const prompt = 'a pasted line, "quoted", with commas\n'.repeat(2500)
    const bigPrompt = enlarged(inputs[0], { prompt, session_title: 'Named session' })
    const [promptMs, promptNodeMs] = measure([['UserPromptSubmit', bigPrompt]], true, quick ? 5 : 30)
    if (option(pane, '@cs_title') !== 'Named session') throw new Error('bench hook: the title was not found')
    // the floor of any hook in POSIX sh that tells tmux: sh started, one tmux call, nothing else
    const floor = join(dir, 'floor.sh')
    writeFileSync(floor, '#!/bin/sh\ntmux set -gq @cs_bench_floor 1 >/dev/null 2>&1\nexit 0\n', { mode: 0o755 })
    const pair = time([{ argv: [floor], input: inputs[1] }, { argv: [HOOK, 'PreToolUse'], input: inputs[1] }], quick ? 2 : 30, env)
    const [floorMs, preMs] = pair.map(median)
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
      {
        name: 'hook floor: a sh script of one tmux call',
        value: floorMs,
        unit: 'ms',
        baseline: nodeMs,
        ratio: floorMs / nodeMs,
        note: `what any hook in POSIX sh that sets a tmux option costs here, spawned as Claude spawns its hooks; the hook's PreToolUse in the same runs: ${preMs.toFixed(1)} ms; baseline: node -e ''`,
      },
      row(
        'hook: median time per event, no argument',
        oldMs,
        oldNodeMs,
        `as settings files of an older cs run it: the event read from stdin; ${baseline}`,
        false
      ),
    ]
  } finally {
    killServer(socket, process.env)
    rmSync(dir, { recursive: true, force: true })
  }
}

// Issue 9: the dashboard on 10,000 sessions, after a change as well as with nothing changed. One
// of them is live for real: a tmux session on a private socket with the @cs_* options `cs launch`
// and the hook set (bench/lib/live-session.ts), its pane running `sleep`. Each row says what
// changed before each of its runs (untimed); every figure against `node -e 0` (the floor of any
// Node CLI), interleaved in the same run.
// Nothing is replayed: cs keeps no copy of its output, every run reads the store.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { basename } from 'node:path'
import { csCommand, ensureBundle, sandbox } from './lib/cli.ts'
import { tailLines } from './lib/append.ts'
import { corpus } from './lib/corpus.ts'
import { startArgs } from './lib/live-session.ts'
import { median, run, timeOnce, versus, type BenchOptions, type Row } from './lib/measure.ts'
import { killServer } from '../test/harness/tmux.ts'

/** A few records, as a working session writes between two looks at the dashboard. */
const APPEND_BYTES = 16 * 1024
const STATES = ['working', 'waiting', 'idle'] as const

/**
 * Runs `change` (untimed), then times `task`, then `settle` (untimed), then times the baseline;
 * `runs` times after one unmeasured round. Medians of the task and of the baseline.
 */
async function afterEach(
  runs: number,
  change: () => void,
  task: () => unknown,
  baseline: () => unknown,
  settle: () => void
): Promise<[number, number]> {
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i <= runs; i++) {
    change()
    const x = await timeOnce(task)
    settle()
    const y = await timeOnce(baseline)
    if (i > 0) a.push(x), b.push(y)
  }
  return [median(a), median(b)]
}

export default async function bench({ quick }: BenchOptions): Promise<Row[]> {
  ensureBundle()
  const n = quick ? 300 : 10_000
  // the dashboard reads only what changed: the corpus's size in bytes does not matter here, its
  // number of sessions does (the same corpus as bench/shared.ts)
  const c = await corpus(quick ? { sessions: n, totalBytes: 10e6, bigFiles: 0 } : { sessions: n, totalBytes: 200e6, bigFiles: 0 })
  const runs = quick ? 3 : 11
  const box = sandbox(c.claudeDir)
  const socket = `cs-bench-dashboard-${process.pid}`
  const env = box.env({ CS_TMUX_SOCKET: socket })
  const tmux = (...args: string[]) => run(['tmux', '-L', socket, '-f', '/dev/null', ...args], { env })
  // a session of typical size (the median), live
  const live = [...c.files].sort((x, y) => x.size - y.size)[c.files.length >> 1]
  const id = basename(live.path, '.jsonl')
  const chunk = tailLines(live.path, APPEND_BYTES)
  try {
    tmux(
      ...startArgs({
        name: 'live',
        id,
        title: 'bench live session',
        state: 'working',
        stateAt: Math.floor(Date.now() / 1000),
        cwd: '/work/live',
        transcript: live.path,
      })
    )
    const cs = (...args: string[]) => () => run([csCommand, ...args], { env })
    // in cs's own environment: a variable such as NODE_EXTRA_CA_CERTS (40 ms of certificates
    // read at every start) in the runner's own would slow the baseline alone
    const node = () => run([process.execPath, '-e', '0'], { env })
    cs('sync')()
    // the store as an index leaves it, before any listing built the dashboard's rows
    const db = `${box.dir}/state/cs/cs.db`
    const indexed = `${box.dir}/indexed.db`
    fs.copyFileSync(db, indexed)
    const out = spawnSync(csCommand, ['ls', '--json'], { env, maxBuffer: 1 << 30 }).stdout
    const shown = JSON.parse(out.toString()) as { id: string; live: boolean; state: string }[]
    if (shown.find((s) => s.id === id)?.live !== true) throw new Error('bench dashboard: the live session is not live')
    const what = `${shown.length} sessions, 1 live, ${(out.length / 1e6).toFixed(1)} MB of JSON; stdout /dev/null; baseline: \`node -e 0\``

    const nothing = () => {}
    const append = () => fs.appendFileSync(live.path, chunk)
    let k = 0
    const stateChange = () => {
      const state = STATES[++k % STATES.length]
      const at = String(Math.floor(Date.now() / 1000))
      // as tmux/hook.sh sets them on a hook event: on the pane and its session
      // prettier-ignore
      tmux(
        'set-option', '-p', '-t', '=live:', '@cs_state', state, ';', 'set-option', '-p', '-t', '=live:', '@cs_state_at', at,
        ';', 'set-option', '-t', '=live:', '@cs_state', state, ';', 'set-option', '-t', '=live:', '@cs_state_at', at
      )
    }
    const appended = `${(chunk.length / 1024).toFixed(0)} KB of its own records appended to the live session's transcript (${(live.size / 1e3).toFixed(0)} KB)`
    // a session halfway down the history, renamed: its row, and the block of rows holding it, are
    // written again
    const stopped = shown.filter((s) => s.state === 'stopped')
    const middle = stopped[stopped.length >> 1].id
    const rename = () => cs('rename', middle, `renamed ${++k}`)()
    const rows: Row[] = []
    // the background sync a run starts when the full walk is due: over before anything else runs,
    // as for a user, to whom the walk is due again only CS_FULL_SCAN_SECONDS later
    const marker = `${box.dir}/state/cs/sync.running`
    const walkDone = () => {
      for (let waited = 0; fs.existsSync(marker) && waited < 60_000; waited += 50)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
    }
    const measure = async (name: string, change: () => void, args: string[], max: number | null, changed: string, env2 = env) => {
      const [ms, nodeMs] = await afterEach(runs, change, () => run([csCommand, ...args], { env: env2 }), node, walkDone)
      rows.push(versus(name, ms, nodeMs, 'ms', max, `before each run: ${changed}; ${what}`))
    }
    try {
      await measure('`cs ls --json`, nothing changed', nothing, ['ls', '--json'], 2, 'nothing')
      await measure('`cs ls --json` after an append to a live session', append, ['ls', '--json'], 2, appended)
      await measure('`cs ls --json` after a state change of a live session', stateChange, ['ls', '--json'], 2, "the live session's @cs_state and @cs_state_at set, as the hook does")
      await measure('`cs ls --json` after a rename in the history', rename, ['ls', '--json'], 2, 'a session halfway down the history renamed (`cs rename`)')
      await measure('`cs` (the table), nothing changed', nothing, [], 1.5, 'nothing; 50 rows and a count of the rest')
      await measure('`cs` (the table) after an append to a live session', append, [], 1.5, `${appended}; 50 rows`)
      // what a user meets once, at the first `cs` after installing (after its index), and after
      // an update that changes the index: every session's row built and written
      const unbuilt = () => {
        for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true })
        fs.copyFileSync(indexed, db)
      }
      await measure('`cs` (the table), its rows built first', unbuilt, [], null, "the store as `cs sync` left it, before any listing built the dashboard's rows")
      // the periodic stat of every transcript is due at every run: the dashboard starts it in a
      // background `cs sync` as it ends, and does not wait for it
      await measure('`cs ls --json`, full stat walk due', nothing, ['ls', '--json'], 2, 'nothing (the background sync of the run before over); CS_FULL_SCAN_SECONDS=0, so a full stat walk is due', box.env({ CS_TMUX_SOCKET: socket, CS_FULL_SCAN_SECONDS: '0' }))
    } finally {
      fs.truncateSync(live.path, live.size) // the cached corpus stays as it was made
      walkDone() // the last background sync ends before its state folder goes
    }
    return rows
  } finally {
    killServer(socket, process.env)
    box.remove()
  }
}

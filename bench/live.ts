// Issue 3: what live state costs the dashboard. 50 tmux sessions on a private socket, each pane
// running `sleep` with the @cs_* options `cs launch` sets, against the same `cs ls --json` with
// no tmux server at all.
import { spawnSync } from 'node:child_process'
import { basename } from 'node:path'
import { csCommand, ensureBundle, sandbox } from './lib/cli.ts'
import { corpus } from './lib/corpus.ts'
import { interleave, run, versus, type BenchOptions, type Row } from './lib/measure.ts'

const LIVE = 50
const STATES = ['working', 'waiting', 'idle'] as const

export default async function bench({ quick }: BenchOptions): Promise<Row[]> {
  ensureBundle()
  const c = await corpus(
    quick ? { sessions: 100, totalBytes: 5e6, bigFiles: 0 } : { sessions: 1000, totalBytes: 100e6, bigFiles: 0 }
  )
  const box = sandbox(c.claudeDir)
  const socket = `cs-bench-live-${process.pid}`
  const tmux = (...args: string[]) => run(['tmux', '-L', socket, '-f', '/dev/null', ...args], { env: box.env() })
  try {
    const now = Math.floor(Date.now() / 1000)
    c.files.slice(0, LIVE).forEach((f, i) => {
      const name = `live-${i}`
      const id = basename(f.path, '.jsonl')
      const options: [string, string][] = [
        ['@cs_id', id],
        ['@cs_title', `bench session ${i}`],
        ['@cs_state', STATES[i % STATES.length]],
        ['@cs_state_at', String(now - i * 60)],
        ['@cs_managed', '1'],
      ]
      // one tmux call per session: `;` chains commands; options go on the session and its pane
      // prettier-ignore
      tmux(
        'new-session', '-d', '-s', name, '-x', '80', '-y', '24', 'sleep 100000',
        ...options.flatMap(([k, v]) => [';', 'set-option', '-t', `=${name}:`, k, v]),
        ...options.flatMap(([k, v]) => [';', 'set-option', '-p', '-t', `=${name}:`, k, v])
      )
    })
    const live = box.env({ CS_TMUX_SOCKET: socket })
    const none = box.env()
    run([csCommand, 'sync'], { env: none })
    const ls = (env: Record<string, string>) => () => run([csCommand, 'ls', '--json'], { env })
    const shown = spawnSync(csCommand, ['ls', '--json'], { env: live, encoding: 'utf8' })
    const liveRows = (JSON.parse(shown.stdout) as { live: boolean }[]).filter((s) => s.live).length
    const [liveMs, noneMs] = await interleave(quick ? 3 : 15, ls(live), ls(none))
    return [
      versus(
        `\`cs ls --json\` with ${LIVE} live sessions`,
        liveMs,
        noneMs,
        'ms',
        1.5,
        `${c.files.length} transcripts indexed; ${liveRows} rows shown live; baseline: no tmux server`
      ),
    ]
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' })
    box.remove()
  }
}

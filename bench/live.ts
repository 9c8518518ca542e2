// Issue 3: what live state costs the dashboard. 50 tmux sessions on a private socket, each pane
// running `sleep` with the @cs_* options `cs launch` and the hook set (bench/lib/live-session.ts),
// against the same `cs ls --json` with no tmux server at all; and the same sessions before any
// hook ran, whose screens cs reads.
import { spawnSync } from 'node:child_process'
import { basename } from 'node:path'
import { csCommand, ensureBundle, sandbox } from './lib/cli.ts'
import { corpus } from './lib/corpus.ts'
import { startArgs, type LiveSession } from './lib/live-session.ts'
import { interleave, run, versus, type BenchOptions, type Row } from './lib/measure.ts'
import { killServer } from '../test/harness/tmux.ts'

const LIVE = 50
const STATES = ['working', 'waiting', 'idle'] as const

export default async function bench({ quick }: BenchOptions): Promise<Row[]> {
  ensureBundle()
  const c = await corpus(
    quick ? { sessions: 100, totalBytes: 5e6, bigFiles: 0 } : { sessions: 1000, totalBytes: 100e6, bigFiles: 0 }
  )
  const box = sandbox(c.claudeDir)
  // the same sessions twice: on one socket as the hook leaves them, on another before any hook ran
  const sockets = { hooked: `cs-bench-live-${process.pid}`, unhooked: `cs-bench-live-nohook-${process.pid}` }
  const tmux = (socket: string, args: string[]) =>
    run(['tmux', '-L', socket, '-f', '/dev/null', ...args], { env: box.env() })
  try {
    const now = Math.floor(Date.now() / 1000)
    c.files.slice(0, LIVE).forEach((f, i) => {
      const s: LiveSession = {
        name: `live-${i}`,
        id: basename(f.path, '.jsonl'),
        title: `bench session ${i}`,
        state: STATES[i % STATES.length],
        stateAt: now - i * 60,
        cwd: `/work/live-${i}`,
        transcript: f.path,
      }
      tmux(sockets.hooked, startArgs(s))
      tmux(sockets.unhooked, startArgs({ ...s, transcript: null }))
    })
    const none = box.env()
    run([csCommand, 'sync'], { env: none })
    const ls = (env: Record<string, string>) => () => run([csCommand, 'ls', '--json'], { env })
    const rows: Row[] = []
    for (const [kind, socket] of Object.entries(sockets)) {
      const live = box.env({ CS_TMUX_SOCKET: socket })
      const shown = spawnSync(csCommand, ['ls', '--json'], { env: live, encoding: 'utf8' })
      const liveRows = (JSON.parse(shown.stdout) as { live: boolean }[]).filter((s) => s.live).length
      if (liveRows !== LIVE) throw new Error(`bench live: ${liveRows} rows shown live, not ${LIVE}`)
      const [liveMs, noneMs] = await interleave(quick ? 3 : 15, ls(live), ls(none))
      const hooked = kind === 'hooked'
      rows.push(
        versus(
          hooked
            ? `\`cs ls --json\` with ${LIVE} live sessions`
            : `\`cs ls --json\` with ${LIVE} live sessions whose hook never ran`,
          liveMs,
          noneMs,
          'ms',
          hooked ? 1.5 : null,
          `${c.files.length} transcripts indexed; ${liveRows} rows shown live` +
            (hooked
              ? ', their options as the hook leaves them'
              : ': their screens read (capture-pane), the last fallback') +
            '; baseline: no tmux server'
        )
      )
    }
    return rows
  } finally {
    for (const socket of Object.values(sockets)) killServer(socket, process.env)
    box.remove()
  }
}

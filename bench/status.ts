// Issue 4: what #{cs_status} costs a status refresh. plugin.tmux fills it into status-right on a
// tmux server with 50 cs sessions; tmux expands it (one display-message, the format repeated
// REPEAT times through #{E:}) against plain #{session_name} looped over the same sessions.
import { spawnSync } from 'node:child_process'
import { interleave, versus, type BenchOptions, type Row } from './lib/measure.ts'
import { killServer } from '../test/harness/tmux.ts'

const PLUGIN = new URL('../plugin.tmux', import.meta.url).pathname
const SESSIONS = 50
const REPEAT = 100 // one expansion is too quick to time against starting a tmux client
const STATES = ['working', 'waiting', 'idle', 'dead']

export default async function bench({ quick }: BenchOptions): Promise<Row[]> {
  const socket = `cs-bench-status-${process.pid}`
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: process.env.HOME ?? '/tmp',
  }
  const tmux = (...args: string[]) => {
    const r = spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {
      env,
      encoding: 'utf8',
    })
    if (r.status !== 0) throw new Error(`bench status: tmux ${args[0]} failed: ${r.stderr}`)
    return r.stdout.trimEnd()
  }
  try {
    tmux('new-session', '-d', '-s', 'main', 'sleep 100000')
    tmux('set-option', '-g', 'status-right', '#{cs_status}')
    for (let i = 0; i < SESSIONS; i++)
      tmux(
        'new-session',
        '-d',
        '-s',
        `s${i}`,
        'sleep 100000',
        ';',
        'set-option',
        '-t',
        `=s${i}:`,
        '@cs_state',
        STATES[i % STATES.length]
      )
    tmux('run-shell', PLUGIN)
    const format = tmux('show-options', '-gv', 'status-right')
    const jobs = format.split('#(').length - 1
    const plain = '#{S:#{session_name}}'
    for (let i = 0; i < REPEAT; i++) {
      tmux('set-option', '-ga', '@bench-cs', format)
      tmux('set-option', '-ga', '@bench-plain', plain)
    }
    const expand = (option: string) => () => tmux('display-message', '-p', `#{E:${option}}`)
    const dots = expand('@bench-cs')().split('●').length - 1
    if (dots !== SESSIONS * REPEAT)
      throw new Error(`bench status: ${dots} dots, expected ${SESSIONS * REPEAT}`)
    const [csMs, plainMs, clientMs] = await interleave(
      quick ? 5 : 40,
      expand('@bench-cs'),
      expand('@bench-plain'),
      () => tmux('display-message', '-p', 'x')
    )
    const per = (ms: number) => Math.max(ms - clientMs, 0.001) / REPEAT
    return [
      {
        name: 'status: processes started per refresh',
        value: jobs,
        unit: 'processes',
        goal: '0',
        met: jobs === 0,
        note: '#( ) jobs in the status-right that plugin.tmux wrote; a pure format starts none',
      },
      versus(
        `status: tmux expands #{cs_status} for ${SESSIONS} sessions`,
        per(csMs) * 1000,
        per(plainMs) * 1000,
        'µs',
        null,
        `${REPEAT} expansions in one display-message, less a bare display-message; baseline: #{S:#{session_name}} over the same sessions`
      ),
    ]
  } finally {
    killServer(socket, process.env)
  }
}

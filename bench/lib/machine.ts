// The machine a run measured: figures mean nothing without it.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg, totalmem } from 'node:os'

export interface Machine {
  date: string
  cpus: number
  cpu: string
  memory: string
  node: string
  tmux: string
  /** 1-minute load average at the start and end of the run: above ~0.5 the run was not quiet */
  load: string
}

function cpuModel(): string {
  const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
  return m ? m[1].trim() : 'unknown'
}

function tmuxVersion(): string {
  const r = spawnSync('tmux', ['-V'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : 'no tmux'
}

/** Call at the start of a run; `finish` adds the load average at its end. */
export function machine(): Machine & { finish(): Machine } {
  const loadStart = loadavg()[0].toFixed(2)
  const m: Machine = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: availableParallelism(),
    cpu: cpuModel(),
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    tmux: tmuxVersion(),
    load: loadStart,
  }
  return { ...m, finish: () => ({ ...m, load: `${loadStart} at start, ${loadavg()[0].toFixed(2)} at end` }) }
}

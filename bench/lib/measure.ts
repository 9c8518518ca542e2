// What every bench module shares: the row contract the runner prints and writes into
// BENCHMARKS.md, medians, and timing that interleaves a figure with its baseline so that load
// from other processes hits both alike.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process'

/** One figure. `ratio` is value / baseline; `met` says whether the goal holds. */
export interface Row {
  name: string
  value: number
  unit: string
  baseline?: number
  ratio?: number
  goal?: string
  met?: boolean
  note?: string
}

export interface BenchOptions {
  /** a small corpus and few runs: a smoke check, not figures to publish */
  quick: boolean
}

/** What each bench/*.ts module exports as default. */
export type Bench = (options: BenchOptions) => Promise<Row[]>

export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error('median of nothing')
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6

/** Milliseconds one call of fn takes (awaited). */
export async function timeOnce(fn: () => unknown): Promise<number> {
  const start = nowMs()
  await fn()
  return nowMs() - start
}

/**
 * Runs every task `runs` times, round-robin after one unmeasured warm-up round, and returns
 * the median milliseconds of each, in order.
 */
export async function interleave(runs: number, ...tasks: (() => unknown)[]): Promise<number[]> {
  for (const t of tasks) await t()
  const times: number[][] = tasks.map(() => [])
  for (let i = 0; i < runs; i++) for (const [j, t] of tasks.entries()) times[j].push(await timeOnce(t))
  return times.map(median)
}

/** Runs argv to completion with output discarded; throws with its stderr when it fails. */
export function run(argv: string[], options: SpawnSyncOptions = {}): void {
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], ...options })
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${String(r.stderr ?? '').trim()}`)
}

/** A row comparing a time (or any smaller-is-better figure) against its baseline. */
export function versus(
  name: string,
  value: number,
  baseline: number,
  unit: string,
  maxRatio: number | null,
  note?: string
): Row {
  const ratio = value / baseline
  return {
    name,
    value,
    unit,
    baseline,
    ratio,
    ...(maxRatio === null ? {} : { goal: `<= ${maxRatio}x baseline`, met: ratio <= maxRatio }),
    ...(note ? { note } : {}),
  }
}

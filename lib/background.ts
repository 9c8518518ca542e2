// The runs of cs that a command leaves to the background, each a detached `cs sync` that outlives
// it: the stat of every transcript, due every CS_FULL_SCAN_SECONDS, which a dashboard finds due
// and does not wait for; and the pull of what other hosts pushed, which a dashboard stopped
// waiting for after its bound. One of each at a time: a marker in the state folder says one runs,
// so that the dashboards of the next seconds start no more; the run removes it when it ends (a
// marker left by a crash counts for a while only). Under bin/cs, the shell starts the walk as
// Node ends, told by a file named by its pid: a fork of sh, where Node's child_process took some
// 12 ms of the dashboard (loading it, then forking a big process).
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.ts'
import { touchMarker } from './regular-file.ts'

const RUNS = {
  walk: { marker: 'sync.running', args: ['sync', '--background'], staleMs: 10 * 60_000 },
  pull: { marker: 'pull.run', args: ['sync', '--pull'], staleMs: 30_000 },
} as const
type Run = keyof typeof RUNS

const markerPath = (config: Config, run: Run) => join(config.stateDir, RUNS[run].marker)
/** The file that tells bin/cs (its pid: config.binPid) to start the walk; bin/cs reads this name. */
const walkWantedPath = (config: Config, binPid: string) => join(config.stateDir, `walk.${binPid}`)

/** Starts the run unless one is running; never waits for it. */
export function startInBackground(config: Config, run: Run, now = Date.now()): void {
  const marker = markerPath(config, run)
  const started = statSync(marker, { throwIfNoEntry: false })?.mtimeMs
  if (started !== undefined && now - started < RUNS[run].staleMs) return
  try {
    mkdirSync(config.stateDir, { recursive: true })
    touchMarker(marker)
    if (run === 'walk' && config.binPid) return touchMarker(walkWantedPath(config, config.binPid))
  } catch {
    return // a read-only or full state folder, which could not note the run either
  }
  try {
    // this same cs (bundle or sources, as CS_FROM_SOURCE says) with this environment
    spawn(process.execPath, [process.argv[1], ...RUNS[run].args], { detached: true, stdio: 'ignore' }).unref()
  } catch {
    rmSync(marker, { force: true }) // could not start: the next dashboard tries again
  }
}

/** Called by the run when it ends. The walk's also takes every word to start one that a bin/cs
 *  left unread (killed as Node ended): no dashboard writes one while this run's marker stands. */
export function backgroundDone(config: Config, run: Run): void {
  try {
    if (run === 'walk')
      for (const f of readdirSync(config.stateDir))
        if (f.startsWith('walk.')) rmSync(join(config.stateDir, f), { force: true })
    rmSync(markerPath(config, run), { force: true })
  } catch {
    // no state folder (the run failed for it): nothing left to take
  }
}

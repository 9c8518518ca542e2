// The stat of every transcript that is due every CS_FULL_SCAN_SECONDS, kept off the dashboard's
// path: the command that finds it due has `cs sync` started in the background (it outlives the
// dashboard) and goes on with its hot run. A marker in the state folder says a background sync
// is running, so that the dashboards of the next seconds do not start more; the sync removes it
// when it ends (a marker left by a crash counts for STALE_MS only). Under bin/cs, the shell
// starts it as Node ends, told by a file named by its pid: a fork of sh, where Node's
// child_process took some 12 ms of the dashboard (loading it, then forking a big process).
import { spawn } from 'node:child_process'
import { mkdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.ts'
import { touchMarker } from './regular-file.ts'

export const syncMarkerPath = (config: Config) => join(config.stateDir, 'sync.running')
/** The file that tells bin/cs (its pid: config.binPid) to start the sync; bin/cs reads this name. */
const walkWantedPath = (config: Config, binPid: string) => join(config.stateDir, `walk.${binPid}`)
const STALE_MS = 10 * 60_000

/** Whether the last full walk is older than config.fullScanSeconds. */
export const fullWalkDue = (config: Config, lastFullWalk: number, now: number) =>
  now - lastFullWalk >= config.fullScanSeconds * 1000

/** Starts `cs sync --background` unless one is running; never waits for it. */
export function startBackgroundSync(config: Config, now: number): void {
  const marker = syncMarkerPath(config)
  const started = statSync(marker, { throwIfNoEntry: false })?.mtimeMs
  if (started !== undefined && now - started < STALE_MS) return
  try {
    mkdirSync(config.stateDir, { recursive: true })
    touchMarker(marker)
    if (config.binPid) return touchMarker(walkWantedPath(config, config.binPid))
  } catch {
    return // a read-only or full state folder, which could not note a walk either
  }
  try {
    // this same cs (bundle or sources, as CS_FROM_SOURCE says) with this environment
    spawn(process.execPath, [process.argv[1], 'sync', '--background'], { detached: true, stdio: 'ignore' }).unref()
  } catch {
    rmSync(marker, { force: true }) // could not start: the next dashboard tries again
  }
}

/** Called by the background sync when it ends. */
export const backgroundSyncDone = (config: Config) => rmSync(syncMarkerPath(config), { force: true })

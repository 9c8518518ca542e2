// Bringing sessions back into tmux: after a reboot or a killed tmux server (`cs revive`), for one
// session whose tmux session is gone (`cs attach`), or for one started outside cs (`cs adopt`).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { compareText } from './format.ts'
import { startSession, type LaunchPlan, type Launcher } from './launcher.ts'
import { withLock } from './lock.ts'
import { firstFree } from './names.ts'
import { shellWord } from './quote.ts'
import { findProjectDir } from './paths.ts'
import { readRegistry } from './registry.ts'
import type { Launch } from './session.ts'
import { listSessions } from './tmux-sessions.ts'

/** Claude resumes a session only from the project folder of the cwd it is started in. */
function resumableFrom(config: Config, id: string, cwd: string): boolean {
  const dir = findProjectDir(config, cwd)
  return dir !== null && existsSync(join(dir, `${id}.jsonl`))
}

/**
 * The plan that brings a session back under its name in its cwd: `--resume ID` when claude will
 * find its transcript there; else (a launch that never got a message) the same id started anew.
 */
export function relaunchPlan(config: Config, s: Relaunched & { cwd: string }): LaunchPlan {
  return { id: s.id, name: s.name, cwd: s.cwd, resume: resumableFrom(config, s.id, s.cwd), extra: s.args }
}

/** A session to bring back: its id, the name it had, its folder, and the claude arguments of
 *  its launch (none for one cs did not launch). */
export interface Relaunched {
  id: string
  name: string
  cwd: string | null
  args: string[]
}

/**
 * This host's launches whose tmux session is gone, split by why. The session of a launch last
 * seen live ended with the tmux server (`revive`) when the server now running started after
 * that sighting, or none runs; it ended by itself (`ended`: claude exited, the session was
 * killed) when the same server has been up since. Launches marked dead or stopped are neither.
 */
export function sortGone(
  launches: Launch[],
  host: string,
  liveNames: Set<string>,
  serverStart: number | null // epoch seconds, null when no server runs
): { revive: Launch[]; ended: Launch[] } {
  const gone = launches
    .filter((l) => l.host === host && l.lastState !== 'dead' && l.lastState !== 'stopped' && !liveNames.has(l.tmuxSession))
    .sort((a, b) => compareText(a.tmuxSession, b.tmuxSession))
  const sameServer = (l: Launch) => serverStart !== null && serverStart * 1000 <= Date.parse(l.lastSeenAt ?? l.launchedAt)
  return { revive: gone.filter((l) => !sameServer(l)), ended: gone.filter(sameServer) }
}

/** The refusal of claude session id when a tmux session or any running claude (one started in
 *  another terminal: Claude's live registry) runs it already, else null: never a second claude
 *  writing the same transcript. */
export function runningAlready(l: Launcher, id: string): CsError | null {
  const name = listSessions(l.tmux).find((t) => t.id === id)?.name
  if (name !== undefined) return new CsError(`it runs already, in tmux session ${shellWord(name)}`, undefined, undefined, 'running')
  const pid = readRegistry(l.config.claudeDir).find((e) => e.sessionId === id)?.pid
  if (pid === undefined) return null
  return new CsError(`it runs already, outside tmux (claude, pid ${pid})`, undefined, `end it there first, or go to that terminal`, 'running')
}

/**
 * Relaunches one session that is not running in a new tmux session: under its old name when
 * free, else name-2…; `mustResume` refuses to start it anew when claude would not find it.
 */
export function bringBack(l: Launcher, s: Relaunched, mustResume = false): Launch {
  const cwd = s.cwd
  if (!cwd) throw new CsError(`no folder known for session ${s.id}`, undefined, 'resume it by hand: claude --resume ID, in its folder')
  // brought back meanwhile (another revive or attach at the same moment): never a second claude
  // writing the same transcript. The look and the start under one lock: two revives that both
  // looked before either started would start it twice, the second as NAME-2.
  const busy = () => new CsError('another cs is bringing sessions back on this host', EXIT.failure, 'try again in a moment')
  return withLock(join(l.config.stateDir, 'revive.lock'), REVIVE_WAIT_MS, busy, () => {
    const running = runningAlready(l, s.id)
    if (running) throw running
    const plan = relaunchPlan(l.config, { ...s, cwd, name: firstFree(s.name, (n) => l.tmux.hasSession(n)) })
    if (mustResume && !plan.resume)
      throw new CsError(`claude would not find session ${s.id} from ${cwd}`, undefined, `its transcript is not under that folder's project; run claude --resume ${shellWord(s.id)} where it was started`)
    return startSession(l, plan)
  })
}

/** How long bringing a session back waits for another doing so: each start is one tmux call. */
const REVIVE_WAIT_MS = 10_000

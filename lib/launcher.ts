// Starting claude in a detached tmux session: the one place that builds claude's command line
// and the one that creates the tmux session, tags it for the hook and the dashboard, and
// records the launch. Nothing half-made survives a failure.
import { statSync } from 'node:fs'
import type { Config } from './config.ts'
import { ensureHookSettings } from './hooks.ts'
import { CsError, EXIT, usageError } from './errors.ts'
import { detachedCs } from './install.ts'
import { shellLine, shellWord } from './quote.ts'
import { isCwd } from './untrusted.ts'
import { findOnPath } from './paths.ts'
import type { Launch } from './session.ts'
import type { Store } from './store.ts'
import { THEN, Tmux, exact, exactPane, noFormat } from './tmux.ts'
import { FIELDS } from './pane-row.ts'
import { INSTALL } from './install-hints.ts'

export interface LaunchPlan {
  name: string // tmux session name, already checked (lib/names.ts)
  cwd: string // absolute
  id: string // claude session id: new (--session-id) or to resume
  resume: boolean
  prompt?: string | null // the first prompt of an interactive session (never -p)
  extra?: string[] // passed on to claude
}

/** Claude would run as a nested, transcript-less child session with these set (cs may run inside Claude). */
const NESTED_ENV = ['CLAUDECODE', 'CLAUDE_CODE_SESSION_ID', 'CLAUDE_CODE_CHILD_SESSION']

/** `env` arguments that drop them, for a command tmux starts. */
export const unnested = (): string[] => ['env', ...NESTED_ENV.flatMap((v) => ['-u', v])]

/** This process's environment without them, for a claude cs starts itself. */
export function claudeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const v of NESTED_ENV) delete env[v]
  return env
}

/** claude's argv: a new session named after its tmux session, or a resumed one. */
export function claudeArgv(bin: string, settings: string, p: LaunchPlan): string[] {
  const extra = p.extra ?? []
  if (p.resume) return [bin, '--resume', p.id, '--settings', settings, ...extra]
  // `--` keeps a prompt that starts with '-' from being read as an option
  const prompt = p.prompt ? ['--', p.prompt] : []
  return [bin, '--session-id', p.id, '--settings', settings, '-n', p.name, ...extra, ...prompt]
}

/** The claude binary as an absolute path (the tmux server's PATH may differ from ours), or exit 3. */
export function findClaude(config: Config): string {
  const bin = config.claudeBin
  const found = findOnPath(config, bin)
  if (found) return found
  throw new CsError(
    `claude not found: ${shellWord(bin)} is not ${bin.includes('/') ? 'an executable file' : 'on PATH'}`,
    EXIT.unavailable,
    `install Claude Code: ${INSTALL.claude}`
  )
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

export function checkCwd(cwd: string): void {
  if (!isDirectory(cwd)) throw usageError(`not a directory: ${cwd}`, 'pass an existing folder (--cwd DIR)')
  // shown in every listing, and refused by other hosts as a session's folder (lib/untrusted.ts)
  if (!isCwd(cwd)) throw usageError(`the folder ${shellWord(cwd)} has a control character in its path`, 'launch in a folder whose path has none')
}

export interface Launcher {
  config: Config
  tmux: Tmux
  store: Store
  /** absolute path of claude (findClaude) */
  claude: string
  /** the --settings file that registers the hook (lib/hooks.ts) */
  settings: string
}

/** Everything a launch needs, checked before any tmux session exists: claude, then the hook settings. */
export function openLauncher(config: Config, store: Store, tmux: Tmux): Launcher {
  const claude = findClaude(config)
  return { config, tmux, store, claude, settings: ensureHookSettings(config) }
}

/** What tmux/hook.sh has the tmux server run in the background when a pane's claude takes
 *  another id (/clear, /resume of another): a listing of this host, which notes the new id in the
 *  launch record (lib/sessions.ts noteLive), so that a revive after the server is lost resumes
 *  the conversation in use, though no cs command ran since. Published by each launch. */
const REKEY_OPTION = '@cs-rekey'
function rekeyCommand(config: Config): string {
  // run-shell shows in a pane what a command writes, and a failure: neither is wanted
  return `${shellLine(detachedCs(config, 'ls', '--json', '--local'))} >/dev/null 2>&1 </dev/null || true`
}

/** `cs launch` checked its folder; a session brought back (attach, revive, adopt) runs in its
 *  own: the error when that is gone. */
export function checkFolderBack(cwd: string): void {
  if (!isDirectory(cwd))
    throw new CsError(`the folder ${shellWord(cwd)} is gone`, EXIT.failure, 'claude resumes a session in the folder it ran in: make it again, or start anew (cs launch)')
}

/**
 * Starts claude for the plan in a new detached tmux session, sets the @cs_* options on the
 * session and its pane, and records the launch. The tmux session is killed if anything after
 * its creation fails.
 */
export function startSession(l: Launcher, p: LaunchPlan, now = new Date()): Launch {
  checkFolderBack(p.cwd)
  if (l.tmux.hasSession(p.name))
    throw new CsError(`tmux session ${shellWord(p.name)} already exists`, EXIT.failure, `attach to it (cs attach ${shellWord(p.name)}) or pick another name`)
  // a running tmux server gives new sessions its own environment, not ours
  const own = l.config.claudeConfigEnv ? [`CLAUDE_CONFIG_DIR=${l.config.claudeConfigEnv}`] : []
  // several words after `--`: tmux execs them as they are (one word would go through sh -c)
  const command = [...unnested(), ...own, ...claudeArgv(l.claude, l.settings, p)]
  const at = String(Math.floor(now.getTime() / 1000))
  // a session brought back keeps the name cs gave it (cs rename)
  const named = l.store.meta([p.id]).get(p.id)?.name
  const options: [string, string][] = [
    [FIELDS.id, p.id],
    ...(named ? [[FIELDS.name, named] as [string, string]] : []),
    [FIELDS.title, p.name],
    [FIELDS.cwd, p.cwd],
    [FIELDS.state, 'idle'],
    [FIELDS.stateAt, at],
    [FIELDS.managed, '1'],
  ]
  const target = exactPane(p.name)
  const setAll = options.flatMap(([k, v]) => [THEN, 'set-option', '-t', target, k, v, THEN, 'set-option', '-p', '-t', target, k, v])
  const create = ['new-session', '-d', '-s', noFormat(p.name), '-c', noFormat(p.cwd), '-x', '200', '-y', '50', '--', ...command]
  const pane = [THEN, 'set-option', '-F', '-t', target, FIELDS.claudePane, '#{pane_id}']
  const rekey = [THEN, 'set-option', '-g', REKEY_OPTION, rekeyCommand(l.config)]
  try {
    l.tmux.run(...create, ...setAll, ...pane, ...rekey)
  } catch (e) {
    // a failed set-option leaves the session; a failed new-session (a duplicate) must not kill the other one
    if (!(e instanceof CsError && /duplicate session/.test(e.message))) l.tmux.try('kill-session', '-t', exact(p.name))
    throw e
  }
  const launch: Launch = {
    id: p.id,
    host: l.config.host,
    tmuxSession: p.name,
    cwd: p.cwd,
    launchedAt: now.toISOString(),
    lastState: 'idle',
    lastSeenAt: now.toISOString(),
    args: p.extra ?? [],
  }
  try {
    l.store.saveLaunch(launch)
  } catch (e) {
    l.tmux.try('kill-session', '-t', exact(p.name))
    throw e
  }
  return launch
}

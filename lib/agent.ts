// cs's persistent ssh agent: one per machine at a fixed socket (config.agentSocket), started by
// `cs agent` when absent, used by cs's own ssh calls through SSH_AUTH_SOCK. Nothing is written
// into dotfiles; a shell that wants it sets SSH_AUTH_SOCK to the socket itself.
import { spawnSync } from 'node:child_process'
import { lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Config } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { readRegular, replaceFile } from './regular-file.ts'
import { cleanText } from './untrusted.ts'
import { INSTALL } from './install-hints.ts'

const pidFile = (config: Config) => join(config.stateDir, 'agent.pid')

const isSocket = (path: string) => lstatSync(path, { throwIfNoEntry: false })?.isSocket() ?? false

let answers: boolean | undefined // whether cs's agent answered this process
/** The environment for cs's ssh calls: SSH_AUTH_SOCK is cs's agent when one answers at its
 *  socket. A socket alone may be one a reboot or a killed agent left: it would stand before the
 *  user's own agent, and every login fail. */
export function sshEnv(config: Config): NodeJS.ProcessEnv {
  if (!isSocket(config.agentSocket)) return process.env
  try {
    answers ??= agentKeys(config) !== null
  } catch {
    answers = false // no ssh-add here
  }
  return answers ? { ...process.env, SSH_AUTH_SOCK: config.agentSocket } : process.env
}

/** How long a question to the agent may take: one that accepts and never answers (stopped, hung)
 *  would hold every ssh call, the dashboard's too. */
export const AGENT_ANSWER_MS = 2000

function sshAdd(config: Config, args: string[], inherit = false) {
  const r = spawnSync('ssh-add', args, {
    env: { ...process.env, SSH_AUTH_SOCK: config.agentSocket },
    encoding: 'utf8',
    stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    // a key's passphrase is asked on the terminal (inherit): as long as the user takes
    timeout: inherit ? undefined : AGENT_ANSWER_MS,
  })
  if (r.error) throw new CsError('ssh-add is not installed', EXIT.unavailable, `install it: ${INSTALL.ssh}`)
  return r
}

/** The keys the agent holds (`ssh-add -l` lines), or null when no agent answers at the socket. */
export function agentKeys(config: Config): string[] | null {
  if (!isSocket(config.agentSocket)) return null
  const r = sshAdd(config, ['-l'])
  // 0: keys listed, 1: none, 2: no agent there
  if (r.status === 1) return []
  if (r.status !== 0) return null
  return r.stdout.split('\n').flatMap((l) => cleanText(l) ?? [])
}

/** Starts the agent unless one answers at the socket; true when it started one. */
export function startAgent(config: Config): boolean {
  if (agentKeys(config) !== null) return false
  mkdirSync(dirname(config.agentSocket), { recursive: true, mode: 0o700 })
  if (isSocket(config.agentSocket)) rmSync(config.agentSocket) // left by an agent that died
  const r = spawnSync('ssh-agent', ['-s', '-a', config.agentSocket], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.error) throw new CsError('ssh-agent is not installed', EXIT.unavailable, `install it: ${INSTALL.ssh}`)
  const pid = r.stdout.match(/SSH_AGENT_PID=(\d+)/)?.[1]
  if (r.status !== 0 || !pid) {
    // another cs started one at the socket meanwhile (`cs agent` twice at once): it is the agent
    if (agentKeys(config) !== null) return false
    throw new CsError(`ssh-agent did not start: ${cleanText(r.stderr) ?? `exit ${r.status}`}`, EXIT.unavailable)
  }
  mkdirSync(config.stateDir, { recursive: true })
  replaceFile(pidFile(config), `${pid}\n`) // a FIFO put there is replaced, never waited on
  return true
}

/** Loads a key (ssh-add asks for its passphrase on this terminal); starts the agent first. */
export function addKey(config: Config, file: string | undefined): number {
  startAgent(config)
  // after `--`: a file named -D is a key file, not ssh-add's "remove every key"
  return sshAdd(config, file ? ['--', file] : [], true).status ?? EXIT.failure
}

/** Stops the agent cs started; false when none ran. */
export function stopAgent(config: Config): boolean {
  const text = readRegular(pidFile(config))
  if (text === null) return false
  const pid = Number(text.trim())
  rmSync(pidFile(config), { force: true })
  // only an ssh-agent: the pid may have been reused since
  const comm = (() => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
    } catch {
      return null
    }
  })()
  if (!Number.isInteger(pid) || pid <= 1 || comm !== 'ssh-agent') return false
  process.kill(pid, 'SIGTERM')
  rmSync(config.agentSocket, { force: true })
  return true
}

// Acting on another host's session: the remote side of every operation is that host's own cs,
// run over ssh (lib/ssh.ts builds the argv). Attach puts the user in front of it: this terminal
// outside tmux; inside tmux a new window (or a popup, or this pane: @cs-remote-attach).
import { spawnSync } from 'node:child_process'
import { sshEnv } from './agent.ts'
import type { Config, HostEntry } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { print } from './format.ts'
import { shellLine } from './quote.ts'
import { ensureControlDir, remoteCs, sshArgv, sshFailure, sshRun } from './ssh.ts'
import { Tmux } from './tmux.ts'
import { cleanText } from './untrusted.ts'

/** How `cs attach` opens another host's session inside tmux (tmux option @cs-remote-attach,
 *  tmux/variables.sh): a new window, a popup, or this pane. */
export type RemoteAttachMode = 'window' | 'popup' | 'replace'
const MODES: readonly string[] = ['window', 'popup', 'replace']

function remoteAttachMode(): RemoteAttachMode {
  // the user's own server ($TMUX), not cs's socket: the option is theirs
  const v = new Tmux(null).try('show-options', '-gqv', '@cs-remote-attach')?.trim() ?? ''
  return MODES.includes(v) ? (v as RemoteAttachMode) : 'window'
}

/** Runs `cs ARGS` on host in this terminal (ssh -t): it may ask, attach, take a passphrase. */
export function runRemoteHere(config: Config, host: HostEntry, args: string[]): number {
  ensureControlDir(config)
  const argv = sshArgv(config, host, [remoteCs(host), ...args], { tty: true })
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env: sshEnv(config) })
  if (r.error) throw new CsError(`ssh failed: ${r.error.message}`, EXIT.unavailable)
  // ssh's own failures were shown on this terminal already; a missing cs gets its fix
  if (r.status === 127) throw sshFailure(host, 127, '', argv)!
  return r.status ?? EXIT.failure
}

/**
 * `cs attach QUERY` run on host with a terminal: there it switches, attaches, resumes a DEAD
 * session or opens a background one, as it does locally. label names the new window.
 */
export function attachRemote(config: Config, host: HostEntry, query: string, label: string, yes: boolean): number {
  const args = ['attach', ...(yes ? ['--yes'] : []), query]
  const mode = config.insideTmux ? remoteAttachMode() : 'replace'
  if (mode === 'replace') return runRemoteHere(config, host, args)
  ensureControlDir(config)
  const argv = sshArgv(config, host, [remoteCs(host), ...args], { tty: true })
  const name = cleanText(`${host.name}/${label}`) ?? host.name
  const tmux = new Tmux(null)
  // the window runs under the user's tmux server, whose environment is not this one
  const agent = sshEnv(config).SSH_AUTH_SOCK
  const env = agent ? ['-e', `SSH_AUTH_SOCK=${agent}`] : []
  if (mode === 'popup') tmux.run('display-popup', '-E', '-w', '100%', '-h', '100%', '-T', name, ...env, shellLine(argv))
  else tmux.run('new-window', '-n', name, ...env, '--', ...argv)
  return EXIT.ok
}

/** Runs `cs ARGS` on host and prints what it says, control characters removed; its exit code. */
export async function runRemote(config: Config, host: HostEntry, args: string[], json: boolean): Promise<number> {
  const r = await sshRun(config, host, [remoteCs(host), ...args])
  if (json && r.status === 0) {
    // printed again from the parsed value: JSON.stringify escapes every control character
    let value: unknown
    try {
      value = JSON.parse(r.stdout)
    } catch {
      throw new CsError(`host ${host.name}: its answer is not JSON`)
    }
    process.stdout.write(JSON.stringify(value, null, 2) + '\n')
  } else process.stdout.write(cleanLines(r.stdout))
  process.stderr.write(cleanLines(r.stderr))
  if (r.status === 2) throw new CsError(`host ${host.name}: its cs refused \`cs ${args[0]}\` as given (too old?)`, EXIT.usage, 'cs update --all')
  return r.status
}

const cleanLines = (text: string) =>
  text
    .split('\n')
    .map((l) => cleanText(l))
    .filter((l): l is string => l !== null)
    .map((l) => `${l}\n`)
    .join('')

/** Runs `cs ARGS` on each host in turn, each one's output under its name; the worst exit code. */
export async function onHosts(config: Config, hosts: HostEntry[], args: string[]): Promise<number> {
  let code: number = EXIT.ok
  for (const h of hosts) {
    print(`${h.name}:`)
    code = Math.max(code, await runRemote(config, h, args, false))
  }
  return code
}

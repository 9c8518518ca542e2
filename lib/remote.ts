// Acting on another host's session: the remote side of every operation is that host's own cs,
// run over ssh (lib/ssh.ts builds the argv). Attach puts the user in front of it: this terminal
// outside tmux; inside tmux a new window (or a popup, or this pane: @cs-remote-attach).
import { spawnSync } from 'node:child_process'
import { sshEnv } from './agent.ts'
import type { Config, HostEntry } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { print } from './format.ts'
import { pluginVariable } from './paths.ts'
import { shellLine } from './quote.ts'
import { readySsh, remoteCs, sshArgv, sshFailure, sshRun } from './ssh.ts'
import { Tmux, exact, literal, noFormat } from './tmux.ts'
import { cleanLines, cleanText, jsonText } from './untrusted.ts'
import { out, outErr, sayError } from './stdout.ts'

/** How `cs attach` opens another host's session inside tmux (tmux option @cs-remote-attach,
 *  named with its default in tmux/variables.sh): a new window, a popup, or this pane. */
export type RemoteAttachMode = 'window' | 'popup' | 'replace'
const MODES: readonly string[] = ['window', 'popup', 'replace']

function remoteAttachMode(): RemoteAttachMode {
  // the user's own server ($TMUX), not cs's socket: the option is theirs
  const v = new Tmux(null).try('show-options', '-gqv', pluginVariable('remote_attach_option'))?.trim() ?? ''
  return (MODES.includes(v) ? v : pluginVariable('default_remote_attach')) as RemoteAttachMode
}

/** Runs an ssh argv of host (sshArgv, tty) in this terminal: it may ask, attach, take a
 *  passphrase. `cs`: the cs command it runs there, named when the host has none. */
function runHere(config: Config, host: HostEntry, ssh: string[], cs: readonly string[]): number {
  readySsh(config)
  const r = spawnSync(ssh[0], ssh.slice(1), { stdio: 'inherit', env: sshEnv(config) })
  if (r.error) throw new CsError(`ssh failed: ${r.error.message}`, EXIT.unavailable)
  // ssh's own failures (255) were shown on this terminal already: cs adds the fix (and exit 3);
  // a missing cs (127) gets its own
  if (r.status === 127 || r.status === 255) throw sshFailure(config, host, r.status, '', cs)!
  return r.status ?? EXIT.failure
}

/** Runs `cs ARGS` on host in this terminal. */
export function runRemoteHere(config: Config, host: HostEntry, args: string[]): number {
  const cs = [remoteCs(host), ...args]
  return runHere(config, host, sshArgv(config, host, cs, { tty: true }), cs)
}

// The remote side of an attach in one round trip, without starting cs there when it can: the
// tmux session itself, on the server that host's cs would use over ssh (its CS_TMUX_SOCKET,
// lib/config.ts), else that host's cs (`"$@"`), which resumes a DEAD session, opens a background
// one or resolves an id, name or project. tmux fails at once when there is no such session (or
// server); it also fails when its server dies under it, and then the session is DEAD: cs offers
// to bring it back. A detach, or the session ending, is a success. A constant script: the
// values come in as its arguments, never inside its text.
const ATTACH_SCRIPT = [
  't=$1; shift',
  'tmux -u ${CS_TMUX_SOCKET:+-L "$CS_TMUX_SOCKET"} attach-session -t "$t" 2>/dev/null || exec "$@"',
].join('\n')

/** What `cs attach` opens on another host. */
export interface RemoteAttach {
  /** the tmux session it may be (attached straight away when it exists), else null */
  tmuxSession: string | null
  /** what that host's cs attaches otherwise: an id, a name, a project */
  query: string
  /** names the new window */
  label: string
  /** bring a DEAD session back without asking */
  yes: boolean
}

/** The remote argv of an attach (ATTACH_SCRIPT), and the cs command within it. */
function remoteAttachArgv(host: HostEntry, a: RemoteAttach): { argv: string[]; cs: string[] } {
  const cs = [remoteCs(host), 'attach', ...(a.yes ? ['--yes'] : []), '--', a.query]
  if (a.tmuxSession === null) return { argv: cs, cs }
  return { argv: ['sh', '-c', ATTACH_SCRIPT, 'sh', literal(exact(a.tmuxSession)), ...cs], cs }
}

/** The ssh argv of an attach with a terminal, and the cs command within it. bin/cs's launchers
 *  (lib/attach-launcher.ts) hold this same argv, the query left as a slot. */
export function attachHereArgv(config: Config, host: HostEntry, a: RemoteAttach): { ssh: string[]; cs: string[] } {
  const { argv, cs } = remoteAttachArgv(host, a)
  return { ssh: sshArgv(config, host, argv, { tty: true }), cs }
}

/**
 * Attaches to a session of host with a terminal: there it attaches, resumes a DEAD session or
 * opens a background one, as cs does locally. Outside tmux in this terminal; inside tmux in a new
 * window, a popup or this pane (@cs-remote-attach).
 */
export function attachRemote(config: Config, host: HostEntry, a: RemoteAttach): number {
  const { ssh, cs } = attachHereArgv(config, host, a)
  const mode = config.insideTmux ? remoteAttachMode() : 'replace'
  if (mode === 'replace') return runHere(config, host, ssh, cs)
  readySsh(config)
  // another machine's name: tmux expands formats in a window's name and a popup's title (#() runs)
  const name = noFormat(cleanText(`${host.name}/${a.label}`) ?? host.name)
  const tmux = new Tmux(null)
  // the window runs under the user's tmux server, whose environment is not this one
  const agent = sshEnv(config).SSH_AUTH_SOCK
  const env = agent ? ['-e', `SSH_AUTH_SOCK=${agent}`] : []
  const held = heldOnFailure(host, ssh)
  if (mode === 'popup') tmux.run('display-popup', '-E', '-w', '100%', '-h', '100%', '-T', name, ...env, shellLine(held))
  else tmux.run('new-window', '-n', name, ...env, '--', ...held)
  return EXIT.ok
}

/** argv run so that its failure stays on screen: a window or popup would close with the error
 *  before anyone read it (ssh's own words, or the other cs's), where this command has returned. */
const heldOnFailure = (host: HostEntry, argv: string[]) => [
  'sh',
  '-c',
  '"$@"; s=$?; [ "$s" -eq 0 ] || { printf \'\\ncs: the attach to %s ended with exit %s (press Enter) \' "$0" "$s"; read -r _; }; exit "$s"',
  host.name,
  ...argv,
]

/** Runs `cs ARGS` on host and prints what it says, control characters removed; its exit code. */
export async function runRemote(config: Config, host: HostEntry, args: string[], json: boolean): Promise<number> {
  const r = await sshRun(config, host, [remoteCs(host), ...args])
  if (json && r.status === 0) out(jsonText(jsonAnswer(host, r.stdout)) + '\n')
  else out(cleanLines(r.stdout))
  outErr(cleanLines(r.stderr))
  if (r.status === 2) throw failedThere(host, args[0], r.status, r.stderr)
  return r.status
}

/** Runs `cs ARGS --json` on host: its answer, parsed; its stderr shown. */
export async function askRemote(config: Config, host: HostEntry, args: string[]): Promise<unknown> {
  const r = await sshRun(config, host, [remoteCs(host), ...args, '--json'])
  outErr(cleanLines(r.stderr))
  if (r.status !== 0) throw failedThere(host, args[0], r.status, r.stderr)
  return jsonAnswer(host, r.stdout)
}

/** A JSON answer of host, parsed: printed again through jsonText. An answer nested too deep to
 *  print again (JSON.parse takes it, JSON.stringify runs out of stack) is none either. */
export function jsonAnswer(host: HostEntry, stdout: string): unknown {
  try {
    const answer: unknown = JSON.parse(stdout)
    JSON.stringify(answer)
    return answer
  } catch {
    throw new CsError(`host ${host.name}: its answer is not JSON`)
  }
}

/** Why `cs VERB` failed on host: exit 2, its cs refused the command as given (in its own words:
 *  a cs too old for it, or words it does not take); any other, the first line it wrote to stderr. */
export function failedThere(host: HostEntry, verb: string, status: number, stderr: string): CsError {
  if (status === 2)
    return new CsError(
      `host ${host.name}: its cs refused \`cs ${verb}\` as given: ${cleanText(stderr.trim().split('\n')[0]) ?? 'a usage error'}`,
      EXIT.usage,
      'a cs too old for it is brought up to date by cs update --all'
    )
  return new CsError(`host ${host.name}: cs ${verb} failed there: ${cleanText(stderr.trim().split('\n')[0]) ?? `exit ${status}`}`)
}

/** Runs act on each host in turn, its output under the host's name; a host that fails is said
 *  and the next one asked. The worst exit code. */
export async function onHosts(hosts: HostEntry[], act: (host: HostEntry) => number | Promise<number>): Promise<number> {
  let code: number = EXIT.ok
  for (const h of hosts) {
    print(`${h.name}:`)
    try {
      code = Math.max(code, await act(h))
    } catch (e) {
      if (!(e instanceof CsError)) throw e
      sayError(e)
      code = Math.max(code, e.exitCode)
    }
  }
  return code
}

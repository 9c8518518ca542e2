// Acting on another host's session: the remote side of every operation is that host's own cs,
// run over ssh (lib/ssh.ts builds the argv). Attach puts the user in front of it: this terminal
// outside tmux; inside tmux a new window (or a popup, or this pane: @cs-remote-attach).
import { spawnSync } from 'node:child_process'
import type { Config, HostEntry } from './config.ts'
import { CsError, EXIT } from './errors.ts'
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

/**
 * `cs attach QUERY` run on host with a terminal: there it switches, attaches, resumes a DEAD
 * session or opens a background one, as it does locally. label names the new window.
 */
export function attachRemote(config: Config, host: HostEntry, query: string, label: string, yes: boolean): number {
  ensureControlDir(config)
  const argv = sshArgv(config, host, [remoteCs(host), 'attach', ...(yes ? ['--yes'] : []), query], { tty: true })
  const mode = config.insideTmux ? remoteAttachMode() : 'replace'
  if (mode === 'replace') {
    const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' })
    if (r.error) throw new CsError(`ssh failed: ${r.error.message}`, EXIT.unavailable)
    const failure = sshFailure(host, r.status ?? 255, '', argv)
    if (failure && r.status === 127) throw failure
    return r.status ?? EXIT.failure
  }
  const name = cleanText(`${host.name}/${label}`) ?? host.name
  const tmux = new Tmux(null)
  if (mode === 'popup') tmux.run('display-popup', '-E', '-w', '100%', '-h', '100%', '-T', name, shellLine(argv))
  else tmux.run('new-window', '-n', name, '--', ...argv)
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

// `cs attach NAME --host HOST` outside tmux without a Node process: for each host of the hosts
// list, a few lines of sh that bin/cs sources. They hold the very ssh argv lib/remote.ts runs for
// that attach (attachHereArgv, built once, there), with the query left as a slot that bin/cs fills
// only with a plain word (LAUNCHER_QUERY, the same pattern in bin/cs). bin/cs uses a launcher only
// while config.json and the bundle are older than it, and the launcher itself checks the
// environment it was written for and what config.json says (guards); anything else goes to the
// Node CLI, which writes them again.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Config, HostEntry } from './config.ts'
import { AGENT_ANSWER_MS } from './agent.ts'
import { cksum } from './cksum.ts'
import { bundleFile } from './install.ts'
import { shellWord } from './quote.ts'
import { attachHereArgv } from './remote.ts'
import { sshFailure } from './ssh.ts'
import { isHostName } from './untrusted.ts'
import { replaceFile } from './regular-file.ts'

/** What bin/cs puts in a launcher's slot: a word no shell or tmux reads as anything else. */
export const LAUNCHER_QUERY = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/

/** A word that shellWord leaves bare and that no argv of cs's holds: where the query goes. */
const SLOT = 'CsAttachQuerySlot0'

export const launcherDir = (config: Config) => join(config.stateDir, 'attach')

/** The line by which a launcher checks that config.json says what it said when the launcher was
 *  written: its bytes' cksum, whatever its times say (a file restored with `cp -p`, a link moved
 *  to another generation of a file in /nix/store keep an older mtime). Null with no config.json. */
function configGuard(config: Config): string | null {
  let bytes: Buffer
  try {
    bytes = readFileSync(config.configFile)
  } catch {
    return null
  }
  return `[ "$(cksum <"$config")" = ${shellWord(cksum(bytes))} ] 2>/dev/null || return 0 # config.json as written from`
}

/** The environment a launcher was written for, as sh tests: what loadConfig reads that bin/cs
 *  does not already pin (the config file and the state folder are found through XDG_*), and
 *  what config.json said. Null with no config.json. */
export function guards(config: Config, env: NodeJS.ProcessEnv): string[] | null {
  const is = (name: string, value: string) => `[ "\${${name}-}" = ${shellWord(value)} ]`
  const said = configGuard(config)
  if (said === null) return null
  const lines = [
    `[ "$config" -ef ${shellWord(config.configFile)} ] || return 0 # written from another config.json`,
    said,
    // ssh.config a file still, as when written: ssh would wait on a FIFO put there since
    ...(config.sshConfig ? [`[ -f ${shellWord(config.sshConfig)} ] || return 0 # ssh.config no longer a file`] : []),
    `${is('HOME', env.HOME ?? '')} && ${is('XDG_RUNTIME_DIR', env.XDG_RUNTIME_DIR ?? '')} || return 0`,
  ]
  // this host's own name (CS_HOST, else the kernel's): a host never attaches itself over ssh
  if (env.CS_HOST) lines.push(`${is('CS_HOST', env.CS_HOST)} || return 0`)
  else
    lines.push(
      `[ -z "\${CS_HOST-}" ] && { read -r here </proc/sys/kernel/hostname; } 2>/dev/null && [ "$here" = ${shellWord(config.host)} ] || return 0`
    )
  return lines
}

/** What sshRun sets up before ssh (lib/ssh.ts readySsh, lib/agent.ts sshEnv), in sh. */
export const sshSetup = (config: Config) => [
  // no ssh here: its shell's 127 would read as no cs there; Node says what is missing
  'command -v ssh >/dev/null 2>&1 || return 0',
  `[ -d ${shellWord(config.sshControlDir)} ] || mkdir -p -m 700 ${shellWord(config.sshControlDir)} || return 0`,
  // cs's agent when one answers there, within AGENT_ANSWER_MS, as lib/agent.ts sshEnv has it
  // (ssh-add -l: 0 keys, 1 none; 2 no agent, 124 no answer in time, 127 no ssh-add)
  `if [ -S ${shellWord(config.agentSocket)} ]; then`,
  `  agent_bound=; command -v timeout >/dev/null 2>&1 && agent_bound='timeout ${AGENT_ANSWER_MS / 1000}'`,
  `  SSH_AUTH_SOCK=${shellWord(config.agentSocket)} $agent_bound ssh-add -l >/dev/null 2>&1`,
  `  case $? in 0 | 1) SSH_AUTH_SOCK=${shellWord(config.agentSocket)} && export SSH_AUTH_SOCK ;; esac`,
  'fi',
]

/** The launcher of host, or null when its argv does not have the slot where bin/cs expects it. */
function launcherText(config: Config, host: HostEntry, env: NodeJS.ProcessEnv): string | null {
  const { ssh, cs } = attachHereArgv(config, host, { tmuxSession: SLOT, query: SLOT, label: SLOT, yes: false })
  const remote = ssh[ssh.length - 1]
  const parts = remote.split(SLOT)
  if (ssh.slice(0, -1).some((w) => w.includes(SLOT)) || parts.length !== 3 || !parts[0].endsWith('=')) return null
  // ssh's own failure (255) and no cs there (127): said and exited as lib/remote.ts does
  const failures = [127, 255].map((status) => ({ status, e: sshFailure(config, host, status, '', cs)! }))
  const checks = guards(config, env)
  if (checks === null) return null
  const command = [...ssh.slice(0, -1).map(shellWord), parts.map(shellWord).join('"$query"')].join(' ')
  return [
    `# cs attach QUERY --host ${host.name} outside tmux, as lib/remote.ts runs it: written by cs`,
    '# (lib/attach-launcher.ts) from config.json; sourced by bin/cs with QUERY, a plain word, in $query.',
    `[ ${shellWord(bundleFile())} -nt "$launcher" ] && return 0 # cs was updated since`,
    ...checks,
    ...sshSetup(config),
    command,
    'status=$?',
    ...failures.map(
      ({ status, e }) =>
        `[ "$status" -ne ${status} ] || { printf 'cs: %s\\n    %s\\n' ${shellWord(e.message)} ${shellWord(e.hint ?? '')} >&2; exit ${e.exitCode}; }`
    ),
    'exit "$status"',
    '',
  ].join('\n')
}

/** A file's mtime (ms), or null when there is none. */
export const mtime = (path: string): number | null => {
  try {
    return statSync(path).mtimeMs
  } catch {
    return null
  }
}

/** Whether a launcher is as it would be written now and bin/cs runs it: newer than the bundle
 *  and than config.json (bin/cs passes it by otherwise, and a config.json touched but unchanged
 *  would leave it so for good), and written from config.json as it is (its guard: config.json's
 *  times cannot tell). */
export function launcherCurrent(config: Config, file: string, said = configGuard(config)): boolean {
  const written = mtime(file) ?? -Infinity
  if (said === null || written <= (mtime(bundleFile()) ?? Infinity) || written <= (mtime(config.configFile) ?? Infinity)) return false
  try {
    return readFileSync(file, 'utf8').includes(`\n${said}\n`)
  } catch {
    return false
  }
}

/** True when there is no launcher for a listed host, or one is not current, or one is left of a
 *  host no longer listed. */
function stale(config: Config, dir: string, wanted: readonly string[]): boolean {
  let present: string[]
  try {
    present = readdirSync(dir)
  } catch {
    return true
  }
  const said = configGuard(config) // config.json read once for every launcher
  return present.length !== wanted.length || wanted.some((f) => !launcherCurrent(config, join(dir, f), said))
}

/**
 * Writes a launcher for every host of the hosts list and removes the others, unless they are
 * current. Best effort: without launchers bin/cs runs the Node CLI.
 */
export function writeLaunchers(config: Config, env: NodeJS.ProcessEnv = process.env): void {
  const dir = launcherDir(config)
  const hosts = config.hosts.filter((h) => isHostName(h.name) && h.name !== config.host)
  if (!stale(config, dir, hosts.map((h) => `${h.name}.sh`))) return
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const written = new Set<string>()
    for (const host of hosts) {
      let text: string | null
      try {
        text = launcherText(config, host, env)
      } catch {
        text = null // no usable ssh destination: the Node CLI says so
      }
      if (text === null) continue
      const file = join(dir, `${host.name}.sh`)
      replaceFile(file, text, { mode: 0o600 })
      written.add(`${host.name}.sh`)
    }
    for (const f of readdirSync(dir)) if (!written.has(f)) rmSync(join(dir, f), { force: true })
  } catch {
    // a read-only or full state folder: attach stays on the Node path
  }
}

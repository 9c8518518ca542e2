// Every command cs runs on another host goes through here: which host and destination (the
// hosts list, else the shared store's), one argv builder (`ssh [options] -- DESTINATION COMMAND`,
// the command quoted for the remote POSIX shell by construction) and one runner that turns ssh's
// failures into errors naming the host and the fix. Light on purpose: a remote attach loads
// little more than this before ssh starts.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import type { Config, HostEntry } from './config.ts'
import type { HostFacts } from './session.ts'
import { sshEnv } from './agent.ts'
import { CsError, EXIT } from './errors.ts'
import { fileSettingError } from './regular-file.ts'
import { shellLine, shellWord } from './quote.ts'
import { cleanLines, cleanText, isHostName, isSshDestination } from './untrusted.ts'
import { outErr } from './stdout.ts'
import { INSTALL } from './install-hints.ts'

/** Seconds ssh may take to connect: a look (the dashboard, `cs hosts`) must not wait long on a
 *  dead host; an action the user asked for may. */
export const CONNECT_TIMEOUT = { look: 1, act: 10 } as const

/** A control socket's name: 16 hex digits of a digest of the destination and the ssh config file,
 *  where ssh's own %C is 40: a socket's path is short (CONTROL_PATH_MAX), and with %C a state
 *  folder past 45 bytes (a HOME of 33 characters with no XDG_RUNTIME_DIR: cron, su) failed every
 *  call. Each destination its own socket, never one of another host: the digest is SHA-256's. */
const controlName = (config: Config, host: HostEntry) =>
  createHash('sha256').update(`${config.sshConfig ?? ''}\0${host.ssh}`).digest('hex').slice(0, 16)

/** The longest control socket path ssh can make: a socket's path holds 107 bytes on Linux and
 *  103 on macOS and the BSDs (108 and 104 with its NUL), less the 17 ssh adds to the name while
 *  it makes one. */
const CONTROL_PATH_MAX = (process.platform === 'linux' ? 107 : 103) - 17
/** How long a shared connection outlives its last use. */
const CONTROL_PERSIST_S = 60
/** Each kind of call's shared connection: what ends its socket's name, and its keepalives
 *  [interval s, count]. A link that dies under a connection ends it within about interval ×
 *  (count + 1) seconds, and every call riding on it with it; the next call connects afresh. A
 *  look would otherwise wait its whole bound on a dead master (ConnectTimeout is only for
 *  connecting) and keep it alive for the next. An action (an attach, an update, an install) is
 *  gentler, a blip should not end it. Each rides a connection of its own, since a call that joins
 *  one cannot change the keepalives of the call that started it. */
const CONNECTION = { look: { suffix: '', alive: [1, 2] }, act: { suffix: '-a', alive: [5, 3] } } as const
/** How long a look at a host (its sessions, its version) may wait once it accepted the
 *  connection: its cs may be indexing. */
const LOOK_TIMEOUT_MS = 8000
/** The most of another host's answer cs reads: `cs ls --json` of 10,000 sessions is some 7 MB.
 *  More is not an answer: ssh is stopped there, and nothing of it read. */
export const ANSWER_MAX_BYTES = 64 * 1024 * 1024

export const tooLarge = (config: Config, host: HostEntry) =>
  new CsError(`host ${host.name}: its answer passed ${ANSWER_MAX_BYTES >> 20} MB, and was not read`, EXIT.failure, `look at what its cs prints: ${sshLine(config, host, ...askArgv(host))} | head`)

/** The ssh command a hint gives for host, as cs runs it: with cs's ssh config file (-F), which
 *  plain ssh would not read. */
export const sshLine = (config: Config, host: HostEntry, ...command: string[]) =>
  shellLine(['ssh', ...(config.sshConfig ? ['-F', config.sshConfig] : []), host.ssh, ...command])
/** A look's ssh call: connected within CONNECT_TIMEOUT.look, answered within LOOK_TIMEOUT_MS. */
export const LOOK_CALL = { look: true, connectTimeout: CONNECT_TIMEOUT.look, timeoutMs: LOOK_TIMEOUT_MS } as const

export interface SshCall {
  /** a terminal on the remote side (`ssh -t`: attach); else none (`-T`) */
  tty?: boolean
  /** ConnectTimeout in seconds */
  connectTimeout?: number
  /** a look at the host (its sessions, its version): a connection of looks (CONNECTION) */
  look?: boolean
}

/** The cs command on a host: its config's `cs` path, else `cs` on the remote PATH. */
export const remoteCs = (host: HostEntry) => host.cs ?? 'cs'
/** What a look at a host asks its cs: every session of its own, as it lists them. */
export const askArgv = (host: HostEntry) => [remoteCs(host), 'ls', '--json', '--local', '--all']

/** The host of this name to act on over ssh: from the config's hosts list, else from what the
 *  shared store says of it (HostFacts.ssh, checked again: another machine wrote it); else null. */
export function hostOf(config: Config, facts: HostFacts[], name: string): HostEntry | null {
  const listed = config.hosts.find((h) => h.name === name)
  if (listed) return listed
  const f = facts.find((h) => h.name === name && h.source === 'shared')
  return f && isHostName(f.name) && isSshDestination(f.ssh) ? { name: f.name, ssh: f.ssh, cs: null } : null
}

/**
 * The ssh argv that runs argv on host: options of cs's own only (none from the shared store or a
 * remote answer), the destination after `--`, the remote command one string a POSIX shell splits
 * back into exactly argv.
 */
export function sshArgv(config: Config, host: HostEntry, argv: readonly string[], call: SshCall = {}): string[] {
  if (!isHostName(host.name) || !isSshDestination(host.ssh))
    throw new CsError(`host ${JSON.stringify(host.name)} has no usable ssh destination`, EXIT.usage, 'fix it in the config file (`cs hosts`)')
  const o = (option: string) => ['-o', option]
  const connection = CONNECTION[call.look ? 'look' : 'act']
  const control = `${config.sshControlDir}/${controlName(config, host)}${connection.suffix}`
  return [
    'ssh',
    ...(config.sshConfig ? ['-F', config.sshConfig] : []),
    call.tty ? '-t' : '-T',
    '-a', // no agent forwarding
    '-x', // no X11 forwarding
    // a control folder too long for a socket (a long HOME with no XDG_RUNTIME_DIR) shares nothing:
    // each call connects on its own, where a shared one would fail every call
    ...(Buffer.byteLength(control) <= CONTROL_PATH_MAX
      ? [...o('ControlMaster=auto'), ...o(`ControlPath=${control}`), ...o(`ControlPersist=${CONTROL_PERSIST_S}`)]
      : [...o('ControlMaster=no'), ...o('ControlPath=none')]),
    ...o(`ConnectTimeout=${call.connectTimeout ?? CONNECT_TIMEOUT.act}`),
    ...o(`ServerAliveInterval=${connection.alive[0]}`),
    ...o(`ServerAliveCountMax=${connection.alive[1]}`),
    ...o('StrictHostKeyChecking=yes'),
    ...o('ClearAllForwardings=yes'),
    // a terminal call may ask for a passphrase; a background one must fail instead of waiting
    ...o(`BatchMode=${call.tty ? 'no' : 'yes'}`),
    ...o('LogLevel=ERROR'),
    '--',
    host.ssh,
    shellLine(argv),
  ]
}

/** What every ssh call of cs needs first: ssh.config a file (ssh waits on a FIFO for good), and
 *  the control sockets' folder, private to this user. */
export function readySsh(config: Config): void {
  const unusable = fileSettingError('ssh.config', config.sshConfig)
  if (unusable) throw unusable
  mkdirSync(config.sshControlDir, { recursive: true, mode: 0o700 })
}

export interface SshResult {
  status: number
  stdout: string
  stderr: string
}

/**
 * Runs argv on host and collects its output (`echo`: its stderr shown as well, cleaned, as it
 * comes); never hangs past timeoutMs (the call is killed and counts as unreachable). ssh's own failures (exit 255) and a missing cs (127) become CsErrors
 * naming the host and the fix; the remote command's own failures are returned as they are.
 */
export function sshRun(
  config: Config,
  host: HostEntry,
  argv: readonly string[],
  opts: { connectTimeout?: number; look?: boolean; timeoutMs?: number; input?: string | Buffer; echo?: boolean } = {}
): Promise<SshResult> {
  readySsh(config)
  const [bin, ...args] = sshArgv(config, host, argv, { connectTimeout: opts.connectTimeout, look: opts.look })
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], env: sshEnv(config) })
    let stdout = ''
    let stderr = ''
    let large = false
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
      if (stdout.length <= ANSWER_MAX_BYTES || large) return
      large = true
      stdout = ''
      child.kill('SIGKILL')
    })
    let shown = 0
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
      if (!opts.echo) return
      // what the host says, as it says it (a long install), one cleaned line at a time
      const end = stderr.lastIndexOf('\n') + 1
      if (end > shown) outErr(cleanLines(stderr.slice(shown, end)))
      shown = Math.max(shown, end)
    })
    // a remote command may exit before it has read all its input (the install script, finding
    // cs there already): its status says why, not the broken pipe
    child.stdin.on('error', () => {})
    child.stdin.end(opts.input ?? '')
    const timeoutMs = opts.timeoutMs ?? 60_000
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      // the shared connection's master may hold the other ends of these pipes (it inherits them
      // when this call started it): let go of them, or this process waits as long as it does
      for (const stream of [child.stdin, child.stdout, child.stderr]) stream.destroy()
      child.unref()
      reject(unreachable(config, host, `no answer within ${Math.round(timeoutMs / 1000)} s`))
    }, timeoutMs)
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(
        e.code === 'ENOENT'
          ? new CsError('ssh is not installed', EXIT.unavailable, `install it: ${INSTALL.ssh}`)
          : unreachable(config, host, e.message)
      )
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (large) return reject(tooLarge(config, host))
      const status = code ?? 255
      const failure = sshFailure(config, host, status, stderr, argv)
      if (failure) reject(failure)
      else resolve({ status, stdout, stderr })
    })
  })
}

/** ssh's own failure (exit 255) or a remote shell that found no cs (127), as an error naming the fix. */
export function sshFailure(config: Config, host: HostEntry, status: number, stderr: string, argv: readonly string[]): CsError | null {
  if (status === 127)
    return new CsError(
      `host ${host.name}: ${shellWord(argv[0])} not found there`,
      EXIT.unavailable,
      `install cs there (cs hosts add ${host.name} --install), or give its path: "cs" in the host's entry of the config file`
    )
  if (status !== 255) return null
  const said = cleanText(stderr.trim().split('\n').pop()) ?? ''
  if (/host key verification failed|host key for .* has changed|no .* host key is known/i.test(stderr)) {
    // a changed key: ssh names the command that removes the old one, with the file and the name
    // it is known by there (a Host alias's HostName, a port), which cs could not tell
    const remove = /^\s*(ssh-keygen -f .+ -R [^\r\n]+)/m.exec(stderr)?.[1]
    return new CsError(
      `host ${host.name}: its host key is ${remove ? 'not the one known for it' : 'not known'}`,
      EXIT.unavailable,
      remove
        ? `if the host was reinstalled, remove the old key (${cleanText(remove)}), then check the new one and accept it: ${sshLine(config, host, 'true')}`
        : `check it, then accept it once: ${sshLine(config, host, 'true')}`,
      'host-key'
    )
  }
  if (/permission denied/i.test(stderr))
    return new CsError(`host ${host.name}: ssh login refused (${said})`, EXIT.unavailable, `load a key: cs add-key, or check ${sshLine(config, host)}`)
  return unreachable(config, host, said || 'ssh failed')
}

/** What a look at a host that failed says in a listing (the dashboard, cs hosts): its error, and
 *  for a host key the fix too, which nothing else there would tell. */
export const lookFailure = (e: unknown): string =>
  e instanceof CsError ? (e.reason === 'host-key' && e.hint ? `${e.message}: ${e.hint}` : e.message) : String(e)

export const unreachable = (config: Config, host: HostEntry, why: string) =>
  new CsError(`host ${host.name} does not answer: ${why}`, EXIT.unavailable, `check it: ${sshLine(config, host, 'true')}`)

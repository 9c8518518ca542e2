// A second host for cross-host tests: Debian's OpenSSH server on 127.0.0.1 with host keys, a
// client key, a known_hosts and an ssh config of its own, whose logins get another HOME,
// CLAUDE_CONFIG_DIR, XDG folders, tmux socket and CS_HOST (sshd_config `SetEnv`). The ssh client
// reads ~/.ssh of the account in the password database, not $HOME: everything it needs is in
// the config file handed to it (cs's `ssh.config`), nothing in any real ~/.ssh.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { poll } from './tmux.ts'

export const SSHD = '/usr/sbin/sshd'

export interface SshHost {
  /** the host alias the ssh config knows (also its CS_HOST) */
  name: string
  port: number
  /** the client config: HostName, Port, User, key, known_hosts for `name` */
  sshConfig: string
  /** the client's private key */
  identity: string
  /** starts sshd again after stop() (same port, keys and environment) */
  start(): Promise<void>
  /** stops sshd and every connection to it: the host no longer answers */
  stop(): void
  /** freezes sshd and every connection to it (SIGSTOP), as a link that dies silently does:
   *  nothing is closed, nothing answers; the function returned thaws them */
  freeze(): () => void
  /** stop(), then remove its folder */
  cleanup(): void
}

/** A free loopback port (a race with other programs is possible but not with other tests). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  await new Promise((r) => server.close(r))
  return port
}

const keygen = (file: string) =>
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cs-test', '-f', file], { stdio: 'ignore' })

/** Starts an sshd whose logins get env (HOME, CS_HOST…); PATH there finds this node. */
export async function startSshHost(name: string, env: Record<string, string>): Promise<SshHost> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-sshd-'))
  const port = await freePort()
  const hostKey = join(dir, 'host_key')
  const identity = join(dir, 'id_ed25519')
  keygen(hostKey)
  keygen(identity)
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identity}.pub`))
  const [type, key] = readFileSync(`${hostKey}.pub`, 'utf8').split(' ')
  writeFileSync(join(dir, 'known_hosts'), `${name} ${type} ${key}\n`)
  const remoteEnv = { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, LANG: 'C.UTF-8', ...env }
  const setEnv = Object.entries(remoteEnv).map(([k, v]) => `"${k}=${v}"`).join(' ')
  const sshdConfig = join(dir, 'sshd_config')
  writeFileSync(
    sshdConfig,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PrintMotd no',
      'PrintLastLog no',
      `AllowUsers ${userInfo().username}`,
      `SetEnv ${setEnv}`,
      '',
    ].join('\n')
  )
  const sshConfig = join(dir, 'ssh_config')
  writeFileSync(
    sshConfig,
    [
      `Host ${name}`,
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  User ${userInfo().username}`,
      `  IdentityFile ${identity}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      '  GlobalKnownHostsFile /dev/null',
      `  HostKeyAlias ${name}`,
      '',
    ].join('\n')
  )
  mkdirSync('/run/sshd', { recursive: true }) // sshd's privilege-separation folder
  let child: ChildProcess | null = null
  const start = async () => {
    child = spawn(SSHD, ['-D', '-e', '-f', sshdConfig], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
    await poll(() => ({ ok: err.includes('Server listening'), last: err }), 10_000, `sshd on port ${port}`)
  }
  const stop = () => {
    const pid = child?.pid
    child = null
    if (!pid) return
    // each connection's sshd is a child of the listener in a session of its own: end them
    // first (the client's shared connections go with them), then the listener
    spawnSync('pkill', ['-TERM', '-P', String(pid)], { stdio: 'ignore' })
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      // already gone
    }
  }
  const freeze = () => {
    const pids: string[] = []
    for (let next = child?.pid ? [String(child.pid)] : []; next.length; ) {
      pids.push(...next)
      next = next.flatMap((p) => spawnSync('pgrep', ['-P', p], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean))
    }
    const signal = (s: NodeJS.Signals) => {
      for (const p of pids)
        try {
          process.kill(Number(p), s)
        } catch {
          // gone meanwhile
        }
    }
    signal('SIGSTOP')
    return () => signal('SIGCONT')
  }
  await start()
  return {
    name,
    port,
    sshConfig,
    identity,
    start,
    stop,
    freeze,
    cleanup() {
      stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Ends the shared connections (ControlMaster) whose sockets are in dir. */
export function closeMasters(dir: string): void {
  let sockets: string[] = []
  try {
    sockets = readdirSync(dir)
  } catch {
    return
  }
  for (const s of sockets)
    spawnSync('ssh', ['-o', `ControlPath=${join(dir, s)}`, '-O', 'exit', 'unused'], { stdio: 'ignore', timeout: 5000 })
}

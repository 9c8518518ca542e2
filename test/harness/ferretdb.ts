// A real FerretDB 1.24.2 (MongoDB wire protocol, SQLite back end) for the shared-store tests, on
// 127.0.0.1 with its own folder, no telemetry and no debug port; stopped by pid. The binary is
// $CS_FERRETDB when set, else where test/harness/build-ferretdb.sh puts it (test/setup.sh builds it): a missing
// binary fails the suite with the command that builds it, never skips it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const BUILD = resolve(import.meta.dirname, 'build-ferretdb.sh')

export function ferretdbBinary(): string {
  const bin = process.env.CS_FERRETDB || spawnSync('bash', [BUILD, '--path'], { encoding: 'utf8' }).stdout.trim()
  try {
    accessSync(bin, constants.X_OK)
  } catch {
    throw new Error(
      `FerretDB is not built (${bin || 'no path'}): run test/harness/build-ferretdb.sh ` +
        '(it needs Go; test/setup.sh does it)'
    )
  }
  return bin
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => ok(port))
    })
  })
}

const accepts = (port: number) =>
  new Promise<boolean>((ok) => {
    const c = createConnection({ host: '127.0.0.1', port })
    c.once('connect', () => (c.destroy(), ok(true)))
    c.once('error', () => ok(false))
  })

export interface FerretOptions {
  tls?: { cert: string; key: string; ca?: string }
  auth?: { user: string; password: string }
  /** keep the data folder of an earlier server (a restart) */
  dir?: string
  port?: number
}

export interface Ferret {
  port: number
  tlsPort: number | null
  dir: string
  /** mongodb://127.0.0.1:PORT/cs (plain port) */
  url: string
  pid: number
  /** Stops it by pid (SIGKILL with `hard`: a crash); the folder stays for a restart. */
  stop(hard?: boolean): Promise<void>
  /** Stops it and removes its folder. */
  cleanup(): Promise<void>
}

export async function startFerret(o: FerretOptions = {}): Promise<Ferret> {
  const bin = ferretdbBinary()
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'cs-ferret-'))
  const port = o.port ?? (await freePort())
  const tlsPort = o.tls ? await freePort() : null
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${dir}/`,
    `--state-dir=${dir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=error',
  ]
  if (o.tls) {
    args.push(`--listen-tls=127.0.0.1:${tlsPort}`, `--listen-tls-cert-file=${o.tls.cert}`, `--listen-tls-key-file=${o.tls.key}`)
    if (o.tls.ca) args.push(`--listen-tls-ca-file=${o.tls.ca}`)
  }
  if (o.auth)
    args.push('--test-enable-new-auth', '--setup-database=admin', `--setup-username=${o.auth.user}`, `--setup-password=${o.auth.password}`)
  const child: ChildProcess = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()))
  // a test process that dies leaves no server behind
  const orphan = () => child.kill('SIGKILL')
  process.once('exit', orphan)
  exited.then(() => process.off('exit', orphan))
  const deadline = Date.now() + 15_000
  while (!(await accepts(port)) || (tlsPort !== null && !(await accepts(tlsPort)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`FerretDB did not start on port ${port}: ${stderr.slice(0, 2000)}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  const stop = async (hard = false) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(hard ? 'SIGKILL' : 'SIGTERM')
      await exited
    }
  }
  return {
    port,
    tlsPort,
    dir,
    url: `mongodb://127.0.0.1:${port}/cs`,
    pid: child.pid!,
    stop,
    async cleanup() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

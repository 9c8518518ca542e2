// The dashboard's asks of the hosts list (no shared store), started by bin/cs before Node starts,
// as its tmux read is: Node starts and loads before it reaches its own ssh (some 45 ms on two
// cores), and the answer waited as long. bin/cs sources a few lines of sh that Node writes from
// config.json: the very ssh argv lib/hosts.ts askHost runs (askArgv, built once, here), each
// host's answer into a file of cs's state folder named by bin/cs's pid. On a pipe that becomes Node's fd 5, the launcher says
// first which hosts it asks, then "HOST STATUS" as each answer is whole. bin/cs uses it only
// while config.json is older than it, and it checks the bundle's age and the environment itself
// (lib/attach-launcher.ts guards); Node asks any host it does not name, as before.
import { mkdirSync, read, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { guards, launcherCurrent, mtime, sshSetup } from './attach-launcher.ts'
import type { Config, HostEntry } from './config.ts'
import { bundleFile } from './install.ts'
import { shellLine, shellWord } from './quote.ts'
import { ANSWER_MAX_BYTES, askArgv, LOOK_CALL, sshArgv, sshFailure, tooLarge, unreachable, type SshResult } from './ssh.ts'
import { isHostName } from './untrusted.ts'
import { replaceFile } from './regular-file.ts'

/** What a look runs on a host (lib/hosts.ts askHost): its dashboard's rows, every one, as JSON. */
/** How long the launcher's timeout gives an ask, as LOOK_CALL gives Node's. */
const SECONDS = Math.ceil(LOOK_CALL.timeoutMs / 1000)

export const askDir = (config: Config) => join(config.stateDir, 'ask')
export const askerFile = (config: Config) => join(askDir(config), 'asks.sh')

/** ulimit -f's 512-byte blocks (POSIX sh's unit): a little over ANSWER_MAX_BYTES */
const ANSWER_BLOCKS = ANSWER_MAX_BYTES / 512 + 1
/** The status of a command SIGXFSZ stopped: 128 + 25 */
const XFSZ = 153

/** What bin/cs sources: every other host of the list asked at once. */
function askerText(config: Config, hosts: HostEntry[], env: NodeJS.ProcessEnv): string | null {
  const dir = askDir(config)
  const checks = guards(config, env)
  if (checks === null) return null
  const ask = (h: HostEntry) => {
    const out = (ext: string) => `${shellWord(`${dir}/`)}$$.${h.name}.${ext}` // the name: a checked plain word
    const argv = shellLine(sshArgv(config, h, askArgv(h), LOOK_CALL))
    // ulimit -f: ssh stopped (SIGXFSZ) once its answer passes the most cs reads, not the disk filled;
    // the group's stderr: where sh says "Killed" of a timeout that killed its ssh (Node says why)
    return `{ (ulimit -f ${ANSWER_BLOCKS}; exec timeout -s KILL ${SECONDS} ${argv}) </dev/null >${out('out')} 2>${out('err')}; echo ${h.name} "$?"; } 2>/dev/null &`
  }
  return [
    "# cs ls's asks of the hosts list, as lib/hosts.ts askHost runs them: written by cs",
    '# (lib/ask-launcher.ts) from config.json; sourced by bin/cs in a pipe to Node.',
    `[ ${shellWord(bundleFile())} -nt "$asker" ] && return 0 # cs was updated since`,
    // a copy in another state folder (moved, restored) would have its answers go to this one
    `[ "$asker" -ef ${shellWord(askerFile(config))} ] || return 0`,
    ...checks,
    ...sshSetup(config),
    // unbounded, an ssh that hangs would hold the pipe, and Node with it: Node asks (it kills)
    `command -v timeout >/dev/null 2>&1 || return 0`,
    `echo ${hosts.map((h) => h.name).join(' ')}`,
    ...hosts.map(ask),
    '',
  ].join('\n')
}

/** An answer no run has read for this long was left by one that ended first (it reads within
 *  LOOK_CALL's timeout). */
const LEFT_AFTER_MS = 60_000

/**
 * Writes the launcher when it would say otherwise (another config.json, hosts list or
 * environment) or config.json or the bundle changed since, or removes it when there is nothing to
 * ask (no hosts list, a shared store); and removes answers left by a run that ended before it read
 * them. Best effort: without it, Node asks.
 */
export function writeAsker(config: Config, env: NodeJS.ProcessEnv = process.env): void {
  const file = askerFile(config)
  const hosts = config.shared ? [] : config.hosts.filter((h) => isHostName(h.name) && h.name !== config.host)
  try {
    const dir = askDir(config)
    const left = readdirSync(dir).filter((f) => join(dir, f) !== file && Date.now() - (mtime(join(dir, f)) ?? 0) > LEFT_AFTER_MS)
    for (const f of left) rmSync(join(dir, f), { force: true })
  } catch {
    // no folder yet
  }
  try {
    if (!hosts.length) return void rmSync(file, { force: true })
    const current = launcherCurrent(config, file)
    // bin/cs ran it, so it passed its checks of this environment: written now, it would read the same
    if (current && binAsks(config) !== null) return
    const text = askerText(config, hosts, env)
    if (text === null || (current && readFileSync(file, 'utf8') === text)) return
    mkdirSync(askDir(config), { recursive: true, mode: 0o700 })
    replaceFile(file, text, { mode: 0o600 })
  } catch {
    // a read-only or full state folder, or a host without a usable destination: Node asks
  }
}

/** An answer bin/cs got: its bytes as the file holds them (lib/hosts.ts decodes them only when
 *  they differ from the last). */
export type BinAnswer = Omit<SshResult, 'stdout'> & { stdout: Buffer }

/** The answers bin/cs is getting, by host; null when it asks none. */
let asked: Map<string, Promise<BinAnswer>> | null | undefined

/**
 * The answer of host that bin/cs asked for (on config.asksFd), as sshRun gives one: its failures
 * are the same CsErrors, and it does not wait past LOOK_CALL.timeoutMs. Null when bin/cs did not
 * ask it.
 */
export function askedByBin(config: Config, host: HostEntry): Promise<BinAnswer> | null {
  return binAsks(config)?.get(host.name) ?? null
}

/** What bin/cs asks (read once): null when it did not run the launcher, which it runs only while
 *  the launcher is up to date (and the launcher checks the environment itself). */
function binAsks(config: Config): Map<string, Promise<BinAnswer>> | null {
  if (asked === undefined) asked = config.asksFd === null || config.binPid === null ? null : readAsks(config, config.asksFd, config.binPid)
  return asked
}

function readAsks(config: Config, fd: number, by: string): Map<string, Promise<BinAnswer>> | null {
  // the hosts asked, written before any ssh starts: read at once (no line: the launcher did not
  // run, or returned early)
  const buf = Buffer.alloc(64 * 1024)
  let text = ''
  for (;;) {
    let n: number
    try {
      n = readSync(fd, buf)
    } catch {
      return null
    }
    if (n === 0) return null
    text += buf.toString('latin1', 0, n)
    if (text.includes('\n')) break
  }
  const eol = text.indexOf('\n')
  const hosts = text.slice(0, eol).split(' ').filter(isHostName)
  const waiting = new Map<string, (status: number | null) => void>()
  const answers = new Map(
    hosts.map((name) => {
      const host = config.hosts.find((h) => h.name === name)
      const answer = new Promise<BinAnswer>((resolve, reject) => {
        const timer = setTimeout(() => done(null), LOOK_CALL.timeoutMs + 1000)
        const done = (status: number | null) => {
          clearTimeout(timer)
          waiting.delete(name)
          const file = (ext: string) => join(askDir(config), `${by}.${name}.${ext}`)
          const take = (ext: string) => {
            try {
              return readFileSync(file(ext))
            } catch {
              return Buffer.alloc(0)
            } finally {
              rmSync(file(ext), { force: true })
            }
          }
          if ((statSync(file('out'), { throwIfNoEntry: false })?.size ?? 0) > ANSWER_MAX_BYTES || status === XFSZ) {
            for (const ext of ['out', 'err']) rmSync(file(ext), { force: true })
            return reject(tooLarge(config, host ?? { name, ssh: name, cs: null }))
          }
          const [stdout, stderr] = [take('out'), take('err').toString('utf8')]
          // no line before the pipe ended or the time ran out, or ssh killed by timeout (124, 137)
          const late = status === null || status === 124 || status === 137
          if (!host || late) return reject(unreachable(config, host ?? { name, ssh: name, cs: null }, `no answer within ${SECONDS} s`))
          const failure = sshFailure(config, host, status, stderr, askArgv(host))
          if (failure) reject(failure)
          else resolve({ status, stdout, stderr })
        }
        waiting.set(name, done)
      })
      answer.catch(() => {}) // awaited by askHost, unless the listing ends first
      return [name, answer] as const
    })
  )
  let rest = text.slice(eol + 1)
  const lines = () => {
    for (let at = rest.indexOf('\n'); at >= 0; at = rest.indexOf('\n')) {
      const [name, status] = rest.slice(0, at).split(' ')
      rest = rest.slice(at + 1)
      waiting.get(name)?.(/^\d+$/.test(status ?? '') ? Number(status) : 255)
    }
  }
  lines()
  const next = () =>
    read(fd, buf, 0, buf.length, null, (e, n) => {
      if (e || n === 0) {
        for (const done of [...waiting.values()]) done(null) // the pipe ended without its line
        return
      }
      rest += buf.toString('latin1', 0, n)
      lines()
      if (waiting.size) next()
    })
  if (waiting.size) next()
  return answers
}

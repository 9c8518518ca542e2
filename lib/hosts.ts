// The hosts list with no shared store: each host is asked over ssh for its own sessions
// (`cs ls --json --local` there), all at once, each within its connect timeout; answers are kept
// under cs's state folder, so that a host that does not answer still shows, marked with its age,
// and the picker and `cs attach` find remote rows without asking.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Flags } from './command.ts'
import type { Config, HostEntry } from './config.ts'
import { CsError, EXIT, usageError } from './errors.ts'
import { isSet, stringFlag } from './flags.ts'
import { age } from './format.ts'
import { parseAnswer, type HostRows } from './remote-rows.ts'
import { CONNECT_TIMEOUT, remoteCs, sshRun } from './ssh.ts'
import { cleanText, isHostName } from './untrusted.ts'

/** How long a look may wait for a host that accepted the connection (its cs may be indexing). */
export const LOOK_TIMEOUT_MS = 8000

export interface HostAnswer {
  host: HostEntry
  /** the rows: fresh when error is null, else the kept ones (null: none kept) */
  rows: HostRows | null
  /** the fresh rows differ from the kept ones in what the picker shows */
  moved: boolean
  /** why the host did not answer this time */
  error: string | null
}

const keptPath = (config: Config, host: string) => join(config.stateDir, 'hosts', `${host}.json`)

/** The rows kept from a host's last answer, re-checked (the file is ours, its content was not). */
export function keptRows(config: Config, host: string): HostRows | null {
  if (!isHostName(host)) return null
  try {
    const kept = JSON.parse(readFileSync(keptPath(config, host), 'utf8'))
    return parseAnswer(JSON.stringify(kept.rows), host, kept.at)
  } catch {
    return null
  }
}

function keep(config: Config, rows: HostRows): void {
  const path = keptPath(config, rows.host)
  mkdirSync(join(config.stateDir, 'hosts'), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify({ at: rows.at, rows: rows.rows }))
  renameSync(tmp, path)
}

/** Every other host's kept rows, asking none. */
export const allKept = (config: Config): HostRows[] =>
  config.hosts.flatMap((h) => (h.name === config.host ? [] : (keptRows(config, h.name) ?? [])))

/** Asks one host for its sessions; the answer is kept. Throws CsError when it does not answer. */
export async function askHost(config: Config, host: HostEntry): Promise<HostRows & { moved: boolean }> {
  const r = await sshRun(config, host, [remoteCs(host), 'ls', '--json', '--local', '--all'], {
    connectTimeout: CONNECT_TIMEOUT.look,
    timeoutMs: LOOK_TIMEOUT_MS,
  })
  if (r.status === 2)
    throw new CsError(`host ${host.name}: its cs is too old to list its sessions`, EXIT.unavailable, `update it: cs update --all`)
  if (r.status !== 0)
    throw new CsError(`host ${host.name}: cs ls failed there: ${cleanText(r.stderr.trim().split('\n')[0]) ?? `exit ${r.status}`}`)
  let rows: HostRows
  try {
    rows = parseAnswer(r.stdout, host.name, new Date().toISOString())
  } catch (e) {
    throw new CsError(`host ${host.name}: its answer is not a session list (${(e as Error).message})`)
  }
  const before = keptRows(config, host.name)
  keep(config, rows)
  return { ...rows, moved: !before || shape(before) !== shape(rows) }
}

/** What the picker shows of a host's rows: a change in it rewrites the picker's cache at once. */
const shape = (h: HostRows) =>
  h.rows
    .map((r) => [r.id, r.state, r.tmuxSession, r.title, r.deleted].join('\t'))
    .sort()
    .join('\n')

/** Asks every other host at once; one that does not answer gives its kept rows and the reason. */
export function askHosts(config: Config): Promise<HostAnswer[]> {
  const others = config.hosts.filter((h) => h.name !== config.host)
  return Promise.all(
    others.map((host) =>
      askHost(config, host).then(
        (rows): HostAnswer => ({ host, rows, error: null, moved: rows.moved }),
        (e: unknown): HostAnswer => ({
          host,
          rows: keptRows(config, host.name),
          moved: false,
          error: e instanceof CsError ? e.message : String(e),
        })
      )
    )
  )
}

/** The configured host of this name, or a CsError naming the fix. */
export function hostNamed(config: Config, name: string): HostEntry {
  const host = config.hosts.find((h) => h.name === name)
  if (!host)
    throw new CsError(
      `no host named ${JSON.stringify(cleanText(name) ?? '')} in the config`,
      EXIT.usage,
      `add it: cs hosts add ${isHostName(name) ? name : 'NAME'} --ssh USER@HOST (cs hosts lists them)`
    )
  return host
}

/** The other hosts' rows for a listing: asked over ssh when the config lists hosts, no shared
 *  store is set and the listing is not this host's alone; else none. */
export function startAsking(config: Config, only: { local?: boolean; host?: string }) {
  const wanted = config.hosts.length > 0 && !config.shared && !only.local && only.host !== config.host
  const asking = wanted ? askHosts(config) : Promise.resolve([])
  let answers: HostAnswer[] = []
  return {
    /** waits for every host (each within its timeout) */
    settle: async () => (answers = await asking),
    /** the rows of the settled answers, fresh or kept */
    others: () => answers.flatMap((a) => (a.rows ? [a.rows] : [])),
    /** a host's rows changed in what the picker shows */
    moved: () => answers.some((a) => a.moved),
    /** one line per host that did not answer, with the age of what is shown for it */
    notices: (now: Date) =>
      answers.flatMap((a) => [
        ...(a.error ? [`${a.error}; ${a.rows ? `its sessions as of ${age(a.rows.at, now)} ago` : 'nothing kept from it'}`] : []),
        ...(a.rows?.skipped
          ? [`host ${a.host.name}: ${a.rows.skipped} of its sessions failed a check and are not shown (does its CS_HOST say ${a.host.name}?)`]
          : []),
      ]),
  }
}

/** The hosts --host NAME or --all name; none: this host. */
export function targetHosts(config: Config, flags: Flags): HostEntry[] {
  const on = stringFlag(flags, 'host')
  if (on && isSet(flags, 'all')) throw usageError('give --host NAME or --all, not both')
  if (isSet(flags, 'all')) return config.hosts.filter((h) => h.name !== config.host)
  return on && on !== config.host ? [hostNamed(config, on)] : []
}

// Other hosts asked over ssh, for the hosts list with no shared store: each host answers
// `cs ls --json --local --all` there (lib/ask-launcher.ts askArgv), all at once, each within its
// connect timeout. Answers are checked like shared-store documents (lib/host-rows.ts
// rowFromRemoteView) and copied into the local store's other-hosts tables (its fetchedAt is their
// age), so that a host that does not answer still shows, and the picker and `cs attach` find
// remote rows without asking.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import type { Flags } from './command.ts'
import type { Config, HostEntry } from './config.ts'
import { CsError, EXIT, usageError } from './errors.ts'
import { isSet, stringFlag } from './flags.ts'
import { askedByBin, askerFile, writeAsker, type BinAnswer } from './ask-launcher.ts'
import { age } from './format.ts'
import { rowFromRemoteView } from './host-rows.ts'
import { failedThere } from './remote.ts'
import type { HostFacts, HostRow } from './session.ts'
import { askArgv, hostOf, LOOK_CALL, lookFailure, sshRun, type SshResult } from './ssh.ts'
import type { HostRowChange, Store, StoredAnswer } from './store.ts'
import { say } from './stdout.ts'
import { openLocalStore } from './stores.ts'
import { cleanText, isHostName, isVersion, quoted } from './untrusted.ts'

/** When each other host's rows were copied here, for the age shown beside them. */
export const fetchedAt = (store: Store): Map<string, string> =>
  new Map(store.hosts().flatMap((h) => (h.fetchedAt ? [[h.name, h.fetchedAt] as [string, string]] : [])))

/** One host's rows as the local store holds them. */
export interface HostRows {
  host: string
  /** when they were fetched (ISO 8601; HostFacts.fetchedAt) */
  at: string
  rows: HostRow[]
  /** rows of the last answer that failed a check */
  skipped: number
}

export interface HostAnswer {
  host: HostEntry
  /** when its rows were fetched, and how many of them failed a check: now when error is null,
   *  else those kept (null: none kept) */
  fetched: Pick<HostRows, 'at' | 'skipped'> | null
  /** the fresh rows differ from the kept ones in what the picker shows */
  moved: boolean
  /** why the host did not answer this time */
  error: string | null
}

/** The rows the local store keeps of a host, with their age; null when none were fetched. */
function rowsIn(store: Store, host: string): HostRows | null {
  const at = store.hosts().find((h) => h.name === host)?.fetchedAt
  if (!at) return null
  return { host, at, rows: store.hostRows(host), skipped: 0 }
}

/** An answer's rows as lib/stdout.ts writeArray lays them out, a row a line, each without the
 *  comma after it; null for any other layout. No JSON text holds a raw newline, so each line is
 *  one whole row. */
export function answerLines(text: string): string[] | null {
  if (text === '[]\n') return []
  if (!text.startsWith('[\n') || !text.endsWith('\n]\n')) return null
  const lines = text.slice(2, -3).split(',\n')
  return lines.every((l) => l.startsWith('{') && l.endsWith('}') && !l.includes('\n')) ? lines : null
}

/** An answer's digest: the same digest, the same answer (lib/store.ts AnswerHead). Of its bytes
 *  as read (a text is hashed as UTF-8, so the same answer has one digest either way). */
export const answerDigest = (answer: string | Buffer) => createHash('sha1').update(answer).digest('base64')

/** An answer's text, from its bytes as read: decoded (some MB) only once it is not the last, and
 *  once only (parsed, then kept). */
const texts = new WeakMap<Buffer, string>()
function textOf(answer: string | Buffer): string {
  if (typeof answer === 'string') return answer
  let text = texts.get(answer)
  if (text === undefined) texts.set(answer, (text = answer.toString('utf8')))
  return text
}

/** A host's rows from its answer: every one, or (gone not null) those that changed since the
 *  answer `before`, with the ids that are no longer in it. */
export interface ParsedAnswer extends HostRows {
  gone: string[] | null
}

/**
 * A `cs ls --json --local --all` answer, each row checked; a row of another host than the one asked
 * fails (a host speaks for itself only), and a line given twice counts once. csVersion: that
 * host's cs, when known. Laid out a row a line, each line is parsed alone, and with `before`,
 * the answer the kept rows were made of, only the lines that are not in it (none when the
 * digests are the same): at 2,000 sessions an answer is some 1.3 MB, and most runs find a few
 * rows changed, or none. Throws on text that is not a JSON array.
 */
export function parseAnswer(
  answer: string | Buffer,
  host: string,
  at: string,
  csVersion: string | null,
  before: StoredAnswer | null = null,
  digest = answerDigest(answer)
): ParsedAnswer {
  const version = csVersion ?? 'unknown'
  const checked = (v: unknown) => {
    const r = rowFromRemoteView(v, version)
    return 'skipped' in r || r.host !== host ? null : r
  }
  // the same answer again: nothing changed (most runs while B's sessions are idle)
  if (before && before.csVersion === version && before.digest === digest) return { host, at, rows: [], skipped: before.skipped, gone: [] }
  const stdout = textOf(answer)
  const lines = answerLines(stdout)
  if (!lines) {
    const parsed: unknown = JSON.parse(stdout)
    if (!Array.isArray(parsed)) throw new SyntaxError('not a JSON array')
    const rows = parsed.map(checked).filter((r) => r !== null)
    return { host, at, rows, skipped: parsed.length - rows.length, gone: null }
  }
  const previous = before?.csVersion === version ? answerLines(before.text()) : null
  const had = new Set(previous)
  const now = new Set(lines)
  const rows: HostRow[] = []
  let skipped = previous ? before!.skipped : 0
  for (const line of now)
    if (!had.has(line)) {
      const r = checked(JSON.parse(line))
      if (r) rows.push(r)
      else skipped++
    }
  if (!previous) return { host, at, rows, skipped, gone: null }
  const changed = new Set(rows.map((r) => r.id))
  const gone: string[] = []
  for (const line of had)
    if (!now.has(line)) {
      const r = checked(JSON.parse(line))
      if (!r) skipped--
      else if (!changed.has(r.id)) gone.push(r.id)
    }
  return { host, at, rows, skipped, gone }
}

/** What an answer did to a host's rows in the local store. */
export interface Answered {
  /** when they were fetched (ISO 8601) */
  at: string
  /** rows of the answer that failed a check */
  skipped: number
  /** they changed in what the picker shows */
  moved: boolean
}

/** Asks one host for its sessions: bin/cs's ask when it started one before Node, else ssh's. A
 *  failure to start one (no control folder) is that host's, as a late answer is. */
const ask = async (config: Config, host: HostEntry): Promise<SshResult | BinAnswer> =>
  askedByBin(config, host) ?? sshRun(config, host, askArgv(host), LOOK_CALL)

/** Asks one host for its sessions (opts.asking: an ask started already); the answer replaces its
 *  rows in the local store (opts.store: the command's own, else one opened here), where keptRows
 *  reads them. opts.version: its cs's, when just asked (`cs hosts`), else the one last known (a
 *  dashboard asks for rows alone). Throws CsError when it does not answer. */
export async function askHost(
  config: Config,
  host: HostEntry,
  opts: { version?: string; store?: Store; asking?: Promise<SshResult | BinAnswer> } = {}
): Promise<Answered> {
  const asking = opts.asking ?? ask(config, host)
  asking.catch(() => {}) // awaited below, unless the store cannot be opened: then its error is the one
  const store = opts.store ?? openLocalStore(config)
  try {
    const before = store.hostAnswer(host.name) // read while the host answers
    const r = await asking
    if (r.status !== 0) {
      // in its own words (exit 2: a cs too old for the flags, or one refusing its environment)
      const why = failedThere(host, 'ls', r.status, r.stderr)
      throw new CsError(why.message, EXIT.unavailable, why.hint)
    }
    const known = store.hosts().find((h) => h.name === host.name)
    const csVersion = [opts.version, known?.csVersion].find(isVersion) ?? null
    const at = new Date().toISOString()
    const facts = { name: host.name, ssh: host.ssh, csVersion, lastSync: known?.lastSync ?? null, heartbeat: at, source: 'ssh' } as const
    const { skipped, changes } = keepAnswer(store, facts, r.stdout, at, before)
    return { at, skipped, moved: changes.some((c) => !c.before || !c.after || shape(c.before) !== shape(c.after)) }
  } finally {
    if (!opts.store) store.close()
  }
}

/**
 * Keeps a host's answer in the store, fetched at `at`, with the host's facts: its rows replace
 * the host's, found by comparing it with `before`, the answer they were made of as read before
 * this one came (Store.hostAnswer). When another process kept a newer one meanwhile, the whole
 * answer replaces them. Throws CsError on an answer that is not a session list.
 */
export function keepAnswer(
  store: Store,
  facts: Omit<HostFacts, 'fetchedAt'>,
  stdout: string | Buffer,
  at: string,
  before: StoredAnswer | null
): { skipped: number; changes: HostRowChange[] } {
  const { name: host, csVersion } = facts
  const stamp = `${at} ${process.pid}`
  const digest = answerDigest(stdout)
  const keep = (kept: StoredAnswer | null) => {
    let got: ParsedAnswer
    try {
      got = parseAnswer(stdout, host, at, csVersion, kept, digest)
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e
      // JSON.parse's message quotes the answer
      throw new CsError(`host ${host}: its answer is not a session list (${cleanText(e.message)})`)
    }
    // the host's fetchedAt is set with its rows, where it says which answer they were made of
    store.saveHost({ ...facts, fetchedAt: null })
    const answer = { text: () => textOf(stdout), digest, csVersion: csVersion ?? 'unknown', skipped: got.skipped, stamp }
    const changes = store.saveHostRows(host, got.rows, at, got.gone ? { gone: got.gone, since: kept?.stamp } : undefined, answer)
    return changes && { skipped: got.skipped, changes }
  }
  return keep(before) ?? keep(null)!
}

/** What the picker shows of a row: a change in it rewrites the picker's cache at once. */
const shape = (r: HostRow) => [r.id, r.state, r.tmuxSession, r.title, r.deleted].join('\t')

/** The rows the local store keeps of a host, with their age; null when none were fetched. */
export function keptRows(config: Config, host: string): HostRows | null {
  const store = openLocalStore(config)
  try {
    return rowsIn(store, host)
  } finally {
    store.close()
  }
}

/** Asks every other host at once, now; their answers are kept in `store` once it is given (the
 *  listing's own). One that does not answer gives its kept rows and the reason. */
function askHosts(config: Config, only?: string): (store: Store) => Promise<HostAnswer[]> {
  const others = config.hosts.filter((h) => h.name !== config.host && (only === undefined || h.name === only))
  const asks = others.map((host) => ({ host, asking: ask(config, host) }))
  for (const { asking } of asks) asking.catch(() => {}) // met when kept
  return (store) =>
    Promise.all(
      asks.map(({ host, asking }) =>
        askHost(config, host, { store, asking }).then(
          (answered): HostAnswer => ({ host, fetched: answered, error: null, moved: answered.moved }),
          (e: unknown): HostAnswer => ({
            host,
            fetched: rowsIn(store, host.name),
            moved: false,
            error: lookFailure(e),
          })
        )
      )
    )
}

/** Forgets what the local store kept of a host (`cs hosts rm`). */
export function forgetRows(config: Config, host: string): void {
  const store = openLocalStore(config)
  try {
    store.saveHostRows(host, [], new Date().toISOString())
  } finally {
    store.close()
  }
}

/** hostOf with the host facts of the local store. */
export function remoteHost(config: Config, name: string): HostEntry | null {
  if (config.hosts.length && !config.shared) return hostOf(config, [], name)
  const store = openLocalStore(config)
  try {
    return hostOf(config, store.hosts(), name)
  } finally {
    store.close()
  }
}

/** The host of this name (hostOf), or a CsError naming the fix. */
export function hostNamed(config: Config, name: string): HostEntry {
  const host = remoteHost(config, name)
  if (!host)
    throw new CsError(
      `no host named ${quoted(name)} in the config${config.shared ? ' or with an ssh destination in the shared store' : ''}`,
      EXIT.usage,
      `add it: cs hosts add ${isHostName(name) ? name : 'NAME'} --ssh USER@HOST (cs hosts lists them)`
    )
  return host
}

/** Asks the other hosts for a listing, over ssh, when the config lists hosts, no shared store is
 *  set and the listing is not this host's alone (`host`: that host's alone): their answers land
 *  in the local store. */
export function startAsking(config: Config, host: string | undefined) {
  const wanted = config.hosts.length > 0 && !config.shared && host !== config.host
  const keep = wanted ? askHosts(config, host) : async () => []
  // bin/cs's launcher of these asks, written again when config.json changed, and removed (with
  // what it left) once the list is gone
  if (config.hosts.length || existsSync(askerFile(config))) writeAsker(config)
  let answers: HostAnswer[] = []
  let dropped = false
  // one line per host that did not answer, with the age of what is shown for it
  const notices = (now: Date) =>
    answers.flatMap((a) => [
      ...(a.error ? [`${a.error}; ${a.fetched ? `its sessions as of ${age(a.fetched.at, now)} ago` : 'nothing kept from it'}`] : []),
      ...(a.fetched?.skipped
        ? [`host ${a.host.name}: ${a.fetched.skipped} of its sessions failed a check and are not shown (does its CS_HOST say ${a.host.name}?)`]
        : []),
    ])
  return {
    /** Waits for every host (each within its timeout) and keeps their answers in the listing's
     *  store (withSessions does, before it notes what fn changes). */
    keep: async (store: Store) => {
      answers = await keep(store)
      if (!config.shared) dropped = dropUnlisted(config, store)
    },
    /** Says on stderr which hosts did not answer, and `notice` (the shared view offline). Both
     *  may quote another machine (an ssh error, a server's message): made visible. */
    report: (notice: string | null) => {
      for (const line of [...notices(new Date()), ...(notice ? [notice] : [])]) say(line)
    },
    /** a host's rows changed in what the picker shows */
    moved: () => dropped || answers.some((a) => a.moved),
    /** The exit code of a listing of `host` alone: 3 when it did not answer (what is shown of
     *  it is kept from before, or nothing), as `cs hosts` has it; else 0. */
    exitCode: (): number => (host !== undefined && answers.some((a) => a.host.name === host && a.error) ? EXIT.unavailable : EXIT.ok),
  }
}

/** With no shared store, what is kept of a host no longer in the hosts list goes, as `cs hosts rm`
 *  drops it: a host taken out by editing config.json showed its last answer, live states and all,
 *  for good. Whether any went. */
function dropUnlisted(config: Config, store: Store): boolean {
  const listed = new Set(config.hosts.map((h) => h.name))
  const gone = store.hosts().filter((f) => f.source === 'ssh' && !listed.has(f.name) && store.hostRows(f.name).length > 0)
  try {
    for (const f of gone) store.saveHostRows(f.name, [], new Date().toISOString())
  } catch {
    return false // a read-only or full store: what was saved is shown, and the next listing drops them
  }
  return gone.length > 0
}

/** Where a command with --host NAME or --all acts: this host unless --host names another; with
 *  --all, this host and every other host of the list (as `cs update --all`). */
export function targetHosts(config: Config, flags: Flags): { here: boolean; others: HostEntry[] } {
  const on = stringFlag(flags, 'host')
  if (on && isSet(flags, 'all')) throw usageError('give --host NAME or --all, not both')
  if (isSet(flags, 'all')) return { here: true, others: config.hosts.filter((h) => h.name !== config.host) }
  return on && on !== config.host ? { here: false, others: [hostNamed(config, on)] } : { here: true, others: [] }
}

// `cs hosts`: the hosts list (config `hosts`), each asked at once over ssh for its cs version and
// sessions; with a shared store, every host it knows as well, as it knows them (ssh asks only
// for the version). `cs hosts add NAME [--install]` / `cs hosts rm NAME` edit the list.
import { writeAsker } from '../../lib/ask-launcher.ts'
import { writeLaunchers } from '../../lib/attach-launcher.ts'
import { defineCommand } from '../../lib/command.ts'
import { loadConfig, readConfigFile, writeConfigFile, type Config, type HostEntry } from '../../lib/config.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { isSet, JSON_OPTION, stringFlag } from '../../lib/flags.ts'
import { age, colors, print, thousands, useColor } from '../../lib/format.ts'
import { viewOf } from '../../lib/host-rows.ts'
import { askHost, forgetRows, keptRows } from '../../lib/hosts.ts'
import { installOn } from '../../lib/remote-install.ts'
import { countByState } from '../../lib/rows.ts'
import { shellWord } from '../../lib/quote.ts'
import { withSessions } from '../../lib/sessions.ts'
import type { HostFacts, HostRow, State } from '../../lib/session.ts'
import { hostOf, LOOK_CALL, lookFailure, remoteCs, sshRun } from '../../lib/ssh.ts'
import { openLocalStore } from '../../lib/stores.ts'
import { say } from '../../lib/stdout.ts'
import { cleanText, isHostName, isSshDestination, jsonText, quoted, visible } from '../../lib/untrusted.ts'
import pkg from '../../package.json' with { type: 'json' }

interface HostStatus {
  name: string
  ssh: string | null
  /** it answered over ssh; null: not asked (a host of the shared store with no ssh destination) */
  answers: boolean | null
  error: string | null
  version: string | null
  /** live sessions by state, and history */
  sessions: Record<string, number> | null
  /** when its sessions were last fetched over ssh, or pushed to the shared store (ISO 8601) */
  lastSeen: string | null
}

const COUNTED: State[] = ['working', 'waiting', 'idle', 'dead']

/** A host's sessions by state, as its dashboard shows them without --all; history: `stopped`. */
const bucketed = (n: Record<State, number>): Record<string, number> =>
  Object.fromEntries([...COUNTED.map((k) => [k, n[k]]), ['history', n.stopped]])

/** bucketed() of another host's rows, shown as its dashboard rows are. */
const rowCounts = (rows: HostRow[]) => bucketed(countByState(rows.map((r) => viewOf(r))))

/** The version a host's cs gives over ssh (a CsError when it does not answer). */
async function versionOf(config: Config, host: HostEntry): Promise<string | null> {
  const v = await sshRun(config, host, [remoteCs(host), '--version'], LOOK_CALL)
  return cleanText(v.stdout.trim().replace(/^cs /, '').slice(0, 40))
}

/** A host of the hosts list with no shared store: asked for its version, then its sessions, over
 *  one shared connection. */
async function status(config: Config, host: HostEntry): Promise<HostStatus> {
  const base = { name: host.name, ssh: host.ssh }
  try {
    const version = await versionOf(config, host)
    const answered = await askHost(config, host, { version: version ?? undefined })
    const rows = keptRows(config, host.name)?.rows ?? []
    return { ...base, answers: true, error: null, version, sessions: rowCounts(rows), lastSeen: answered.at }
  } catch (e) {
    if (!(e instanceof CsError)) throw e
    const kept = keptRows(config, host.name)
    return { ...base, answers: false, error: lookFailure(e), version: null, sessions: kept && rowCounts(kept.rows), lastSeen: kept?.at ?? null }
  }
}

/** With a shared store: every host it knows and every listed one, their sessions and version as
 *  the store has them; the ones cs can reach over ssh asked for their version (ssh lists nothing). */
function sharedStatuses(config: Config): Promise<HostStatus>[] {
  const store = openLocalStore(config)
  let facts: HostFacts[]
  let rows: HostRow[]
  try {
    facts = store.hosts().filter((f) => f.source === 'shared')
    rows = store.hostRows()
  } finally {
    store.close()
  }
  const names = [...new Set([...config.hosts.map((h) => h.name), ...facts.map((f) => f.name)])].filter((n) => n !== config.host)
  return names.map(async (name) => {
    const f = facts.find((x) => x.name === name)
    const host = hostOf(config, facts, name)
    const known: HostStatus = {
      name,
      ssh: host?.ssh ?? null,
      answers: null,
      error: null,
      version: f?.csVersion ?? null,
      sessions: f ? rowCounts(rows.filter((r) => r.host === name)) : null,
      lastSeen: f?.lastSync ?? null,
    }
    if (!host) return known
    try {
      return { ...known, answers: true, version: (await versionOf(config, host)) ?? known.version }
    } catch (e) {
      if (!(e instanceof CsError)) throw e
      return { ...known, answers: false, error: lookFailure(e) }
    }
  })
}

function render(config: Config, hosts: HostStatus[], now: Date): string {
  const c = colors(useColor(config))
  const cell = (h: HostStatus) => {
    if (!h.sessions) return '-'
    const live = COUNTED.filter((k) => h.sessions![k]).map((k) => `${h.sessions![k]} ${k}`)
    return [...live, `${thousands(h.sessions.history)} history`].join(', ')
  }
  const rows = hosts.map((h) => [
    h.name,
    h.ssh ?? (h.name === config.host ? '(this host)' : '-'),
    h.answers === null ? '-' : h.answers ? c.green('yes') : c.red('no'),
    h.version ?? '-',
    h.lastSeen ? `${age(h.lastSeen, now)} ago` : '-',
    cell(h),
  ])
  const head = ['HOST', 'SSH', 'ANSWERS', 'CS', 'LAST SEEN', 'SESSIONS']
  const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '')
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => plain(r[i]).length)))
  const line = (r: string[]) => r.map((x, i) => (i === r.length - 1 ? x : x + ' '.repeat(widths[i] - plain(x).length))).join('  ')
  const errors = hosts.filter((h) => h.error).map((h) => c.dim(`  ${visible(h.error!)}`))
  return [c.dim(line(head)), ...rows.map(line), ...errors].join('\n')
}

function editHosts(config: Config, edit: (hosts: NonNullable<ReturnType<typeof readConfigFile>['hosts']>) => void): void {
  const file = readConfigFile(config.configFile)
  const hosts = file.hosts ?? []
  edit(hosts)
  writeConfigFile(config.configFile, { ...file, hosts })
  const edited = loadConfig()
  writeLaunchers(edited)
  writeAsker(edited)
}

export default defineCommand({
  usage: 'hosts [--json] | hosts add NAME [--ssh DESTINATION] [--cs PATH | --install] | hosts rm NAME',
  summary: [
    'The hosts list (config file `hosts`): each host asked at once over ssh, each within its',
    'connect timeout, for its cs version and its sessions by state; one that does not answer',
    'shows what was last seen of it. With a shared store: every host the store knows too, with its',
    'sessions, cs version and last sync as pushed there; ssh asks each one cs can reach for its',
    'version only. add and rm edit the list (the file stays readable by you alone).',
  ].join('\n'),
  details: [
    '  add NAME            NAME: the host\'s name in every view (its CS_HOST)',
    '    --ssh DEST        what ssh connects to (user@host, an ssh config alias); default NAME',
    '    --cs PATH         cs on that host, when not `cs` on its PATH',
    '    --install         put cs there first when it has none: this version, built there (a clone',
    "                      of this checkout in its ~/.local/share/cs-checkout, then its ./install.sh;",
    '                      it needs git, node and npm there)',
    '  rm NAME             forget the host and what was kept of it',
    '  --json              the hosts as objects',
  ].join('\n'),
  options: { ...JSON_OPTION, ssh: { type: 'string' }, cs: { type: 'string' }, install: { type: 'boolean' } },
  async run({ config, positionals, flags }) {
    const [verb, name, ...more] = positionals
    const adding = ['ssh', 'cs', 'install'].filter((f) => flags[f] !== undefined)
    if (verb !== undefined && isSet(flags, 'json')) throw usageError(`--json goes with the listing, not hosts ${shellWord(verb)}`, 'cs hosts --json')
    if (verb !== 'add' && adding.length)
      throw usageError(`${adding.map((f) => `--${f}`).join(', ')} ${adding.length > 1 ? 'go' : 'goes'} with hosts add`, 'cs hosts add NAME [--ssh DEST] [--cs PATH | --install]')
    if (verb === 'add') {
      if (!name || more.length) throw usageError('hosts add takes one name', 'cs hosts add NAME --ssh USER@HOST')
      if (!isHostName(name)) throw usageError(`${shellWord(name)} is not a plain host name`, 'use letters, digits, ., - and _')
      const ssh = stringFlag(flags, 'ssh') ?? name
      if (!isSshDestination(ssh)) throw usageError(`${shellWord(ssh)} is not an ssh destination`, 'give user@host or an alias of your ssh config')
      let cs = stringFlag(flags, 'cs')
      if (name === config.host) throw usageError(`${name} is this host`, 'add other machines')
      const already = () => new CsError(`host ${name} is already in the list`, EXIT.failure, `cs hosts rm ${name} first`)
      const listed = config.hosts.find((h) => h.name === name)
      // --install or --cs alone on a listed host edits where its cs is, by its entry (what a
      // missing cs's error and an install that finds a checkout there tell to run)
      if (listed && !(adding.length === 1 && adding[0] !== 'ssh')) throw already()
      if (isSet(flags, 'install')) {
        if (cs) throw usageError('give --cs or --install, not both', `cs hosts add ${name} --install`)
        const done = await installOn(config, { name, ssh: listed?.ssh ?? ssh, cs: null })
        if (done.already)
          print(`${name} has cs ${done.version} already: nothing installed${done.version === pkg.version ? '' : ` (this one is ${pkg.version}: cs update --all)`}`)
        else print(`installed cs ${done.version} on ${name}: ${done.cs}${done.warning ? `\n${done.warning}` : ''}`)
        cs = done.cs ?? undefined
      }
      if (listed) {
        editHosts(config, (hosts) => {
          const h = hosts.find((x) => x.name === name)
          if (h && cs) h.cs = cs
          else if (h) delete h.cs // found on its PATH: the path it had was not where cs is
        })
        if (!isSet(flags, 'install')) print(`${name}: cs is ${cs}; cs hosts checks it`)
        return
      }
      editHosts(config, (hosts) => {
        if (hosts.some((h) => h.name === name)) throw already()
        hosts.push({ name, ssh, ...(cs ? { cs } : {}) })
      })
      print(`added ${name} (ssh ${ssh}); cs hosts checks it`)
      return
    }
    if (verb === 'rm') {
      if (!name || more.length) throw usageError('hosts rm takes one name', 'cs hosts rm NAME')
      if (!config.hosts.some((h) => h.name === name))
        throw new CsError(`no host named ${quoted(name)} in the hosts list`, EXIT.failure, 'cs hosts lists them')
      editHosts(config, (hosts) => hosts.splice(hosts.findIndex((h) => h.name === name), 1))
      forgetRows(config, name)
      print(`removed ${name}`)
      return
    }
    if (verb !== undefined) throw usageError(`unknown hosts command: ${shellWord(verb)}`, 'cs hosts, cs hosts add NAME, cs hosts rm NAME')
    // with a shared store, what the hosts pushed is copied first (as a dashboard does, within its
    // bound); a store that does not answer is said, and the copy shown is the last one
    const asking = config.shared ? null : Promise.all(config.hosts.filter((h) => h.name !== config.host).map((h) => status(config, h)))
    const { mine, offline } = await withSessions(
      config,
      (s) => {
        if (s.notice) say(s.notice)
        return { mine: bucketed(s.counts(config.host)), offline: s.notice !== null }
      },
      { pull: config.shared !== null }
    )
    const self: HostStatus = { name: config.host, ssh: null, answers: true, error: null, version: pkg.version, sessions: mine, lastSeen: new Date().toISOString() }
    const all = [self, ...(await (asking ?? Promise.all(sharedStatuses(config))))]
    print(isSet(flags, 'json') ? jsonText(all) : render(config, all, new Date()))
    return offline || all.some((h) => h.answers === false) ? EXIT.unavailable : EXIT.ok
  },
})

// The one settings table: every environment variable cs reads and the config file
// ($XDG_CONFIG_HOME/cs/config.json), with their defaults, folded into one object once (the
// environment wins). A command's flags are its own, beside it (scripts/cs.ts hands both);
// tmux-side options (@cs-*) live in tmux/variables.sh, their shell twin.
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs'
import { hostname, homedir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { CsError, EXIT, usageError } from './errors.ts'
import { isHostName, isObject, isSshDestination, quoted } from './untrusted.ts'
import { moveAsideLine, shellLine } from './quote.ts'
import { replaceFile } from './regular-file.ts'

/** The shared store (MongoDB): where it is and how to reach it. */
export interface SharedStoreSettings {
  /** mongodb:// or mongodb+srv:// URL; may hold a password, so never printed unmasked */
  url: string
  tls: boolean | null
  tlsCAFile: string | null
  tlsCertificateKeyFile: string | null
}

/** Another machine cs can reach over ssh. */
export interface HostEntry {
  /** its name in every view (its CS_HOST) */
  name: string
  /** what ssh connects to: `user@host`, a host name, or an alias of the ssh config */
  ssh: string
  /** the cs command there, when not `cs` on the remote PATH */
  cs: string | null
}

/** What the config file may hold; every field optional. */
export interface ConfigFile {
  mongo?: { url?: string; tls?: boolean; tlsCAFile?: string; tlsCertificateKeyFile?: string }
  sync?: { titles?: boolean }
  ssh?: { config?: string; destination?: string }
  hosts?: { name: string; ssh?: string; cs?: string }[]
}

export interface Config {
  home: string
  /** Claude Code's root: $CLAUDE_CONFIG_DIR or ~/.claude */
  claudeDir: string
  /** cs's database and caches: $XDG_STATE_HOME/cs */
  stateDir: string
  /** cs's ssh control sockets (one shared connection per host): $XDG_RUNTIME_DIR/cs-ssh, else
   *  <stateDir>/ssh */
  sshControlDir: string
  /** cs's own ssh agent, at a fixed socket that shells can name in SSH_AUTH_SOCK:
   *  ~/.ssh/cs-agent.sock */
  agentSocket: string
  /** cs's trash: $XDG_DATA_HOME/cs */
  dataDir: string
  /** cs's config files: $XDG_CONFIG_HOME/cs */
  configDir: string
  /** this host's name in every view */
  host: string
  /** $CLAUDE_CONFIG_DIR when set: claude launched in tmux gets it even from a tmux server
   *  started without it, so it writes where cs reads (unset, claude's default is right) */
  claudeConfigEnv: string | null
  /** the claude binary cs launches */
  claudeBin: string
  /** when set, every tmux call runs as `tmux -L <socket>` */
  tmuxSocket: string | null
  /** $CS_PANES_FD, set by bin/cs alone: the fd where its tmux wrote the dashboard's panes while
   *  Node started (lib/live.ts). Only 3: never a terminal's 0-2 */
  panesFd: 3 | null
  /** $CS_PUSH_TAKEN, set by bin/cs alone: the token of the last taking of this host's push lock
   *  (lib/sync.ts) it read before it listed the panes; null while the lock was held */
  panesTaken: string | null
  /** $CS_ASKS_FD, set by bin/cs alone: the fd where the asks it started of the hosts list say
   *  which hosts they ask and when each answer is there (lib/ask-launcher.ts). Only 5 */
  asksFd: 5 | null
  /** $CS_BIN_PID, set by bin/cs alone: its pid, which names the files it shares with Node (the
   *  answers of its asks, the walk it is to start: lib/background.ts); null when Node runs alone */
  binPid: string | null
  /** $TMUX: set when cs itself runs inside tmux (`<socket path>,<pid>,<session>`) */
  insideTmux: string | null
  /** $PATH: where `claude` is looked up before launching it */
  path: string
  color: boolean
  /** $CS_FULL_SCAN_SECONDS (default 300): how old the last stat of every transcript may get
   *  before a command that shows sessions stats them all again instead of only the hot ones */
  fullScanSeconds: number
  /** $XDG_CONFIG_HOME/cs/config.json */
  configFile: string
  /** the shared store: $CS_MONGO_URL, else the config file's `mongo`; null: this machine alone */
  shared: SharedStoreSettings | null
  /** where a shared store URL is given: cron's sync sees the file's only */
  mongoUrlIn: { env: boolean; file: boolean }
  /** config `sync.titles` (default true): false keeps titles on this machine (names still travel) */
  syncTitles: boolean
  /** config `ssh.config`: the file cs's ssh calls read (-F), since ssh reads the account's
   *  ~/.ssh from the password database, not $HOME */
  sshConfig: string | null
  /** config `ssh.destination`: how other hosts reach this one over ssh, published in the shared
   *  store (HostFacts.ssh) so that they can act on its sessions with no hosts list */
  sshDestination: string | null
  /** config `hosts`: other machines, asked over ssh when there is no shared store */
  hosts: HostEntry[]
}

export type Env = Record<string, string | undefined>

/** This host's name in every view: CS_HOST, else the system's. Every other host checks it
 *  (isHostName) and skips the rows of a name it refuses: a CS_HOST that would fail is refused
 *  here, a system name that would is made one. */
function thisHost(fromEnv: string | undefined): string {
  if (fromEnv) {
    if (isHostName(fromEnv)) return fromEnv
    throw new CsError(
      `CS_HOST=${quoted(fromEnv)} is not a host name`,
      EXIT.usage,
      'letters, digits, . _ and -, not starting with . or -: set CS_HOST to one, or unset it'
    )
  }
  const system = hostname()
  if (isHostName(system)) return system
  return (system as string).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 253) || 'localhost'
}

/** What bin/cs tells the Node process it starts (panesFd, panesTaken, asksFd, binPid): its word
 *  to that process alone, never to the processes it starts. */
export const BIN_VARS = ['CS_PANES_FD', 'CS_PUSH_TAKEN', 'CS_ASKS_FD', 'CS_BIN_PID'] as const

/** The environment a cs started by another process (cron, the tmux server) needs to find the
 *  same files, host name and tmux server as this one: as NAME=VALUE pairs. */
export function detachedEnv(config: Config): [string, string][] {
  const env = process.env
  const keep = ['HOME', 'PATH', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME', 'CLAUDE_CONFIG_DIR', 'CS_FROM_SOURCE']
  return [
    ...keep.flatMap((k): [string, string][] => (env[k] ? [[k, env[k]!]] : [])),
    ['CS_HOST', config.host],
    ...(config.tmuxSocket ? [['CS_TMUX_SOCKET', config.tmuxSocket] as [string, string]] : []),
  ]
}

/** The config of a command that reports a config file it cannot use (cs doctor) instead of
 *  stopping at it: the settings without the file, and the file's error; else the config. */
export function loadConfigOrBroken(env: Env = process.env): { config: Config; broken: CsError | null } {
  try {
    return { config: loadConfig(env), broken: null }
  } catch (e) {
    if (!(e instanceof CsError)) throw e
    return { config: loadConfig(env, () => ({})), broken: e }
  }
}

/** `readFile`: how the config file is read (loadConfigOrBroken's: not at all). */
export function loadConfig(env: Env = process.env, readFile: (path: string) => ConfigFile = readConfigFile): Config {
  const home = env.HOME || homedir()
  // a relative XDG_* path is invalid and ignored, as the XDG base directory spec says (tmux/,
  // bin/cs and the remote install script read them the same way)
  const absolute = (name: string) => (isAbsolute(env[name] ?? '') ? env[name]! : null)
  const xdg = (name: string, fallback: string) => absolute(name) ?? join(home, fallback)
  const runtimeDir = absolute('XDG_RUNTIME_DIR')
  const configDir = join(xdg('XDG_CONFIG_HOME', '.config'), 'cs')
  const configFile = join(configDir, 'config.json')
  const file = readFile(configFile)
  const stateDir = join(xdg('XDG_STATE_HOME', '.local/state'), 'cs')
  const binPid = /^\d+$/.test(env.CS_BIN_PID ?? '') ? env.CS_BIN_PID! : null
  const url = env.CS_MONGO_URL || file.mongo?.url || null
  return {
    home,
    claudeDir: env.CLAUDE_CONFIG_DIR || join(home, '.claude'),
    stateDir,
    agentSocket: join(home, '.ssh', 'cs-agent.sock'),
    sshControlDir: runtimeDir ? join(runtimeDir, 'cs-ssh') : join(stateDir, 'ssh'),
    dataDir: join(xdg('XDG_DATA_HOME', '.local/share'), 'cs'),
    configDir,
    claudeConfigEnv: env.CLAUDE_CONFIG_DIR || null,
    host: thisHost(env.CS_HOST),
    claudeBin: env.CS_CLAUDE || 'claude',
    tmuxSocket: env.CS_TMUX_SOCKET || null,
    panesFd: env.CS_PANES_FD === '3' ? 3 : null,
    panesTaken: env.CS_PUSH_TAKEN || null,
    binPid,
    asksFd: env.CS_ASKS_FD === '5' && binPid ? 5 : null,
    insideTmux: env.TMUX || null,
    path: env.PATH || '/usr/local/bin:/usr/bin:/bin',
    color: !env.NO_COLOR && env.TERM !== 'dumb',
    fullScanSeconds: seconds(env.CS_FULL_SCAN_SECONDS, 300),
    configFile,
    shared: url
      ? {
          url,
          tls: file.mongo?.tls ?? null,
          tlsCAFile: file.mongo?.tlsCAFile ?? null,
          tlsCertificateKeyFile: file.mongo?.tlsCertificateKeyFile ?? null,
        }
      : null,
    mongoUrlIn: { env: Boolean(env.CS_MONGO_URL), file: Boolean(file.mongo?.url) },
    syncTitles: file.sync?.titles ?? true,
    sshConfig: file.ssh?.config ?? null,
    sshDestination: file.ssh?.destination ?? null,
    hosts: (file.hosts ?? []).map((h) => ({ name: h.name, ssh: h.ssh ?? h.name, cs: h.cs ?? null })),
  }
}

// A URL's secrets. The password of `user:password@` runs to the first `@` that a host part ends
// (no `@`, `/`, `?` or `#` in it, then one of the last three or the end): a password may hold
// any of them unescaped (one from `openssl rand -base64` often holds a `/`), which the driver
// refuses, and which must not end the masking early. Erring the other way masks too much, never
// too little.
const PASSWORD = /^([a-z+]+:\/\/[^:@]*:)(.*?)@(?=[^@/?#]*(?:[/?#]|$))/is
const OPTION_SECRET = /([?&][^=&#]*(?:password|secret)[^=&#]*=)([^&#]*)/gi

/** A connection URL as cs shows it, the only form of it cs ever prints: its password and the
 *  value of every query option whose name says password or secret (tlsCertificateKeyFilePassword…)
 *  as `****`. */
export const maskUrl = (url: string) => url.replace(PASSWORD, '$1****@').replace(OPTION_SECRET, '$1****')

/** What maskUrl hides, as written in the URL: for removing from a text that quotes it. */
export const urlSecrets = (url: string): string[] =>
  [PASSWORD.exec(url)?.[2], ...[...url.matchAll(OPTION_SECRET)].map((m) => m[2])].filter((s): s is string => Boolean(s))

/** Whether a URL holds a password, for refusing a config file others can read: whatever the mask
 *  hides. A port followed by an @ later on (`host:27017/cs?appName=cs@laptop`) looks like one, and
 *  the driver takes it for one as well (and refuses it): such a URL works nowhere. */
const hasPassword = (url: string | undefined) => !!url && maskUrl(url) !== url

/**
 * The config file, checked: {} when there is none. A file that is not a JSON object, a field
 * of the wrong type, or a password in a file others can read is refused with the fix.
 */
export function readConfigFile(path: string): ConfigFile {
  let text: string
  try {
    const st = statSync(path, { throwIfNoEntry: false })
    if (!st) return {}
    if (!st.isFile()) throw new CsError(`${path} is not a file`, undefined, 'remove it, or make it a JSON file')
    text = readFileSync(path, 'utf8')
    const file = checkConfigFile(text.trim() === '' ? {} : JSON.parse(text), path) // empty: nothing set
    if (hasPassword(file.mongo?.url) && (st.mode & 0o077) !== 0)
      throw new CsError(
        `${path} holds a password but others can read it`,
        undefined,
        shellLine(['chmod', '600', path])
      )
    return file
  } catch (e) {
    if (e instanceof CsError) throw e
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') {
      const file = inTheWay(path)
      throw new CsError(`${file} is a file, where cs's config folder ${dirname(path)} should be`, undefined, `move the file away (${moveAsideLine(file)}), or set XDG_CONFIG_HOME`)
    }
    throw new CsError(`cannot read ${path}: ${(e as Error).message}`, undefined, `fix it, or move it away: ${moveAsideLine(path)}`)
  }
}

/** The file on path's way that ENOTDIR is about: the highest of its folders that is no folder. */
function inTheWay(path: string): string {
  let file = dirname(path)
  for (let up = file; up !== dirname(up); up = dirname(up)) {
    try {
      if (!statSync(up).isDirectory()) file = up
    } catch {
      // under that file, or not there
    }
  }
  return file
}

/** Replaces the config file in one rename, readable by its owner alone (it may hold a password). */
export function writeConfigFile(path: string, file: ConfigFile): void {
  // a link (into a dotfiles checkout) is written through: replaced, it would leave the file it
  // names as it was, and the link gone
  let target = path
  try {
    if (lstatSync(path).isSymbolicLink()) {
      // a link to a file not made yet (a dotfiles checkout that has none): made where it points
      const to = readlinkSync(path)
      target = existsSync(path) ? realpathSync(path) : isAbsolute(to) ? to : join(dirname(path), to)
    }
  } catch {
    // none yet: made here
  }
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 })
  replaceFile(target, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 })
}

export function checkConfigFile(v: unknown, path: string): ConfigFile {
  const bad = (what: string) =>
    new CsError(`${path}: ${what}`, undefined, `fix it (the README's Configuration lists the keys), or move it away: ${moveAsideLine(path)}`)
  const str = (x: unknown) => x === undefined || typeof x === 'string'
  if (!isObject(v)) throw bad('not a JSON object')
  const f = v as Record<string, any>
  if (f.mongo !== undefined) {
    if (!isObject(f.mongo)) throw bad('`mongo` is not an object')
    for (const k of ['url', 'tlsCAFile', 'tlsCertificateKeyFile'])
      if (!str(f.mongo[k])) throw bad(`\`mongo.${k}\` is not a string`)
    if (f.mongo.tls !== undefined && typeof f.mongo.tls !== 'boolean') throw bad('`mongo.tls` is not true or false')
  }
  if (f.sync !== undefined && (!isObject(f.sync) || (f.sync.titles !== undefined && typeof f.sync.titles !== 'boolean')))
    throw bad('`sync.titles` is not true or false')
  if (f.ssh !== undefined && (!isObject(f.ssh) || !str(f.ssh.config))) throw bad('`ssh.config` is not a string')
  if (f.ssh?.destination !== undefined && !isSshDestination(f.ssh.destination))
    throw bad('`ssh.destination` must be a destination such as user@host')
  if (f.hosts !== undefined) {
    if (!Array.isArray(f.hosts)) throw bad('`hosts` is not a list')
    const names = new Set<string>()
    for (const h of f.hosts) {
      if (!isObject(h) || !isHostName(h.name)) throw bad(`a host's name is not a plain host name: ${JSON.stringify(h?.name ?? h)}`)
      // one host a name: which entry an attach and a listing took could differ
      if (names.has(h.name)) throw bad(`host ${h.name} is listed twice`)
      names.add(h.name)
      if (h.ssh !== undefined && !isSshDestination(h.ssh))
        throw bad(`host ${h.name}: \`ssh\` must be a destination such as user@host`)
      if (!str(h.cs)) throw bad(`host ${h.name}: \`cs\` is not a string`)
    }
  }
  return f as ConfigFile
}

/** A non-negative number of seconds, else the default. */
function seconds(value: string | undefined, fallback: number): number {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value)
  return Number.isFinite(n) && n >= 0 ? n : fallback
}

/** The keys `cs config set|unset` edits, each with how its value is read from the command line
 *  (a path: as the folder it is typed in has it, made absolute by the command). */
export const CONFIG_KEYS = {
  'mongo.url': 'string',
  'mongo.tls': 'boolean',
  'mongo.tlsCAFile': 'path',
  'mongo.tlsCertificateKeyFile': 'path',
  'sync.titles': 'boolean',
  'ssh.config': 'path',
  'ssh.destination': 'string',
} as const
export type ConfigKey = keyof typeof CONFIG_KEYS

/** The file with KEY set to VALUE (undefined: removed); empty sections go. Pure. */
export function withConfigKey(file: ConfigFile, key: ConfigKey, value: string | undefined): ConfigFile {
  const [section, field] = key.split('.') as [keyof ConfigFile, string]
  let v: string | boolean | undefined = value
  if (value !== undefined && CONFIG_KEYS[key] === 'boolean') {
    if (!/^(true|false)$/.test(value)) throw usageError(`${key} is true or false, not '${value}'`)
    v = value === 'true'
  }
  // checked here, where a mistake is typed (a bad value in the file is the driver's to refuse):
  // never echoed, as a URL may hold a password
  if (key === 'mongo.url' && value !== undefined && !/^mongodb(\+srv)?:\/\/\S+$/.test(value))
    throw usageError('mongo.url is a URL starting mongodb:// or mongodb+srv://', 'cs config set mongo.url mongodb://HOST:27017/cs')
  const next = { ...file } as Record<string, any>
  const part = { ...(next[section] ?? {}) }
  if (v === undefined) delete part[field]
  else part[field] = v
  if (Object.keys(part).length) next[section] = part
  else delete next[section]
  return next as ConfigFile
}

/** The effective settings as `cs config` prints them: the URL masked, where each came from. */
export function effectiveSettings(config: Config): Record<string, unknown> {
  return {
    file: config.configFile,
    host: config.host,
    'mongo.url': config.shared ? maskUrl(config.shared.url) : null,
    'mongo.url from': config.mongoUrlIn.env ? 'CS_MONGO_URL' : config.mongoUrlIn.file ? 'file' : null,
    'mongo.tls': config.shared?.tls ?? null,
    'mongo.tlsCAFile': config.shared?.tlsCAFile ?? null,
    'mongo.tlsCertificateKeyFile': config.shared?.tlsCertificateKeyFile ?? null,
    'sync.titles': config.syncTitles,
    'ssh.config': config.sshConfig,
    'ssh.destination': config.sshDestination,
    hosts: config.hosts,
  }
}

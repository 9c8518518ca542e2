// What `cs install` adds outside the checkout, and `cs uninstall` takes away: the `cs` links in
// bin folders, recorded in the state folder so that uninstall removes exactly those. Shell start-up
// files and ~/.tmux.conf are never written: cs prints the lines instead.
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, rmdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { detachedEnv, type Config } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { readRegular, replaceFile } from './regular-file.ts'
import { shellWord } from './quote.ts'

/** The checkout: lib/ and dist/ both sit one level below it. */
export const csRoot = () => fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')
/** The Node entry, for node's own invocations (cron, background syncs). */
export const csEntry = () => join(csRoot(), 'bin/cs.mjs')
/** The argv of this cs run by another process (cron, the tmux server) with `args`: env(1) gives
 *  it what it needs to find the same files, host and tmux server as this one. */
export const detachedCs = (config: Config, ...args: string[]): string[] =>
  ['env', ...detachedEnv(config).map(([k, v]) => `${k}=${v}`), process.execPath, csEntry(), ...args]
/** The prebuilt bundle that bin/cs and bin/cs.mjs run (scripts/build.mjs). */
export const bundleFile = () => join(csRoot(), 'dist/cs.cjs')
/** The command users run (bin/cs: a few lines of sh before the Node entry). */
export const csCommand = () => join(csRoot(), 'bin/cs')
export const pluginFile = () => join(csRoot(), 'plugin.tmux')

/** Whether a source of the bundle (package.json, scripts/, lib/) changed since it was built at
 *  builtMs, as ./install.sh asks find(1). */
export function sourcesNewer(root: string, builtMs: number): boolean {
  const newer = (path: string) => (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) > builtMs
  const files = (dir: string) => {
    try {
      return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(root, dir, f))
    } catch {
      return []
    }
  }
  return [join(root, 'package.json'), ...files('scripts'), ...files('lib')].some(newer)
}

export const defaultBinDir = (config: Config) => join(config.home, '.local/bin')
const recordFile = (config: Config) => join(config.stateDir, 'install.json')

/** The links install made (each `cs` install --bin-dir adds one). */
function readLinks(config: Config): string[] {
  try {
    const r = JSON.parse(readRegular(recordFile(config)) ?? '')
    return Array.isArray(r?.links) ? r.links.filter((l: unknown) => typeof l === 'string') : []
  } catch {
    return []
  }
}

/** Whether PATH at DIR is a link to this checkout's cs (resolved, so a relative link counts):
 *  its command, or the Node entry an earlier cs linked. */
function linksHere(path: string, to: readonly string[] = [csCommand(), csEntry()]): boolean {
  try {
    return lstatSync(path).isSymbolicLink() && to.some((t) => realpathSync(path) === realpathSync(t))
  } catch {
    return false
  }
}

/** Links BIN_DIR/cs to this checkout's bin/cs; 'exists' when it already was (a link to the Node
 *  entry, made by an earlier cs, is made again). A file of another cs (or anything else) there is
 *  left alone: the error names the choices. */
export function linkCs(config: Config, binDir: string): { link: string; made: boolean } {
  const link = join(resolve(binDir), 'cs')
  // the record of the link made first: a state folder that cannot be made leaves no link unrecorded
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 })
  let made = false
  if (!linksHere(link, [csCommand()])) {
    if (linksHere(link, [csEntry()])) rmSync(link)
    else if (lstatSync(link, { throwIfNoEntry: false }))
      throw new CsError(`${link} exists and is not this cs (${describe(link)})`, EXIT.failure, `remove it, or pick another folder: cs install --bin-dir DIR`)
    mkdirSync(binDir, { recursive: true })
    symlinkSync(csCommand(), link)
    made = true
  }
  const links = [...new Set([...readLinks(config), link])]
  replaceFile(recordFile(config), JSON.stringify({ links, target: csCommand() }, null, 2) + '\n')
  return { link, made }
}

function describe(path: string): string {
  const st = lstatSync(path)
  return st.isSymbolicLink() ? `a link to ${readlinkSync(path)}` : st.isDirectory() ? 'a folder' : 'a file'
}

/** Removes the links install made (those that still point here) and the record. */
export function unlinkCs(config: Config): string[] {
  const links = new Set([...readLinks(config), join(defaultBinDir(config), 'cs')])
  const removed = [...links].filter((l) => linksHere(l))
  for (const link of removed) rmSync(link)
  rmSync(recordFile(config), { force: true })
  try {
    rmdirSync(config.stateDir) // only when the record was all there was
  } catch {
    // other state: kept
  }
  return removed
}

export const onPath = (config: Config, dir: string) =>
  config.path.split(delimiter).some((d) => d && resolve(d) === resolve(dir))

/** The line for ~/.tmux.conf that loads the plugin: run-shell hands its word to sh, so the path
 *  is a word of sh's, written as one word of tmux's config (a path with a blank ran nothing). */
export const tmuxLine = (plugin = pluginFile()) => `run-shell ${tmuxConfWord(shellWord(plugin))}`
const tmuxConfWord = (s: string) => (/^[\w./:@%+=,-]+$/.test(s) ? s : `"${s.replace(/[\\"$]/g, '\\$&')}"`)

const realOrSelf = (path: string) => {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** The tmux configuration files tmux reads, first found; and whether one loads this plugin. */
export function tmuxConfStatus(config: Config): { file: string; loads: boolean } {
  const candidates = [join(config.home, '.tmux.conf'), join(config.configDir, '..', 'tmux/tmux.conf')]
  const file = candidates.find((f) => existsSync(f)) ?? candidates[0]
  const text = readRegular(file) ?? '' // none yet
  // a path written from the home folder or through a link (`run-shell ~/src/cs/plugin.tmux`, as
  // the README's example may be copied) names the same file
  const home = (l: string) => l.replace(/(^|[\s'"])(?:~|\$HOME|\$\{HOME\})(?=\/)/g, (_, before: string) => before + config.home)
  const plugin = realOrSelf(pluginFile())
  const names = (l: string) => [...l.matchAll(/[^\s'"]*plugin\.tmux/g)].some((m) => realOrSelf(m[0]) === plugin)
  const loads = text
    .split('\n')
    .map(home)
    .some((l) => !l.trimStart().startsWith('#') && (l.includes(pluginFile()) || l.includes(tmuxLine()) || names(l) || /@plugin\s+['"]?[^'"\s]*\/cs['"]?\s*$/.test(l)))
  return { file, loads }
}

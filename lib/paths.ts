// Where things live on disk: Claude Code's projects folder, cs's database and trash, the
// programs cs runs, and the guard every deletion or move goes through.
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, readdirSync, realpathSync, statSync } from 'node:fs'
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Config } from './config.ts'
import { CsError } from './errors.ts'
import { UUID } from './untrusted.ts'

/** Claude Code's transcripts: one folder per launch directory. */
export const projectsDir = (config: Config) => join(config.claudeDir, 'projects')

export const dbPath = (config: Config) => join(config.stateDir, 'cs.db')

/** The history's blocks of rows as files, named by the database (lib/block-files.ts). */
export const blocksDir = (config: Config) => join(config.stateDir, 'blocks')

/** A script of the tmux plugin, tmux/NAME: resolved from lib/ and from the dist/ bundle alike,
 *  both one level below the checkout's root. */
export const pluginScript = (name: string) => fileURLToPath(new URL(`../tmux/${name}`, import.meta.url))

/** A value of tmux/variables.sh, the one table of the plugin's @cs-* options and their defaults,
 *  for what cs itself reads of them (an option's name, its default); '' when there is none. */
export const pluginVariable = (name: string): string =>
  spawnSync('sh', ['-c', `. "$1" && printf %s "\${${name}-}"`, 'sh', pluginScript('variables.sh')], { encoding: 'utf8' }).stdout ?? ''

export const trashDir = (config: Config) => join(config.dataDir, 'trash')

const SESSION_FILE = new RegExp(`${UUID.source.slice(0, -1)}\\.jsonl$`, UUID.flags)

/** Only `<uuid>.jsonl` is a session; agent-*.jsonl, *.orphaned-*.jsonl and the rest are not. */
export const isSessionFile = (name: string) => SESSION_FILE.test(name)

const MAX_ENCODED = 200

/** Java's String.hashCode over UTF-16 units, as Claude Code computes it. */
function javaStringHash(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0
  return h
}

/**
 * The folder name Claude Code gives a launch directory. Lossy: only for finding a cwd's
 * folder, never for decoding one back into a path.
 */
export function encodeProjectDir(cwd: string): string {
  const enc = cwd.replace(/[^a-zA-Z0-9]/g, '-')
  if (enc.length <= MAX_ENCODED) return enc
  return `${enc.slice(0, MAX_ENCODED)}-${Math.abs(javaStringHash(cwd)).toString(36)}`
}

/**
 * The projects folder holding the sessions launched in cwd, or null. Long paths fall back to
 * any folder with the same 200-character prefix: some builds hashed the suffix differently.
 */
export function findProjectDir(config: Config, cwd: string): string | null {
  const root = projectsDir(config)
  const canonical = realOrResolved(cwd).normalize('NFC')
  const name = encodeProjectDir(canonical)
  if (existsSync(join(root, name))) return join(root, name)
  if (name.length <= MAX_ENCODED) return null
  const prefix = name.slice(0, MAX_ENCODED + 1)
  let entries: string[]
  try {
    entries = readdirSync(root)
  } catch {
    return null
  }
  const found = entries.find((e) => e.startsWith(prefix))
  return found ? join(root, found) : null
}

/** The path with symlinks resolved as far as it exists (the rest appended as given). */
function realOrResolved(path: string): string {
  const abs = resolve(path)
  try {
    return realpathSync(abs)
  } catch {
    const parent = dirname(abs)
    return parent === abs ? abs : join(realOrResolved(parent), basename(abs))
  }
}

/** True when child lies strictly inside parent, after resolving symlinks on both. */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(realOrResolved(parent), realOrResolved(child))
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

/** Whether cs reads an entry found under Claude's projects folder (root): a symlink only when
 *  it resolves inside it, so that nothing outside is read. */
export const readable = (d: { isSymbolicLink(): boolean }, path: string, root: string) =>
  !d.isSymbolicLink() || isInside(path, root)

/**
 * Anything cs deletes or moves must resolve inside the projects folder or cs's own trash.
 * Returns the path; throws for anything else.
 */
export function assertRemovable(config: Config, path: string): string {
  if (isInside(path, projectsDir(config)) || isInside(path, trashDir(config))) return path
  throw new CsError(
    `refusing to touch ${path}: it is outside ${projectsDir(config)} and ${trashDir(config)}`,
    undefined,
    'cs only deletes or moves transcripts of Claude Code and its own trash'
  )
}

/** The absolute path of a program: as given when it holds a '/', else the first on PATH; or null. */
export function findOnPath(config: Config, bin: string): string | null {
  const candidates = bin.includes('/')
    ? [resolve(bin)]
    : config.path.split(delimiter).filter(isAbsolute).map((d) => join(d, bin))
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK)
      if (statSync(c).isFile()) return c
    } catch {
      // not this one
    }
  }
  return null
}

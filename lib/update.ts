// `cs update`: this cs's own git checkout brought up to date in place (fetch, fast-forward only,
// npm ci when the lock file changed, as install.sh installs, then build). A dirty checkout is refused: nothing of the
// user's is ever merged or lost.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { cksum } from './cksum.ts'
import { CsError, EXIT } from './errors.ts'
import { shellWord } from './quote.ts'
import { INSTALL } from './install-hints.ts'

export interface UpdateResult {
  from: string // version and commit before
  to: string // after
  updated: boolean
}

/** git in the checkout at root: its output, trimmed; a CsError naming what failed. */
export function git(root: string, ...args: string[]): string {
  try {
    return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string }
    if (err.code === 'ENOENT') throw new CsError('git is not installed', EXIT.unavailable, `install it: ${INSTALL.git}`)
    throw new CsError(`git ${args[0]} failed in ${root}: ${(err.stderr || err.message).trim().split('\n')[0]}`, EXIT.failure)
  }
}

const version = (root: string) =>
  `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version} (${git(root, 'rev-parse', '--short', 'HEAD')})`

/** Why npm failed, from its stderr: the error a script died of, else the script's own first
 *  words, else npm's first error, else its last line (npm's notices and the lines that only say
 *  where it failed tell nothing; a crash starts with where it threw). */
export function npmFailure(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  return (
    lines.find((l) => NODE_ERROR.test(l)) ??
    lines.find((l) => !l.startsWith('npm ') && !l.startsWith('> ')) ??
    lines.find((l) => NPM_ERROR.test(l) && !NPM_WHERE.test(l)) ??
    lines.at(-1) ??
    'no message'
  )
}
const NODE_ERROR = /^([A-Z]\w*)?Error( \[\w+\])?: / // Error: ENOTEMPTY..., TypeError [ERR_X]: ...
const NPM_ERROR = /^npm (error|ERR!) /
const NPM_WHERE = /^npm (error|ERR!) (code|path|command|workspace|location|errno|syscall) /

function npm(root: string, ...args: string[]): void {
  try {
    // no update check: it asks the registry and its notice would bury the error
    const env = { ...process.env, npm_config_update_notifier: 'false' }
    execFileSync('npm', args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string }
    if (err.code === 'ENOENT') throw new CsError('npm is not installed', EXIT.unavailable, 'install Node.js with npm')
    throw new CsError(`npm ${args.join(' ')} failed in ${root}: ${npmFailure(err.stderr ?? '')}`, EXIT.failure, `run it there by hand: cd ${shellWord(root)} && npm ${args.join(' ')}`)
  }
}

// install.sh's stamp of the dependencies it installed: the cksum of package-lock.json they came
// from. A node_modules without one (a developer's `npm ci`) is left as its owner made it.
const STAMP = 'node_modules/.cs-install-stamp'

export const installedByScript = (root: string) => existsSync(join(root, STAMP))

/** npm's arguments for the dependencies again: as install.sh installs them (no development
 *  dependencies) when it did, else as a developer's checkout has them. */
export const ciArgs = (byInstall: boolean) => ['ci', ...(byInstall ? ['--omit=dev'] : []), '--no-audit', '--no-fund']

/** The stamp install.sh writes (`cksum <package-lock.json`), so that it leaves them be next time. */
export function writeStamp(root: string): void {
  writeFileSync(join(root, STAMP), cksum(readFileSync(join(root, 'package-lock.json'))) + '\n')
}

/** A file of git's own folder while an update is half done: HEAD moved, and npm ci (`ci script`
 *  as install.sh runs it, `ci dev` with the development dependencies) or the build (`build`) not
 *  through yet. The next `cs update` finishes it, though HEAD is already
 *  where it was going: without it, that update said "up to date" of a checkout with no
 *  dependencies, where no cs ran. */
const pendingFile = (root: string) => resolve(root, git(root, 'rev-parse', '--git-path', 'cs-update-pending'))

/** Fetches and fast-forwards the checkout at root; npm ci when the lock file moved, then builds. */
export function updateCheckout(root: string): UpdateResult {
  if (git(root, 'rev-parse', '--is-inside-work-tree') !== 'true')
    throw new CsError(`${root} is not a git checkout`, EXIT.failure, 'update cs the way it was installed')
  const dirty = git(root, 'status', '--porcelain', '--untracked-files=no')
  if (dirty)
    throw new CsError(`${root} has changes of its own`, EXIT.failure, `commit or stash them first (git -C ${shellWord(root)} status)`)
  const from = version(root)
  const pending = pendingFile(root)
  const left = existsSync(pending) ? readFileSync(pending, 'utf8').trim() : null
  const lockBefore = git(root, 'rev-parse', 'HEAD:package-lock.json')
  git(root, 'fetch', '--quiet')
  const head = git(root, 'rev-parse', 'HEAD')
  git(root, 'merge', '--ff-only', '--quiet', '@{upstream}')
  const moved = git(root, 'rev-parse', 'HEAD') !== head
  if (!moved && left === null) return { from, to: from, updated: false }
  const ci = left?.startsWith('ci') || (moved && git(root, 'rev-parse', 'HEAD:package-lock.json') !== lockBefore)
  // npm ci removes node_modules, and install.sh's stamp in it: how they were installed is noted
  const byInstall = left === null ? installedByScript(root) : left === 'ci script'
  writeFileSync(pending, ci ? `ci ${byInstall ? 'script' : 'dev'}\n` : 'build\n')
  if (ci) {
    npm(root, ...ciArgs(byInstall))
    if (byInstall) writeStamp(root)
  }
  npm(root, 'run', 'build')
  rmSync(pending, { force: true })
  return { from, to: version(root), updated: true }
}

// What a file system error means to the user: a place cs cannot write (a full or read-only disk,
// a file where a folder should be), said with what happened and its fix, no stack; anything else
// is left as it is. Looks at the disk to tell (a link to nothing, the folder in the way).
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { CsError, EXIT } from './errors.ts'
import { shellLine } from './quote.ts'

// File system errors that mean "cannot write here" rather than a bug: reported without a stack,
// with what happened and its fix.
const UNWRITABLE: Record<string, [why: string, fix: string]> = {
  ENOSPC: ['the disk is full', 'free some space'],
  EDQUOT: ['the disk quota is used up', 'free some space'],
  EROFS: ['the file system is read-only', 'make it writable'],
  EACCES: ['permission denied', 'fix the permissions'],
  EPERM: ['operation not permitted', 'fix the permissions'],
  ENOTDIR: ['a file stands where a folder should be', 'move the file on that path away'],
  EISDIR: ['a folder stands where a file should be', 'move the folder away'],
  EIO: ['a disk I/O error', 'check the disk'],
}

/** The symlink at path or above it whose target does not exist, and that target; null if none. */
function brokenLink(path: string): [link: string, target: string] | null {
  for (let p = path; p !== dirname(p); p = dirname(p)) {
    try {
      if (lstatSync(p).isSymbolicLink() && !existsSync(p)) return [p, readlinkSync(p)]
    } catch {
      // nothing there: further up
    }
  }
  return null
}

/** The error for what cannot be opened or made at `path` because a symlink there, or in a folder
 *  above it, points at nothing; null when there is no such link. */
export function brokenLinkError(path: string, what = `cannot open ${path}`): CsError | null {
  const broken = brokenLink(path)
  if (!broken) return null
  const [link, target] = broken
  return new CsError(
    `${what}: ${link} is a symlink to ${target}, which does not exist`,
    EXIT.failure,
    `make ${target}, or remove the link (${shellLine(['rm', link])}); nothing was lost`,
    'unwritable'
  )
}

/** Why the first missing folder of `path` cannot be made: Node's recursive mkdir says ENOENT
 *  where a plain one says EROFS or EACCES (a read-only file system above the state folder). Null
 *  when it can be made after all (it is removed again). */
function mkdirCause(path: string): NodeJS.ErrnoException | null {
  let p = path
  while (dirname(p) !== p && !existsSync(dirname(p))) p = dirname(p)
  try {
    mkdirSync(p)
    rmdirSync(p)
    return null
  } catch (e) {
    return e as NodeJS.ErrnoException
  }
}

/** A CsError for a file system error that a user can fix, or null for anything else. */
export function fileError(e: unknown): CsError | null {
  const err = e as NodeJS.ErrnoException & { dest?: string }
  if (err?.code === 'ENOENT' && typeof err.path === 'string') {
    const broken = brokenLinkError(err.path, `cannot ${err.syscall ?? 'open'} ${err.path}`)
    if (broken || err.syscall !== 'mkdir') return broken
    const cause = mkdirCause(err.path)
    return cause && cause.code !== 'ENOENT' ? fileError(cause) : null
  }
  // mkdir's EEXIST: something that is not a folder stands on the path (mkdir -p of a folder that is there is no error)
  const code = err?.code === 'EEXIST' && err.syscall === 'mkdir' ? 'ENOTDIR' : err?.code
  const known = typeof code === 'string' ? UNWRITABLE[code] : undefined
  if (!known) return null
  const [why, fix] = known
  // a link or a rename fails for where it would be made (dest), not for what it names (path)
  const at = (err.syscall === 'symlink' || err.syscall === 'link' || err.syscall === 'rename') && err.dest ? err.dest : err.path
  const where = at ? ` ${at}` : ''
  return new CsError(
    `cannot ${err.syscall ?? 'write'}${where}: ${why}`,
    EXIT.failure,
    `${fix}, then run the command again; nothing was lost`,
    'unwritable'
  )
}

// cs's trash for `cs gc`: each moved session gets a folder holding its files and a manifest of
// where they came from, so that `cs gc --restore` puts them back byte for byte.
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Config } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { assertRemovable, trashDir } from './paths.ts'
import { moveAsideLine } from './quote.ts'
import { readRegular } from './regular-file.ts'

export interface TrashEntry {
  id: string // the session id
  dir: string // its folder in the trash
  movedAt: string
  items: { from: string; name: string }[] // original path, and the name under `dir/files`
}

const MANIFEST = 'manifest.json'

/** The transcript and, when there is one, the session's `<id>/` folder (subagents, tool results). */
export function sessionFiles(transcript: string, id: string): string[] {
  const folder = join(dirname(transcript), id)
  return [transcript, ...(existsSync(folder) ? [folder] : [])]
}

/** Moves a session's files into the trash; the manifest is written first so nothing is lost. */
export function moveToTrash(config: Config, id: string, transcript: string): TrashEntry {
  const paths = sessionFiles(transcript, id).map((p) => assertRemovable(config, p))
  const dir = entryDir(trashDir(config), id)
  const entry: TrashEntry = {
    id,
    dir,
    movedAt: new Date().toISOString(),
    items: paths.map((from) => ({ from, name: basename(from) })),
  }
  try {
    mkdirSync(join(dir, 'files'), { mode: 0o700 })
    const { dir: _, ...manifest } = entry
    writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n')
    moveAll(entry.items.map((item) => [item.from, join(dir, 'files', item.name)]))
  } catch (e) {
    // this run's own folder, its files back where they were; kept when some are not
    if (!(e instanceof CsError && e.reason === 'partly-moved')) rmSync(dir, { recursive: true, force: true })
    throw gone(e, `${id}: it was removed meanwhile`, 'nothing to move')
  }
  return entry
}

/** A folder of the trash for one entry, made here: never one another run is filling (two gc at
 *  once), so that undoing a failed move removes only this run's. */
function entryDir(root: string, id: string): string {
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    throw new CsError(`cs's trash ${root} is not a folder`, EXIT.failure, `move it away (${moveAsideLine(root)}); nothing was moved`)
  }
  for (let n = 0; ; n++) {
    const dir = join(root, n === 0 ? id : `${id}.${Date.now()}${n > 1 ? `.${n}` : ''}`)
    try {
      mkdirSync(dir, { mode: 0o700 })
      return dir
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) throw e
    }
  }
}

/** A file that vanished meanwhile (ENOENT on a move's source): said as such, not as a crash. */
function gone(e: unknown, what: string, hint: string): unknown {
  const err = e as NodeJS.ErrnoException
  if (err?.code !== 'ENOENT' || typeof err.path !== 'string') return e
  return new CsError(`${what} (${err.path})`, EXIT.failure, hint)
}

/** Every session in the trash, oldest move first; the folders whose manifest cannot be read
 * (damaged, half written, or not cs's) by path in `unreadable`. */
export function trashEntries(config: Config): TrashEntry[] & { unreadable: string[] } {
  const root = trashDir(config)
  const entries: TrashEntry[] = []
  for (const dir of [config.dataDir, root])
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw new CsError(
        `cs's data folder ${dir} is not a folder`,
        EXIT.failure,
        `move the file away (${moveAsideLine(dir)}), or set XDG_DATA_HOME`
      )
  const unreadable: string[] = []
  for (const name of existsSync(root) ? readdirSync(root) : []) {
    const m = manifest(readRegular(join(root, name, MANIFEST)))
    if (m) entries.push({ ...m, dir: join(root, name) })
    else unreadable.push(join(root, name)) // left alone, and reported
  }
  return Object.assign(
    entries.sort((a, b) => a.movedAt.localeCompare(b.movedAt)),
    { unreadable }
  )
}

/** A manifest's fields, checked: it is a file anyone may have edited. */
function manifest(text: string | null): Omit<TrashEntry, 'dir'> | null {
  try {
    const m = JSON.parse(text ?? '')
    const ok =
      typeof m?.id === 'string' &&
      typeof m.movedAt === 'string' &&
      Array.isArray(m.items) &&
      m.items.every((i: any) => typeof i?.from === 'string' && typeof i.name === 'string' && !i.name.includes('/') && i.name !== '..')
    return ok ? { id: m.id, movedAt: m.movedAt, items: m.items } : null
  } catch {
    return null
  }
}

/** Puts an entry's files back where they were; refuses to overwrite anything. */
export function restoreFromTrash(config: Config, entry: TrashEntry): void {
  for (const item of entry.items) {
    assertRemovable(config, item.from) // a manifest is a file: trust it no further than the projects folder
    if (lstatSync(item.from, { throwIfNoEntry: false })) // a link to nothing is something too
      throw new CsError(
        `cannot restore ${entry.id}: ${item.from} exists`,
        EXIT.failure,
        `move it away first; the trashed copy is in ${entry.dir}`
      )
  }
  const moves = entry.items.map((item): [string, string] => {
    const file = assertRemovable(config, join(entry.dir, 'files', item.name))
    const st = lstatSync(file, { throwIfNoEntry: false })
    if (!st)
      throw new CsError(`cannot restore ${entry.id}: ${file} is missing from the trash`, EXIT.failure, `look inside ${entry.dir}; cs leaves it alone`)
    // what gc moved: a transcript or a session's folder, or a link to one (rename moves the link);
    // a FIFO or a device put there since is not
    if (!st.isFile() && !st.isDirectory() && !st.isSymbolicLink())
      throw new CsError(`cannot restore ${entry.id}: ${file} is not a file or folder gc moved`, EXIT.failure, `look inside ${entry.dir}; cs leaves it alone`)
    return [file, item.from]
  })
  for (const item of entry.items) mkdirSync(dirname(item.from), { recursive: true, mode: 0o700 })
  try {
    moveAll(moves)
  } catch (e) {
    throw gone(e, `cannot restore ${entry.id}: restored meanwhile, or taken out of the trash`, `look inside ${entry.dir}`)
  }
  rmSync(assertRemovable(config, entry.dir), { recursive: true })
}

/** Moves each [from, to] in turn. When one fails, those already moved are moved back before its
 *  error is thrown: a session is never left half in the trash and half out. When that cannot be
 *  done, a `partly-moved` CsError says where each part is, and nothing is removed. */
function moveAll(moves: [string, string][]): void {
  const done: [string, string][] = []
  try {
    for (const [from, to] of moves) {
      move(from, to)
      done.push([from, to])
    }
  } catch (e) {
    try {
      for (const [from, to] of done.reverse()) move(to, from)
    } catch (back) {
      throw partlyMoved(moves, back)
    }
    throw e
  }
}

const partlyMoved = (moves: [string, string][], e: unknown) =>
  new CsError(
    `moved in part, and could not move back: ${(e as Error).message}`,
    EXIT.failure,
    `each whole copy is still there: ${moves.map(([from, to]) => `${from} or ${to}`).join('; ')}`,
    'partly-moved'
  )

/** rename(2), or copy then delete across file systems (the trash may live on another one). The
 *  copy is made beside `to` and renamed into place whole: one that fails part way (a full disk)
 *  is removed, and no fragment stands where the next try would put it. A delete that fails part
 *  way is undone from the copy, which is then dropped; when even that fails, both stay
 *  (`partly-moved`): the copy is then the only whole one. */
function move(from: string, to: string): void {
  try {
    renameSync(from, to)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e
    const part = `${to}.cs-part-${process.pid}`
    try {
      cpSync(from, part, { recursive: true, preserveTimestamps: true, errorOnExist: true, force: false })
      // as cpSync's errorOnExist would have: nothing put there meanwhile is replaced
      if (lstatSync(to, { throwIfNoEntry: false }))
        throw new CsError(`cannot move ${from}: ${to} was made meanwhile`, EXIT.failure, `nothing was replaced; move it away (${moveAsideLine(to)}), then try again`)
      renameSync(part, to)
    } catch (copying) {
      rmSync(part, { recursive: true, force: true })
      throw copying
    }
    try {
      rmSync(from, { recursive: true })
    } catch (removing) {
      try {
        cpSync(to, from, { recursive: true, preserveTimestamps: true, force: false })
      } catch {
        throw partlyMoved([[from, to]], removing)
      }
      rmSync(to, { recursive: true, force: true })
      throw removing
    }
  }
}

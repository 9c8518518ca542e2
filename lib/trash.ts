// cs's trash for `cs gc`: each moved session gets a folder holding its files and a manifest of
// where they came from, so that `cs gc --restore` puts them back byte for byte.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Config } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { assertRemovable, trashDir } from './paths.ts'
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
  let dir = join(trashDir(config), id)
  if (existsSync(dir)) dir = `${dir}.${Date.now()}`
  const entry: TrashEntry = {
    id,
    dir,
    movedAt: new Date().toISOString(),
    items: paths.map((from) => ({ from, name: basename(from) })),
  }
  mkdirSync(join(dir, 'files'), { recursive: true, mode: 0o700 })
  const { dir: _, ...manifest } = entry
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n')
  try {
    moveAll(entry.items.map((item) => [item.from, join(dir, 'files', item.name)]))
  } catch (e) {
    rmSync(dir, { recursive: true, force: true }) // its files are back where they were
    throw e
  }
  return entry
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
        `move the file away (mv ${dir} ${dir}.bak), or set XDG_DATA_HOME`
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
    if (existsSync(item.from))
      throw new CsError(
        `cannot restore ${entry.id}: ${item.from} exists`,
        EXIT.failure,
        `move it away first; the trashed copy is in ${entry.dir}`
      )
  }
  const moves = entry.items.map((item): [string, string] => {
    mkdirSync(dirname(item.from), { recursive: true, mode: 0o700 })
    return [assertRemovable(config, join(entry.dir, 'files', item.name)), item.from]
  })
  moveAll(moves)
  rmSync(assertRemovable(config, entry.dir), { recursive: true })
}

/** Moves each [from, to] in turn. When one fails, those already moved are moved back before its
 *  error is thrown: a session is never left half in the trash and half out. */
function moveAll(moves: [string, string][]): void {
  const done: [string, string][] = []
  try {
    for (const [from, to] of moves) {
      move(from, to)
      done.push([from, to])
    }
  } catch (e) {
    for (const [from, to] of done.reverse()) move(to, from)
    throw e
  }
}

/** rename(2), or copy then delete across file systems (the trash may live on another one). */
function move(from: string, to: string): void {
  try {
    renameSync(from, to)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e
    cpSync(from, to, { recursive: true, preserveTimestamps: true })
    rmSync(from, { recursive: true })
  }
}

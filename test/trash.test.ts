// cs's trash when a move fails half way: a file removed meanwhile, another gc filling its own
// entry, a delete across file systems that stops part way, a trash entry damaged since. The
// failures are made by Node's own fs functions replaced for one call (mock.method, then
// syncBuiltinESMExports so that lib/trash.ts's named imports see it), on real files.
import assert from 'node:assert/strict'
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, mock, test } from 'node:test'
import { execFileSync } from 'node:child_process'
import { loadConfig } from '../lib/config.ts'
import { CsError } from '../lib/errors.ts'
import { projectsDir, trashDir } from '../lib/paths.ts'
import { moveToTrash, restoreFromTrash, trashEntries } from '../lib/trash.ts'

const root = mkdtempSync(join(tmpdir(), 'cs-trash-'))
after(() => rmSync(root, { recursive: true, force: true }))
afterEach(() => {
  mock.restoreAll()
  syncBuiltinESMExports()
})

let n = 0
/** An orphan with its own folder of three files, in a fresh home. */
function orphan() {
  const config = loadConfig({ HOME: join(root, `home${++n}`) })
  const dir = join(projectsDir(config), '-w-app')
  const id = `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`
  const transcript = join(dir, `${id}.jsonl`)
  const folder = join(dir, id)
  mkdirSync(join(folder, 'subagents'), { recursive: true })
  writeFileSync(transcript, '{"type":"summary","summary":"x","leafUuid":"u"}\n')
  for (const name of ['a.jsonl', 'b.jsonl', 'c.jsonl']) writeFileSync(join(folder, 'subagents', name), `${name}\n`)
  return { config, id, transcript, folder }
}

/** Every file under dir with its content. */
const tree = (dir: string): Record<string, string> =>
  Object.fromEntries(
    (readdirSync(dir, { recursive: true }) as string[])
      .filter((p) => fs.statSync(join(dir, p)).isFile())
      .map((p) => [p, readFileSync(join(dir, p), 'utf8')])
  )

/** fs.NAME replaced by fn until the test ends; fn gets the real one. */
function replace<K extends 'renameSync' | 'rmSync' | 'cpSync'>(name: K, fn: (real: (typeof fs)[K], ...args: any[]) => unknown) {
  const real = fs[name].bind(fs) as (typeof fs)[K]
  mock.method(fs, name, (...args: any[]) => fn(real, ...args))
  syncBuiltinESMExports()
}
const errno = (code: string, path: string) => Object.assign(new Error(`${code}: ${path}`), { code, path, syscall: 'x' })

/** The trash on another file system (rename says EXDEV), and the delete of the session's folder
 *  after its copy stops part way: one file gone, then EACCES. */
function acrossFileSystems(config: ReturnType<typeof loadConfig>, folder: string) {
  replace('renameSync', (real, from: string, to: string) => {
    if (from.startsWith(projectsDir(config))) throw errno('EXDEV', from)
    return real(from, to)
  })
  replace('rmSync', (real, path: string, opts) => {
    if (path !== folder) return real(path, opts)
    rmSync(join(folder, 'subagents', 'a.jsonl'))
    throw errno('EACCES', join(folder, 'subagents', 'b.jsonl'))
  })
}

test('a file removed meanwhile is said so; the entry another gc is filling is left alone', () => {
  const { config, id, transcript } = orphan()
  const theirs = join(trashDir(config), id)
  mkdirSync(join(theirs, 'files'), { recursive: true })
  writeFileSync(join(theirs, 'files', 'kept.jsonl'), 'theirs\n')
  rmSync(transcript)
  assert.throws(() => moveToTrash(config, id, transcript), (e: unknown) => e instanceof CsError && /removed meanwhile/.test(e.message))
  assert.deepEqual(tree(trashDir(config)), { [`${id}/files/kept.jsonl`]: 'theirs\n' })
})

test('a transcript that is a link (inside the projects folder) goes to the trash and comes back as one', () => {
  const { config, id, transcript } = orphan()
  const data = join(projectsDir(config), 'kept', 'orphan.data')
  mkdirSync(join(projectsDir(config), 'kept'))
  fs.renameSync(transcript, data)
  fs.symlinkSync('../kept/orphan.data', transcript)
  const entry = moveToTrash(config, id, transcript)
  restoreFromTrash(config, entry)
  assert.equal(fs.readlinkSync(transcript), '../kept/orphan.data')
  assert.ok(!existsSync(entry.dir))
})

test('a trash that is not a folder is said so, and nothing moves', () => {
  const { config, id, transcript, folder } = orphan()
  mkdirSync(config.dataDir, { recursive: true })
  writeFileSync(trashDir(config), 'in the way\n')
  assert.throws(() => moveToTrash(config, id, transcript), (e: unknown) => e instanceof CsError && /trash .* is not a folder/.test(e.message))
  assert.ok(existsSync(transcript) && existsSync(folder))
})

test('a delete across file systems that stops part way is undone from the copy: nothing is lost, the trash keeps nothing', () => {
  const { config, id, transcript, folder } = orphan()
  const before = tree(folder)
  acrossFileSystems(config, folder)
  assert.throws(() => moveToTrash(config, id, transcript), /EACCES|permission/)
  mock.restoreAll()
  syncBuiltinESMExports()
  assert.deepEqual(tree(folder), before)
  assert.ok(existsSync(transcript), 'the transcript moved first is moved back')
  assert.deepEqual(readdirSync(trashDir(config)), [])
})

test('when even the undo fails, both places are kept and the error says where the whole copy is', () => {
  const { config, id, transcript, folder } = orphan()
  const before = tree(folder)
  acrossFileSystems(config, folder)
  replace('cpSync', (real, from: string, to: string, opts) => {
    if (to === folder) throw errno('ENOSPC', to)
    return real(from, to, opts)
  })
  assert.throws(
    () => moveToTrash(config, id, transcript),
    (e: unknown) => e instanceof CsError && e.reason === 'partly-moved' && e.hint!.includes(folder)
  )
  mock.restoreAll()
  syncBuiltinESMExports()
  const [entry] = trashEntries(config)
  assert.equal(entry.id, id)
  assert.deepEqual(tree(join(entry.dir, 'files', id)), before, 'the whole copy stays in the trash')
})

test('a trash entry damaged since (a file gone, a FIFO in its place) is refused, and the rest of it stays', () => {
  const gone = orphan()
  const entry = moveToTrash(gone.config, gone.id, gone.transcript)
  rmSync(join(entry.dir, 'files', `${gone.id}.jsonl`))
  assert.throws(() => restoreFromTrash(gone.config, entry), /missing from the trash/)
  assert.ok(existsSync(join(entry.dir, 'files', gone.id)) && !existsSync(gone.folder))

  const fifo = orphan()
  const other = moveToTrash(fifo.config, fifo.id, fifo.transcript)
  const file = join(other.dir, 'files', `${fifo.id}.jsonl`)
  rmSync(file)
  execFileSync('mkfifo', [file])
  assert.throws(() => restoreFromTrash(fifo.config, other), /not a file or folder gc moved/)
  assert.ok(!existsSync(fifo.transcript) && !existsSync(fifo.folder), 'nothing of it restored')
})

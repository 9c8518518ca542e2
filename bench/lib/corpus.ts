// Bench corpora, cached under /tmp between runs: writing 2 GB of transcripts takes longer than
// measuring them. The cache key is a hash of the parameters, of the generator's sources
// (test/fixtures/*.ts) and of this file, so a changed generator makes a new corpus.
import { createHash } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs'
import { rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isSessionFile } from '../../lib/paths.ts'
import type { Shape } from '../../test/fixtures/corpus.ts'

export interface CorpusParams {
  sessions: number
  totalBytes: number
  bigFiles: number // files over 200 MB
  bigFileBytes?: number // their size (default 210 MiB)
  shape?: Shape // what the records are (default mixed: see test/fixtures/corpus.ts)
}

export interface Corpus {
  /** what CLAUDE_CONFIG_DIR points at: holds projects/ */
  claudeDir: string
  projectsDir: string
  /** every session transcript (projects/<folder>/<uuid>.jsonl), largest first */
  files: { path: string; size: number }[]
  bytes: number
  lines: number
}

const fixtures = new URL('../../test/fixtures/', import.meta.url)
const PREFIX = 'cs-bench-corpus-'

/** Session transcripts directly in each project folder: what the indexer lists as sessions. */
export function sessionFiles(projects: string): { path: string; size: number }[] {
  const out: { path: string; size: number }[] = []
  for (const dir of readdirSync(projects)) {
    const folder = join(projects, dir)
    for (const name of readdirSync(folder))
      if (isSessionFile(name)) out.push({ path: join(folder, name), size: statSync(join(folder, name)).size })
  }
  return out.sort((a, b) => b.size - a.size)
}

/** The time of the file's last record that has one, from its last 64 KB; NaN if none. */
function lastTimestamp(path: string, size: number): number {
  const len = Math.min(size, 64 * 1024)
  const buf = Buffer.alloc(len)
  const fd = openSync(path, 'r')
  readSync(fd, buf, 0, len, size - len)
  closeSync(fd)
  const tail = buf.toString('latin1')
  const at = tail.lastIndexOf('"timestamp":"')
  return at === -1 ? NaN : Date.parse(tail.slice(at + 13, at + 37))
}

/**
 * Gives each transcript the mtime a user's would have, that of its last record: the generator
 * writes them all now. Shifted so that the newest was written an hour ago; the generator's
 * sessions start an hour apart, so about a day's worth were modified within the last 24 h.
 */
function ageFiles(files: Corpus['files']): void {
  const last = files.map((f) => lastTimestamp(f.path, f.size))
  const shift = Date.now() - 3600_000 - Math.max(...last.filter(Number.isFinite))
  files.forEach((f, i) => {
    if (!Number.isFinite(last[i])) return
    const t = (last[i] + shift) / 1000
    utimesSync(f.path, t, t)
  })
}

function countLines(files: Corpus['files']): number {
  let n = 0
  for (const f of files) {
    const b = readFileSync(f.path)
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++
  }
  return n
}

/** Removes the corpora made with the same parameters by an older generator: 2 GB each. */
function forgetStale(params: CorpusParams): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const made = join(tmpdir(), name, '.complete')
    if (existsSync(made) && readFileSync(made, 'utf8') === JSON.stringify(params))
      rmSync(join(tmpdir(), name), { recursive: true, force: true })
  }
}

export async function corpus(params: CorpusParams): Promise<Corpus> {
  const hash = createHash('sha256').update(JSON.stringify(params))
  for (const f of readdirSync(fixtures).filter((n) => n.endsWith('.ts')).sort())
    hash.update(f).update(readFileSync(new URL(f, fixtures)))
  hash.update(readFileSync(new URL(import.meta.url)))
  const claudeDir = join(tmpdir(), `${PREFIX}${hash.digest('hex').slice(0, 12)}`)
  const projectsDir = join(claudeDir, 'projects')
  const done = join(claudeDir, '.complete')
  if (!existsSync(done)) {
    forgetStale(params)
    rmSync(claudeDir, { recursive: true, force: true })
    mkdirSync(claudeDir, { recursive: true })
    process.stderr.write(`bench: writing a corpus of ${params.sessions} transcripts into ${claudeDir}...\n`)
    const { writeCorpus } = await import(new URL('generate.ts', fixtures).href)
    await writeCorpus(projectsDir, params)
    ageFiles(sessionFiles(projectsDir))
    writeFileSync(done, JSON.stringify(params))
  }
  const files = sessionFiles(projectsDir)
  const counted = join(claudeDir, '.lines')
  if (!existsSync(counted)) writeFileSync(counted, String(countLines(files)))
  const lines = Number(readFileSync(counted, 'utf8'))
  return { claudeDir, projectsDir, files, bytes: files.reduce((n, f) => n + f.size, 0), lines }
}

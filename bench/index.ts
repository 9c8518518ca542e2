// Issue 2: the transcript index on a corpus of ~10,000 transcripts (~2 GB): cold index
// throughput and peak memory, a warm re-index that only stats, and an append to one file. Every
// figure against a baseline measured in this run. The dashboard's figures: bench/dashboard.ts.
import * as fs from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../lib/config.ts'
import { indexTranscripts } from '../lib/indexer.ts'
import { openStore } from '../lib/store-sqlite.ts'
import { csBin, ensureBundle, maxRssPreload, pinTo, sandbox, type Sandbox } from './lib/cli.ts'
import { tailLines } from './lib/append.ts'
import { corpus, type Corpus } from './lib/corpus.ts'
import { interleave, run, versus, type BenchOptions, type Row } from './lib/measure.ts'

const MB = 1e6
const APPEND_BYTES = 64 * 1024

/** Stats every transcript of every project folder: the least a warm re-index must do. */
function statWalk(fsm: typeof fs, projects: string): number {
  let n = 0
  for (const dir of fsm.readdirSync(projects)) {
    const folder = projects + '/' + dir
    for (const name of fsm.readdirSync(folder))
      if (name.endsWith('.jsonl')) {
        fsm.statSync(folder + '/' + name)
        n++
      }
  }
  return n
}
/** The same walk as a Node process of its own: the baseline of `cs sync` as a CLI. */
const statWalkArgv = (projects: string) => [
  process.execPath,
  '-e',
  `(${statWalk.toString()})(require('node:fs'), process.argv[1])`,
  projects,
]

/** JSON.parse of every line of the files: what parsing everything costs. Returns bytes read. */
function parseEveryLine(files: { path: string }[]): number {
  let bytes = 0
  for (const f of files) {
    const text = fs.readFileSync(f.path, 'utf8')
    bytes += Buffer.byteLength(text)
    for (const line of text.split('\n'))
      try {
        if (line) JSON.parse(line)
      } catch {
        // a half-written or broken line: counted like the others
      }
  }
  return bytes
}

const mbps = (bytes: number, ms: number) => bytes / MB / (ms / 1000)

/** Cold `cs sync` into empty state dirs against `cat` and JSON.parse, pinned to one core. */
async function coldIndex(c: Corpus, box: Sandbox, runs: number): Promise<Row[]> {
  const list = join(box.dir, 'files.list')
  fs.writeFileSync(list, c.files.map((f) => f.path).join('\0'))
  const cat = () => run(['xargs', '-0', '-a', list, 'cat'])
  cat() // into the page cache
  const rss: number[] = []
  let n = 0
  const sync = () => {
    // a fresh state dir each time, removed with the sandbox (not while timed)
    const state = join(box.dir, `cold-${n++}`)
    const rssFile = join(box.dir, 'rss')
    run([process.execPath, '--import', maxRssPreload, csBin, 'sync'], {
      env: box.env({ XDG_STATE_HOME: state, CS_BENCH_RSS_FILE: rssFile }),
    })
    rss.push(Number(fs.readFileSync(rssFile, 'utf8')))
  }
  // JSON.parse on the smaller files (whole files become strings), up to 256 MB of them
  const subset: Corpus['files'] = []
  let subsetBytes = 0
  for (const f of [...c.files].reverse())
    if (f.size < 64 * MB && subsetBytes < 256 * MB) {
      subset.push(f)
      subsetBytes += f.size
    }
  pinTo('0')
  try {
    const [syncMs, catMs, parseMs] = await interleave(runs, sync, cat, () => parseEveryLine(subset))
    const catRate = mbps(c.bytes, catMs)
    const rate = mbps(c.bytes, syncMs)
    const peak = Math.max(...rss) / MB
    return [
      {
        ...versus('cold index: `cs sync`, one core', rate, catRate, 'MB/s', null),
        goal: '>= 500 MB/s',
        met: rate >= 500,
        note: `${c.files.length} transcripts, ${fmtMB(c.bytes)}; baseline: cat of the same files`,
      },
      {
        ...versus('JSON.parse of every line, one core', mbps(subsetBytes, parseMs), catRate, 'MB/s', null),
        note: `in-process, ${subset.length} files, ${fmtMB(subsetBytes)}; baseline: cat`,
      },
      {
        name: 'peak RSS of the cold index',
        value: peak,
        unit: 'MB',
        goal: '< 150 MB',
        met: peak < 150,
        note: `largest transcript ${fmtMB(c.files[0].size)}`,
      },
    ]
  } finally {
    pinTo(`0-${availableParallelism() - 1}`)
  }
}

const fmtMB = (bytes: number) =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`

export default async function bench({ quick }: BenchOptions): Promise<Row[]> {
  ensureBundle()
  const c = await corpus(
    quick ? { sessions: 300, totalBytes: 30 * MB, bigFiles: 0 } : { sessions: 10_000, totalBytes: 2e9, bigFiles: 3 }
  )
  const runs = quick ? 3 : 11
  const box = sandbox(c.claudeDir)
  const largest = c.files[0]
  try {
    const rows = await coldIndex(c, box, quick ? 3 : 5)
    const env = box.env()
    const cs = (...args: string[]) => () => run([process.execPath, csBin, ...args], { env })
    cs('sync')()

    const config = loadConfig(env)
    const reindex = async () => {
      const store = openStore(config)
      try {
        await indexTranscripts(config, store)
      } finally {
        store.close()
      }
    }
    const [inMs, walkMs] = await interleave(runs, reindex, () => statWalk(fs, c.projectsDir))
    rows.push(
      versus('warm re-index, in-process', inMs, walkMs, 'ms', 1.5, 'store opened and closed; baseline: readdir+stat walk')
    )
    const [syncMs, walkCliMs] = await interleave(runs, cs('sync'), () => run(statWalkArgv(c.projectsDir)))
    rows.push(versus('warm `cs sync`, CLI', syncMs, walkCliMs, 'ms', 1.5, 'baseline: `node -e <the same walk>`'))

    const chunk = tailLines(largest.path, APPEND_BYTES)
    const append = (then: () => void) => () => {
      fs.appendFileSync(largest.path, chunk)
      then()
    }
    try {
      const note = `${(chunk.length / 1024).toFixed(0)} KB appended to the largest transcript (${fmtMB(largest.size)}); baseline: nothing changed`
      const [appSync, noSync] = await interleave(runs, append(cs('sync')), cs('sync'))
      rows.push(versus('append, then `cs sync`', appSync, noSync, 'ms', null, note))
    } finally {
      fs.truncateSync(largest.path, largest.size) // the cached corpus stays as it was made
    }
    return rows
  } finally {
    box.remove()
  }
}

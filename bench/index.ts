// Issues 2 and 9: the transcript index. Cold index throughput and peak memory on every corpus
// shape (the mixed one: ~10,000 transcripts, ~2 GB); on the mixed one, a warm re-index that only
// stats and an append to one file. Every figure against a baseline measured in this run. The
// dashboard's figures: bench/dashboard.ts.
import * as fs from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../lib/config.ts'
import { indexTranscripts } from '../lib/indexer.ts'
import { openStore } from '../lib/store-sqlite.ts'
import { csBin, csCommand, ensureBundle, maxRssPreload, pinTo, sandbox, type Sandbox } from './lib/cli.ts'
import { tailLines } from './lib/append.ts'
import { corpus, type Corpus, type CorpusParams } from './lib/corpus.ts'
import type { Shape } from '../test/fixtures/corpus.ts'
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

/** A JS loop that finds every string of every line (its closing quote, past escapes) and keeps
 *  nothing: what walking the bytes costs where a line is short keys and values, which indexOf
 *  cannot skip (lib/transcript-scan.ts does so for long strings). */
function walkEveryString(files: { path: string; size: number }[]): number {
  let bytes = 0
  let strings = 0
  // one buffer for every file, as the indexer reads: its pages are touched once
  const b = Buffer.allocUnsafe(Math.max(...files.map((f) => f.size)))
  for (const f of files) {
    const fd = fs.openSync(f.path, 'r')
    let n = 0
    try {
      for (let got = 1; got > 0 && n < b.length; n += got) got = fs.readSync(fd, b, n, b.length - n, null)
    } finally {
      fs.closeSync(fd)
    }
    bytes += n
    for (let i = 0; i < n; i++) {
      if (b[i] !== 34) continue
      for (i++; i < n && b[i] !== 34; i++) if (b[i] === 92) i++
      strings++
    }
  }
  if (strings === 0 && bytes > 0) throw new Error('bench index: no string in the corpus')
  return bytes
}

const mbps = (bytes: number, ms: number) => bytes / MB / (ms / 1000)

/** The corpus shapes of the cold index (test/fixtures/corpus.ts SHAPES): the default mix, which
 *  the dashboard figures use too, and one per kind of record that dominates some real files, so
 *  that no single friendly shape makes the figure. */
function shapes(quick: boolean): { name: string; params: CorpusParams }[] {
  const of = (shape: Shape, sessions: number, totalBytes: number) => ({
    name: shape,
    params: { sessions, totalBytes, bigFiles: 0, shape },
  })
  const huge = (params: CorpusParams) => ({ name: 'huge files', params })
  if (quick)
    return [
      { name: 'mixed', params: { sessions: 300, totalBytes: 30 * MB, bigFiles: 0 } },
      ...(['prompts', 'tool-results', 'tiny', 'real'] as const).map((s) => of(s, 30, 20 * MB)),
      huge({ sessions: 1, totalBytes: 30 * MB, bigFiles: 1, bigFileBytes: 30 * MB, shape: 'real' }),
    ]
  return [
    { name: 'mixed', params: MIXED },
    of('prompts', 1000, 300 * MB),
    of('tool-results', 1000, 300 * MB),
    of('tiny', 1000, 300 * MB),
    of('real', 2000, 400 * MB),
    huge({ sessions: 2, totalBytes: 450 * MB, bigFiles: 2, shape: 'real' }), // of 210 MiB each
  ]
}
/** The dashboard's corpus: 10,000 transcripts, 2 GB, three of them over 200 MB. */
const MIXED: CorpusParams = { sessions: 10_000, totalBytes: 2e9, bigFiles: 3 }

const NOTES: Record<string, string> = {
  mixed: 'long answers, tool calls and outputs up to 30 KB',
  prompts: 'every other record a typed prompt of up to 1,000 characters',
  'tool-results': 'file reads of 2-60 KB, each twice in its record',
  tiny: 'hook progress, attachments, queue operations',
  real: 'the mix of public real-world transcripts',
  'huge files': 'real-world mix',
}

/** Cold `cs sync` of one corpus into empty state dirs against `cat` and JSON.parse, pinned to
 *  one core: its throughput and peak memory. */
async function coldIndex(shape: string, c: Corpus, box: Sandbox, runs: number): Promise<Row[]> {
  const list = join(box.dir, 'files.list')
  fs.writeFileSync(list, c.files.map((f) => f.path).join('\0'))
  const cat = () => run(['xargs', '-0', '-a', list, 'cat'])
  cat() // into the page cache
  const rss: number[] = []
  let n = 0
  const env = { CLAUDE_CONFIG_DIR: c.claudeDir }
  const sync = () => {
    // a fresh state dir each time, removed with the sandbox (not while timed)
    const state = join(box.dir, `cold-${n++}`)
    const rssFile = join(box.dir, 'rss')
    run([process.execPath, '--import', maxRssPreload, csBin, 'sync'], {
      env: box.env({ ...env, XDG_STATE_HOME: state, CS_BENCH_RSS_FILE: rssFile }),
    })
    rss.push(Number(fs.readFileSync(rssFile, 'utf8')))
  }
  // JSON.parse on whole files as strings: the smallest, up to 256 MB of them (at least one)
  const subset: Corpus['files'] = []
  let subsetBytes = 0
  for (const f of [...c.files].reverse())
    if (subset.length === 0 || subsetBytes + f.size <= 256 * MB) {
      subset.push(f)
      subsetBytes += f.size
    }
  pinTo('0')
  try {
    const [syncMs, catMs, parseMs, walkMs] = await interleave(runs, sync, cat, () => parseEveryLine(subset), () => walkEveryString(subset))
    const catRate = mbps(c.bytes, catMs)
    const rate = mbps(c.bytes, syncMs)
    const peak = Math.max(...rss) / MB
    const parse = `JSON.parse of every line ${mbps(subsetBytes, parseMs).toFixed(0)} MB/s, a JS walk of every string ${mbps(subsetBytes, walkMs).toFixed(0)} MB/s (${subset.length} files, ${fmtMB(subsetBytes)})` // prettier-ignore
    const lines = c.lines > 0 ? `, lines of ${fmtBytes(c.bytes / c.lines)} on average` : ''
    return [
      {
        ...versus(`cold index, ${shape}: \`cs sync\`, one core`, rate, catRate, 'MB/s', null),
        goal: '>= 500 MB/s',
        met: rate >= 500,
        note: `${c.files.length} transcripts, ${fmtMB(c.bytes)}${lines}: ${NOTES[shape]}; ${parse}; baseline: cat of the same files`, // prettier-ignore
      },
      {
        name: `peak RSS of the cold index, ${shape}`,
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

const fmtBytes = (n: number) =>
  n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n.toFixed(0)} bytes`
const fmtMB = (bytes: number) =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`

export default async function bench({ quick }: BenchOptions): Promise<Row[]> {
  ensureBundle()
  const rows: Row[] = []
  for (const { name, params } of shapes(quick)) {
    const each = await corpus(params)
    const box = sandbox(each.claudeDir)
    try {
      rows.push(...(await coldIndex(name, each, box, quick ? 3 : 5)))
    } finally {
      box.remove()
    }
  }
  const c = await corpus(shapes(quick)[0].params) // the mixed one
  const runs = quick ? 3 : 11
  const box = sandbox(c.claudeDir)
  const largest = c.files[0]
  try {
    const env = box.env()
    const cs = (...args: string[]) => () => run([csCommand, ...args], { env })
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
    // CS_FULL_SCAN_SECONDS=0: every run finds the stat of every file due, as cron's sync does (a
    // plain one stats only what can have changed: the corpus has no live session to append)
    const walking = () => run([csCommand, 'sync'], { env: { ...env, CS_FULL_SCAN_SECONDS: '0' } })
    const [syncMs, walkCliMs] = await interleave(runs, walking, () => run(statWalkArgv(c.projectsDir), { env }))
    rows.push(versus('warm `cs sync` with the full walk due, CLI', syncMs, walkCliMs, 'ms', 1.5, 'CS_FULL_SCAN_SECONDS=0; baseline: `node -e <the same walk>`'))

    const chunk = tailLines(largest.path, APPEND_BYTES)
    const append = (then: () => void) => () => {
      fs.appendFileSync(largest.path, chunk)
      then()
    }
    try {
      const note = `${(chunk.length / 1024).toFixed(0)} KB appended to the largest transcript (${fmtMB(largest.size)}); the full walk due; baseline: nothing changed`
      const [appSync, noSync] = await interleave(runs, append(walking), walking)
      rows.push(versus('append, then `cs sync`', appSync, noSync, 'ms', null, note))
    } finally {
      fs.truncateSync(largest.path, largest.size) // the cached corpus stays as it was made
    }
    return rows
  } finally {
    box.remove()
  }
}

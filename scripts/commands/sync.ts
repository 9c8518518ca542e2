// cs sync: brings the index up to date with the transcripts on disk, then, when a shared store is
// configured, pushes this host's changed rows and pulls the other hosts'. Run from a tmux hook and
// from cron in the background, so quiet unless asked.
import { existsSync } from 'node:fs'
import { defineCommand, type Flags } from '../../lib/command.ts'
import { JSON_OPTION } from '../../lib/flags.ts'
import type { Config } from '../../lib/config.ts'
import { plural, print } from '../../lib/format.ts'
import { say } from '../../lib/stdout.ts'
import { backgroundDone } from '../../lib/background.ts'
import { fullWalkDue, indexTranscripts, nothingRead, type IndexReport } from '../../lib/indexer.ts'
import { readLive } from '../../lib/live.ts'
import { dbPath, projectsDir } from '../../lib/paths.ts'
import { pickerCachePath } from '../../lib/picker-cache.ts'
import { publishPush, pushOption, pushStale } from '../../lib/push-trigger.ts'
import { indexChanged, indexOptions, refreshPickerCache, withSessions, type IndexRun } from '../../lib/sessions.ts'
import { openLocalStore } from '../../lib/stores.ts'
import { noteOffline, pull, push, rowsToPush, withPushLock, type PullReport, type PushReport } from '../../lib/sync.ts'
import { CsError, usageError } from '../../lib/errors.ts'
import { jsonText, quoted } from '../../lib/untrusted.ts'

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 1)} MB`

/** How long a sync waits for another push of this host to finish. */
const LOCK_WAIT_MS = 30_000

interface SharedReport {
  where: string
  push: PushReport | null
  pull: PullReport | null
}

/** Indexes (`index`), then pushes unless `only` is pull, then pulls unless it is push; `indexed`
 *  gets what the index read. A push holds this host's push lock from before it reads live state
 *  until it is written: a push that read older state can never come after one that read newer.
 *  The panes bin/cs listed stand for that read when no push took the lock since (withPushLock).
 *  A server that fails is noted offline. */
async function syncShared(
  config: Config,
  only: 'push' | 'pull' | null,
  index: IndexRun,
  indexed: (r: IndexReport) => void,
  tmux: string[]
): Promise<SharedReport | null> {
  const run = (fresh: boolean) =>
    withSessions(config, async (s) => {
      indexed(s.indexed)
      const shared = await s.shared().catch((e) => {
        if (e instanceof CsError) noteOffline(s.store, config, e.message)
        throw e
      })
      if (!shared) return null
      try {
        let pushed = only === 'pull' ? null : await push(config, s.store, shared, rowsToPush(config, s, new Date()))
        const pulled = only === 'push' ? null : await pull(config, s.store, shared)
        // the server lost this host's pushes: all of them again, now
        if (pulled?.lost && only === null) pushed = await push(config, s.store, shared, rowsToPush(config, s, new Date()))
        return { where: shared.where, push: pushed, pull: pulled }
      } catch (e) {
        if (e instanceof CsError) noteOffline(s.store, config, e.message)
        throw e
      }
    }, { index, connect: true, freshensBlocks: true, tmux, tmuxNeeded: fresh ? (panes) => pushStale(config, panes) : undefined })
  if (only === 'pull') return run(true)
  return withPushLock(config, LOCK_WAIT_MS, (before) => run(before !== null && before === config.panesTaken))
}

export default defineCommand({
  usage: 'sync [--verbose] [--full] [--push | --pull] [--json]',
  maxArgs: 0,
  summary:
    'Index what changed in the transcripts since the last run and refresh the picker; with a shared\n' +
    "store, push this host's changed sessions and copy the other hosts' (quiet unless asked).",
  details: [
    '  -v, --verbose  say what was read, pushed and pulled, and name documents refused',
    '      --full     read every transcript again from the start',
    "      --push     only push this host's changes (what the hook runs when a state changes)",
    "      --pull     only copy the other hosts' changes (what a dashboard that stopped waiting runs)",
    '      --json     print the report as JSON',
  ].join('\n'),
  options: {
    ...JSON_OPTION,
    verbose: { type: 'boolean', short: 'v' },
    full: { type: 'boolean' },
    push: { type: 'boolean' },
    pull: { type: 'boolean' },
    background: { type: 'boolean' }, // the walk alone, started by a dashboard that found it due (lib/background.ts)
  },
  async run({ config, flags }) {
    try {
      return await sync(config, flags)
    } finally {
      if (flags.background) backgroundDone(config, 'walk')
    }
  },
})

/** The index alone: as withSessions runs it (SessionsOptions.index), without building the
 *  dashboard's rows (the first dashboard does); the picker's cache rewritten when something was
 *  read. */
function indexAlone(config: Config, index: IndexRun, tmux: string[]): IndexReport {
  const store = openLocalStore(config)
  try {
    const live = readLive(config, tmux, (panes) => pushStale(config, panes))
    const ids = live.flatMap((l) => (l.id ? [l.id] : []))
    const report = indexTranscripts(config, store, indexOptions(index, ids))
    if (indexChanged(report) || !existsSync(pickerCachePath(config))) refreshPickerCache(config, store, live)
    // the blocks of the rows it changed built here, not by the next cs ls --json
    if (indexChanged(report)) store.freshenBlocks()
    return report
  } finally {
    store.close()
  }
}

async function sync(config: Config, flags: Flags): Promise<void> {
  if (flags.push && flags.pull) throw usageError('give --push or --pull, not both')
  const only = flags.push ? 'push' : flags.pull ? 'pull' : null
  // What every command that shows sessions stats (lib/indexer.ts), and the stat of every file
  // when it is due; --push and --pull index no more than a dashboard does.
  const index = only ? 'hot' : flags.full ? 'again' : 'due'
  // Nothing to index and nothing indexed: Claude Code has not run here yet.
  const idle = !existsSync(projectsDir(config)) && !existsSync(dbPath(config))
  let report = nothingRead()
  // @cs-push set (or cleared) in the first tmux call that reads live state, else on its own
  const publish = pushOption(config)
  let shared: SharedReport | null = null
  try {
    if (!config.shared || flags.background) {
      // the sync a dashboard starts in the background is for the walk alone
      if (!idle && !only) report = indexAlone(config, index, publish)
      else await publishPush(config)
    } else {
      // a walk of every file runs before the push lock is taken: a hook's push never waits for it
      const walk = !only && (index === 'again' || fullWalkDue(config, Date.now()))
      if (walk) report = indexAlone(config, index, publish)
      shared = await syncShared(config, only, walk ? 'hot' : index, (r) => {
        if (!walk) report = r
      }, walk ? [] : publish)
    }
  } finally {
    if (only === 'pull') backgroundDone(config, 'pull')
  }
  if (report.unreadable.length)
    say(`warning: ${plural(report.unreadable.length, 'project folder')} cannot be read, ${report.unreadable.map(quoted).join(', ')}: their sessions are shown as last read (check the folders' permissions)`)
  if (flags.json) print(jsonText(shared ? { ...report, shared } : report))
  else if (flags.verbose) {
    print(
      `${report.seen} transcripts: ${report.read} read (${mb(report.bytes)}), ${report.dropped} dropped; ` +
        `${report.unknownRecords} unknown records, ${report.badLines} bad lines in what was read`
    )
    if (shared) {
      const { push: p, pull: q } = shared
      print(`shared store ${shared.where}` + (p ? `: pushed ${p.rows} rows, ${p.gone} gone, ${p.meta} names/tags/deletions` + (p.stale ? `, ${p.stale} already newer` : '') : ''))
      if (q) {
        print(`pulled ${q.rows} rows, ${q.gone} gone, ${q.meta} names/tags/deletions from ${q.hosts} other hosts`)
        if (q.skipped.length) print(`refused ${q.skipped.length} documents:\n${q.skipped.map((x) => `  ${x}`).join('\n')}`)
      }
    }
  }
}

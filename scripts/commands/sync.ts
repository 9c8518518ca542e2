// cs sync: brings the index up to date with the transcripts on disk. Run from a tmux hook in
// the background, so quiet unless asked.
import { existsSync } from 'node:fs'
import { defineCommand } from '../../lib/command.ts'
import { print } from '../../lib/format.ts'
import { indexTranscripts, type IndexReport } from '../../lib/indexer.ts'
import { readLive } from '../../lib/live.ts'
import { dbPath, projectsDir } from '../../lib/paths.ts'
import { pickerCachePath } from '../../lib/picker-cache.ts'
import { indexChanged, refreshPickerCache } from '../../lib/sessions.ts'
import { openStore } from '../../lib/store-sqlite.ts'

const EMPTY: IndexReport = { seen: 0, read: 0, bytes: 0, dropped: 0, unknownRecords: 0, badLines: 0 }

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 1)} MB`

export default defineCommand({
  usage: 'sync [--verbose] [--full] [--json]',
  summary: 'index what changed in the transcripts since the last run and refresh the picker (quiet unless asked)',
  details: [
    '  -v, --verbose  say what was read',
    '      --full     read every transcript again from the start',
    '      --json     print the report as JSON',
  ].join('\n'),
  options: {
    verbose: { type: 'boolean', short: 'v' },
    full: { type: 'boolean' },
  },
  run({ config, flags }) {
    // Nothing to index and nothing indexed: Claude Code has not run here yet.
    const idle = !existsSync(projectsDir(config)) && !existsSync(dbPath(config))
    let report = EMPTY
    if (!idle) {
      const store = openStore(config)
      try {
        report = indexTranscripts(config, store, { full: Boolean(flags.full) })
        if (indexChanged(report) || !existsSync(pickerCachePath(config)))
          refreshPickerCache(config, store, readLive(config))
      } finally {
        store.close()
      }
    }
    if (flags.json) print(JSON.stringify(report))
    else if (flags.verbose)
      print(
        `${report.seen} transcripts: ${report.read} read (${mb(report.bytes)}), ${report.dropped} dropped; ` +
          `${report.unknownRecords} unknown records, ${report.badLines} bad lines in what was read`
      )
  },
})

// cs doctor: checks the set-up, and names the transcripts holding lines cs did not understand,
// so that a change of Claude Code's format is noticed instead of silently producing garbage.
import { existsSync } from 'node:fs'
import { defineCommand } from '../../lib/command.ts'
import type { Config } from '../../lib/config.ts'
import { CsError, EXIT } from '../../lib/errors.ts'
import { colors, print, useColor } from '../../lib/format.ts'
import { indexTranscripts } from '../../lib/indexer.ts'
import { findOnPath, projectsDir } from '../../lib/paths.ts'
import type { Store } from '../../lib/store.ts'
import { openLocalStore, openStores } from '../../lib/stores.ts'
import { skippedDocs } from '../../lib/sync.ts'

type Level = 'ok' | 'warn' | 'fail'

interface Check {
  level: Level
  what: string
  detail: string
}

interface FileProblem {
  path: string
  unknownRecords: number
  badLines: number
}

// prettier-ignore
const PROGRAMS = (config: Config): [bin: string, missing: Level, why: string][] => [
  [config.claudeBin, 'fail', 'cs launches it (install Claude Code, or point CS_CLAUDE at it)'],
  ['tmux', 'fail', 'cs keeps live sessions in tmux (apt-get install tmux)'],
  ['fzf', 'warn', 'cs resume falls back to a numbered list (apt-get install fzf)'],
]

function checkStore(config: Config, checks: Check[]): FileProblem[] {
  let store: Store | undefined
  try {
    store = openLocalStore(config)
    const { location, problems } = store.check()
    const detail = [location, ...problems].join('; ')
    checks.push({ level: problems.length ? 'fail' : 'ok', what: 'database', detail })
    indexTranscripts(config, store)
    const all = store.transcripts()
    const bad = all.filter((t) => t.unknownRecords > 0 || t.badLines > 0)
    checks.push({
      level: bad.length ? 'warn' : 'ok',
      what: 'transcripts',
      detail: bad.length
        ? `${bad.length} of ${all.length} hold lines cs did not understand (a format change?)`
        : `${all.length} sessions, every line understood`,
    })
    return bad.map(({ path, unknownRecords, badLines }) => ({ path, unknownRecords, badLines }))
  } catch (e) {
    if (!(e instanceof CsError)) throw e
    checks.push({ level: 'fail', what: 'database', detail: `${e.message}${e.hint ? `: ${e.hint}` : ''}` })
    return []
  } finally {
    store?.close()
  }
}

/** The shared store: configured, reachable (password never shown), documents it refused. */
async function checkShared(config: Config, checks: Check[]): Promise<void> {
  if (!config.shared) return
  const stores = openStores(config)
  try {
    const { count, latest } = skippedDocs(stores.local)
    const shared = await stores.shared(3000)
    checks.push({ level: 'ok', what: 'shared store', detail: `${shared!.where} answers; ${stores.local.hosts().length} other hosts copied` })
    if (count)
      checks.push({ level: 'warn', what: 'shared documents', detail: `${count} refused (not acted on), latest: ${latest.slice(0, 5).join('; ')}` })
  } catch (e) {
    if (!(e instanceof CsError)) throw e
    checks.push({ level: 'fail', what: 'shared store', detail: `${e.message}${e.hint ? `: ${e.hint}` : ''}` })
  } finally {
    await stores.close()
  }
}

export default defineCommand({
  usage: 'doctor [--json]',
  summary: 'check the set-up and report transcript lines cs did not understand',
  details: '      --json  print the checks and the files as JSON',
  async run({ config, flags }) {
    const checks: Check[] = []
    const projects = projectsDir(config)
    const found = existsSync(projects)
    checks.push({
      level: found ? 'ok' : 'fail',
      what: 'transcripts folder',
      detail: found ? projects : `${projects} does not exist: run claude once, or set CLAUDE_CONFIG_DIR`,
    })
    for (const [bin, missing, why] of PROGRAMS(config)) {
      const path = findOnPath(config, bin)
      checks.push({ level: path ? 'ok' : missing, what: bin, detail: path ?? `not found on PATH: ${why}` })
    }
    const files = checkStore(config, checks)
    await checkShared(config, checks)
    const failed = checks.some((c) => c.level === 'fail')

    if (flags.json) print(JSON.stringify({ ok: !failed, checks, files }, null, 2))
    else {
      const c = colors(useColor(config))
      const paint = { ok: c.green, warn: c.yellow, fail: c.red }
      const width = Math.max(...checks.map((k) => k.what.length))
      for (const k of checks) print(`${paint[k.level](k.level.padEnd(4))}  ${k.what.padEnd(width)}  ${k.detail}`)
      for (const f of files) print(`      ${f.path}: ${f.unknownRecords} unknown records, ${f.badLines} bad lines`)
    }
    return failed ? EXIT.failure : EXIT.ok
  },
})

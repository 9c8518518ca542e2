// cs doctor: checks every part of the set-up, each problem with its fix, and reports format
// drift (record types and fields of recent transcripts that cs does not know), so that a change
// of Claude Code's format is noticed instead of silently producing garbage.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { agentKeys } from '../../lib/agent.ts'
import { defineCommand } from '../../lib/command.ts'
import { JSON_OPTION } from '../../lib/flags.ts'
import type { Config } from '../../lib/config.ts'
import { renderChecks, runChecks, type Check, type DoctorCheck } from '../../lib/doctor.ts'
import { currentCrontab } from '../../lib/cron.ts'
import { DriftCounter, type Drift } from '../../lib/drift.ts'
import { CsError, EXIT } from '../../lib/errors.ts'
import { colors, plural, print, useColor } from '../../lib/format.ts'
import { hookScript, hookSettings } from '../../lib/hooks.ts'
import { indexTranscripts } from '../../lib/indexer.ts'
import { findOnPath, isSessionFile, pluginScript, pluginVariable, projectsDir, readable } from '../../lib/paths.ts'
import { nodeCheck, programChecks } from '../../lib/programs.ts'
import { INSTALL } from '../../lib/install-hints.ts'
import { notAFile, readRegular, statOf } from '../../lib/regular-file.ts'
import { journalPath, readJournal } from '../../lib/journal.ts'
import { LOOK_CALL, remoteCs, sshRun } from '../../lib/ssh.ts'
import { openLocalStore, openStores } from '../../lib/stores.ts'
import { skippedDocs } from '../../lib/sync.ts'
import { cleanText, jsonText } from '../../lib/untrusted.ts'
import { FIELDS } from '../../lib/pane-row.ts'
import { pluginFile, tmuxConfStatus, tmuxLine } from '../../lib/install.ts'
import { shellLine, shellWord } from '../../lib/quote.ts'
import { socketArgs, Tmux } from '../../lib/tmux.ts'

const clean = (text: string) => cleanText(text) ?? ''

interface FileProblem {
  path: string
  unknownRecords: number
  badLines: number
}

/** Filled by the checks that find them, printed after the table. */
interface Findings {
  files: FileProblem[]
  drift: Drift | null
}

const RECENT_DAYS = 7
const RECENT_FILES = 200
const MAX_READ = 64 * 1024 * 1024

function transcriptsFolder(config: Config): Check[] {
  const projects = projectsDir(config)
  if (existsSync(projects)) return [{ level: 'ok', what: 'transcripts folder', detail: projects }]
  return [
    {
      level: 'fail',
      what: 'transcripts folder',
      detail: `${projects} does not exist`,
      fix: 'run claude once, or set CLAUDE_CONFIG_DIR to where it keeps its files',
    },
  ]
}

const size = (bytes: number) =>
  bytes < 1 << 20 ? `${Math.ceil(bytes / 1024)} kB` : `${(bytes / (1 << 20)).toFixed(1)} MB`

/** Integrity, schema and size of the local store; then the index brought up to date, and the
 *  transcripts holding lines the parser did not understand. */
function store(found: Findings) {
  return (config: Config): Check[] => {
    const s = openLocalStore(config)
    try {
      const { location, schema, bytes, problems } = s.check()
      // an unwritable store is fixed where it lies (its hint), a damaged one by a rebuild
      const fix = s.readOnly()?.hint ?? `move ${location.split(' ')[0]} away: the next cs command rebuilds the index`
      const checks: Check[] = [
        problems.length
          ? { level: 'fail', what: 'database', detail: `${location}: ${problems.join('; ')}`, fix }
          : { level: 'ok', what: 'database', detail: `${location}, schema ${schema}, ${size(bytes)}, integrity ok` },
        journal(config),
      ]
      indexTranscripts(config, s)
      const all = s.transcripts()
      found.files = all
        .filter((t) => t.unknownRecords > 0 || t.badLines > 0)
        .map(({ path, unknownRecords, badLines }) => ({ path, unknownRecords, badLines }))
      checks.push({
        level: found.files.length ? 'warn' : 'ok',
        what: 'transcripts',
        detail: found.files.length
          ? `${found.files.length} of ${all.length} hold lines cs did not understand (a format change?)`
          : `${plural(all.length, 'session')}, every line understood`,
        ...(found.files.length ? { fix: 'see format drift below; a newer cs may know them' } : {}),
      })
      return checks
    } finally {
      s.close()
    }
  }
}

/** The tmux plugin: the config line that loads it, and whether the running server (if any) has
 *  loaded it from this checkout (it publishes its scripts' paths when it loads). */
function plugin(config: Config): Check[] {
  if (!findOnPath(config, 'tmux')) return []
  const conf = tmuxConfStatus(config)
  const checks: Check[] = [
    conf.loads
      ? { level: 'ok', what: 'tmux plugin', detail: `${conf.file} loads it` }
      : { level: 'warn', what: 'tmux plugin', detail: `${conf.file} does not load it (no picker key, no states in the status bar)`, fix: `add this line to it: ${tmuxLine()}` },
  ]
  // the option's name as the plugin has it, from the one file that names its options
  const option = pluginVariable('picker_script_option')
  if (!option) return checks
  const published = new Tmux(config.tmuxSocket).try('show-options', '-gqv', option)
  if (published === null) return checks // no tmux server running: nothing loaded yet
  const picker = pluginScript('picker.sh')
  const loaded = published.trim()
  if (loaded === picker) checks.push({ level: 'ok', what: 'tmux server', detail: 'the running server has loaded the plugin' })
  else
    checks.push({
      level: 'warn',
      what: 'tmux server',
      detail: loaded ? `the running server loaded the plugin of another checkout (${loaded})` : 'the running server has not loaded the plugin',
      fix: `${shellLine(['tmux', ...socketArgs(config.tmuxSocket), 'run-shell', shellWord(pluginFile())])}   (or source ${shellWord(conf.file)} again)`,
    })
  return checks
}

/** The journal that puts names, tags, deletions and launch records back into a rebuilt database:
 *  a file, every line of it read. */
function journal(config: Config): Check {
  const path = journalPath(config)
  const notFile = notAFile(path, "cs's journal")
  if (notFile) return { level: 'fail', what: 'journal', detail: notFile.message, fix: notFile.hint }
  const journal = readJournal(path)
  if (journal === null)
    return { level: 'fail', what: 'journal', detail: `${path} cannot be read: a rebuilt database would lack the names, tags and launch records it holds`, fix: `check its owner and permissions: ls -l ${shellWord(path)}` }
  const { ops, skipped } = journal
  const read = `${path}, ${plural(ops.length, 'change')}`
  return skipped
    ? { level: 'warn', what: 'journal', detail: `${read}; ${plural(skipped, 'line')} cs cannot read, left out of a rebuild`, fix: 'cs writes whole lines: these were cut by a crash or edited by hand; look at them' }
    : { level: 'ok', what: 'journal', detail: read }
}

/** The settings file cs launches claude with, and the hook run for real against a private tmux
 *  server: a UserPromptSubmit must turn the pane WORKING. */
function hooks(config: Config): Check[] {
  const checks: Check[] = []
  const script = hookScript()
  const file = join(config.stateDir, 'claude-settings.json')
  const current = readRegular(file)
  if (current !== null && current !== hookSettings(script))
    checks.push({ level: 'warn', what: 'hook settings', detail: `${file} names another hook than ${script}`, fix: 'the next `cs launch` rewrites it; sessions running now keep the old hook' })
  else checks.push({ level: 'ok', what: 'hook settings', detail: current === null ? `${file} (written by the first cs launch)` : file })

  if (!findOnPath(config, 'tmux')) return checks
  // a private server, of no configuration: the user's own would decide nothing here
  const tmux = new Tmux(`cs-doctor-${process.pid}`)
  let socketPath = ''
  try {
    let pane
    try {
      const shown = tmux.run('-f', '/dev/null', 'new-session', '-d', '-s', 'doctor', '-P', '-F', '#{socket_path}|#{pane_id}', 'sleep 60')
      ;[socketPath, pane] = shown.trim().split('|')
    } catch (e) {
      checks.push({ level: 'warn', what: 'hook self-test', detail: `could not start a private tmux server: ${e instanceof CsError ? e.message : String(e)}` })
      return checks
    }
    const payload = JSON.stringify({ hook_event_name: 'UserPromptSubmit', session_id: 'cs-doctor', prompt: 'self-test' })
    const run = spawnSync('sh', [script, 'UserPromptSubmit'], {
      input: payload,
      env: { ...process.env, TMUX: `${socketPath},0,0`, TMUX_PANE: pane },
      encoding: 'utf8',
      timeout: 10_000,
    })
    const state = tmux.try('show-options', '-pqv', '-t', pane, FIELDS.state)?.trim()
    checks.push(
      state === 'working'
        ? { level: 'ok', what: 'hook self-test', detail: `${script} UserPromptSubmit turned a pane WORKING` }
        : {
            level: 'fail',
            what: 'hook self-test',
            detail: `${script} left the pane's state ${state ? `'${state}'` : 'unset'}${run.error ? ` (${run.error.message})` : ''}`,
            fix: `check that the script exists and that sh and tmux run it: ${shellLine(['sh', script, 'UserPromptSubmit'])}`,
          }
    )
    return checks
  } finally {
    tmux.try('kill-server')
    if (socketPath) rmSync(socketPath, { force: true }) // tmux may leave its socket file behind
  }
}

/** cs's ssh agent, and every host of the hosts list asked at once for its cs version (each
 *  within the look timeout over cs's own ssh options). */
async function hosts(config: Config): Promise<Check[]> {
  if (config.hosts.length === 0) return [{ level: 'ok', what: 'hosts', detail: 'no hosts list (this machine, and the shared store if any)' }]
  const keys = agentKeys(config)
  const checks: Check[] = [
    keys === null
      ? { level: 'warn', what: 'ssh agent', detail: `none at ${config.agentSocket}: ssh uses your own agent or keys`, fix: 'cs agent, then cs add-key' }
      : { level: 'ok', what: 'ssh agent', detail: `${config.agentSocket}, ${keys.length} keys` },
  ]
  const others = config.hosts.filter((h) => h.name !== config.host)
  const answers = await Promise.all(
    others.map((h) =>
      sshRun(config, h, [remoteCs(h), '--version'], LOOK_CALL).then(
        (r): Check =>
          r.status === 0
            ? { level: 'ok', what: `host ${h.name}`, detail: `${h.ssh}: ${clean(r.stdout.trim().slice(0, 40))}` }
            : { level: 'fail', what: `host ${h.name}`, detail: `${h.ssh}: cs --version exited ${r.status}`, fix: 'cs update --all' },
        (e: unknown): Check => ({
          level: 'fail',
          what: `host ${h.name}`,
          detail: e instanceof CsError ? e.message : String(e),
          ...(e instanceof CsError && e.hint ? { fix: e.hint } : {}),
        })
      )
    )
  )
  return [...checks, ...answers]
}

/** A crontab line running `cs sync` keeps the shared view fresh while no session closes. */
function crontab(config: Config): Check[] {
  let tab: string | null = null // null: no crontab program
  try {
    tab = currentCrontab()
  } catch (e) {
    if (!(e instanceof CsError && e.reason === 'not-installed')) tab = ''
  }
  // cs cron's line, or one of the user's own
  const line = tab?.split('\n').find((l) => !l.trimStart().startsWith('#') && /\bcs\b.*\bsync\b/.test(l))
  if (line) return [{ level: 'ok', what: 'crontab', detail: line.trim() }]
  // with a hosts list and no shared store, other hosts ask this one over ssh as they list
  if (!config.shared) {
    const why = config.hosts.length ? 'a hosts list: the other hosts ask this one over ssh' : 'one machine: the plugin syncs when a session closes'
    return [{ level: 'ok', what: 'crontab', detail: `no \`cs sync\` line (${why})` }]
  }
  if (tab === null)
    return [{ level: 'warn', what: 'crontab', detail: 'crontab is not installed: other hosts see this one only when a tmux session closes', fix: `install cron (${INSTALL.cron}), then cs cron on` }]
  return [{ level: 'warn', what: 'crontab', detail: 'no `cs sync` line: other hosts see this one only when a tmux session closes', fix: 'cs cron on (adds the line)' }]
}

/** The transcripts written in the last days, newest first, regular files only. */
function recentTranscripts(config: Config): string[] {
  const since = Date.now() - RECENT_DAYS * 86_400_000
  const found: [path: string, mtime: number][] = []
  const root = projectsDir(config)
  // as the indexer reads them: a symlink only when it resolves inside the projects folder
  const entries = (dir: string) => {
    try {
      return readdirSync(dir, { withFileTypes: true }).filter((d) => readable(d, join(dir, d.name), root))
    } catch {
      return [] // not a folder
    }
  }
  for (const folder of entries(root)) {
    for (const file of entries(join(root, folder.name))) {
      if (!isSessionFile(file.name)) continue
      const path = join(root, folder.name, file.name)
      const st = statOf(path)
      if (st?.isFile() && st.mtimeMs >= since && st.size <= MAX_READ) found.push([path, st.mtimeMs])
    }
  }
  return found
    .sort((a, b) => b[1] - a[1])
    .slice(0, RECENT_FILES)
    .map(([p]) => p)
}

function drift(found: Findings) {
  return (config: Config): Check[] => {
    const counter = new DriftCounter()
    for (const path of recentTranscripts(config)) {
      const text = readRegular(path, MAX_READ)
      if (text !== null) counter.addFile(text) // else gone or unreadable since the listing
    }
    const d = (found.drift = counter.report())
    const scope = `${d.files} transcripts of the last ${RECENT_DAYS} days, ${d.lines} lines`
    if (!d.types.length && !d.fields.length && !d.badLines)
      return [{ level: 'ok', what: 'format drift', detail: `${scope}: every record type and field known` }]
    const parts = [
      d.types.length && `${d.types.length} unknown record types`,
      d.fields.length && `${d.fields.length} unknown fields`,
      d.badLines && `${d.badLines} lines that are not JSON objects`,
    ].filter(Boolean)
    return [{ level: 'warn', what: 'format drift', detail: `${scope}: ${parts.join(', ')}`, fix: 'cs ignores them; if titles or counts look wrong, a newer cs may read them (report the lines below)' }]
  }
}

/** The shared store: configured, reachable (password never shown), documents it refused. */
async function shared(config: Config): Promise<Check[]> {
  if (!config.shared) return [{ level: 'ok', what: 'shared store', detail: 'none configured (this machine alone)' }]
  const stores = openStores(config)
  const checks: Check[] = []
  try {
    const { count, latest } = skippedDocs(stores.local)
    const s = await stores.shared(3000)
    checks.push({ level: 'ok', what: 'shared store', detail: `${s!.where} answers; ${stores.local.hosts().length} other hosts copied` })
    if (count)
      checks.push({ level: 'warn', what: 'shared documents', detail: `${count} refused (not acted on), latest: ${latest.slice(0, 5).join('; ')}` })
  } catch (e) {
    if (!(e instanceof CsError)) throw e
    checks.push({ level: 'fail', what: 'shared store', detail: e.message, ...(e.hint ? { fix: e.hint } : {}) })
  } finally {
    await stores.close()
  }
  return checks
}

export default defineCommand({
  usage: 'doctor [--json]',
  maxArgs: 0,
  summary: 'check the set-up, each problem with its fix, and report format drift',
  details: [
    'Checks Node, tmux, claude, fzf and git (found, versions), the transcripts folder, the',
    'database (integrity, schema, size), the hook (run for real on a private tmux server), the',
    `crontab line, and the record types and fields of the last ${RECENT_DAYS} days' transcripts that cs`,
    'does not know, with counts and the Claude Code versions that wrote them. Exit 1 on a failure.',
    '      --json  print {ok, checks, files, drift} as JSON',
  ].join('\n'),
  options: JSON_OPTION,
  reportsBrokenConfig: true,
  async run({ config, flags, brokenConfig }) {
    const found: Findings = { files: [], drift: null }
    // One entry a part of the set-up; a check of the shared store or of the hosts is one more.
    const CHECKS: [string, DoctorCheck][] = [
      // a config.json cs cannot use: said, and the rest checked without it
      ['config', () => [brokenConfig ? { level: 'fail', what: 'config', detail: brokenConfig.message, ...(brokenConfig.hint ? { fix: brokenConfig.hint } : {}) } : { level: 'ok', what: 'config', detail: config.configFile }]],
      ['node', () => [nodeCheck()]],
      ['programs', programChecks],
      ['transcripts folder', transcriptsFolder],
      ['database', store(found)],
      ['hooks', hooks],
      ['tmux plugin', plugin],
      ['shared store', shared],
      ['hosts', hosts],
      ['crontab', crontab],
      ['format drift', drift(found)],
    ]
    const checks = await runChecks(config, CHECKS)
    const failed = checks.some((c) => c.level === 'fail')

    if (flags.json) {
      print(jsonText({ ok: !failed, checks, files: found.files, drift: found.drift }))
      return failed ? EXIT.failure : EXIT.ok
    }
    const c = colors(useColor(config))
    for (const line of renderChecks(checks, c)) print(line)
    for (const f of found.files) print(`      ${clean(f.path)}: ${f.unknownRecords} unknown records, ${f.badLines} bad lines`)
    const d = found.drift
    for (const [label, list] of [['record type', d?.types ?? []], ['field', d?.fields ?? []]] as const)
      for (const e of list)
        print(`      ${label} ${clean(e.what)}: ${e.count} times in ${e.files} files, Claude Code ${e.versions.map(clean).join(', ') || 'version unknown'}`)
    return failed ? EXIT.failure : EXIT.ok
  },
})

// `cs purge`: irreversible deletion of transcripts and cs's records of them. Everything removed
// must resolve inside Claude's projects folder; protected sessions need their full id.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { defineCommand, type Flags } from '../../lib/command.ts'
import { confirm } from '../../lib/confirm.ts'
import type { Config } from '../../lib/config.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { HOST_OPTION, hostFlag, isSet } from '../../lib/flags.ts'
import { plural, print, printViews, report } from '../../lib/format.ts'
import { assertRemovable, projectsDir } from '../../lib/paths.ts'
import type { SessionView } from '../../lib/session.ts'
import { withSessions, type Sessions } from '../../lib/sessions.ts'
import { MIN } from '../../lib/shortid.ts'
import { sessionFiles } from '../../lib/trash.ts'
import { isProtected } from '../../lib/views.ts'
import { say } from '../../lib/stdout.ts'

export default defineCommand({
  usage: 'purge PATTERN… [--yes] [--json] | purge --orphans [--yes] [--json]',
  summary:
    'Delete sessions for good: their transcripts, their <id>/ folders and all cs knows of them.\n' +
    'There is no undo (`cs rm` is the soft delete).',
  details: [
    '  PATTERN         a full session id, an id prefix (at least 4 characters), an exact session',
    "                  name, or an exact project name (the last part of the session's folder).",
    '                  Live, named and tagged sessions are kept unless given by their full id.',
    '  --orphans       instead: remove whole project folders under projects/ whose recorded',
    '                  working folder (read from the transcripts inside) no longer exists',
    '  -y, --yes       do it without asking (otherwise asked on a terminal, else refused)',
    '  --host NAME     must be this host: purge deletes only files of this machine',
    '  --json          {purged, kept} instead of sentences',
  ].join('\n'),
  options: { orphans: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' }, ...HOST_OPTION },
  run: ({ config, flags, positionals }) => {
    const host = hostFlag(flags, config)
    if (host !== undefined && host !== config.host)
      throw new CsError(`purge deletes files of this host only, not of ${host}`, EXIT.failure, `run cs purge on ${host}`)
    if (isSet(flags, 'orphans')) {
      if (positionals.length) throw usageError('purge --orphans takes no pattern')
      return withSessions(config, (s) => purgeFolders(config, flags, s))
    }
    if (positionals.length === 0)
      throw usageError('purge wants at least one pattern', 'cs purge ID')
    return withSessions(config, (s) => purgeSessions(config, flags, s, positionals))
  },
})

async function purgeSessions(config: Config, flags: Flags, s: Sessions, patterns: string[]) {
  const matched = new Map<string, { v: SessionView; explicit: boolean }>()
  const unmatched = patterns.filter((p) => {
    // another host's sessions are never purged from here: their files are there
    const hits = s.views.filter(
      (v) => v.id && v.host === config.host && ((p.length >= MIN && v.id.startsWith(p)) || v.name === p || v.project === p)
    )
    for (const v of hits)
      matched.set(v.id, { v, explicit: matched.get(v.id)?.explicit || v.id === p })
    return hits.length === 0
  })
  if (unmatched.length)
    throw new CsError(
      `nothing matches ${unmatched.map((p) => `'${p}'`).join(', ')}`,
      EXIT.failure,
      'nothing was deleted; `cs ls --all` shows ids, names and projects'
    )
  const all = [...matched.values()]
  const kept = all.filter((m) => !m.explicit && isProtected(m.v)).map((m) => m.v)
  const doomed = all.filter((m) => (m.explicit || !isProtected(m.v)) && m.v.path).map((m) => m.v)
  if (kept.length)
    say(
      `keeping live, named or tagged ${kept.map((v) => v.short).join(', ')} (a full id purges one)`
    )
  if (doomed.length === 0)
    throw new CsError(
      'nothing to purge',
      EXIT.failure,
      'live, named and tagged sessions go only by their full id'
    )
  // every path checked before anything goes: a refusal leaves all in place
  const files = doomed.map((v) =>
    sessionFiles(v.path!, v.id).map((p) => assertRemovable(config, p))
  )
  const json = isSet(flags, 'json')
  if (!json) printViews(config, doomed, { state: false, header: true, empty: '' })
  await go(flags, `delete ${doomed.length === 1 ? 'this session' : `these ${doomed.length} sessions`} for good?`)
  doomed.forEach((v, i) => {
    for (const path of files[i]) rmSync(path, { recursive: true, force: true })
    forget(s, v.id, v.path!)
  })
  const ids = (vs: SessionView[]) => vs.map((v) => v.id)
  report(json, `purged ${doomed.length}`, { purged: ids(doomed), kept: ids(kept) })
}

/** Project folders whose every recorded cwd is gone. Folder names are never decoded. */
async function purgeFolders(config: Config, flags: Flags, s: Sessions) {
  const root = projectsDir(config)
  const byFolder = new Map<string, SessionView[]>()
  for (const v of s.views) {
    const t = s.transcripts.get(v.id)
    if (t) byFolder.set(t.projectDir, [...(byFolder.get(t.projectDir) ?? []), v])
  }
  const gone: { folder: string; cwds: string[]; sessions: SessionView[] }[] = []
  const kept: string[] = []
  const folders = existsSync(root) ? readdirSync(root, { withFileTypes: true }) : []
  for (const entry of folders.filter((e) => e.isDirectory())) {
    const sessions = byFolder.get(entry.name) ?? []
    const cwds = [...new Set(sessions.map((v) => v.cwd).filter((c) => c !== null))]
    // no recorded cwd: nothing says the folder is gone, so it stays
    if (cwds.length === 0 || cwds.some((c) => existsSync(c))) continue
    if (sessions.some(isProtected)) kept.push(entry.name)
    else gone.push({ folder: assertRemovable(config, join(root, entry.name)), cwds, sessions })
  }
  const json = isSet(flags, 'json')
  if (kept.length)
    say(
      `keeping folders with live, named or tagged sessions (purge those by full id): ${kept.join(', ')}`
    )
  if (gone.length === 0)
    return report(json, kept.length ? 'nothing else to purge' : 'no project folder has lost its working folder', { purged: [], kept })
  if (!json)
    for (const g of gone)
      print(`${g.folder}\n    was ${g.cwds.join(', ')}: ${plural(g.sessions.length, 'session')}`)
  await go(flags, `delete ${gone.length === 1 ? 'this project folder' : `these ${gone.length} project folders`} for good?`)
  for (const g of gone) {
    rmSync(g.folder, { recursive: true, force: true })
    for (const v of g.sessions) forget(s, v.id, v.path!)
  }
  report(json, `purged ${plural(gone.length, 'project folder')}`, { purged: gone.map((g) => g.folder), kept })
}


/** Irreversible: only with --yes or a yes typed at a terminal. */
async function go(flags: Flags, question: string) {
  if (isSet(flags, 'yes') || (await confirm(question))) return
  throw new CsError('nothing deleted', EXIT.failure, 'purge is irreversible: add --yes to go ahead')
}

/** Drops the index entry and cs's own records: a purged session leaves nothing behind. */
function forget(s: Sessions, id: string, path: string) {
  s.store.forget([path])
  s.store.setName(id, null)
  s.store.setTag(id, null)
  s.store.setDeleted([id], null)
}

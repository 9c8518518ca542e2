// `cs purge`: irreversible deletion of transcripts and cs's records of them. Everything removed
// must resolve inside Claude's projects folder; protected sessions need their full id.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { defineCommand, type Flags } from '../../lib/command.ts'
import { confirm } from '../../lib/confirm.ts'
import type { Config } from '../../lib/config.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { HOST_OPTION, hostFlag, isSet, JSON_OPTION } from '../../lib/flags.ts'
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
  options: { ...JSON_OPTION, orphans: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' }, ...HOST_OPTION },
  run: ({ config, flags, positionals }) => {
    const host = hostFlag(flags, config)
    if (host !== undefined && host !== config.host)
      throw new CsError(`purge deletes files of this host only, not of ${host}`, EXIT.failure, `run cs purge on ${host}`)
    if (isSet(flags, 'orphans')) {
      if (positionals.length) throw usageError('purge --orphans takes no pattern')
      return purge(config, flags, (s) => orphanFolders(config, flags, s))
    }
    if (positionals.length === 0 || positionals.some((p) => p.trim() === ''))
      throw usageError(positionals.length ? 'an empty pattern names no session' : 'purge wants at least one pattern', 'cs purge ID')
    return purge(config, flags, (s, first) => matching(config, flags, s, positionals, first))
  },
})

/** What a purge would delete, each thing by a key (a session id, a folder) with its removal. */
interface Plan {
  doomed: Map<string, () => void>
  /** shows what would go (not under --json) */
  show: () => void
  /** said once, at the first look: what a pattern matched and purge keeps */
  keeping: string | null
  /** at the first look, when nothing is doomed: an error, or a report */
  none: () => void
  question: (n: number) => string
  done: (purged: string[]) => void
}

/**
 * Shows the plan, asks, then looks again: the answer may come minutes later, and what went live,
 * was named or tagged meanwhile (here or on another host: what they pushed is copied first), or
 * is no longer there, stays. Only what both looks found is deleted.
 */
async function purge(config: Config, flags: Flags, plan: (s: Sessions, first: boolean) => Plan) {
  const json = isSet(flags, 'json')
  const first = await withSessions(
    config,
    async (s) => {
      if (s.notice) say(s.notice)
      const p = plan(s, true)
      if (p.keeping) say(p.keeping)
      if (p.doomed.size === 0) return p.none()
      if (!json) p.show()
      await go(flags, p.question(p.doomed.size))
      return [...p.doomed.keys()]
    },
    { pull: true, index: 'walk' }
  )
  if (!first) return
  return withSessions(
    config,
    (s) => {
      const now = plan(s, false)
      const keys = first.filter((k) => now.doomed.has(k))
      const changed = first.filter((k) => !now.doomed.has(k))
      if (changed.length && !json) say(`left alone, live, named, tagged or gone since the question: ${changed.join(', ')}`)
      for (const k of keys) now.doomed.get(k)!()
      now.done(keys)
    },
    { pull: true, index: 'walk', freshensBlocks: true }
  )
}

/** Live, named or tagged, or held by a claude no view shows live (a daemon's worker): purged
 *  only by full id. */
const guarded = (s: Sessions, v: SessionView) => isProtected(v) || s.held(v.id)

/** The sessions the patterns name; at the first look, a pattern that matches nothing is an error. */
function matching(config: Config, flags: Flags, s: Sessions, patterns: string[], first: boolean): Plan {
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
  if (unmatched.length && first)
    throw new CsError(
      `nothing matches ${unmatched.map((p) => `'${p}'`).join(', ')}`,
      EXIT.failure,
      'nothing was deleted; `cs ls --all` shows ids, names and projects'
    )
  const all = [...matched.values()]
  const kept = all.filter((m) => !m.explicit && guarded(s, m.v)).map((m) => m.v)
  const doomed = all.filter((m) => (m.explicit || !guarded(s, m.v)) && m.v.path).map((m) => m.v)
  // every path checked before anything goes: a refusal leaves all in place
  const files = doomed.map((v) => sessionFiles(v.path!, v.id).map((p) => assertRemovable(config, p)))
  const ids = (vs: SessionView[]) => vs.map((v) => v.id)
  return {
    doomed: new Map(
      doomed.map((v, i) => [
        v.id,
        () => {
          for (const path of files[i]) rmSync(path, { recursive: true, force: true })
          forget(s, v.id, v.path!)
        },
      ])
    ),
    show: () => printViews(config, doomed, { state: false, header: true, empty: '' }),
    keeping: kept.length ? `keeping live, named or tagged ${kept.map((v) => v.short).join(', ')} (a full id purges one)` : null,
    none: () => {
      throw new CsError('nothing to purge', EXIT.failure, 'live, named and tagged sessions go only by their full id')
    },
    question: (n) => `delete ${n === 1 ? 'this session' : `these ${n} sessions`} for good?`,
    done: (purged) => report(isSet(flags, 'json'), `purged ${purged.length}`, { purged, kept: ids(kept) }),
  }
}

/** Project folders whose every recorded cwd is gone. Folder names are never decoded. */
function orphanFolders(config: Config, flags: Flags, s: Sessions): Plan {
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
    if (sessions.some((v) => guarded(s, v))) kept.push(entry.name)
    else gone.push({ folder: assertRemovable(config, join(root, entry.name)), cwds, sessions })
  }
  const json = isSet(flags, 'json')
  const done = (text: string, purged: string[]) => report(json, text, { purged, kept })
  return {
    doomed: new Map(
      gone.map((g) => [
        g.folder,
        () => {
          rmSync(g.folder, { recursive: true, force: true })
          for (const v of g.sessions) forget(s, v.id, v.path!)
        },
      ])
    ),
    show: () => {
      for (const g of gone) print(`${g.folder}\n    was ${g.cwds.join(', ')}: ${plural(g.sessions.length, 'session')}`)
    },
    keeping: kept.length ? `keeping folders with live, named or tagged sessions (purge those by full id): ${kept.join(', ')}` : null,
    none: () => done(kept.length ? 'nothing else to purge' : 'no project folder has lost its working folder', []),
    question: (n) => `delete ${n === 1 ? 'this project folder' : `these ${n} project folders`} for good?`,
    done: (purged) => done(`purged ${plural(purged.length, 'project folder')}`, purged),
  }
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

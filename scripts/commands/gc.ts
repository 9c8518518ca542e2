// `cs gc`: orphans left by /clear and /compact go to cs's trash; `--restore` brings them back.
import { defineCommand, type Flags } from '../../lib/command.ts'
import { confirm, interactive } from '../../lib/confirm.ts'
import type { Config } from '../../lib/config.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { fileError } from '../../lib/file-errors.ts'
import { cleanText } from '../../lib/untrusted.ts'
import { isSet, JSON_OPTION } from '../../lib/flags.ts'
import { plural, print, printViews, report } from '../../lib/format.ts'
import { trashDir } from '../../lib/paths.ts'
import type { SessionView } from '../../lib/session.ts'
import { withSessions, type Sessions } from '../../lib/sessions.ts'
import { MIN } from '../../lib/shortid.ts'
import { moveToTrash, restoreFromTrash, trashEntries, type TrashEntry } from '../../lib/trash.ts'
import { isProtected } from '../../lib/views.ts'
import { say, sayError } from '../../lib/stdout.ts'

export default defineCommand({
  usage: 'gc [--yes] [--json] | gc --restore [ID] [--json]',
  summary:
    'Find orphans (files left by /clear and /compact with no conversation of their own, and\n' +
    "files whose first records are a subagent's), show them, and move them to the trash. Live,\n" +
    'named and tagged sessions are never touched; the name /clear copies from the conversation\n' +
    'it cleared does not count as a name.',
  details: [
    '  -y, --yes       move without asking (otherwise asked on a terminal, else only listed)',
    '  --restore [ID]  put sessions back from the trash: one (id or prefix), or all',
    '  --json          {trash, orphans, moved, failed} instead of the table; with --restore,',
    '                  {restored, failed}',
  ].join('\n'),
  options: { ...JSON_OPTION, yes: { type: 'boolean', short: 'y' }, restore: { type: 'boolean' } },
  run: ({ config, flags, positionals }) => {
    const restoring = isSet(flags, 'restore')
    if (positionals.length > (restoring ? 1 : 0))
      throw restoring
        ? usageError('gc --restore takes one session, or none for all', 'cs gc --restore [ID]')
        : usageError('gc takes no session: it moves every orphan that is not named, tagged or live', 'cs gc [--yes]')
    return restoring ? restore(config, flags, positionals[0]) : collect(config, flags)
  },
})

/** The orphans gc may move: never a live or tagged one, nor a named one, nor one a claude holds
 *  (a daemon's worker, not shown live). /clear copies its parent's title into the orphan it
 *  leaves: a name that a conversation in the same folder carries too is that copy, and does not
 *  protect the orphan; any other does. */
function orphansOf(s: Sessions): SessionView[] {
  const key = (cwd: string | null, name: string | null) => `${cwd}\0${name}`
  // what a conversation is called: its name, and Claude's own title of it (what /clear copies,
  // whatever cs has called it since)
  const copied = new Set(
    s.views
      .filter((v) => !v.orphan)
      .flatMap((v) => [v.name, cleanText(s.transcripts.get(v.id)?.customTitle)].flatMap((n) => (n ? [key(v.cwd, n)] : [])))
  )
  const own = (v: SessionView) => s.meta.get(v.id)?.name != null || !copied.has(key(v.cwd, v.name))
  const kept = (v: SessionView) => s.held(v.id) || (isProtected(v) && (v.live || v.tag !== null || own(v)))
  return s.views.filter((v) => v.orphan && v.path && !kept(v))
}

async function collect(config: Config, flags: Flags) {
  const json = isSet(flags, 'json')
  const trash = trashDir(config)
  // names and tags set on other hosts protect too: what they pushed is copied first
  const { orphans, go } = await withSessions(
    config,
    async (s) => {
      if (s.notice) say(s.notice)
      const orphans = orphansOf(s)
      if (!json) printViews(config, orphans, { state: false, header: true, empty: 'no orphans' })
      const go =
        orphans.length > 0 && (isSet(flags, 'yes') || (!json && (await confirm(`move ${plural(orphans.length, 'orphan')} to ${trash}?`))))
      return { orphans, go }
    },
    { pull: true, index: 'walk' }
  )
  if (!go) {
    if (json) report(true, '', { trash, orphans, moved: [], failed: [] })
    else if (orphans.length)
      print(interactive() ? 'nothing moved' : 'nothing moved: `cs gc --yes` moves them to the trash')
    // a no at the question is not confirmed (exit 1, as purge and kill have it); with no
    // terminal gc only lists
    return orphans.length && !json && interactive() ? EXIT.failure : EXIT.ok
  }
  // looked at again after the answer, which may have come minutes later: an orphan that went
  // live, was named or tagged meanwhile stays. One that cannot be moved (a symlink out of the
  // projects folder, a busy file) is reported; the others are moved all the same.
  return withSessions(
    config,
    (s) => {
      const still = new Set(orphansOf(s).map((v) => v.id))
      const changed = orphans.filter((v) => !still.has(v.id))
      if (changed.length && !json)
        say(`left alone, live, named, tagged or gone since the question: ${changed.map((v) => v.short).join(', ')}`)
      const moved: string[] = []
      const failed: Failure[] = []
      for (const v of orphans.filter((o) => still.has(o.id)))
        noteFailure(v.id, failed, () => moved.push(moveToTrash(config, v.id, v.path!).id))
      if (json) report(true, '', { trash, orphans, moved, failed })
      else print(`moved ${moved.length} to ${trash} (undo: cs gc --restore)`)
      return failures(failed, json, 'not moved')
    },
    { pull: true, index: 'walk', freshensBlocks: true }
  )
}

function restore(config: Config, flags: Flags, query: string | undefined) {
  const all = trashEntries(config)
  let chosen: TrashEntry[] = all
  if (query !== undefined) {
    chosen = all.filter((e) => e.id === query || (query.length >= MIN && e.id.startsWith(query)))
    if (chosen.length === 0)
      throw new CsError(
        `no session '${query}' in the trash`,
        EXIT.failure,
        all.length === 0
          ? 'the trash is empty'
          : `it holds ${all.slice(0, 5).map((e) => e.id).join(', ')}${all.length > 5 ? ` and ${all.length - 5} more` : ''}`
      )
    if (new Set(chosen.map((e) => e.id)).size > 1)
      throw new CsError(
        `'${query}' is ambiguous in the trash: ${chosen.map((e) => e.id).join(', ')}`,
        EXIT.failure,
        'give a longer id prefix'
      )
  }
  const ids: string[] = []
  const failed: Failure[] = []
  for (const e of chosen) noteFailure(e.id, failed, () => (restoreFromTrash(config, e), ids.push(e.id)))
  if (query === undefined)
    for (const dir of all.unreadable)
      failed.push({ id: dir, error: `${dir}: its manifest is missing or damaged`, hint: 'look inside; cs leaves it alone' })
  const json = isSet(flags, 'json')
  const empty = chosen.length === 0 && failed.length === 0
  report(json, ids.length ? `restored ${ids.join(', ')}` : empty ? 'the trash is empty' : 'nothing restored', {
    restored: ids,
    failed,
  })
  return failures(failed, json, 'not restored')
}

interface Failure {
  id: string
  error: string
  hint?: string
}

/** Runs one session's move, noting a CsError or file error as a failure of that session only. */
function noteFailure(id: string, failed: Failure[], fn: () => unknown): void {
  try {
    fn()
  } catch (e) {
    const err = fileError(e) ?? e
    if (!(err instanceof CsError)) throw e
    failed.push({ id, error: err.message, hint: err.hint })
  }
}

/** Each failure on stderr (not under --json, which holds them); exit 1 when there was one. */
function failures(failed: Failure[], json: boolean, what: string): number {
  if (!json)
    for (const f of failed) sayError(new CsError(`${what}: ${f.error}`, undefined, f.hint))
  return failed.length ? EXIT.failure : EXIT.ok
}

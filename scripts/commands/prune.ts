// `cs prune --days N`: soft-delete what has been idle too long, after asking (as `cs gc` does).
// Deletes no file; `--undo` brings back the whole last prune at once.
import { join } from 'node:path'
import { defineCommand } from '../../lib/command.ts'
import { confirm, interactive } from '../../lib/confirm.ts'
import type { Config } from '../../lib/config.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { countFlag, isSet, JSON_OPTION } from '../../lib/flags.ts'
import { plural, print, printViews, report } from '../../lib/format.ts'
import { readRegular, replaceFile } from '../../lib/regular-file.ts'
import { withSessions, type Sessions } from '../../lib/sessions.ts'
import { say } from '../../lib/stdout.ts'
import { deletionTime } from '../../lib/session.ts'
import { isSessionId } from '../../lib/untrusted.ts'
import { isProtected } from '../../lib/views.ts'
import rm from './rm.ts'

const DAY = 86_400_000

/** The last prune: its time (every session it soft-deleted carries it) and their ids. */
interface LastPrune {
  at: string
  ids: string[]
}
const lastPrunePath = (config: Config) => join(config.stateDir, 'last-prune.json')

function readLastPrune(config: Config): LastPrune | null {
  try {
    const v = JSON.parse(readRegular(lastPrunePath(config)) ?? '')
    return typeof v?.at === 'string' && Array.isArray(v.ids) ? { at: v.at, ids: v.ids.filter(isSessionId) } : null
  } catch {
    return null
  }
}

const writeLastPrune = (config: Config, last: LastPrune) => replaceFile(lastPrunePath(config), JSON.stringify(last) + '\n')

export default defineCommand({
  usage: 'prune --days N [--yes] [--dry-run] [--json] | prune --undo [ID…]',
  summary:
    'Soft-delete sessions idle for more than N days (hidden from the dashboard, shown by\n' +
    '`cs ls --all`). Live, named and tagged sessions are kept. No file is deleted.',
  details: [
    '  --days N        idle for more than N days (since the last message)',
    '  -y, --yes       soft-delete without asking (otherwise asked on a terminal, else only listed)',
    '  -n, --dry-run   only list what would be soft-deleted',
    '  --undo [ID…]    bring back the sessions the last prune soft-deleted, or these (as `cs rm --undo`)',
    '  --json          the sessions concerned, as an array; with --undo, {restored: [ID…]}, and',
    '                  with --undo ID…, as `cs rm --undo --json`',
  ].join('\n'),
  options: {
    ...JSON_OPTION,
    days: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean', short: 'n' },
    undo: { type: 'boolean' },
  },
  run: async (ctx) => {
    const { config, flags, positionals } = ctx
    const json = isSet(flags, 'json')
    if (isSet(flags, 'undo')) {
      // a flag of the prune itself is not dropped: `--undo --dry-run` would undo
      const theirs = ['days', 'yes', 'dry-run'].filter((f) => flags[f] !== undefined)
      if (theirs.length) throw usageError(`--undo takes no ${theirs.map((f) => `--${f}`).join(', ')}`, 'cs prune --undo [ID…]')
      return positionals.length ? rm.run({ ...ctx, flags: { ...flags, undo: true } }) : undoLast(config, json)
    }
    const days = countFlag(flags, 'days')
    if (days === undefined) throw usageError('prune wants --days N (or --undo)', 'cs prune --days 30')
    if (positionals.length) throw usageError('prune --days takes no session: it soft-deletes every one idle that long', 'cs prune --undo ID… restores some')
    const cutoff = Date.now() - days * DAY
    // this host's sessions only: another host prunes its own
    const staleOf = (s: Sessions) =>
      s.views.filter((v) => {
        if (v.host !== config.host) return false
        const last = v.updatedAt ?? v.createdAt
        return !v.deleted && !isProtected(v) && !s.held(v.id) && v.id && last !== null && Date.parse(last) < cutoff
      })
    const dryRun = isSet(flags, 'dry-run')
    // names and tags set on other hosts protect too: what they pushed is copied first
    const { stale, go } = await withSessions(
      config,
      async (s) => {
        if (s.notice) say(s.notice)
        const stale = staleOf(s)
        if (!json) printViews(config, stale, { state: false, header: true, empty: `nothing idle for more than ${days} days` })
        const go =
          stale.length > 0 &&
          !dryRun &&
          (isSet(flags, 'yes') || (!json && (await confirm(`soft-delete ${plural(stale.length, 'session')}?`))))
        return { stale, go }
      },
      { pull: true, index: 'walk' }
    )
    if (!go) {
      if (json) report(true, '', stale.map((v) => ({ ...v, deleted: false })))
      else if (stale.length)
        print(dryRun || interactive() ? 'nothing soft-deleted' : `nothing soft-deleted: \`cs prune --days ${days} --yes\` does it`)
      // a no at the question is not confirmed (exit 1); a dry run or no terminal only lists
      return stale.length && !json && !dryRun && interactive() ? EXIT.failure : EXIT.ok
    }
    // looked at again after the answer, which may have come minutes later: a session that went
    // live, was named (here, on another host or in claude) or tagged meanwhile stays. All at once,
    // none named or tagged since this look (setDeleted checks again as it writes), and the record
    // of it written as the prunes were made (the last one undoes).
    return withSessions(
      config,
      (s) => {
        const still = new Set(staleOf(s).map((v) => v.id))
        const changed = stale.filter((v) => !still.has(v.id))
        if (changed.length && !json) say(`left alone, live, named, tagged or gone since the question: ${changed.map((v) => v.short).join(', ')}`)
        const going = stale.filter((v) => still.has(v.id))
        const at = deletionTime(going)
        const record = (ids: string[]) => ids.length > 0 && writeLastPrune(config, { at, ids })
        const ids = going.map((v) => v.id)
        const deleted = new Set(s.store.setDeleted(ids, at, { unlessNamed: true, then: record }))
        if (json) report(true, '', stale.map((v) => ({ ...v, deleted: deleted.has(v.id) })))
        else print(`soft-deleted ${deleted.size} (undo: cs prune --undo)`)
      },
      { pull: true, index: 'walk', freshensBlocks: true }
    )
  },
})

/** Brings back every session of the last prune that is still soft-deleted by it. */
function undoLast(config: Config, json: boolean) {
  const last = readLastPrune(config)
  if (!last) throw new CsError('no prune to undo', undefined, 'cs prune --undo ID brings back one session')
  return withSessions(config, (s) => {
    // still deleted by it: not by a later prune or rm, nor written to since (lib/session.ts isDeleted)
    const back = last.ids.filter((id) => s.meta.get(id)?.deletedAt === last.at && s.views.some((v) => v.id === id && v.deleted))
    s.store.setDeleted(back, null)
    report(json, `restored ${plural(back.length, 'session')} soft-deleted by the prune of ${last.at}`, { restored: back })
  })
}

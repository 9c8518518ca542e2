// `cs rm ID…`: soft delete. The transcript stays; the session is hidden until `--undo`.
import { defineCommand } from '../../lib/command.ts'
import type { HostEntry } from '../../lib/config.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { HOST_OPTION, hostFlag, ID_HELP, isSet, JSON_OPTION, SESSION_HOST_HELP } from '../../lib/flags.ts'
import { report } from '../../lib/format.ts'
import { argsLine } from '../../lib/quote.ts'
import { changeThere, metaOwner } from '../../lib/remote-meta.ts'
import { deletionTime } from '../../lib/session.ts'
import { withSessions } from '../../lib/sessions.ts'

export default defineCommand({
  usage: 'rm ID… | rm --undo ID… [--host NAME] [--json]',
  summary:
    'Soft-delete sessions: hidden from the dashboard (shown by `cs ls --all`), no file deleted.\n' +
    'A session written to afterwards (resumed outside cs) shows again. A live one is refused.',
  details: [
    ID_HELP,
    SESSION_HOST_HELP,
    '  --undo          bring soft-deleted sessions back',
    '  --json          [{id, short, deletedAt}] instead of a sentence',
    '  See also `cs deleted` (the list) and `cs purge` (delete for good).',
  ].join('\n'),
  options: { ...JSON_OPTION, undo: { type: 'boolean' }, ...HOST_OPTION },
  run: ({ config, flags, positionals }) => {
    if (positionals.length === 0) throw usageError('rm wants at least one session', 'cs rm ID')
    const undo = isSet(flags, 'undo')
    const host = hostFlag(flags, config)
    return withSessions(config, async (s) => {
      // resolve all first: a typo in the last id changes nothing; a session named twice, once
      const found = positionals.map((q) => s.find(q, { recorded: true, host }))
      const named = [...new Map(found.map((v) => [`${v.host}/${v.id}`, v])).values()]
      // a deletion stands until the session is written to (lib/session.ts isDeleted): a live one
      // would be back as it ends
      const live = undo ? [] : named.filter((v) => v.live)
      if (live.length)
        throw new CsError(
          `${live.map((v) => v.short).join(', ')} ${live.length > 1 ? 'are' : 'is'} live: nothing deleted`,
          EXIT.failure,
          `end ${live.length > 1 ? 'them' : 'it'} first where ${live.length > 1 ? 'they run' : 'it runs'} (cs kill ${argsLine(live.map((v) => v.short))} in tmux), then cs rm`
        )
      // only what is not so already: no "deleted" said twice, no "restored" of what was never gone
      const targets = named.filter((v) => v.deleted === undo)
      const already = named.filter((v) => v.deleted !== undo).map((v) => v.short)
      // after what each shows (a transcript's clock may run ahead of this one, within what the
      // index allows; another host's, with a shared store), so that the deletion stands
      const at = undo ? null : deletionTime(targets)
      // another host's sessions by its own cs (lib/remote-meta.ts), one call a host
      const there = new Map<string, { owner: HostEntry; ids: string[] }>()
      const here: string[] = []
      for (const v of targets) {
        const owner = metaOwner(config, v)
        if (owner) there.set(owner.name, { owner, ids: [...(there.get(owner.name)?.ids ?? []), v.id] })
        else here.push(v.id)
      }
      s.store.setDeleted(here, at) // all or none
      for (const { owner, ids } of there.values()) await changeThere(config, s.store, owner, ['rm', ...(undo ? ['--undo'] : []), '--', ...ids])
      const shorts = targets.map((v) => v.short).join(', ')
      const said = [
        ...(targets.length ? [undo ? `restored ${shorts}` : `deleted ${shorts} (undo: cs rm --undo ${argsLine(targets.map((v) => v.short))})`] : []),
        ...(already.length ? [`${already.join(', ')}: ${undo ? 'not deleted' : 'deleted already'}`] : []),
      ].join('\n')
      report(
        isSet(flags, 'json'),
        said,
        targets.map((v) => ({ id: v.id, short: v.short, deletedAt: at }))
      )
    }, { changesFound: true, freshensBlocks: true })
  },
})

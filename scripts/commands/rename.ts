// `cs rename ID NAME`: cs's own name for a session, kept apart from the transcript so that
// re-indexing never loses it.
import { defineCommand } from '../../lib/command.ts'
import { usageError } from '../../lib/errors.ts'
import { HOST_OPTION, hostFlag, ID_HELP, isSet, JSON_OPTION, SESSION_HOST_HELP } from '../../lib/flags.ts'
import { report } from '../../lib/format.ts'
import { checkLabel, idPrefixError } from '../../lib/names.ts'
import { changeThere, metaOwner } from '../../lib/remote-meta.ts'
import { withSessions } from '../../lib/sessions.ts'
import { quoted } from '../../lib/untrusted.ts'
import { Tmux } from '../../lib/tmux.ts'
import { retitle } from '../../lib/tmux-sessions.ts'

export default defineCommand({
  usage: 'rename ID NAME… | rename ID --clear [--host NAME] [--json]',
  summary: 'Name a session: the name shows in cs at once and is accepted wherever an ID is.',
  details: [
    ID_HELP,
    SESSION_HOST_HELP,
    '  NAME…           the new name (several words are joined with spaces)',
    "  --clear         drop cs's name: the session's own title shows again",
    '  --json          {id, short, name} instead of a sentence',
  ].join('\n'),
  options: { ...JSON_OPTION, clear: { type: 'boolean' }, ...HOST_OPTION },
  run: ({ config, flags, positionals }) => {
    const [query, ...words] = positionals
    const clear = isSet(flags, 'clear')
    const host = hostFlag(flags, config)
    const name = words.join(' ').replace(/\s+/g, ' ').trim()
    if (!query || clear === Boolean(name))
      throw usageError('rename wants a session and a name, or --clear', 'cs rename ID NAME')
    checkLabel('name', name)
    return withSessions(config, async (s) => {
      const v = s.find(query, { recorded: true, host })
      // a name that is the start of another session's id would never find this one
      const taken = clear ? null : s.idStartedBy(name, v.id)
      if (taken) throw idPrefixError(name, taken, config.host, v.short)
      const owner = metaOwner(config, v)
      if (owner) await changeThere(config, s.store, owner, ['rename', ...(clear ? ['--clear'] : []), '--', v.id, ...(clear ? [] : [name])])
      else s.store.setName(v.id, clear ? null : name)
      if (v.tmuxSession && v.host === config.host) {
        const own = s.transcriptOf(v.id)
        retitle(new Tmux(config.tmuxSocket), v.tmuxSession, clear ? null : name, own?.customTitle ?? own?.agentName ?? null)
      }
      const said = clear ? `${v.short}: name cleared` : `${v.short} is now ${quoted(name)}`
      report(isSet(flags, 'json'), said, { id: v.id, short: v.short, name: clear ? null : name })
    }, { changesFound: true, freshensBlocks: true })
  },
})


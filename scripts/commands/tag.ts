// `cs tag ID LABEL`: a label that also protects the session from gc, prune and pattern purges.
import { defineCommand } from '../../lib/command.ts'
import { usageError } from '../../lib/errors.ts'
import { HOST_OPTION, hostFlag, ID_HELP, isSet, JSON_OPTION, SESSION_HOST_HELP } from '../../lib/flags.ts'
import { report } from '../../lib/format.ts'
import { checkLabel } from '../../lib/names.ts'
import { changeThere, metaOwner } from '../../lib/remote-meta.ts'
import { withSessions } from '../../lib/sessions.ts'

export default defineCommand({
  usage: 'tag ID LABEL | tag ID --clear [--host NAME] [--json]',
  summary: 'Tag a session. A tagged session is protected like a named one.',
  details: [
    ID_HELP,
    SESSION_HOST_HELP,
    '  LABEL           the tag (replaces the previous one)',
    '  --clear         remove the tag',
    '  --json          {id, short, tag} instead of a sentence',
  ].join('\n'),
  options: { ...JSON_OPTION, clear: { type: 'boolean' }, ...HOST_OPTION },
  run: ({ config, flags, positionals }) => {
    const [query, label, ...extra] = positionals
    const clear = isSet(flags, 'clear')
    const host = hostFlag(flags, config)
    if (!query || extra.length || clear === Boolean(label?.trim()))
      throw usageError('tag wants a session and one label, or --clear', 'cs tag ID LABEL')
    checkLabel('tag', label ?? '')
    return withSessions(config, async (s) => {
      const v = s.find(query, { recorded: true, host })
      const owner = metaOwner(config, v)
      if (owner) await changeThere(config, s.store, owner, ['tag', ...(clear ? ['--clear'] : []), '--', v.id, ...(clear ? [] : [label.trim()])])
      // '' hides a tag written into the transcript itself; null leaves nothing behind
      else s.store.setTag(v.id, clear ? (s.transcriptOf(v.id)?.tag ? '' : null) : label.trim())
      const said = clear ? `${v.short}: tag removed` : `${v.short} tagged '${label.trim()}'`
      report(isSet(flags, 'json'), said, {
        id: v.id,
        short: v.short,
        tag: clear ? null : label.trim(),
      })
    }, { changesFound: true, freshensBlocks: true })
  },
})

// `cs resume [QUERY]`: pick a session of this host and resume it with claude in its folder.
import { defineCommand } from '../../lib/command.ts'
import { attempt, CsError, EXIT } from '../../lib/errors.ts'
import { fileError } from '../../lib/file-errors.ts'
import { writePickerCache } from '../../lib/picker-cache.ts'
import { resumable, running } from '../../lib/picker.ts'
import { pick, resumeHere } from '../../lib/resume.ts'
import { withSessions } from '../../lib/sessions.ts'

export default defineCommand({
  usage: 'resume [QUERY]',
  summary: [
    'Pick a session of this host with fzf (a numbered list without it) and run `claude --resume',
    'ID` in its folder; a running one (listed first, as in the picker) is attached instead. QUERY',
    "naming one session (an id, a unique prefix, a name) resumes it at once (another host's:",
    '`cs attach HOST:ID` resumes it there); any other QUERY starts the picker filtered by it.',
  ].join('\n'),
  async run({ config, positionals }) {
    const query = positionals.join(' ')
    const { views, exact } = await withSessions(config, ({ views, find }) => {
      // the tmux picker's history made fresh too, where the state folder can be written: resume's
      // own list is made from these views
      try {
        writePickerCache(config, views)
      } catch (e) {
        if (fileError(e)?.reason !== 'unwritable') throw e
      }
      return { views, exact: query ? attempt(() => find(query)) : null }
    })
    // the one QUERY names, if the picker would offer it (a session of this host, running or with
    // a transcript to resume); else the picker, filtered by QUERY
    // another host's session, and none here the picker would show for QUERY: said where it is
    if (exact && exact.host !== config.host && resumable(views, config.host, query).length === 0)
      throw new CsError(
        `${exact.short} is a session of ${exact.host}: cs resume picks among this host's`,
        EXIT.failure,
        `cs attach ${exact.host}:${exact.id} resumes it there`
      )
    const offered = exact && resumable([exact], config.host).length ? exact : null
    const choice = offered ?? (await pick(config, resumable(views, config.host, query), query))
    if (!choice) return EXIT.failure // left the picker: nothing to do
    if (running(choice)) {
      // one client a session: a running one is gone to, as the picker's Enter does
      const { attachQuery } = await import('../../lib/attach.ts')
      return attachQuery(config, choice.id ?? choice.tmuxSession ?? '', choice.host, false)
    }
    return resumeHere(config, choice)
  },
})


// `cs last`: resume the most recent session of this host, no questions.
import { defineCommand } from '../../lib/command.ts'
import { CsError } from '../../lib/errors.ts'
import { resumable } from '../../lib/picker.ts'
import { resumeHere } from '../../lib/resume.ts'
import { withSessions } from '../../lib/sessions.ts'

export default defineCommand({
  usage: 'last',
  summary: 'Resume the most recent session of this host (`claude --resume ID` in its folder).',
  async run({ config }) {
    const latest = await withSessions(config, ({ views }) =>
      resumable(views, config.host).find((v) => !v.live)
    )
    if (!latest)
      throw new CsError(
        'no session to resume',
        undefined,
        'start one with `claude` or `cs launch NAME`'
      )
    return resumeHere(config, latest)
  },
})

// `cs last`: resume the most recent session of this host, no questions, unless its folder is
// gone: then it says so and offers the next one that can be resumed.
import { defineCommand } from '../../lib/command.ts'
import { confirm, interactive } from '../../lib/confirm.ts'
import { CsError } from '../../lib/errors.ts'
import { shellWord } from '../../lib/quote.ts'
import { resumable } from '../../lib/picker.ts'
import { checkResumable, resumeHere } from '../../lib/resume.ts'
import { withSessions } from '../../lib/sessions.ts'
import { outErr } from '../../lib/stdout.ts'

export default defineCommand({
  usage: 'last',
  summary: 'Resume the most recent session of this host (`claude --resume ID` in its folder).',
  async run({ config }) {
    const candidates = await withSessions(config, ({ views }) =>
      resumable(views, config.host).filter((v) => !v.live)
    )
    const latest = candidates[0]
    if (!latest)
      throw new CsError('no session to resume', undefined, 'start one with `claude` or `cs launch NAME`')
    const next = candidates.find((v) => {
      try {
        return checkResumable(v) !== null
      } catch {
        return false
      }
    })
    if (next === latest) return resumeHere(config, latest)
    const gone = `the most recent session, ${latest.short} '${latest.title}', ran in ${latest.cwd ?? '(unknown)'}, which is gone`
    if (!next) throw new CsError(gone, undefined, 'no other session of this host can be resumed either')
    outErr(`cs: ${gone}\n`)
    const offer = `${next.short} '${next.title}' in ${next.cwd}`
    if (interactive() && (await confirm(`resume the next one, ${offer}?`))) return resumeHere(config, next)
    throw new CsError(
      interactive() ? 'nothing resumed' : `the next one is ${offer}`,
      undefined,
      `cs resume ${shellWord(next.short)}`
    )
  },
})

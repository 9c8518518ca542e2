// `cs last`: resume the most recent session of this host, no questions, unless its folder is
// gone: then it says so and offers the next one that can be resumed.
import { defineCommand } from '../../lib/command.ts'
import { confirm, interactive } from '../../lib/confirm.ts'
import { CsError } from '../../lib/errors.ts'
import { shellWord } from '../../lib/quote.ts'
import { canResume } from '../../lib/picker.ts'
import type { SessionView } from '../../lib/session.ts'
import { checkResumable, resumeHere } from '../../lib/resume.ts'
import { withSessions } from '../../lib/sessions.ts'
import { outErr } from '../../lib/stdout.ts'
import { visible } from '../../lib/untrusted.ts'

export default defineCommand({
  usage: 'last',
  maxArgs: 0,
  summary: 'Resume the most recent session of this host (`claude --resume ID` in its folder).',
  async run({ config }) {
    // the most recent session, and the most recent whose folder is there (the same, mostly)
    const { latest, next } = await withSessions(config, (s) => {
      let latest: SessionView | undefined
      for (const v of s.notLive(config.host)) {
        if (!canResume(v, config.host)) continue
        latest ??= v
        try {
          checkResumable(v)
          return { latest, next: v }
        } catch {
          // its folder is gone: the next one
        }
      }
      return { latest, next: undefined }
    })
    if (!latest)
      throw new CsError('no session to resume', undefined, 'start one with `claude` or `cs launch NAME`')
    if (next === latest) return resumeHere(config, latest)
    const gone = `the most recent session, ${latest.short} '${latest.title}', ran in ${latest.cwd ?? '(unknown)'}, which is gone`
    if (!next) throw new CsError(gone, undefined, 'no other session of this host can be resumed either')
    outErr(visible(`cs: ${gone}\n`))
    const offer = `${next.short} '${next.title}' in ${next.cwd}`
    if (interactive() && (await confirm(`resume the next one, ${offer}?`))) return resumeHere(config, next)
    throw new CsError(
      interactive() ? 'nothing resumed' : `the next one is ${offer}`,
      undefined,
      `cs resume ${shellWord(next.short)}`
    )
  },
})

// `cs preview ID`: the last exchanges of a session as plain text (the picker's preview pane).
// Reads the transcript from its end; a full id is found without opening the index.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { defineCommand } from '../../lib/command.ts'
import type { Config } from '../../lib/config.ts'
import { CsError, usageError } from '../../lib/errors.ts'
import { isInside, isSessionFile, projectsDir } from '../../lib/paths.ts'
import { countFlag } from '../../lib/flags.ts'
import { PREVIEW_DEFAULTS, lastEntries, renderPreview } from '../../lib/preview.ts'
import { withSessions } from '../../lib/sessions.ts'
import { hostOf, remoteCs, sshLine } from '../../lib/ssh.ts'
import { linesFromEnd } from '../../lib/tail.ts'
import { out } from '../../lib/stdout.ts'

/** `<projects>/*\/<id>.jsonl` for a full session id, or null. */
function transcriptOf(config: Config, id: string): string | null {
  if (!isSessionFile(`${id}.jsonl`)) return null
  let dirs: string[]
  try {
    dirs = readdirSync(projectsDir(config))
  } catch {
    return null
  }
  for (const dir of dirs) {
    const path = join(projectsDir(config), dir, `${id}.jsonl`)
    if (existsSync(path)) return path
  }
  return null
}

export default defineCommand({
  usage: 'preview ID [--exchanges N]',
  summary: 'The last exchanges of a session as plain text, read from the end of its transcript.',
  details: '  -n, --exchanges N   how many prompts and their replies (default 3)',
  options: { exchanges: { type: 'string', short: 'n' } },
  async run({ config, positionals, flags }) {
    const [query, ...more] = positionals
    if (!query || more.length) throw usageError('preview takes one session', 'cs preview ID')
    const exchanges = countFlag(flags, 'exchanges', 1) ?? PREVIEW_DEFAULTS.exchanges
    const path =
      transcriptOf(config, query) ??
      (await withSessions(config, ({ find, store }) => {
        const v = find(query)
        if (v.host !== config.host) {
          // the command as cs would run it there (its ssh options, its cs), where it knows how
          const host = hostOf(config, store.hosts(), v.host)
          const there = host ? sshLine(config, host, remoteCs(host), 'preview', v.id) : `cs preview ${v.id}, on ${v.host}`
          throw new CsError(`${v.short} is a session of ${v.host}: its transcript is there`, undefined, there)
        }
        return v.path
      }))
    if (!path)
      throw new CsError(
        `session ${query} has no transcript yet`,
        undefined,
        'it appears once claude has written to it'
      )
    if (!isInside(path, projectsDir(config)))
      throw new CsError(
        `not reading ${path}: it resolves outside ${projectsDir(config)}`,
        undefined,
        'cs reads transcripts only inside Claude Code\'s projects folder'
      )
    const entries = lastEntries(linesFromEnd(path), exchanges)
    out(renderPreview(entries, { ...PREVIEW_DEFAULTS, exchanges }) + '\n')
  },
})

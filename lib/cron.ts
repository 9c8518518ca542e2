// `cs cron`: periodic sync with no daemon, as one line of the user's crontab marked with a
// comment, so that on, off and status find it again and touch nothing else. Text functions, and
// the one place that runs crontab.
import { spawnSync } from 'node:child_process'
import { CsError, EXIT } from './errors.ts'
import { shellLine, shellWord } from './quote.ts'
import { quoted } from './untrusted.ts'
import { INSTALL } from './install-hints.ts'

export const CRON_MARK = '# cs sync (cs cron)'
export const CRON_SCHEDULE = '*/5 * * * *'

/** The line: the schedule, the sync's argv (with the environment cs needs: cron's is bare), quiet. */
export function cronLine(argv: string[]): string {
  // a crontab entry is one line: a newline in a value would make the rest a line of its own
  const broken = argv.find((w) => /[\n\r]/.test(w))
  if (broken !== undefined)
    throw new CsError(`${quoted(broken.split('=')[0])} holds a line break, which a crontab line cannot`, EXIT.failure, 'set it without one, then run cs cron on again')
  // cron reads an unescaped % as the end of the command
  return `${CRON_SCHEDULE} ${shellLine(argv).replaceAll('%', '\\%')} >/dev/null 2>&1 ${CRON_MARK}`
}

/** The crontab with cs's line set (`line`) or removed (null); every other line kept as it was. */
export function withCronLine(crontab: string, line: string | null): string {
  const kept = crontab.split('\n').filter((l) => !l.endsWith(CRON_MARK))
  while (kept.length && kept[kept.length - 1] === '') kept.pop()
  if (line) kept.push(line)
  return kept.length ? `${kept.join('\n')}\n` : ''
}

export const cronLineOf = (crontab: string) => crontab.split('\n').find((l) => l.endsWith(CRON_MARK)) ?? null

function crontab(args: string[], input?: string): { status: number; out: string; err: string } {
  const r = spawnSync('crontab', args, { input, encoding: 'utf8' })
  if (r.error) throw new CsError('crontab is not installed', EXIT.unavailable, `install cron (${INSTALL.cron}), or run cs sync from your own scheduler`, 'not-installed')
  return { status: r.status ?? 1, out: r.stdout, err: r.stderr }
}

/** The user's crontab as `crontab -l` prints it ('' for none). */
export function currentCrontab(): string {
  const r = crontab(['-l'])
  if (r.status === 0) return r.out
  if (/no crontab/i.test(r.err)) return ''
  throw new CsError(`crontab -l failed: ${r.err.trim()}`, EXIT.unavailable)
}

/** Installs the crontab with cs's line set or removed (null), unless it is there as wanted. */
export function setCronLine(line: string | null): void {
  const before = currentCrontab()
  const after = withCronLine(before, line)
  if (after === before) return
  const r = after ? crontab(['-'], after) : crontab(['-r'])
  if (r.status !== 0 && !(line === null && /no crontab/i.test(r.err))) throw new CsError(`crontab failed: ${r.err.trim()}`, EXIT.unavailable)
}

/** Whether cs's line runs the cs of this entry (bin/cs.mjs), as cronLine wrote it. */
export const runsEntry = (line: string, entry: string) => line.includes(shellWord(entry).replaceAll('%', '\\%'))

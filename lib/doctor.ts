// The shape of `cs doctor`'s findings. Each part of the set-up is checked by one function of
// scripts/commands/doctor.ts's CHECKS table, which returns its findings; a new check is one
// more entry there.
import type { Config } from './config.ts'
import type { Colors } from './format.ts'
import { cleanText } from './untrusted.ts'

export type Level = 'ok' | 'warn' | 'fail'

export interface Check {
  level: Level
  /** what was checked: a program, 'database', 'hooks', … */
  what: string
  /** what was found */
  detail: string
  /** the command or change that fixes it, for warn and fail */
  fix?: string
}

export type DoctorCheck = (config: Config) => Check[] | Promise<Check[]>

/** Runs the checks one after another; a check that throws is a failed check, not a crash. */
export async function runChecks(config: Config, checks: [name: string, DoctorCheck][]): Promise<Check[]> {
  const out: Check[] = []
  for (const [name, check] of checks) {
    try {
      out.push(...(await check(config)))
    } catch (e) {
      const hint = (e as { hint?: string }).hint
      out.push({ level: 'fail', what: name, detail: (e as Error).message, ...(hint ? { fix: hint } : {}) })
    }
  }
  return out
}

/** The checks as a table, one line each, its fix on the next; terminal text made safe. */
export function renderChecks(checks: Check[], c: Colors): string[] {
  const paint = { ok: c.green, warn: c.yellow, fail: c.red }
  const clean = (text: string) => cleanText(text) ?? ''
  const width = Math.max(...checks.map((k) => k.what.length))
  return checks.flatMap((k) => [
    `${paint[k.level](k.level.padEnd(4))}  ${clean(k.what).padEnd(width)}  ${clean(k.detail)}`,
    ...(k.fix ? [`${' '.repeat(width + 8)}fix: ${clean(k.fix)}`] : []),
  ])
}

// The shape of a cs command: one file per command under scripts/commands/, loaded lazily by
// scripts/cs.ts (through scripts/dispatch.ts) so that `cs ls` never pays for the code of `cs launch`.
import type { ParseArgsConfig } from 'node:util'
import type { Config } from './config.ts'
import type { CsError } from './errors.ts'

export type Options = NonNullable<ParseArgsConfig['options']>
export type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>

export interface Context {
  config: Config
  positionals: string[]
  flags: Flags
  /** extra arguments after `--` (passed on to claude by `cs launch`) */
  rest: string[]
  /** why config.json cannot be used, for a command that reportsBrokenConfig (config is then the
   *  settings without it); else null: the run stops at it */
  brokenConfig: CsError | null
}

export interface Command {
  /** e.g. `rename ID NAME` */
  usage: string
  summary: string
  /** option lines for --help, one per flag */
  details?: string
  options?: Options
  /** arguments after `--` are not its own but go on (`rest`) to what this says, as an unknown
   *  flag's error tells; otherwise `--` only ends the flags, and what follows are positionals
   *  (`cs rename ID -- -name`) */
  passesOn?: string
  /** the most arguments it takes, for a command that takes a fixed few: more is a usage error,
   *  not words silently dropped (`cs last foo` resuming the last session anyway) */
  maxArgs?: number
  /** runs on with a config.json it cannot use, to report it (cs doctor) */
  reportsBrokenConfig?: boolean
  run(ctx: Context): Promise<number | void> | number | void
}

export const defineCommand = (c: Command) => c

/** Flags every command accepts (--json: those that have a JSON answer declare it, lib/flags.ts). */
export const commonOptions: Options = {
  help: { type: 'boolean', short: 'h' },
}

// Typed readers for command flags: node's parseArgs gives strings, commands want checked values.
import { usageError } from './errors.ts'
import type { Flags, Options } from './command.ts'
import type { Config } from './config.ts'
import { MIN } from './shortid.ts'
import { isHostName } from './untrusted.ts'
import { SORT_KEYS, type SortKey } from './views.ts'

/** The common command lines read without node's parseArgs, whose first call costs some 0.6 ms
 *  of a dashboard's start: no argument, or only distinct long flags that take no value. Null for
 *  anything else, which parseArgs reads (and whose errors it words); what this returns is what
 *  it would give (test/flags.test.ts). */
export function plainFlags(args: string[], options: Options): { values: Flags; positionals: string[] } | null {
  const values: Flags = Object.create(null)
  for (const arg of args) {
    const name = arg.startsWith('--') ? arg.slice(2) : ''
    const option = Object.hasOwn(options, name) ? options[name] : undefined
    if (option?.type !== 'boolean' || option.multiple || name in values) return null
    values[name] = true
  }
  return { values, positionals: [] }
}

export const isSet = (flags: Flags, name: string) => flags[name] === true

export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name]
  return typeof v === 'string' ? v : undefined
}

/** A whole number of at least `min`, or undefined when the flag is absent; past 2^53 it stands for as many as there are (SQLite and
 *  Date arithmetic take no more). */
export function countFlag(flags: Flags, name: string, min = 0): number | undefined {
  const v = stringFlag(flags, name)
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw usageError(`--${name} wants a whole number${min ? ` of at least ${min}` : ''}, not '${v}'`)
  return Math.min(Number(v), Number.MAX_SAFE_INTEGER)
}

export function sortFlag(flags: Flags): SortKey | undefined {
  const v = stringFlag(flags, 'sort')
  if (v === undefined || (SORT_KEYS as string[]).includes(v)) return v as SortKey | undefined
  throw usageError(`--sort wants one of ${SORT_KEYS.join(', ')}, not '${v}'`)
}

/** `--host NAME` (and `--local`: this host), checked: a plain host name or undefined. */
export function hostFlag(flags: Flags, config: Config): string | undefined {
  const host = stringFlag(flags, 'host')
  if (isSet(flags, 'local')) {
    if (host !== undefined && host !== config.host) throw usageError('give --local or --host, not both')
    return config.host
  }
  if (host !== undefined && !isHostName(host)) throw usageError(`--host wants a host name, not '${host}'`)
  return host
}

export const HOST_OPTION = { host: { type: 'string' } } as const

/** --json: the command's answer as JSON for scripts (each command that has one declares it) */
export const JSON_OPTION = { json: { type: 'boolean' } } as const
export const HOST_HELP = '  --host NAME     only sessions of host NAME'
/** --host of a command that takes one session */
export const SESSION_HOST_HELP = '  --host NAME     the session on host NAME'
export const LOCAL_HELP = '  --local         only sessions of this host'
/** A session as the commands that take one find it (lib/shortid.ts resolve). */
export const ID_HELP = `  ID              a full id, a short id (at least ${MIN} characters) or a session name (HOST:ID too)`
/** Where `--host NAME | --all` act: the commands that run on other hosts over ssh (lib/hosts.ts targetHosts). */
export const TARGET_HOSTS_HELP = ['  --host NAME   on host NAME of the hosts list, over ssh', '  --all         here and on every host of the hosts list'].join('\n')
export const TARGET_HOSTS_OPTIONS = { ...HOST_OPTION, all: { type: 'boolean' } } as const

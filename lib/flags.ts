// Typed readers for command flags: node's parseArgs gives strings, commands want checked values.
import { usageError } from './errors.ts'
import type { Flags } from './command.ts'
import { SORT_KEYS, type SortKey } from './views.ts'

export const isSet = (flags: Flags, name: string) => flags[name] === true

export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name]
  return typeof v === 'string' ? v : undefined
}

/** A whole number >= 0, or undefined when the flag is absent. */
export function countFlag(flags: Flags, name: string): number | undefined {
  const v = stringFlag(flags, name)
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v)) throw usageError(`--${name} wants a whole number, not '${v}'`)
  return Number(v)
}

export function sortFlag(flags: Flags): SortKey | undefined {
  const v = stringFlag(flags, 'sort')
  if (v === undefined || (SORT_KEYS as string[]).includes(v)) return v as SortKey | undefined
  throw usageError(`--sort wants one of ${SORT_KEYS.join(', ')}, not '${v}'`)
}

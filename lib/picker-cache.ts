// picker.tsv: the history rows of the tmux picker, written by the commands that already hold
// every session's view, read by tmux/list.awk so the picker shows them without starting Node.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.ts'
import { columns } from './picker.ts'
import type { SessionView } from './session.ts'
import { dashboardOrder } from './views.ts'

export const pickerCachePath = (config: Config) => join(config.stateDir, 'picker.tsv')

// a tab or newline inside a field would shift list.awk's columns
const field = (text: string | null) => (text ?? '').replace(/[\t\n\r]+/g, ' ')

const epoch = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) || 0 : 0)

/**
 * The file's text: a header naming this host, then one row a session, live ones first, then
 * dead ones, then newest first: id, state, flags (o orphan, d deleted), updated (epoch s), host, tmux
 * session, title and project padded.
 */
export function pickerCacheText(views: SessionView[], host: string): string {
  const rows = views
    .filter((v) => v.id)
    .sort(dashboardOrder)
    .map((v) =>
      [
        v.id,
        v.state,
        (v.orphan ? 'o' : '') + (v.deleted ? 'd' : ''),
        epoch(v.updatedAt),
        field(v.host),
        field(v.tmuxSession),
        field(columns(v)),
      ].join('\t')
    )
  return [`#cs-picker\t${field(host)}`, ...rows, ''].join('\n')
}

/** Replaces picker.tsv in one rename: the picker never reads half a file. */
export function writePickerCache(config: Config, views: SessionView[]): void {
  const path = pickerCachePath(config)
  mkdirSync(config.stateDir, { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, pickerCacheText(views, config.host))
  renameSync(tmp, path)
}

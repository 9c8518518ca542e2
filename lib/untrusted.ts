// Checks for values cs did not make: what another machine wrote (the shared store, a remote
// `cs ls --json`), Claude's own files and the config file. A value passes one of these before it
// reaches tmux, ssh, a shell, a path or the terminal; one that fails is skipped and counted.
import { isAbsolute } from 'node:path'

const HOST = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
// tmux reads `.` and `:` in a target as window and pane separators, a leading `$` as an id;
// it prints control characters as octal escapes
export const UNTARGETABLE = /[.:]|^\$/

/** A plain host name: letters, digits, `.`, `-`, `_`, never a leading `-` (ssh would read an option). */
export const isHostName = (s: unknown): s is string => typeof s === 'string' && HOST.test(s)

/** An ssh destination (`user@host`, a host name, an alias of the ssh config): never a leading
 *  `-` (an option), no whitespace or control characters (a second word). */
export const isSshDestination = (s: unknown): s is string =>
  typeof s === 'string' && s.length > 0 && s.length <= 255 && !s.startsWith('-') && !/[\s\u0000-\u001f\u007f]/.test(s)

/** A Claude session id: a UUID, so never a path or an option. */
export const isSessionId = (s: unknown): s is string => typeof s === 'string' && UUID.test(s)

/** A tmux session name cs could have made: targetable exactly, no control characters, no leading `-`. */
export const isTmuxName = (s: unknown): s is string =>
  typeof s === 'string' &&
  s.trim() === s &&
  s.length > 0 &&
  s.length <= 200 &&
  !s.startsWith('-') &&
  !CONTROL.test(s) &&
  !UNTARGETABLE.test(s)

/** A working folder: absolute, no control characters. */
export const isCwd = (s: unknown): s is string =>
  typeof s === 'string' && isAbsolute(s) && s.length <= 4096 && !CONTROL.test(s)

// ANSI escape sequences (CSI, OSC ending in BEL or ST, and two-byte escapes), then any control
// character left, then runs of whitespace.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]|\u009b[0-?]*[ -/]*[@-~]/g
// Control characters and any whitespace but a lone inner space: what cleanText() rewrites.
const UNCLEAN =
  /[\u0000-\u001f\u007f-\u009f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}|^ | $/
const MESSY = /[\u0000-\u001f\u007f-\u009f\s]+/g

/**
 * Text made safe for one line of a terminal: escape sequences removed, control characters and
 * whitespace runs turned into one space. Null when nothing is left. Most text is clean already:
 * testing costs far less than rewriting every space.
 */
export function cleanText(text: string | null | undefined): string | null {
  if (!text) return null
  if (!UNCLEAN.test(text)) return text
  return text.replace(ESCAPES, '').replace(MESSY, ' ').trim() || null
}

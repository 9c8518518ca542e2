// tmux session names for cs launch: what tmux can target exactly, what a folder gives, and how a
// name is shown in a hint the user can paste into a shell.
import { basename, resolve } from 'node:path'
import { CsError, EXIT, usageError } from './errors.ts'
import { shellWord } from './quote.ts'
// tmux reads `.` and `:` in a target as window and pane separators (and silently turns them into
// `_` in a new name), a leading `$` as a session id (even after `=`), and prints control
// characters as octal escapes: none of these names would match.
import { BIDI, CONTROL, TEXT_MAX, TMUX_NAME_MAX, UNTARGETABLE, withoutBidi } from './untrusted.ts'

/**
 * An explicit session name, trimmed. Null when nothing is left (the caller generates one);
 * throws a usage error naming the fix for a name tmux cannot target.
 */
export function checkName(raw: string): string | null {
  const name = raw.trim()
  if (!name) return null
  if (CONTROL.test(name)) throw usageError(`session name ${shellWord(name)} contains a control character`, 'pick a name without tabs or newlines')
  // it would show the rest of a status line or picker row reversed
  if (BIDI.test(name)) throw usageError(`session name ${shellWord(name)} contains a bidirectional override`, 'pick a name without one')
  // cs and tmux would read it as an option, and other hosts skip such a row (isTmuxName)
  if (name.startsWith('-'))
    throw usageError(`session name ${shellWord(name)} starts with '-'`, `use another name, e.g. \`cs launch ${shellWord(sanitize(name) ?? 'NAME')}\``)
  if (name.length > TMUX_NAME_MAX)
    throw usageError(`a session name is at most ${TMUX_NAME_MAX} characters, not ${name.length}`, 'pick a shorter name')
  const bad = name.match(UNTARGETABLE)
  if (bad) {
    const fixed = sanitize(name) ?? 'NAME'
    const what = bad[0] === '$' ? "starts with '$'" : `contains '${bad[0]}'`
    throw usageError(
      `session name ${shellWord(name)} ${what}, which tmux cannot use in a target`,
      `use another name, e.g. \`cs launch ${shellWord(fixed)}\`; to launch in a folder of that name, write ${shellWord(`./${name}`)}`
    )
  }
  return name
}

/** The error for a name that is the start of another session's id (Sessions idStartedBy). */
export const idPrefixError = (name: string, taken: { short: string; host: string }, here: string, own = 'this one') =>
  new CsError(
    `'${name}' is the start of the id of session ${taken.short}${taken.host === here ? '' : ` of ${taken.host}`}`,
    EXIT.failure,
    `pick another name: cs attach ${name} would go there, not to ${own}`
  )

/** A name or tag given to `cs rename` or `cs tag`, shown by cs, by tmux and on other hosts:
 *  throws a usage error for a control character or a bidirectional override in it. */
export function checkLabel(what: 'name' | 'tag', text: string): void {
  if (CONTROL.test(text) || BIDI.test(text))
    throw usageError(`a ${what} cannot hold control characters or bidirectional overrides`, `write the ${what} without them`)
  // longer, it would not travel to other hosts whole (untrusted.ts TEXT_MAX)
  if (text.length > TEXT_MAX) throw usageError(`a ${what} is at most ${TEXT_MAX} characters, not ${text.length}`, `write a shorter ${what}`)
}

/** Any text (a title, a folder name) made a usable name: what tmux cannot target becomes `-`; null when nothing is left. */
export function sanitize(text: string): string | null {
  const cleaned = withoutBidi(text)
    .replace(/[.:\\\u0000-\u001f\u007f]+/g, '-')
    .replace(/^[-\s$]+|[-\s]+$/g, '')
  return cleaned || null
}

/** The name a folder gives: its basename, sanitised. */
export const nameFromDir = (dir: string) => sanitize(basename(resolve(dir)))

/** The name of a session launched without a usable one: from its claude session id. */
export const generatedName = (id: string) => `claude-${id.slice(0, 8)}`

/**
 * `cs launch ARG`: a folder when it reads as a path (`/…`, `./…`, `../…`, `~/…`, `.`, `..`, `~`)
 * or names an existing folder through a slash (`src/app`); else a name (`feature/login`).
 */
export const isPathArg = (arg: string, isDir: (path: string) => boolean) =>
  /^(\.{1,2}|~)(\/|$)|^\//.test(arg) || (arg.includes('/') && isDir(arg))

/** The first of base, base-2, base-3… that is not taken. */
export function firstFree(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base
  for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`
}

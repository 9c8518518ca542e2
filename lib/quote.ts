// The one POSIX shell quoter: every word cs hands to a shell (a hint the user pastes, Claude's
// hook command, the command ssh runs on another host) is made here.

const PLAIN = /^[\w@%+=,./-]+$/

/** A word a shell reads as itself, bare, and cs not as a flag: what a completion may insert into
 *  a command line (a name of another host's, `$(…)`, would run when the line is). */
export const isBareWord = (s: string | null | undefined): s is string => !!s && PLAIN.test(s) && !s.startsWith('-')

/** A word a POSIX shell reads back as exactly s: bare when nothing in it is special, else
 *  single-quoted (inside single quotes only `'` itself needs care: `'\''`). */
export function shellWord(s: string): string {
  return PLAIN.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`
}

/** A cs command's arguments as a hint writes them, after its flags: behind `--` when one starts
 *  with `-`, which cs would read as a flag (`cs attach --yes -- -name`). */
export const argsLine = (args: readonly string[]) =>
  (args.some((a) => a.startsWith('-')) ? ['--', ...args.map(shellWord)] : args.map(shellWord)).join(' ')

/** A command line a POSIX shell splits back into exactly argv: no expansion, no globbing. */
export const shellLine = (argv: readonly string[]) => argv.map(shellWord).join(' ')

/** The command a hint gives to move a file out of cs's way, kept beside it: `mv PATH PATH.bak`. */
export const moveAsideLine = (path: string, suffix = '.bak') => shellLine(['mv', path, `${path}${suffix}`])

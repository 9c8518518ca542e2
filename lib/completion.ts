// Shell completion: what may come next on a cs command line, from the dispatch table's commands
// and their flags, and the sessions and hosts cs knows. Pure; scripts/commands/completion.ts
// gathers the inputs and prints the shell scripts, which ask `cs completion --words`.
import type { Options } from './command.ts'
import { SORT_KEYS } from './views.ts'

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

export interface CommandSpec {
  name: string
  usage: string
  options: Options
  /** its help text: a flag it does not name (one for cs's own use) is not offered */
  help: string
}

export interface Known {
  /** short ids, cs names and live tmux session names */
  sessions: () => string[]
  hosts: () => string[]
}

/** Whether the command's arguments are sessions, as its usage line says (`ID`, `NAME|ID-PREFIX`,
 *  `PATTERN`), so that a command added to the table completes sessions without a list here. */
const takesSessions = (usage: string) => /\bID\b|ID-PREFIX|\bPATTERN\b/.test(usage)

/**
 * The candidates for the last of WORDS (the words after `cs`, the last one being completed,
 * '' at a fresh word), filtered by what it starts with. NAMES are the commands; COMMAND is the
 * one WORDS start with (null when it is no command, or when only the first word is there).
 */
export function complete(words: string[], names: string[], command: CommandSpec | null, known: Known): string[] {
  const cur = words.at(-1) ?? ''
  const before = words.slice(0, -1)
  const starting = (list: Iterable<string>) => [...new Set(list)].filter((w) => w.startsWith(cur))
  if (before.length === 0) return starting(cur.startsWith('-') ? ['--help', '--version'] : names)
  if (before.length === 1 && before[0] === 'help') return starting(names) // cs help COMMAND
  if (!command) return []
  const flag = (name: string) => command.options[name]
  const prev = before.at(-1)!
  // a flag's value: `--host VALUE`, `--host=VALUE` as one word (zsh, fish), or as bash hands it,
  // split at the = (--host, =, VALUE; right after the =, the = itself is the word completed)
  const eq = cur.startsWith('--') ? cur.indexOf('=') : -1
  const afterEq = cur === '=' && before.length > 1 && prev.startsWith('--')
  const flagWord = eq > 0 ? cur.slice(0, eq) : afterEq ? prev : prev === '=' && before.length > 2 ? before.at(-2)! : before.length > 1 ? prev : ''
  if (flagWord.startsWith('--') && flag(flagWord.slice(2))?.type === 'string') {
    const name = flagWord.slice(2)
    const values = name === 'host' ? known.hosts() : name === 'sort' ? SORT_KEYS : [] // else a value of its own: a folder, a number
    const value = eq > 0 ? cur.slice(eq + 1) : afterEq ? '' : cur
    return [...new Set(values)].filter((v) => v.startsWith(value)).map((v) => (eq > 0 ? `${flagWord}=${v}` : v))
  }
  if (cur.startsWith('-'))
    return starting(Object.keys(command.options).flatMap((o) => (o === 'help' || command.help.includes(`--${o}`) ? [`--${o}`] : [])))
  const verbs = verbsOf(command)
  if (verbs.length) return before.some((w, i) => i > 0 && !w.startsWith('-')) ? [] : starting(verbs)
  return takesSessions(command.usage) ? starting(known.sessions()) : []
}

/** The words a usage line names right after its command (`cron on|off|status`, `hosts add NAME |
 *  hosts rm NAME`, `agent [stop]`), so that a command added to the table completes them too. */
function verbsOf(c: CommandSpec): string[] {
  return c.usage.split(' | ').flatMap((alternative) => {
    const words = alternative.split(' ')
    const word = (words[0] === c.name ? words[1] : words[0])?.replace(/^\[|\]$/g, '') ?? ''
    return /^[a-z][a-z|]*$/.test(word) ? word.split('|') : []
  })
}

/** The script each shell sources; it hands the words to `cs completion --words` on every TAB. */
export function script(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return `# cs completion for bash: add to ~/.bashrc
#   eval "$(cs completion bash)"
_cs_complete() {
  local word
  COMPREPLY=() # a line each, never split or globbed (bash 3.2 has no mapfile)
  while IFS= read -r word; do COMPREPLY+=("$word"); done < <(command cs completion --words -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
}
complete -o default -F _cs_complete cs
`
    case 'zsh':
      return `# cs completion for zsh: add to ~/.zshrc, after compinit
#   eval "$(cs completion zsh)"
_cs() {
  local -a candidates
  candidates=("\${(@f)$(command cs completion --words -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=("\${(@)candidates:#}")
  (( \${#candidates} )) && compadd -Q -- "\${(@)candidates}"
}
compdef _cs cs
`
    case 'fish':
      return `# cs completion for fish: save as ~/.config/fish/completions/cs.fish
#   cs completion fish > ~/.config/fish/completions/cs.fish
function __cs_complete
    set -l words (commandline -opc) (commandline -ct)
    command cs completion --words -- $words[2..-1] 2>/dev/null
end
complete -c cs -f -a '(__cs_complete)'
`
  }
}

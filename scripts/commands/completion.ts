// cs completion SHELL: prints the completion script of bash, zsh or fish. The scripts call
// `cs completion --words -- WORDS…`, which prints the candidates for the last word: commands
// and flags from the dispatch table, sessions (short ids, names, live tmux sessions) and hosts.
import { commonOptions, defineCommand, type Options } from '../../lib/command.ts'
import { complete, script, SHELLS, type CommandSpec, type Shell } from '../../lib/completion.ts'
import { existsSync } from 'node:fs'
import type { Config } from '../../lib/config.ts'
import { usageError } from '../../lib/errors.ts'
import { isSet } from '../../lib/flags.ts'
import { dbPath } from '../../lib/paths.ts'
import { print } from '../../lib/format.ts'
import { isBareWord } from '../../lib/quote.ts'
import { shortIds } from '../../lib/shortid.ts'
import { openLocalStore } from '../../lib/stores.ts'
import { Tmux } from '../../lib/tmux.ts'
import { commands } from '../dispatch.ts'
import { out } from '../../lib/stdout.ts'
import { listSessions } from '../../lib/tmux-sessions.ts'

/** What the store knows: every host's sessions (short ids as the dashboard has them, over every
 *  host's ids, and cs names) and the other hosts' names (the list's, the shared store's, and those
 *  whose rows are kept). A TAB makes no store: with none yet, or a damaged one, nothing. */
function stored(config: Config): { sessions: string[]; hosts: string[] } {
  if (!existsSync(dbPath(config))) return { sessions: [], hosts: [] }
  try {
    const store = openLocalStore(config)
    try {
      const rows = store.hostRows()
      const ids = [...store.transcripts().map((t) => t.id), ...rows.map((r) => r.id)]
      const names = [...store.meta().values()].flatMap((m) => (isBareWord(m.name) ? [m.name] : []))
      return { sessions: [...shortIds(ids).values(), ...names], hosts: [...store.hosts().map((h) => h.name), ...rows.map((r) => r.host)] }
    } finally {
      store.close()
    }
  } catch {
    return { sessions: [], hosts: [] } // damaged, or another version's: left to the commands that show sessions
  }
}

function sessions(config: Config): string[] {
  const live = listSessions(new Tmux(config.tmuxSocket)).flatMap((s) => (s.managed && isBareWord(s.name) ? [s.name] : []))
  return [...stored(config).sessions, ...live]
}

/** The command WORDS start with, loaded (only that one: a TAB should not load them all). */
async function spec(words: string[]): Promise<CommandSpec | null> {
  const name = words[0]
  const entry = words.length > 1 && Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!entry) return null
  const c = (await entry[1]()).default
  const options: Options = { ...commonOptions, ...c.options }
  return { name, usage: c.usage, options, help: `${c.usage}\n${c.details ?? ''}` }
}

export default defineCommand({
  usage: 'completion bash|zsh|fish',
  summary: 'print the shell completion script (commands, flags, sessions, hosts)',
  details: [
    'bash: add  eval "$(cs completion bash)"  to ~/.bashrc',
    'zsh:  add  eval "$(cs completion zsh)"  to ~/.zshrc, after compinit',
    'fish: cs completion fish > ~/.config/fish/completions/cs.fish',
    '      --words  (for the scripts) the candidates for the last of the words after --',
  ].join('\n'),
  options: { words: { type: 'boolean' } },
  passesOn: 'the completion: the command line being completed, flags and all',
  async run({ config, positionals, flags, rest }) {
    if (isSet(flags, 'words')) {
      const known = {
        sessions: () => sessions(config),
        hosts: () => [config.host, ...config.hosts.map((h) => h.name), ...stored(config).hosts].filter(isBareWord),
      }
      const words = rest.length ? rest : ['']
      for (const word of complete(words, Object.keys(commands), await spec(words), known)) print(word)
      return
    }
    const shell = positionals[0]
    if (positionals.length !== 1 || !(SHELLS as readonly string[]).includes(shell))
      throw usageError(`name one shell: ${SHELLS.join(', ')}`, 'e.g. eval "$(cs completion bash)"')
    out(script(shell as Shell))
  },
})

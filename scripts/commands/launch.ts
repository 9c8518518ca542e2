// `cs launch NAME|DIR ["PROMPT"]`: claude in a new detached tmux session, recorded for revive.
import { randomUUID } from 'node:crypto'
import { realpathSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { defineCommand } from '../../lib/command.ts'
import { usageError } from '../../lib/errors.ts'
import { isSet, JSON_OPTION, stringFlag } from '../../lib/flags.ts'
import { checkCwd, isDirectory, openLauncher, startSession } from '../../lib/launcher.ts'
import { checkName, firstFree, generatedName, idPrefixError, isPathArg, nameFromDir } from '../../lib/names.ts'
import { argsLine, shellWord } from '../../lib/quote.ts'
import { withSessions } from '../../lib/sessions.ts'
import { Tmux } from '../../lib/tmux.ts'
import { out } from '../../lib/stdout.ts'
import { jsonText } from '../../lib/untrusted.ts'

export default defineCommand({
  usage: 'launch [NAME|DIR] ["PROMPT"] [--cwd DIR] [-- CLAUDE_ARGS...]',
  summary: [
    'Start claude in a new detached tmux session named NAME, with an optional first prompt',
    '(an interactive session, not claude -p). A folder (/x, ./x, ../x, ~/x, ., .., or an existing',
    'folder like src/app) launches there under the folder name. Options after -- go to claude, and',
    'go again when cs brings the session back (attach, revive), so the prompt is never among them;',
    'they stay on this host.',
    "Names may hold anything but '.', ':', control characters and a leading '$' (tmux cannot target those).",
  ].join('\n'),
  details: [
    '  --cwd DIR   the folder to start in (default: the current one)',
    '  --json      print the launch record',
  ].join('\n'),
  options: { ...JSON_OPTION, cwd: { type: 'string' } },
  passesOn: 'claude: a name or prompt cannot start with -',
  run({ config, positionals, flags, rest }) {
    const [arg, prompt, ...more] = positionals
    if (more.length) throw usageError(`too many arguments: ${more.map(shellWord).join(' ')}`, 'quote the prompt: cs launch NAME "PROMPT"')
    if (arg === '') throw usageError('an empty name', 'give a name, or none: cs launch names it after its folder')
    // what follows -- goes to claude again at each revive: options only, never a prompt (a word
    // that is no option's value), which would be sent once more each time
    const loose = rest.find((w, i) => !w.startsWith('-') && !rest[i - 1]?.startsWith('-'))
    if (loose !== undefined)
      throw usageError(`${shellWord(loose)} after -- is no option's value: what follows -- goes to claude again whenever cs brings the session back, so it takes options only`, 'give the first prompt as PROMPT: cs launch NAME "PROMPT" -- --model opus')
    const tmux = new Tmux(config.tmuxSocket)
    const id = randomUUID()
    const home = (p: string) => (p === '~' || p.startsWith('~/') ? join(config.home, p.slice(1)) : p)
    const fromDir = arg !== undefined && isPathArg(home(arg), isDirectory)
    if (fromDir && flags.cwd !== undefined) throw usageError('give a folder or --cwd, not both', 'cs launch NAME --cwd DIR')
    if (flags.cwd === '') throw usageError('--cwd wants a folder, not nothing', 'cs launch NAME --cwd DIR')
    // an explicit name is the user's: taken is an error; a derived one steps aside (name-2)
    const explicit = fromDir || arg === undefined ? null : checkName(arg)
    const cwd = resolve(home(fromDir ? arg : (stringFlag(flags, 'cwd') ?? process.cwd())))
    checkCwd(cwd)
    const real = realpathSync(cwd)
    const derived = fromDir || arg === undefined ? nameFromDir(real) : null
    // indexed first: a transcript written since the last run may hold an id this name starts
    return withSessions(config, (s) => {
      // a name that is the start of another session's id would never find this one: an explicit
      // one is refused, a derived one steps aside as from a taken name (name-2)
      if (explicit !== null) {
        const taken = s.idStartedBy(explicit)
        if (taken) throw idPrefixError(explicit, taken, config.host)
      }
      const launcher = openLauncher(config, s.store, tmux)
      const name = explicit ?? firstFree(derived ?? generatedName(id), (n) => tmux.hasSession(n) || s.idStartedBy(n) !== null)
      const launch = startSession(launcher, { id, name, cwd: real, resume: false, prompt: prompt || null, extra: rest })
      if (isSet(flags, 'json')) out(jsonText(launch) + '\n')
      else
        out(
          `launched ${shellWord(name)} in ${real} (claude session ${id})\n  attach: cs attach ${argsLine([name])}\n`
        )
    }, { startsSessions: true })
  },
})

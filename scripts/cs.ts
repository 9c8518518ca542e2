// cs: the CLI entry. Parses the command line, loads one command lazily, and is the single
// place where errors become messages and exit codes.
import { parseArgs } from 'node:util'
import { BIN_VARS, loadConfig, loadConfigOrBroken } from '../lib/config.ts'
import { CsError, EXIT, usageError } from '../lib/errors.ts'
import { fileError } from '../lib/file-errors.ts'
import { commonOptions, type Command } from '../lib/command.ts'
import { commands } from './dispatch.ts'
import { plainFlags } from '../lib/flags.ts'
import { quoted, visible } from '../lib/untrusted.ts'
import pkg from '../package.json' with { type: 'json' }
import { out, outErr, sayError } from '../lib/stdout.ts'

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length)) + 2
  const lines = Object.entries(commands).map(([name, [summary]]) => `  ${name.padEnd(width)}${summary}`)
  return [
    'cs: Claude Code sessions that live in tmux',
    '',
    'usage: cs [COMMAND] [ARGS] [--help]     (no command: the dashboard, as `cs ls`)',
    '       cs --version',
    '',
    'commands:',
    ...lines,
    '',
    'Every command takes --help; most take --json. NO_COLOR turns colour off.',
  ].join('\n')
}

function helpOf(c: Command): string {
  return [`usage: cs ${c.usage}`, '', c.summary, ...(c.details ? ['', c.details] : [])].join('\n')
}

/** node's parseArgs errors, said in cs's words: the flag, and what is wrong with it. */
function parseError(e: Error & { code?: string }, passesOn: string | undefined): string {
  // Node names a flag with a short form as `'-n, --exchanges <value>'`: the long one is said
  const flag = e.message.match(/'(?:-[^-' ], )?(-[^' ]*)/)?.[1] ?? ''
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return passesOn
      ? `unknown flag ${flag} (what follows -- goes to ${passesOn})`
      : `unknown flag ${flag} (a name or argument that starts with - goes after --)`
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take/.test(e.message)) return `${flag} takes no value`
    // `--ssh -oX`: a value that looks like a flag
    // (a short flag takes no =: its long name does)
    if (/ambiguous/.test(e.message))
      return `${flag} wants a value: one that starts with - is written ${flag.startsWith('--') ? flag : (/use '(--[^=' ]+)=/.exec(e.message)?.[1] ?? flag)}=VALUE`
    return `${flag} wants a value`
  }
  return e.message.split('\n')[0]
}

async function main(argv: string[]): Promise<number> {
  const first = argv[0]
  // `cs help CMD`: as `cs CMD --help`
  if (first === 'help' && argv.length === 2 && Object.hasOwn(commands, argv[1])) return main([argv[1], '--help'])
  if (first === 'help' && argv.length > 1)
    throw usageError(argv.length === 2 ? `unknown command: ${argv[1]}` : 'help takes one command', 'see `cs --help`')
  if ((first === '--help' || first === '-h') && argv.length === 2 && Object.hasOwn(commands, argv[1])) return main([argv[1], '--help'])
  if (first === '--help' || first === '-h' || first === 'help') {
    if (argv.length > 1) throw usageError(`${first} takes one command, not ${argv.slice(1).map(quoted).join(' ')}`, 'see `cs --help`')
    out(usage() + '\n')
    return EXIT.ok
  }
  if ((first === '--version' || first === '-V') && argv.length > 1) throw usageError(`${first} takes nothing more, not ${argv.slice(1).map(quoted).join(' ')}`)
  if (first === '--version' || first === '-V') {
    out(`cs ${pkg.version}\n`)
    return EXIT.ok
  }
  const named = first !== undefined && !first.startsWith('-')
  const name = named ? first : 'ls'
  const entry = commands[name]
  if (!entry) throw usageError(`unknown command: ${name}`, 'see `cs --help`')
  const command = (await entry[1]()).default
  const dash = command.passesOn ? argv.indexOf('--') : -1
  const own = argv.slice(named ? 1 : 0, dash === -1 ? undefined : dash)
  const options = { ...commonOptions, ...command.options }
  let parsed = plainFlags(own, options)
  try {
    parsed ??= parseArgs({ args: own, options, allowPositionals: true, strict: true })
  } catch (e) {
    throw usageError(parseError(e as Error & { code?: string }, command.passesOn), `see \`cs ${name} --help\``)
  }
  if (parsed.values.help) {
    out(helpOf(command) + '\n')
    return EXIT.ok
  }
  const extra = parsed.positionals.slice(command.maxArgs ?? Infinity)
  if (extra.length) {
    const takes = command.maxArgs ? `at most ${command.maxArgs} argument${command.maxArgs > 1 ? 's' : ''}` : 'no arguments'
    throw usageError(`${name} takes ${takes}, not ${extra.map(quoted).join(' ')}`, `cs ${command.usage}`)
  }
  const { config, broken } = command.reportsBrokenConfig ? loadConfigOrBroken() : { config: loadConfig(), broken: null }
  for (const name of BIN_VARS) delete process.env[name]
  const code = await command.run({
    config,
    positionals: parsed.positionals,
    flags: parsed.values,
    rest: dash === -1 ? [] : argv.slice(dash + 1),
    brokenConfig: broken,
  })
  return code ?? EXIT.ok
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    const e = fileError(err) ?? err
    if (e instanceof CsError) {
      sayError(e)
      process.exitCode = e.exitCode
    } else {
      outErr(visible(`cs: internal error: ${(e as Error)?.stack ?? e}\n`))
      process.exitCode = EXIT.failure
    }
  }
)

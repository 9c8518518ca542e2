// cs install: the end of ./install.sh, and safe to run again. Checks the programs cs needs,
// builds the bundle when it is missing or older than the sources, links `cs` into ~/.local/bin
// and prints the one line for ~/.tmux.conf. Writes no shell start-up file and no tmux config.
import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { $ } from 'zx/core'
import { defineCommand } from '../../lib/command.ts'
import { renderChecks, type Check } from '../../lib/doctor.ts'
import { EXIT } from '../../lib/errors.ts'
import { JSON_OPTION, stringFlag } from '../../lib/flags.ts'
import { colors, print, useColor } from '../../lib/format.ts'
import { bundleFile, csRoot, defaultBinDir, linkCs, onPath, sourcesNewer, tmuxConfStatus, tmuxLine } from '../../lib/install.ts'
import { nodeCheck, programChecks } from '../../lib/programs.ts'
import { shellWord } from '../../lib/quote.ts'
import { jsonText } from '../../lib/untrusted.ts'

export default defineCommand({
  usage: 'install [--bin-dir DIR] [--json]',
  maxArgs: 0,
  summary: 'check what cs needs, put `cs` on the PATH and print the line for ~/.tmux.conf',
  details: [
    '      --bin-dir DIR  where the `cs` link goes (default ~/.local/bin)',
    '      --json         print {ok, checks, link, onPath, tmuxConf, tmuxLine}',
    'Run by ./install.sh after the dependencies; safe to run again. Exit 3 when a needed program',
    'is missing (each with the package that brings it); `cs uninstall` undoes it.',
  ].join('\n'),
  options: { ...JSON_OPTION, 'bin-dir': { type: 'string' } },
  async run({ config, flags }) {
    const checks: Check[] = [nodeCheck(), ...(await programChecks(config))]
    const root = csRoot()
    const bundle = bundleFile()
    if (!existsSync(bundle) || sourcesNewer(root, statSync(bundle).mtimeMs)) {
      await $({ cwd: root, quiet: true })`${process.execPath} ${join(root, 'scripts/build.mjs')}`
      checks.push({ level: 'ok', what: 'bundle', detail: `built ${bundle}` })
    }
    // `--bin-dir=~/bin` reaches cs as typed (no shell expands a ~ after =); a relative folder is
    // this one's, as typed, never a PATH entry that depends on where a shell stands
    const given = stringFlag(flags, 'bin-dir')?.replace(/^~(?=\/|$)/, config.home)
    const binDir = given === undefined ? defaultBinDir(config) : resolve(given)
    const { link, made } = linkCs(config, binDir)
    checks.push({ level: 'ok', what: 'cs', detail: `${link} → ${join(root, 'bin/cs')}${made ? '' : ' (already there)'}` })
    const visible = onPath(config, binDir)
    if (!visible)
      checks.push({ level: 'warn', what: 'PATH', detail: `${binDir} is not on your PATH`, fix: `add to your shell's start-up file: export PATH=${shellWord(binDir)}:"$PATH"` })
    const line = tmuxLine()
    const conf = tmuxConfStatus(config)
    checks.push(
      conf.loads
        ? { level: 'ok', what: 'tmux plugin', detail: `${conf.file} loads it` }
        : { level: 'warn', what: 'tmux plugin', detail: `${conf.file} does not load it`, fix: `add as its last line: ${line}   (then: tmux source-file ${shellWord(conf.file)})` }
    )
    const ok = !checks.some((c) => c.level === 'fail')
    if (flags.json) {
      print(jsonText({ ok, checks, link, onPath: visible, tmuxConf: conf.file, tmuxLine: line }))
      return ok ? EXIT.ok : EXIT.unavailable
    }
    for (const line of renderChecks(checks, colors(useColor(config)))) print(line)
    print('')
    print(ok ? 'cs is installed: run `cs` for the dashboard, `cs doctor` to check everything.' : 'cs is installed, but a program it needs is missing: see the fixes above.')
    print('Completions: cs completion bash|zsh|fish --help')
    return ok ? EXIT.ok : EXIT.unavailable // a needed program is missing, as ./install.sh says of Node
  },
})


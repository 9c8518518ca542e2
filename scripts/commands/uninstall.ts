// cs uninstall: removes what `cs install` added (the `cs` link) and stops what cs set running (its
// ssh agent, its crontab line); the store and the trash stay unless asked for, as they hold
// names, tags and moved transcripts.
import { existsSync, rmSync } from 'node:fs'
import { defineCommand } from '../../lib/command.ts'
import { confirm, interactive } from '../../lib/confirm.ts'
import { CsError, EXIT } from '../../lib/errors.ts'
import { isSet, JSON_OPTION } from '../../lib/flags.ts'
import { print } from '../../lib/format.ts'
import { csRoot, pluginFile, unlinkCs } from '../../lib/install.ts'
import { stopAgent } from '../../lib/agent.ts'
import { cronLineOf, currentCrontab, setCronLine } from '../../lib/cron.ts'
import { trashDir } from '../../lib/paths.ts'
import { jsonText } from '../../lib/untrusted.ts'

export default defineCommand({
  usage: 'uninstall [--store] [--trash [--yes]] [--json]',
  maxArgs: 0,
  summary: 'remove the `cs` links that `cs install` made, stop cs\'s ssh agent and cron line; the store and the trash stay unless asked',
  details: [
    '      --store  also remove cs\'s state folder: the index, names, tags, launch records',
    '      --trash  also remove the trash: the transcripts `cs gc` moved there are lost (asks first)',
    '  -y, --yes    remove the trash without asking (off a terminal, --trash needs it)',
    '      --json   {removed, kept} instead of sentences',
    'Never edits ~/.tmux.conf: remove the run-shell line yourself.',
  ].join('\n'),
  options: { ...JSON_OPTION, store: { type: 'boolean' }, trash: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
  async run({ config, flags }) {
    const trash = trashDir(config)
    if (isSet(flags, 'trash') && existsSync(trash) && !isSet(flags, 'yes')) {
      const question = `Delete ${trash} for good (the transcripts cs gc moved there)?`
      if (!interactive()) throw new CsError('--trash deletes transcripts for good', EXIT.failure, 'add --yes to do it without a question')
      if (!(await confirm(question))) throw new CsError('nothing removed', EXIT.failure)
    }
    const removed = unlinkCs(config)
    // what cs set running: its ssh agent (whose record --store would take with it) and its crontab
    // line, which would go on syncing from a checkout about to be deleted
    if (stopAgent(config)) removed.push(`cs's ssh agent (${config.agentSocket})`)
    try {
      if (cronLineOf(currentCrontab()) !== null) {
        setCronLine(null)
        removed.push('the crontab line of cs cron')
      }
    } catch (e) {
      if (!(e instanceof CsError)) throw e // no crontab here: no line either
    }
    for (const [flag, dir] of [['store', config.stateDir], ['trash', trash]] as const) {
      if (isSet(flags, flag) && existsSync(dir)) {
        rmSync(dir, { recursive: true, force: true })
        removed.push(dir)
      }
    }
    const kept = [
      ...(isSet(flags, 'store') ? [] : [config.stateDir]),
      ...(isSet(flags, 'trash') ? [] : [trash]),
    ].filter((d) => existsSync(d))
    if (flags.json) return void print(jsonText({ removed, kept }))
    print(removed.length ? removed.map((r) => `removed ${r}`).join('\n') : 'nothing to remove: no `cs` link of this checkout')
    for (const k of kept) print(`kept    ${k}`)
    print(`Remove the line loading ${pluginFile()} from your tmux configuration; running tmux servers keep`)
    print(`the plugin until they restart. The checkout itself (${csRoot()}) is yours to delete.`)
  },
})

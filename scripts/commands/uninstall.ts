// cs uninstall: removes what `cs install` added (the `cs` link) and stops what cs set running (its
// ssh agent, its crontab line); the store and the trash stay unless asked for, as they hold
// names, tags and moved transcripts.
import { existsSync, rmSync } from 'node:fs'
import { defineCommand } from '../../lib/command.ts'
import { confirm, interactive } from '../../lib/confirm.ts'
import { CsError, EXIT, usageError } from '../../lib/errors.ts'
import { isSet, JSON_OPTION } from '../../lib/flags.ts'
import { print } from '../../lib/format.ts'
import { csEntry, csRoot, pluginFile, unlinkCs } from '../../lib/install.ts'
import { stopAgent } from '../../lib/agent.ts'
import { cronLineOf, currentCrontab, runsEntry, setCronLine } from '../../lib/cron.ts'
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
    '      --json   {removed, kept, stopped} instead of sentences',
    'Never edits ~/.tmux.conf: remove the run-shell line yourself.',
  ].join('\n'),
  options: { ...JSON_OPTION, store: { type: 'boolean' }, trash: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
  async run({ config, flags }) {
    if (isSet(flags, 'yes') && !isSet(flags, 'trash')) throw usageError('--yes goes with --trash (the question it answers)', 'cs uninstall --trash --yes')
    const trash = trashDir(config)
    if (isSet(flags, 'trash') && existsSync(trash) && !isSet(flags, 'yes')) {
      const question = `Delete ${trash} for good (the transcripts cs gc moved there)?`
      if (!interactive()) throw new CsError('--trash deletes transcripts for good', EXIT.failure, 'add --yes to do it without a question')
      if (!(await confirm(question))) throw new CsError('nothing removed', EXIT.failure)
    }
    // what this checkout's cs set running: its crontab line, which would go on syncing from a
    // checkout about to be deleted (first: a crontab that cannot be written stops this command
    // before anything is removed), and its ssh agent, whose record --store would take along
    const stopped: string[] = []
    const notes: string[] = []
    let line: string | null = null
    try {
      line = cronLineOf(currentCrontab())
    } catch (e) {
      if (!(e instanceof CsError) || e.reason !== 'not-installed') throw e // no crontab: no line
    }
    if (line !== null && runsEntry(line, csEntry())) {
      setCronLine(null)
      stopped.push('the cs cron line (cs sync every 5 minutes)')
    } else if (line !== null) notes.push("the cs cron line runs another checkout's cs: `cs cron off` there removes it")
    if (stopAgent(config)) stopped.push(`cs's ssh agent at ${config.agentSocket}`)
    const removed = unlinkCs(config)
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
    if (flags.json) return void print(jsonText({ removed, kept, stopped }))
    print(removed.length ? removed.map((r) => `removed ${r}`).join('\n') : 'nothing to remove: no `cs` link of this checkout')
    for (const k of kept) print(`kept    ${k}`)
    for (const x of stopped) print(`stopped ${x}`)
    for (const n of notes) print(n)
    print(`Remove the line loading ${pluginFile()} from your tmux configuration; running tmux servers keep`)
    print(`the plugin until they restart. The checkout itself (${csRoot()}) is yours to delete.`)
  },
})

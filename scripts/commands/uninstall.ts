// cs uninstall: removes what `cs install` added (the `cs` link); the store and the trash stay
// unless asked for, as they hold names, tags and moved transcripts.
import { existsSync, rmSync } from 'node:fs'
import { defineCommand } from '../../lib/command.ts'
import { isSet } from '../../lib/flags.ts'
import { print } from '../../lib/format.ts'
import { csRoot, pluginFile, unlinkCs } from '../../lib/install.ts'
import { trashDir } from '../../lib/paths.ts'

export default defineCommand({
  usage: 'uninstall [--store] [--trash] [--json]',
  summary: 'remove the `cs` link that `cs install` made; the store and the trash stay unless asked',
  details: [
    '      --store  also remove cs\'s state folder: the index, names, tags, launch records',
    '      --trash  also remove the trash: the transcripts `cs gc` moved there are lost',
    'Never edits ~/.tmux.conf: remove the run-shell line yourself.',
  ].join('\n'),
  options: { store: { type: 'boolean' }, trash: { type: 'boolean' } },
  run({ config, flags }) {
    const removed: string[] = []
    const link = unlinkCs(config)
    if (link) removed.push(link)
    for (const [flag, dir] of [['store', config.stateDir], ['trash', trashDir(config)]] as const) {
      if (isSet(flags, flag) && existsSync(dir)) {
        rmSync(dir, { recursive: true, force: true })
        removed.push(dir)
      }
    }
    const kept = [
      ...(isSet(flags, 'store') ? [] : [config.stateDir]),
      ...(isSet(flags, 'trash') ? [] : [trashDir(config)]),
    ].filter((d) => existsSync(d))
    if (flags.json) return void print(JSON.stringify({ removed, kept }, null, 2))
    print(removed.length ? removed.map((r) => `removed ${r}`).join('\n') : 'nothing to remove: no `cs` link of this checkout')
    for (const k of kept) print(`kept    ${k}`)
    print(`Remove the line loading ${pluginFile()} from your tmux configuration; running tmux servers keep`)
    print(`the plugin until they restart. The checkout itself (${csRoot()}) is yours to delete.`)
  },
})

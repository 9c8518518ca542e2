// `cs update [--all]`: this cs's checkout brought up to date in place; with --all, every host of
// the hosts list too, over ssh, each by its own cs.
import { defineCommand } from '../../lib/command.ts'
import type { Config, HostEntry } from '../../lib/config.ts'
import { CsError, EXIT } from '../../lib/errors.ts'
import { isSet, JSON_OPTION } from '../../lib/flags.ts'
import { print } from '../../lib/format.ts'
import { targetHosts } from '../../lib/hosts.ts'
import { jsonAnswer } from '../../lib/remote.ts'
import { remoteCs, sshRun } from '../../lib/ssh.ts'
import { cleanText, jsonText } from '../../lib/untrusted.ts'
import { csRoot } from '../../lib/install.ts'
import { updateCheckout, type UpdateResult } from '../../lib/update.ts'

interface HostUpdate extends Partial<UpdateResult> {
  host: string
  error?: string
  /** the host did not answer, or has no cs (exit 3), rather than failed to update */
  unavailable?: boolean
}

/** One host's `cs update --json`, its answer checked. */
async function updateRemote(config: Config, host: HostEntry): Promise<HostUpdate> {
  try {
    const r = await sshRun(config, host, [remoteCs(host), 'update', '--json'], { timeoutMs: 15 * 60_000 })
    const parsed = r.status === 0 ? jsonAnswer(host, r.stdout) : null
    const answer = Array.isArray(parsed) ? parsed[0] : null
    if (!answer || typeof answer.from !== 'string' || typeof answer.to !== 'string') {
      // exit 2: a cs there that knows no `update`, too old for it
      const said = r.status === 2 ? 'its cs has no `cs update` (too old): update it there by hand (git pull, npm ci, npm run build)' : null
      return { host: host.name, error: said ?? cleanText(r.stderr.trim().split('\n')[0]) ?? `cs update failed there (exit ${r.status})` }
    }
    return { host: host.name, from: cleanText(answer.from) ?? '?', to: cleanText(answer.to) ?? '?', updated: answer.updated === true }
  } catch (e) {
    if (!(e instanceof CsError)) throw e
    return { host: host.name, error: e.message, unavailable: e.exitCode === EXIT.unavailable }
  }
}

export default defineCommand({
  usage: 'update [--all] [--json]',
  maxArgs: 0,
  summary: [
    "Update this cs in place from its git checkout: fetch, fast-forward only, npm ci when the lock",
    'file changed, build. A checkout with changes of its own is refused. --all does the same on',
    "every host of the hosts list, over ssh, and reports each host's old and new version.",
  ].join('\n'),
  details: ['  --all    every host of the hosts list too', '  --json   one object per host'].join('\n'),
  options: { ...JSON_OPTION, all: { type: 'boolean' } },
  async run({ config, flags }) {
    const { others } = targetHosts(config, flags)
    const remote = Promise.all(others.map((h) => updateRemote(config, h)))
    let mine: HostUpdate
    try {
      mine = { host: config.host, ...updateCheckout(csRoot()) }
    } catch (e) {
      if (!(e instanceof CsError) || !others.length) throw e
      mine = { host: config.host, error: e.message }
    }
    const all = [mine, ...(await remote)]
    if (isSet(flags, 'json')) print(jsonText(all))
    else
      for (const u of all)
        print(u.error ? `${u.host}: not updated: ${u.error}` : u.updated ? `${u.host}: ${u.from} -> ${u.to}` : `${u.host}: up to date, ${u.from}`)
    // a failed update is 1; a host that could not be reached, and nothing worse, is 3
    if (all.some((u) => u.error && !u.unavailable)) return EXIT.failure
    return all.some((u) => u.unavailable) ? EXIT.unavailable : EXIT.ok
  },
})

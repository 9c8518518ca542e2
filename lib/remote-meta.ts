// With a hosts list and no shared store, a session's name, tag and soft deletion belong to the
// host that runs it: its cs keeps them, and its answers carry them to every host that asks. So
// `cs rename`, `cs tag` and `cs rm` of another host's session run that host's cs over ssh, then
// ask it again, so that this host's copy shows the change at once. Made here instead, they would
// show on this host alone, and hide what that host sets later. With a shared store they are made
// here and travel through it (lib/sync.ts).
import type { Config, HostEntry } from './config.ts'
import { askHost } from './hosts.ts'
import { failedThere } from './remote.ts'
import type { SessionView } from './session.ts'
import { hostOf, remoteCs, sshRun } from './ssh.ts'
import type { Store } from './store.ts'

/** The host whose cs keeps this session's name, tag and deletion; null: this host keeps them. */
export function metaOwner(config: Config, view: SessionView): HostEntry | null {
  if (view.host === config.host || config.shared) return null
  return hostOf(config, [], view.host)
}

/** Runs `cs ARGS` on host for its effect, then copies that host's rows again into store (the
 *  command's own, so that the picker's history shows the change too; a host that does not answer
 *  this second time is copied at the next look). Throws CsError when it fails there. */
export async function changeThere(config: Config, store: Store, host: HostEntry, args: string[]): Promise<void> {
  const r = await sshRun(config, host, [remoteCs(host), ...args])
  if (r.status !== 0) throw failedThere(host, args[0], r.status, r.stderr)
  await askHost(config, host, { store }).catch(() => undefined)
}

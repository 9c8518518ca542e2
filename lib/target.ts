// What `cs attach`, `cs kill` and `cs adopt` act on: the argument (a tmux session name, an id
// prefix, a name, a project, a background id) turned into where the session is now. A live
// tmux name is answered by tmux alone, before the index is read.
import type { Config, HostEntry } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { readLive } from './live.ts'
import { generatedName, nameFromDir, sanitize } from './names.ts'
import { shellWord } from './quote.ts'
import { hostOf } from './ssh.ts'
import type { HostFacts, Launch, SessionView } from './session.ts'
import { withSessions } from './sessions.ts'
import { listSessions, probe, type TmuxSession } from './tmux-sessions.ts'
import { isSessionId } from './untrusted.ts'
import type { Tmux } from './tmux.ts'

export type Target =
  | { kind: 'tmux'; session: TmuxSession }
  | { kind: 'background'; bgId: string; id: string | null; name: string | null }
  /** not running: the tmux session (if any) is gone; name and cwd say how to bring it back;
   *  launched: cs ran it in tmux before (else it is history: it never had a tmux session) */
  | { kind: 'gone'; id: string; name: string; cwd: string | null; launched: boolean; args: string[] }
  /** running outside tmux, e.g. in another terminal */
  | { kind: 'external'; id: string; pid: number | null }
  /** a session of another host cs can reach over ssh: acted on by that host's cs */
  | { kind: 'remote'; host: HostEntry; view: SessionView }

/** `host`: the session on that host (`--host NAME`). */
export async function findTarget(config: Config, tmux: Tmux, query: string, host?: string): Promise<Target> {
  if (host !== undefined && host !== config.host)
    return withSessions(config, ({ store, find }) => remote(config, store.hosts(), query, find(query, { host })))
  const session = probe(tmux, query)
  if (session) return { kind: 'tmux', session }
  // the whole id of a session in tmux: tmux alone knows, before the index is read. A prefix is
  // the resolver's: another session may start with it too (ambiguous), as `cs info` says
  const byId = isSessionId(query) ? listSessions(tmux).filter((s) => s.id === query) : []
  if (byId.length === 1) return { kind: 'tmux', session: byId[0] }
  const bg = readLive(config).find((l) => l.kind === 'background' && l.bgId === query)
  if (bg) return { kind: 'background', bgId: query, id: bg.id, name: bg.name }
  return withSessions(config, (s) => {
    const { store } = s
    const mine = store.launches().filter((l) => l.host === config.host)
    const launch = mine.find((l) => l.tmuxSession === query)
    // a launch record's session is among those built from live state
    if (launch) return gone(launch.id, launch, s.fresh().views.find((v) => v.id === launch.id))
    const view = findView(query, () => s.views, config.host, s.find)
    if (view.host !== config.host) return remote(config, store.hosts(), query, view)
    const live = readLive(config).find((l) => l.id === view.id)
    if (live?.kind === 'background' && live.bgId) return { kind: 'background', bgId: live.bgId, id: view.id, name: view.name }
    const inTmux = view.tmuxSession ? probe(tmux, view.tmuxSession) : null
    if (inTmux) return { kind: 'tmux', session: inTmux }
    if (view.live) return { kind: 'external', id: view.id, pid: live?.pid ?? null }
    const last = mine.filter((l) => l.id === view.id).sort((a, b) => b.launchedAt.localeCompare(a.launchedAt))[0]
    return gone(view.id, last, view)
  })
}

/** Another host's session: acted on over ssh when cs knows how to reach that host (lib/hosts.ts
 *  hostOf: the hosts list, or the shared store's ssh destination of it). */
function remote(config: Config, facts: HostFacts[], query: string, view: SessionView): Target {
  const host = hostOf(config, facts, view.host)
  if (host) return { kind: 'remote', host, view }
  throw new CsError(
    `${shellWord(query)} runs on ${view.host}, not here`,
    EXIT.failure,
    `ssh ${view.host}, then run cs there (or give cs its ssh destination: cs hosts add ${view.host} --ssh USER@HOST)`
  )
}

/** The resolver's answer, else a project name: this host's, live, then most recent session wins. */
function findView(query: string, views: () => SessionView[], host: string, find: (q: string) => SessionView): SessionView {
  try {
    return find(query)
  } catch (e) {
    const best = views()
      .filter((v) => v.project === query && v.id && !v.deleted && (!v.orphan || v.live))
      .sort(
        (a, b) =>
          Number(b.host === host) - Number(a.host === host) ||
          Number(b.live) - Number(a.live) ||
          (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '')
      )[0]
    if (best) return best
    throw e
  }
}

function gone(id: string, launch: Launch | undefined, view: SessionView | undefined): Target {
  const cwd = launch?.cwd ?? view?.cwd ?? null
  const name = launch?.tmuxSession ?? sanitize(view?.name ?? '') ?? (cwd && nameFromDir(cwd)) ?? generatedName(id)
  return { kind: 'gone', id, name, cwd, launched: launch !== undefined, args: launch?.args ?? [] }
}

// Short ids like git's: the shortest prefix (at least MIN characters) that no other id shares,
// and the one resolver every command uses to turn what the user typed into a session.
import { CsError, EXIT, usageError } from './errors.ts'
import type { SessionView } from './session.ts'

export const MIN = 4

/** The shortest unique prefix of each id, at least MIN characters (the whole id if shorter). */
export function shortIds(ids: Iterable<string>): Map<string, string> {
  const sorted = [...(ids instanceof Set ? ids : new Set(ids))].sort()
  const out = new Map<string, string>()
  // in sorted order the longest shared prefix is always with a neighbour: each pair once
  let before = 0 // characters the previous id shares with this one
  for (let i = 0; i < sorted.length; i++) {
    const id = sorted[i]
    const next = sorted[i + 1]
    let after = 0
    if (next !== undefined) while (after < id.length && id[after] === next[after]) after++
    out.set(id, id.slice(0, Math.max(MIN, before + 1, after + 1)))
    before = after
  }
  return out
}

/**
 * The session the user means: a full id, a unique id prefix (>= MIN characters), or an exact
 * name (cs name, Claude's own title or the tmux session name). A prefix several sessions share
 * is this host's when only one of them is; among several matching names, this host's, then real
 * conversations over orphans and soft-deleted ones, then live ones win.
 */
export function resolve(query: string, sessions: SessionView[], host: string): SessionView {
  const q = query.trim()
  if (!q) throw usageError('no session given', 'give a short id or a name (see `cs ls`)')
  const exact = sessions.find((s) => s.id === q)
  if (exact) return exact
  if (q.length >= MIN) {
    const byPrefix = sessions.filter((s) => s.id && s.id.startsWith(q))
    if (byPrefix.length === 1) return byPrefix[0]
    // a prefix shared with another host's session: this host's wins, as for names
    const mine = byPrefix.filter((s) => s.host === host)
    if (mine.length === 1) return mine[0]
    if (byPrefix.length > 1) throw ambiguous(q, byPrefix)
  }
  const byName = sessions.filter((s) => s.name === q || s.tmuxSession === q)
  const best = prefer(byName, [
    (s) => s.host === host,
    (s) => !s.orphan && !s.deleted,
    (s) => s.live,
  ])
  if (best.length === 1) return best[0]
  if (best.length > 1) throw ambiguous(q, best)
  throw new CsError(
    `no session matches '${q}'`,
    EXIT.failure,
    'use a short id or a name from `cs ls --all`'
  )
}

/** Narrows by each predicate in turn, as long as something is left. */
function prefer<T>(items: T[], predicates: ((item: T) => boolean)[]): T[] {
  return predicates.reduce((left, p) => {
    const kept = left.filter(p)
    return kept.length ? kept : left
  }, items)
}

function ambiguous(q: string, candidates: SessionView[]): CsError {
  const lines = candidates.slice(0, 10).map((s) => `    ${s.short || '-'}  ${s.title} (${s.host})`)
  const more = candidates.length > 10 ? [`    … and ${candidates.length - 10} more`] : []
  return new CsError(
    `'${q}' is ambiguous: ${candidates.length} sessions match\n${[...lines, ...more].join('\n')}`,
    EXIT.failure,
    'give a longer id prefix'
  )
}

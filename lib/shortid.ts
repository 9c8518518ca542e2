// Short ids like git's: the shortest prefix (at least MIN characters) that no other id shares,
// and the one resolver every command uses to turn what the user typed into a session.
import { CsError, EXIT, usageError } from './errors.ts'
import { compareText } from './format.ts'
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
 * name (cs name, Claude's own title or the tmux session name), optionally as `HOST:QUERY`. An
 * id or prefix matching on several hosts means this host's session when exactly one here matches.
 * Among several matching names, this host's, then live ones (a session /clear just started is
 * an orphan until its first prompt, and carries the name), then real conversations over orphans
 * and soft-deleted ones win.
 */
export function resolve(
  query: string,
  sessions: SessionView[],
  host: string,
  // whether a host has sessions: given when `sessions` are only those the query may mean
  hasHost = (name: string) => sessions.some((s) => s.host === name)
): SessionView {
  const q = query.trim()
  if (!q) throw usageError('no session given', 'give a short id or a name (see `cs ls`)')
  const colon = q.indexOf(':')
  const on = colon > 0 ? q.slice(0, colon) : null
  if (on && hasHost(on))
    return resolve(q.slice(colon + 1), sessions.filter((s) => s.host === on), host, (name) => name === on)
  // one id on several hosts (a home shared by two of them, or a host that copies another's
  // rows): this host's, else the user says which
  const exact = sessions.filter((s) => s.id === q)
  const exactHere = exact.filter((s) => s.host === host)
  if (exact.length === 1 || exactHere.length === 1) return exactHere[0] ?? exact[0]
  if (exact.length > 1) throw ambiguous(q, exact)
  if (q.length >= MIN) {
    const byPrefix = sessions.filter((s) => s.id && s.id.startsWith(q))
    if (byPrefix.length === 1) return byPrefix[0]
    const here = byPrefix.filter((s) => s.host === host)
    if (here.length === 1) return here[0]
    if (byPrefix.length > 1) throw ambiguous(q, here.length ? here : byPrefix)
  }
  const byName = sessions.filter((s) => s.name === q || s.tmuxSession === q)
  const best = prefer(byName, [
    (s) => s.host === host,
    (s) => s.live,
    (s) => !s.orphan && !s.deleted,
  ])
  if (best.length === 1) return best[0]
  if (best.length > 1) throw ambiguous(q, best)
  if (q.length < MIN && /^[0-9a-f-]+$/i.test(q))
    throw new CsError(
      `no session named '${q}', and '${q}' is too short for an id: give at least ${MIN} characters`,
      EXIT.failure,
      'the short ids in `cs ls` are the shortest that work'
    )
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
  // by host and id: not in the order of whatever list they were found in
  const sorted = [...candidates].sort((a, b) => compareText(a.host, b.host) || compareText(a.id, b.id))
  const lines = sorted.slice(0, 10).map((s) => `    ${s.host}:${s.short || '-'}  ${s.title}`)
  const more = candidates.length > 10 ? [`    … and ${candidates.length - 10} more`] : []
  return new CsError(
    `'${q}' is ambiguous: ${candidates.length} sessions match\n${[...lines, ...more].join('\n')}`,
    EXIT.failure,
    'give a longer id prefix, or HOST:ID'
  )
}

// cs's own metadata (names, tags, soft deletions, launch records) kept apart from the
// rebuildable index: every change is also appended to `cs.journal` beside the database, one JSON
// line a change. A damaged database is set aside and rebuilt from the transcripts, and this
// journal puts the metadata back. The store appends inside the transaction that makes the
// change, and takes the lines back when that transaction fails, so the two never disagree; the
// journal is rewritten as a snapshot when it grows.
import { appendFileSync, closeSync, openSync, readSync, statSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import type { Config } from './config.ts'
import { openRegular, refuseIfNotAFile, replaceFile } from './regular-file.ts'
import { isState, type Launch, type SessionMeta, type State } from './session.ts'
import { isSessionId, jsonObject } from './untrusted.ts'

export type MetaColumn = 'name' | 'tag' | 'deleted_at'

export type JournalOp =
  | { op: 'meta'; id: string; column: MetaColumn; value: string | null }
  | { op: 'launch'; launch: Launch }
  | { op: 'note'; host: string; tmuxSession: string; id: string; state: State; at: string }
  | { op: 'drop'; host: string; tmuxSession: string }

/** What replaying a journal writes to: the store's own setters. */
export interface JournalTarget {
  setMeta(column: MetaColumn, id: string, value: string | null): void
  saveLaunch(launch: Launch): void
  noteState(tmuxSession: string, host: string, id: string, state: State, at: string): void
  dropLaunch(host: string, tmuxSession: string): void
}

export const journalPath = (config: Config) => join(config.stateDir, 'cs.journal')

/** Rewritten as a snapshot past this size. */
export const COMPACT_BYTES = 4 * 1024 * 1024
/** How the journal is read: a chunk at a time, and no line kept past LINE_MAX (one is some 300 bytes). */
const CHUNK = 1024 * 1024
const LINE_MAX = 1024 * 1024

/** The journal's bytes an append wrote, [from, to): what takeBack cuts. */
export type Appended = [number, number]

export function appendJournal(path: string, ops: JournalOp[]): Appended {
  refuseIfNotAFile(path, "cs's journal")
  const from = journalSize(path) ?? 0
  if (!ops.length) return [from, from]
  // a last line cut short (a crash, a disk that filled mid-line) is ended first: this append's
  // lines stand on their own, where glued to it they would be unreadable too
  const text = (from > 0 && !endsLine(path, from) ? '\n' : '') + ops.map((o) => JSON.stringify(o) + '\n').join('')
  try {
    appendFileSync(path, text, { mode: 0o600 })
  } catch (e) {
    takeBack(path, [from, journalSize(path) ?? from]) // what a full disk let through of it
    throw e
  }
  return [from, from + Buffer.byteLength(text)]
}

/** Whether the journal's last byte (of `size`) ends a line. */
function endsLine(path: string, size: number): boolean {
  const fd = openSync(path, 'r')
  try {
    const last = Buffer.alloc(1)
    return readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a
  } finally {
    closeSync(fd)
  }
}

/**
 * Takes back what an append wrote: the transaction it belonged to failed (a commit refused on a
 * full disk), and a change the user was told failed must not come back when the database is
 * rebuilt from the journal. Left alone when another writer has appended since.
 */
export function takeBack(path: string, [from, to]: Appended): void {
  try {
    if (from < to && journalSize(path) === to) truncateSync(path, from)
  } catch {
    // nothing to cut
  }
}

export const journalSize = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? null

const str = (v: unknown) => typeof v === 'string'
const strOrNull = (v: unknown) => v === null || typeof v === 'string'
const COLUMNS: readonly string[] = ['name', 'tag', 'deleted_at']

/** One line, checked: a line cut short by a crash or edited by hand is skipped. */
function parseOp(line: string): JournalOp | null {
  const o: any = jsonObject(line)
  if (!o) return null
  if (o.op === 'meta' && isSessionId(o.id) && COLUMNS.includes(o.column) && strOrNull(o.value)) return o
  const l = o.launch
  if (
    o.op === 'launch' && l && isSessionId(l.id) && str(l.host) && str(l.tmuxSession) && str(l.cwd) &&
    str(l.launchedAt) && (l.lastState === null || isState(l.lastState)) && strOrNull(l.lastSeenAt)
  )
    // lines written before launch records kept claude's arguments have none
    return { op: 'launch', launch: { ...l, args: Array.isArray(l.args) && l.args.every(str) ? l.args : [] } }
  if (o.op === 'note' && isSessionId(o.id) && str(o.host) && str(o.tmuxSession) && isState(o.state) && str(o.at))
    return o
  if (o.op === 'drop' && str(o.host) && str(o.tmuxSession)) return o
  return null
}

/** The journal's changes in order and how many lines were skipped; none for no journal, null for
 *  one that cannot be read (its permissions, a FIFO): it holds what nothing else does, so a
 *  caller must keep it and say so. Read in chunks, whatever its size: a crash can leave megabytes
 *  of NUL bytes after its lines, each run of them a skipped line. */
export function readJournal(path: string): { ops: JournalOp[]; skipped: number } | null {
  const ops: JournalOp[] = []
  let skipped = 0
  const take = (line: string) => {
    if (!line) return
    const op = parseOp(line)
    if (op) ops.push(op)
    else skipped++
  }
  try {
    statSync(path)
  } catch (e) {
    // none at all, or none that can be looked at (a folder on its way closed to this user)
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { ops, skipped } : null
  }
  const file = openRegular(path)
  if (!file) return null
  try {
    const buf = Buffer.allocUnsafe(CHUNK)
    const text = new StringDecoder('utf8') // a character cut by a chunk's end is whole in the next
    let rest = '' // a line begun in an earlier chunk; dropped past LINE_MAX (counted once)
    let tooLong = false
    for (let at = 0; ; ) {
      const n = readSync(file.fd, buf, 0, CHUNK, at)
      if (n === 0) break
      at += n
      const lines = (rest + text.write(buf.subarray(0, n))).split('\n')
      rest = lines.pop()!
      for (const line of lines) {
        if (tooLong) tooLong = false // the end of the line dropped
        else take(line)
      }
      if (rest.length > LINE_MAX) {
        if (!tooLong) skipped++
        tooLong = true
        rest = ''
      }
    }
    if (!tooLong) take(rest)
  } catch {
    return null
  } finally {
    closeSync(file.fd)
  }
  return { ops, skipped }
}

export function replay(ops: JournalOp[], target: JournalTarget): void {
  for (const o of ops) {
    if (o.op === 'meta') target.setMeta(o.column, o.id, o.value)
    else if (o.op === 'launch') target.saveLaunch(o.launch)
    else if (o.op === 'note') target.noteState(o.tmuxSession, o.host, o.id, o.state, o.at)
    else target.dropLaunch(o.host, o.tmuxSession)
  }
}

/** The metadata as it stands, as journal lines. */
export function snapshot(meta: Map<string, SessionMeta>, launches: Launch[]): JournalOp[] {
  const ops: JournalOp[] = []
  for (const m of meta.values()) {
    if (m.name !== null) ops.push({ op: 'meta', id: m.id, column: 'name', value: m.name })
    if (m.tag !== null) ops.push({ op: 'meta', id: m.id, column: 'tag', value: m.tag })
    if (m.deletedAt !== null) ops.push({ op: 'meta', id: m.id, column: 'deleted_at', value: m.deletedAt })
  }
  for (const launch of launches) ops.push({ op: 'launch', launch })
  return ops
}

/** Replaces the journal with these lines in one rename, synced first: never half a journal. */
export function rewriteJournal(path: string, ops: JournalOp[]): void {
  replaceFile(path, ops.map((o) => JSON.stringify(o) + '\n').join(''), { mode: 0o600, sync: true })
}

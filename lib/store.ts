// The local store's interface. SQLite (lib/store-sqlite.ts) does the whole job on one machine
// and keeps a copy of the other hosts' rows; the shared store (lib/shared-store.ts) carries them
// between machines. Commands get both from openStores() (lib/stores.ts).
import type { CsError } from './errors.ts'
import type { HostFacts, HostRow, Launch, SessionMeta, State, TranscriptInfo } from './session.ts'

/** A row of another host that a save changed: as it was (null: new) and as it is (null: gone). */
export interface HostRowChange {
  before: HostRow | null
  after: HostRow | null
}

/** A host's ssh answer (`cs ls --json` there) as received, which its kept rows were made of:
 *  the next answer is compared with it line by line (lib/hosts.ts parseAnswer). */
export interface AnswerHead {
  /** its text's digest (lib/hosts.ts answerDigest): the same digest, the same answer */
  digest: string
  /** the cs version its rows were checked with (HostRow.csVersion) */
  csVersion: string
  /** how many of its rows failed a check */
  skipped: number
  /** which saving of it this is: its fetchedAt (HostFacts), a space and more. Rows compared with
   *  it are saved only while it is kept, and it is kept only while the host's fetchedAt is its */
  stamp: string
}

/** An answer as kept, or as it is saved: its text (some MB at 10,000 sessions) read, or
 *  decoded, only when asked for. */
export interface StoredAnswer extends AnswerHead {
  text(): string
}

/** Where the incremental indexer left a file: read on from `offset` if size and mtime grew. */
export interface FileMark {
  path: string
  size: number
  mtimeMs: number
  offset: number // bytes consumed: at a line boundary, or past a last line that is a whole JSON object
}

/** What the indexer compares a project folder with, without its files' infos. */
export interface FolderListing {
  /** Session files' names, sizes and mtimes as the indexer saw them (`name size mtimeMs` lines):
   *  the same again means nothing to read; '' means list the folder again. */
  listing: string
  /** The folder's own mtime when listed (a file added or removed moves it); -1: list it again. */
  mtimeMs: number
}

/** A stored listing as a warm run first reads it: its text only where it names a hot file. */
export interface FolderSummary {
  /** null: no file of it was modified since `hotSince` as last listed, nor is a live one */
  listing: string | null
  mtimeMs: number
  count: number // its session files
}

/** The index of one project folder, stored and replaced whole. */
export interface FolderIndex extends FolderListing {
  path: string // absolute path of the folder under <claudeDir>/projects
  files: { mark: FileMark; info: TranscriptInfo }[] // every session file in the folder
}

export interface IndexChanges {
  folders: FolderIndex[] // rewritten whole (the parser states of files no longer in them go too)
  moved?: { path: string; mtimeMs: number }[] // folders whose own mtime alone changed
  gone: string[] // folders no longer on disk
  /** Parser states (lib/transcript.ts, serialised) of the files read, where reading stopped;
   *  null: none kept, and any saved before for the file dropped. */
  parsers: { mark: FileMark; state: string | null }[]
}

export interface Store {
  // The transcript index: per project folder, so that a warm run compares one listing per folder.
  /** Every folder's summary: the listing of those that hold a file modified since hotSince (as
   *  last listed) or the file of a live session (ids), so that a warm run's cost follows the hot
   *  files. */
  listings(hotSince: number, live: string[]): Map<string, FolderSummary>
  /** One folder's stored listing, null when none is stored. */
  listing(path: string): FolderListing | null
  folder(path: string): FolderIndex | null
  /** The parser state saved at exactly this mark (none if another run saved a different one). */
  parserState(mark: FileMark): string | null
  /** Writes one indexing run's results in one transaction. */
  saveIndex(changes: IndexChanges): void
  /** Drops files from the index now (cs deleted or moved them); the next run would too. */
  forget(paths: string[]): void
  /** Every session file (sidechain files are orphans), legacy summaries resolved across files. */
  transcripts(): TranscriptInfo[]
  /** The session files of these ids, as transcripts() has them. */
  transcriptsOf(ids: string[]): TranscriptInfo[]

  // The dashboard's rows kept ready (lib/rows.ts): one a session of every host, rewritten when
  // the index, metadata or other hosts' copy change that session; built whole when missing (a
  // fresh store, a schema bump, another host name).
  /** Stored rows whose urgency (lib/views.ts URGENCY) is in [lo, hi], in the dashboard's order:
   *  id, urgency, updated, the row's JSON; at most limit. */
  storedRows(q: RowQuery, urgencies: [lo: number, hi: number], limit: number | null): [id: string, urgency: number, updated: string, json: string][]
  /** The same rows' JSON texts, read one at a time as they are consumed. */
  storedTexts(q: RowQuery, urgencies: [lo: number, hi: number]): Iterable<string>
  /** The history's rows (stopped ones) as storedTexts gives them, some of them in blocks: a
   *  Buffer is several rows' texts joined by `,\n`, as lib/stdout.ts writeArray writes them. It
   *  holds only until the next step: its memory is reused for the next block. */
  historyChunks(q: RowQuery): Iterable<string | Buffer>
  /** The blocks whose rows changed built again now (historyChunks does it otherwise): by a
   *  command that changed rows and reads no blocks, so that the next listing finds them whole.
   *  Nothing when the store is read-only or another cs holds it. */
  freshenBlocks(): void
  countRows(q: RowQuery, urgencies: [lo: number, hi: number]): number
  /** The stored ids just before and after id in sorted order, with their short ids. */
  rowNeighbours(id: string): [id: string, short: string][]
  /** The stored short ids of those of these ids that a row holds. */
  storedShorts(ids: string[]): Map<string, string>
  /** The JSON texts of the stored rows, hidden ones too, that `text` may mean: of its id, or of
   *  the ids it starts (MIN characters or more), else of its name or tmux session name (as
   *  lib/shortid.ts resolve looks for them). */
  matchingRows(q: RowQuery, text: string): string[]
  /** Whether a row of the host is stored, hidden ones too. */
  hasRows(host: string): boolean

  // cs's own metadata.
  /** Every id's, or these ids'. */
  meta(ids?: string[]): Map<string, SessionMeta>
  setName(id: string, name: string | null): void
  setTag(id: string, tag: string | null): void
  /** Soft-deletes (deletedAt) or restores (null) these sessions at once, in one transaction;
   *  `unlessNamed` leaves out those named or tagged by then (a rename while a prune ran), `then`
   *  runs in it with the ids changed (a prune's record: written in the order the prunes were,
   *  and none saved if it fails). Returns the ids it changed. */
  setDeleted(ids: string[], deletedAt: string | null, o?: { unlessNamed?: boolean; then?: (changed: string[]) => void }): string[]

  // Launch records (live sessions, revive).
  launches(): Launch[]
  saveLaunch(launch: Launch): void
  /** Follows /clear: the tmux session now runs another claude session id. */
  noteState(tmuxSession: string, host: string, id: string, state: State, at: string): void
  dropLaunch(host: string, tmuxSession: string): void

  // Other hosts: their rows copied here (by sync from the shared store, or from ssh answers), so
  // that no dashboard waits on the network. Rows are checked (checkHostRow) before they come in.
  /** Every other host's rows (never this host's: those are the index), or one host's. */
  hostRows(host?: string): HostRow[]
  /** Replaces a host's rows (`merge`: changes only, and ids whose transcript is gone); returns
   *  the rows it changed, each as it was (null: new) and as it is (null: gone). `answer`: the
   *  ssh answer the host's rows now are made of, kept for hostAnswer (none: they are not). With
   *  `merge.since`, the stamp of the kept answer the changes were found against, null and nothing
   *  written when another answer is kept by now (another process saved one meanwhile). */
  saveHostRows(
    host: string,
    rows: HostRow[],
    fetchedAt: string,
    merge?: { gone: string[]; since?: string },
    answer?: StoredAnswer
  ): HostRowChange[] | null
  /** The ssh answer a host's kept rows are made of, or null (none yet, or rows that came from the
   *  shared store, were forgotten or were fetched without keeping the answer since). */
  hostAnswer(host: string): StoredAnswer | null
  /** What is known of the other hosts. */
  hosts(): HostFacts[]
  saveHost(facts: HostFacts): void
  /** Forgets a host: what is known of it and its rows (gone from the shared store). */
  dropHost(host: string, at: string): void
  /** Small values of the sync's own (watermarks, last push, skipped documents; hostAnswer's). */
  syncValue(key: string): string | null
  setSyncValue(key: string, value: string | null): void
  /** How many writes this host's rows of the dashboard have had (their rebuilds too), or null
   *  while they are not built: the same number again means none of them changed. */
  rowsWritten(): number | null
  /** Hashes of this host's rows as last pushed, by id: every one, or those of ids. */
  pushedHashes(ids?: readonly string[]): Map<string, string>
  /** Records pushed rows (a null hash: the row is gone from the shared store's view). */
  savePushed(hashes: [id: string, hash: string | null][]): void
  /** Forgets what was pushed: every row and every name, tag and deletion goes at the next push
   *  (the shared store lost them: a new, wiped or restored server); `notes`, the sync values the
   *  pushes noted, go with them, all at once. */
  forgetPushed(notes: readonly string[]): void
  /** Names, tags and deletions changed here and not pushed yet (`n`: the change's count). */
  dirtyMeta(): MetaChange[]
  /** Forgets pushed changes, unless the same field changed again since (its `n` moved). */
  clearDirtyMeta(done: MetaChange[]): void
  /** Takes names, tags and deletions from other hosts; a field changed here and not pushed wins. */
  applySharedMeta(changes: MetaChange[]): void

  /** Rows this connection has written so far, the sync's own small values left out (they show
   *  nowhere): a cheap "did anything shown change" for callers. */
  changes(): number

  /** Why the store can only be read (a read-only folder, a full disk), or null: every write
   *  then fails with that error, and reads answer from what was last saved. */
  readOnly(): CsError | null

  /** For cs doctor: where the store lives, its schema version and size, and what is wrong
   *  with it (nothing: []). */
  check(): { location: string; schema: number; bytes: number; problems: string[] }

  close(): void
}

/** Which stored rows a listing wants: `all` includes orphans and soft-deleted ones, `exclude`
 *  ids are built fresh, `shorts` are short ids by id that replace the stored ones (ids shown but
 *  not stored may lengthen them). A row of another host whose id this host has is left out: the
 *  index here is the truth. */
export interface RowQuery {
  all: boolean
  host: string | null
  exclude: string[]
  shorts: Record<string, string>
}

/** cs's own metadata of a session, as it travels between hosts. */
export const META_FIELDS = ['name', 'tag', 'deletedAt'] as const

/** One field of cs's metadata, as changed by one host. */
export interface MetaChange {
  id: string
  field: (typeof META_FIELDS)[number]
  value: string | null
  n?: number
}

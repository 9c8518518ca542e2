// The store interface. SQLite (lib/store-sqlite.ts) is the default and does the whole job on
// one machine; a shared MongoDB store comes later behind the same interface.
import type { Launch, SessionMeta, State, TranscriptInfo } from './session.ts'

/** Where the incremental indexer left a file: read on from `offset` if size and mtime grew. */
export interface FileMark {
  path: string
  size: number
  mtimeMs: number
  offset: number // bytes consumed: always at a line boundary
}

/** One file's index result: where reading stopped, the parser's state there, what it found. */
export interface IndexEntry {
  mark: FileMark
  parser: string // serialised parser state (lib/transcript.ts), to resume mid-file
  info: TranscriptInfo
}

export interface Store {
  // The transcript index.
  /** Every indexed file's mark (without the parser state: the warm path needs only these). */
  marks(): Map<string, FileMark>
  /** The parser state saved with a file's mark, read only when the file grew. */
  parserState(path: string): string | null
  /** Writes many files' index results in one transaction; drops the files gone from disk. */
  saveIndex(entries: IndexEntry[], dropped: string[]): void
  /** Every session (no sidechain files), legacy summaries resolved across files. */
  transcripts(): TranscriptInfo[]

  // cs's own metadata.
  meta(): Map<string, SessionMeta>
  setName(id: string, name: string | null): void
  setTag(id: string, tag: string | null): void
  setDeleted(id: string, deletedAt: string | null): void

  // Launch records (live sessions, revive).
  launches(): Launch[]
  saveLaunch(launch: Launch): void
  /** Follows /clear: the tmux session now runs another claude session id. */
  noteState(tmuxSession: string, host: string, id: string, state: State, at: string): void
  dropLaunch(host: string, tmuxSession: string): void

  /** For cs doctor: where the store lives and what is wrong with it (nothing: []). */
  check(): { location: string; problems: string[] }

  close(): void
}

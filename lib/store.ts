// The store interface. SQLite (lib/store-sqlite.ts) is the default and does the whole job on
// one machine; a shared MongoDB store comes later behind the same interface.
import type { Launch, SessionMeta, State, TranscriptInfo } from './session.ts'

/** Where the incremental indexer left a file: read on from `offset` if size and mtime grew. */
export interface FileMark {
  path: string
  size: number
  mtimeMs: number
  offset: number // bytes consumed: always at a line boundary
  parser: string // serialised parser state (lib/transcript.ts), to resume mid-file
}

export interface Store {
  // The transcript index.
  marks(): Map<string, FileMark>
  /** Writes many files' index results in one transaction. */
  saveIndex(entries: { mark: FileMark; info: TranscriptInfo }[], dropped: string[]): void
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

  close(): void
}

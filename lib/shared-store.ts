// The shared store's interface: what several machines share (hosts, their session rows, cs's
// names, tags and deletions). Async, since it is a server. MongoDB implements it
// (lib/store-mongo.ts, the only module that loads the driver); openStores() (lib/stores.ts) opens it.
//
// Ordering never trusts a writer's clock: each host's pushes are numbered by the server
// (nextSeq, an atomic increment on the host's document), rows and metadata carry the number of
// the push that wrote them, and a host's document says up to which number its pushes are
// readable: `carried`, a push whose changes its document itself carries (lib/recent-pushes.ts:
// the live-state pushes, a few rows each), and `seq`, a push whose rows are all written. A reader
// copies (what it had, carried] from the host's document when it carries all of it, else
// (what it had, seq] by push number. A row is written only over one of an older push
// (a condition on its version), so an older writer never overwrites a newer row.
import type { RecentPush } from './recent-pushes.ts'
import type { HostRow } from './session.ts'
import type { MetaChange } from './store.ts'

/** A host as its document in the shared store says (unchecked: another machine wrote it). */
export type HostDoc = Record<string, unknown>

/** A push number of a host's document (0 for none), and the last push it holds whole or carries. */
export const seqOf = (d: HostDoc, k: 'seq' | 'carried') => (Number.isSafeInteger(d[k]) ? (d[k] as number) : 0)
export const pushedUpTo = (d: HostDoc) => Math.max(seqOf(d, 'seq'), seqOf(d, 'carried'))

/** Per host: the push numbers a reader has not copied yet. */
export interface SeqRange {
  host: string
  after: number
  upTo: number
}

/** A push's number, the last readable push before it, and the host document's recent pushes
 *  (unchecked: as the store holds them). */
export interface PushSlot {
  seq: number
  after: number
  recent: unknown
}

export interface HostCommit {
  host: string
  seq: number // every push up to this one has its rows written (0: no change)
  carried?: number // this push is readable from the host's document (`recent`)
  csVersion: string
  ssh: string | null
  at: string // ISO 8601, this host's clock: shown as "last sync", never used for ordering
  launches?: unknown[] // this host's launch records (the next issue revives from them)
  recent?: RecentPush[] // this push added to the document's recent pushes
}

export interface SharedStore {
  /** Where the store is, password masked: the only form of the URL cs prints. */
  readonly where: string
  /** The number of this host's next push, assigned by the server. */
  nextSeq(host: string): Promise<PushSlot>
  /** Writes rows (and marks ids whose transcript is gone) under `seq`, each only over a row of
   *  an older push (`stale`: those a newer push had written). `fresh`: ids this host never
   *  pushed (inserted, not updated). */
  putRows(host: string, seq: number, rows: HostRow[], gone: string[], fresh: Set<string>): Promise<{ written: number; stale: number }>
  /** Writes changed fields of cs's metadata under this host's `seq`. */
  putMeta(host: string, seq: number, changes: MetaChange[]): Promise<void>
  /** Marks pushes up to `seq` written (and `carried` readable), and records the heartbeat. */
  commit(c: HostCommit): Promise<void>
  /** Every host's document. */
  hosts(): Promise<HostDoc[]>
  /** Row documents (gone ones too) in the ranges; unchecked. */
  rowsIn(ranges: SeqRange[]): Promise<Record<string, unknown>[]>
  /** Metadata documents written in the ranges; unchecked. */
  metaIn(ranges: SeqRange[]): Promise<Record<string, unknown>[]>
  /** The metadata documents of these session ids, those that exist; unchecked. */
  metaOf(ids: string[]): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

// The one sequence behind every command that shows or changes sessions: index what changed on
// disk, read cs's metadata and live state, and merge them into views.
import type { Config } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { indexTranscripts } from './indexer.ts'
import { readLive } from './live.ts'
import type { SessionMeta, SessionView, TranscriptInfo } from './session.ts'
import { resolve } from './shortid.ts'
import type { Store } from './store.ts'
import { openStore } from './store-sqlite.ts'
import { buildViews } from './views.ts'

export interface Sessions {
  store: Store
  views: SessionView[] // every session, orphans and soft-deleted included
  transcripts: Map<string, TranscriptInfo>
  meta: Map<string, SessionMeta> // cs's own names, tags and soft deletions
  /**
   * A full id, a unique prefix or a name: the session, or a CsError listing candidates.
   * `recorded`: refuse a live process whose claude session id is not known yet (no id to record).
   */
  find(query: string, opts?: { recorded?: boolean }): SessionView
}

/** Runs fn over fresh views; the store stays open for fn and is closed after it. */
export async function withSessions<T>(
  config: Config,
  fn: (s: Sessions) => T | Promise<T>
): Promise<T> {
  const store = openStore(config)
  try {
    indexTranscripts(config, store)
    const transcripts = store.transcripts()
    const meta = store.meta()
    const views = buildViews(transcripts, meta, readLive(config), config.host)
    return await fn({
      store,
      views,
      transcripts: new Map(transcripts.map((t) => [t.id, t])),
      meta,
      find(query, opts) {
        const v = resolve(query, views, config.host)
        if (opts?.recorded && !v.id)
          throw new CsError(
            `'${query}' has no Claude session id yet`,
            EXIT.failure,
            'wait until it has started, then use the id shown by `cs ls`'
          )
        return v
      },
    })
  } finally {
    store.close()
  }
}

// The one place commands get their stores from: the local SQLite store, opened at once, and the
// shared store, connected only when asked for (the driver is loaded then, not before).
import type { Config } from './config.ts'
import type { SharedStore } from './shared-store.ts'
import type { Store } from './store.ts'
import { openStore } from './store-sqlite.ts'

export interface Stores {
  local: Store
  /** null when no shared store is configured; connects on the first call (a CsError, exit 3,
   *  when the server cannot be reached within timeoutMs). */
  shared(timeoutMs?: number): Promise<SharedStore | null>
  /** Loads the driver (local work, no network): a bound on the server's answer starts after it. */
  loadDriver(): Promise<void>
  close(): Promise<void>
}

/** How long a command waits for the shared store by default. */
const SHARED_TIMEOUT_MS = 5000

export function openStores(config: Config): Stores {
  const local = openStore(config)
  let shared: Promise<SharedStore> | null = null
  return {
    local,
    shared(timeoutMs = SHARED_TIMEOUT_MS) {
      const settings = config.shared
      if (!settings) return Promise.resolve(null)
      shared ??= import('./store-mongo.ts').then((m) => m.connectMongo(settings, { timeoutMs }))
      return shared
    },
    async loadDriver() {
      if (config.shared) await (await import('./store-mongo.ts')).loadDriver()
    },
    async close() {
      local.close()
      if (shared) await shared.then((s) => s.close(), () => {})
    },
  }
}

/** The local store alone, for the synchronous commands that need nothing shared. */
export const openLocalStore = (config: Config): Store => openStore(config)

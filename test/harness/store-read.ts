// One value of cs's store, read as it is on disk (read-only, no cs command run): what a test
// checks of the store without changing it.
import Database from 'better-sqlite3'
import { loadConfig } from '../../lib/config.ts'
import { dbPath } from '../../lib/paths.ts'

export function storeValue(env: NodeJS.ProcessEnv, sql: string, ...args: unknown[]): unknown {
  const db = new Database(dbPath(loadConfig(env)), { readonly: true })
  try {
    return db.prepare(sql).pluck().get(...args)
  } finally {
    db.close()
  }
}

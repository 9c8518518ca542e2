// The shared store on MongoDB (or a MongoDB-wire server such as FerretDB). The only module that
// loads the driver, and only when a shared store is configured: some 15 ms to load from its own
// bundle with its code cache (scripts/build.mjs), 40 ms without the cache.
//
// Collections: hosts (_id: host name; `next` numbers its pushes, `seq` is the last one written,
// `carried` the last one its `recent` pushes hold),
// sessions (_id: HOST/ID, unique on host + id; `seq`: the push that wrote it; `gone`: its
// transcript is gone), meta (_id: session id; name, tag, deletedAt, `by` and `seq` of the last
// push that changed it, and of each field the last push that changed that field: `nameBy`,
// `nameSeq`…). Updates go in chunks of at most 50 operations: FerretDB 1.24 hangs on a
// bulk write of about 100 updates that match existing documents.
import { connect } from 'node:net'
import type { AnyBulkWriteOperation, Db, Document, MongoClient, MongoClientOptions } from 'mongodb'
import type { SharedStoreSettings } from './config.ts'
import { maskUrl, urlSecrets } from './config.ts'
import { CsError, EXIT } from './errors.ts'
import { fileSettingError } from './regular-file.ts'
import { HOST_ROW_FIELDS } from './host-rows.ts'
import type { HostRow } from './session.ts'
import { pushedUpTo, type HostCommit, type SeqRange, type SharedStore } from './shared-store.ts'
import { META_FIELDS } from './store.ts'

export const CHUNK = 50
/** Inserts are not subject to that hang. */
const INSERT_CHUNK = 1000

/** Any text with the URL's password removed: driver errors may quote what they were given. A
 *  password is taken out where it stands as a word of its own, not from inside another word (a
 *  password `p` made `Unable to parse` read `Unable to ****arse`). */
function redact(text: string, url: string): string {
  let out = text.split(url).join(maskUrl(url))
  for (const secret of urlSecrets(url))
    for (const s of new Set([secret, safeDecode(secret)]))
      out = out.replace(new RegExp(`(?<![A-Za-z0-9])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`, 'g'), '****')
  return out
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s // a stray % in a password
  }
}

/** The database named in the URL's path, else `cs`. */
const dbName = (url: string) => /^mongodb(?:\+srv)?:\/\/[^/?]+\/([^/?]+)/.exec(url)?.[1] ?? 'cs'

export interface ConnectOptions {
  /** how long to wait for the server before giving up (ms) */
  timeoutMs: number
}

type Driver = typeof import('mongodb')

/** Loads the driver (dist/mongodb.cjs in the bundle; far slower while the machine is busy). Its
 *  exports are its CommonJS module.exports: the default export of what the bundle requires, and
 *  of the package imported from the sources (where Node also names them). */
export const loadDriver = async (): Promise<Driver> => {
  const m = (await import('mongodb')) as Driver & { default?: Driver }
  return m.default ?? m
}

/**
 * Rejects as soon as the server refuses a TCP connection (it is not running): the driver would
 * try again until its timeout (5 s for a sync; a dashboard would give up at its 300 ms bound and
 * ask again at every run). Only for a URL of one host: of a list or a +srv name, another may
 * answer. Never settles otherwise.
 */
function refusal(url: string): Promise<never> {
  const m = /^mongodb:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^,/?:[\]]+)(?::(\d+))?(?=[/?]|$)/.exec(url)
  if (!m) return new Promise<never>(() => {})
  return new Promise<never>((_, reject) => {
    const socket = connect({ host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2] ?? 27017) })
    socket.unref()
    socket.once('connect', () => socket.destroy())
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') reject(e) // any other failure: the driver's to tell
    })
  })
}

/** The driver's client, or the config's error: what its constructor refuses is the URL or an
 *  option as written (`Unable to parse h:99999`), for the user to fix, not a server to start. */
function newClient(Client: Driver['MongoClient'], url: string, options: MongoClientOptions): MongoClient {
  try {
    return new Client(url, options)
  } catch (e) {
    throw new CsError(
      `mongo.url ${maskUrl(url)} cannot be used as set: ${redact((e as Error).message, url)}`,
      EXIT.usage,
      'fix it, or mongo.tls* where they say otherwise: cs config set mongo.url mongodb://HOST:PORT/DATABASE (cs config shows them)'
    )
  }
}

/** Connects, or throws a CsError (exit 3) naming the server, never its password. */
export async function connectMongo(s: SharedStoreSettings, o: ConnectOptions): Promise<SharedStore> {
  // the driver reads them on a thread of libuv's, which a FIFO holds for good: no exit then
  const unusable = fileSettingError('mongo.tlsCAFile', s.tlsCAFile) ?? fileSettingError('mongo.tlsCertificateKeyFile', s.tlsCertificateKeyFile)
  if (unusable) throw unusable
  const where = maskUrl(s.url)
  const fail = (e: unknown) =>
    new CsError(
      `the shared store at ${where} is unavailable: ${redact((e as Error)?.message ?? String(e), s.url)}`,
      EXIT.unavailable,
      'check that the server runs and `cs config` (mongo.url, mongo.tls*); local sessions are unaffected'
    )
  let client: MongoClient | undefined
  let driverError: Driver['MongoError'] | undefined
  const refused = refusal(s.url)
  refused.catch(() => {}) // met in the race below, or not at all when the driver fails first
  try {
    const { MongoClient, MongoError } = await loadDriver()
    driverError = MongoError
    client = newClient(MongoClient, s.url, {
      serverSelectionTimeoutMS: o.timeoutMs,
      connectTimeoutMS: o.timeoutMs,
      socketTimeoutMS: Math.max(o.timeoutMs, 30_000),
      appName: 'cs',
      ...(s.tls !== null ? { tls: s.tls } : {}),
      ...(s.tlsCAFile ? { tlsCAFile: s.tlsCAFile } : {}),
      ...(s.tlsCertificateKeyFile ? { tlsCertificateKeyFile: s.tlsCertificateKeyFile } : {}),
    })
    const connecting = client.connect()
    connecting.catch(() => {}) // when refused wins, the client is closed under it
    await Promise.race([connecting, refused])
  } catch (e) {
    await client?.close(true).catch(() => {})
    throw e instanceof CsError ? e : fail(e)
  }
  const db = client.db(dbName(s.url))
  const guard =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      try {
        return await fn(...a)
      } catch (e) {
        // the driver's (MongoServerError, MongoNetworkError, PoolClearedOnNetworkError…: all
        // MongoErrors, not all so named) is the server's failure; any other is cs's own, and
        // says so as a bug does
        throw driverError && e instanceof driverError ? fail(e) : e
      }
    }
  return mongoStore(db, where, () => client.close(true), guard)
}

function mongoStore(
  db: Db,
  where: string,
  close: () => Promise<void>,
  guard: <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => (...a: A) => Promise<R>
): SharedStore {
  const hosts = db.collection<Document>('hosts')
  const sessions = db.collection<Document>('sessions')
  const meta = db.collection<Document>('meta')
  let indexed = false
  const ensureIndexes = async () => {
    if (indexed) return
    await sessions.createIndex({ host: 1, id: 1 }, { unique: true, name: 'host_id' })
    await sessions.createIndex({ host: 1, seq: 1 }, { name: 'host_seq' })
    await meta.createIndex({ by: 1, seq: 1 }, { name: 'by_seq' })
    indexed = true
  }
  // Unordered, in chunks. A duplicate key (11000) is a row a newer push already wrote (its
  // condition failed, so the upsert tried to insert a second document of that _id): counted as
  // stale, not an error. FerretDB 1.24 stops a batch at its first failed operation and reports the
  // wrong index, so such a chunk goes again one operation at a time; every operation may be
  // applied twice (a row of this very push is written over).
  // The write errors of e when there are some and each is a duplicate key, else null: any other
  // failure is the push's, a dropped connection among them, which driver 7 reports as a bulk
  // error with no write errors (taken for duplicates, a push lost its rows and said it wrote them).
  type WriteError = { code?: number; index?: number }
  const duplicates = (e: unknown): WriteError[] | null => {
    const err = e as WriteError & { writeErrors?: WriteError[] | WriteError }
    const list = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : err.code === 11000 ? [err] : []
    return list.length > 0 && list.every((w) => w.code === 11000) ? list : null
  }
  const bulk = async (coll: typeof sessions, ops: AnyBulkWriteOperation<Document>[]) => {
    let written = 0
    let stale = 0
    for (let i = 0; i < ops.length; i += CHUNK) {
      const chunk = ops.slice(i, i + CHUNK)
      try {
        await coll.bulkWrite(chunk, { ordered: false })
        written += chunk.length // every operation is an upsert: it matched or inserted
        continue
      } catch (e) {
        if (!duplicates(e)) throw e
      }
      for (const op of chunk) {
        try {
          await coll.bulkWrite([op])
          written++
        } catch (e) {
          if (!duplicates(e)) throw e
          stale++
        }
      }
    }
    return { written, stale }
  }
  const rowsInRanges = (ranges: SeqRange[]) => ({
    $or: ranges.map((r) => ({ host: r.host, seq: { $gt: r.after, $lte: r.upTo } })),
  })

  return {
    where,
    nextSeq: guard(async (host: string) => {
      const doc = await hosts.findOneAndUpdate(
        { _id: host as unknown as Document['_id'] },
        { $inc: { next: 1 } },
        { upsert: true, returnDocument: 'after' }
      )
      const n = doc?.next
      if (typeof n !== 'number')
        throw new CsError(`the shared store at ${where}: host document ${host} holds no push number`, EXIT.unavailable, `an older or foreign writer made it; removing it from the hosts collection lets ${host} push again`)
      return { seq: n, after: pushedUpTo(doc!), recent: doc?.recent }
    }),
    putRows: guard(async (host: string, seq: number, rows: HostRow[], gone: string[], fresh: Set<string>) => {
      if (!rows.length && !gone.length) return { written: 0, stale: 0 }
      await ensureIndexes()
      const docOf = (id: string, set: Document): Document => ({ ...set, host, id, seq })
      const rowDoc = (r: HostRow) => {
        const doc: Document = {}
        for (const k of HOST_ROW_FIELDS) doc[k] = r[k]
        return docOf(r.id, { ...doc, gone: false })
      }
      // Rows never pushed go in as inserts (FerretDB takes thousands a second); one that exists
      // after all (this host's local store was rebuilt) is updated like a changed row.
      const again: HostRow[] = []
      const inserts = rows.filter((r) => fresh.has(r.id))
      for (let i = 0; i < inserts.length; i += INSERT_CHUNK) {
        const chunk = inserts.slice(i, i + INSERT_CHUNK)
        try {
          await sessions.insertMany(chunk.map((r) => ({ _id: `${host}/${r.id}` as unknown as Document['_id'], ...rowDoc(r) })), { ordered: false })
        } catch (e) {
          const list = duplicates(e)
          if (!list || list.some((w) => typeof w.index !== 'number')) throw e
          for (const w of list) again.push(chunk[w.index!])
        }
      }
      // A row is written only over one of an older push (or of this one, sent again). A newer
      // row there fails the condition, and the upsert then fails on the _id: stale (see bulk).
      // FerretDB 1.24 hands SQLite a filter of _id alone only, so this condition makes each
      // update read the whole collection; live state does not wait for it (readers take small
      // pushes from the host's document, lib/recent-pushes.ts).
      const update = (id: string, set: Document): AnyBulkWriteOperation<Document> => ({
        updateOne: {
          filter: { _id: `${host}/${id}` as unknown as Document['_id'], seq: { $lte: seq } },
          update: { $set: docOf(id, set) },
          upsert: true,
        },
      })
      const ops = [...rows.filter((r) => !fresh.has(r.id)), ...again].map((r) => update(r.id, rowDoc(r)))
      for (const id of gone) ops.push(update(id, { gone: true }))
      const w = await bulk(sessions, ops)
      return { written: w.written + inserts.length - again.length, stale: w.stale }
    }),
    putMeta: guard(async (host: string, seq: number, changes) => {
      if (!changes.length) return
      await ensureIndexes()
      const ops = changes.map(
        (c): AnyBulkWriteOperation<Document> => ({
          updateOne: {
            filter: { _id: c.id as unknown as Document['_id'] },
            update: { $set: { [c.field]: c.value, by: host, seq, [`${c.field}By`]: host, [`${c.field}Seq`]: seq } },
            upsert: true,
          },
        })
      )
      await bulk(meta, ops)
    }),
    commit: guard(async (c: HostCommit) => {
      await hosts.updateOne(
        { _id: c.host as unknown as Document['_id'] },
        {
          $max: { seq: c.seq, ...(c.carried ? { carried: c.carried } : {}) },
          $set: {
            csVersion: c.csVersion,
            ssh: c.ssh,
            heartbeat: c.at,
            ...(c.seq > 0 || c.carried ? { lastSync: c.at } : {}),
            ...(c.launches ? { launches: c.launches } : {}),
            ...(c.recent ? { recent: c.recent } : {}),
          },
        },
        { upsert: true }
      )
    }),
    hosts: guard(async () => hosts.find({}).toArray()),
    rowsIn: guard(async (ranges: SeqRange[]) =>
      ranges.length ? sessions.find(rowsInRanges(ranges), { projection: { _id: 0 } }).toArray() : []
    ),
    // by the writer of each field too: another host's change of another field since took `by`
    // (a document written before the fields had their own has `by` alone)
    metaIn: guard(async (ranges: SeqRange[]) =>
      ranges.length
        ? meta
            .find({
              $or: ranges.flatMap((r) =>
                [['by', 'seq'], ...META_FIELDS.map((f) => [`${f}By`, `${f}Seq`])].map(([by, seq]) => ({
                  [by]: r.host,
                  [seq]: { $gt: r.after, $lte: r.upTo },
                }))
              ),
            })
            .toArray()
        : []
    ),
    // one lookup by _id each, at once: FerretDB 1.24 scans the collection for an $in
    metaOf: guard(async (ids: string[]) => {
      const docs = await Promise.all(ids.map((id) => meta.findOne({ _id: id as unknown as Document['_id'] })))
      return docs.flatMap((d) => (d ? [d as Record<string, unknown>] : []))
    }),
    close: async () => {
      await close().catch(() => {})
    },
  }
}

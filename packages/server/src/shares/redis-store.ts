/**
 * `redisShareStore()` — shares in Redis, for several server replicas serving the same shares. Each
 * share is a hash `{ c: ciphertext, e: expiresAt, r: readsLeft }` with a `PEXPIREAT`, so Redis itself
 * purges expired shares. `consume` is one Lua script (Redis runs a script atomically): check expiry,
 * decrement the read count, delete on the last read — two readers on two replicas cannot both win.
 * ioredis is loaded on first use.
 */
import { lazyClient, UnavailableError, ValidationError } from '@polysecret/core'
import type { Redis, RedisOptions } from 'ioredis'
import type { ConsumedShare, NewShare, ShareStore } from './share-store.js'

/** Options for {@link redisShareStore}: a `url` (the store opens and closes its client) or your `client`. */
export interface RedisShareStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. */
  readonly url?: string
  /** Extra ioredis options for the store's own client (ignored with `client`). */
  readonly redisOptions?: RedisOptions
  /** An ioredis client of yours; used as-is and never closed by the store. */
  readonly client?: Redis
  /**
   * Prefix of every key the store writes.
   * @default 'polysecret:share:'
   */
  readonly keyPrefix?: string
}

// KEYS[1] = share key, ARGV[1] = now (ms). Returns false, or { ciphertext, expiresAt, readsLeft }.
const CONSUME = `
local v = redis.call('HMGET', KEYS[1], 'c', 'e', 'r')
if not v[1] then return false end
if tonumber(v[2]) <= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return false
end
local left = tonumber(v[3]) - 1
if left <= 0 then redis.call('DEL', KEYS[1]) else redis.call('HSET', KEYS[1], 'r', left) end
return { v[1], v[2], tostring(left) }
`

// KEYS[1] = share key, ARGV[1] = now (ms). Deletes the share when it has expired; returns 1 if it did.
const SWEEP_ONE = `
local e = redis.call('HGET', KEYS[1], 'e')
if e and tonumber(e) <= tonumber(ARGV[1]) then return redis.call('DEL', KEYS[1]) end
return 0
`

/**
 * Shares in Redis.
 *
 * @example
 * ```ts
 * import { createShareRoutes, redisShareStore } from '@polysecret/server/shares'
 * const shares = createShareRoutes({ store: redisShareStore({ url: process.env.REDIS_URL }) })
 * ```
 */
export function redisShareStore(options: RedisShareStoreOptions): ShareStore {
  const { url, client, keyPrefix = 'polysecret:share:' } = options
  if ((url === undefined) === (client === undefined)) {
    throw new ValidationError('redisShareStore(): pass exactly one of "url" or "client".')
  }
  if (url !== undefined && !/^rediss?:\/\//.test(url)) {
    throw new ValidationError('redisShareStore(): "url" must start with redis:// or rediss://.')
  }
  const redis = lazyClient({
    provider: 'shares-redis',
    pkg: 'ioredis',
    requiredBy: '@polysecret/server',
    load: () => import('ioredis'),
    client,
    // Fail a command at once when Redis is down instead of queueing it while reconnecting: a share
    // request should get a 503 now, not hang.
    create: (sdk) => {
      const own = new sdk.Redis(url!, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        ...options.redisOptions,
      })
      // Connection errors reach the caller as failed commands (a 503); without a listener ioredis would
      // also print each one to the console.
      own.on('error', () => undefined)
      return own
    },
    ready: (c) => (c.status === 'ready' ? Promise.resolve() : waitReady(c)),
    dispose: async (c) => {
      await c.quit().catch(() => c.disconnect())
    },
  })

  async function run<T>(action: string, fn: (c: Redis) => Promise<T>): Promise<T> {
    try {
      return await fn((await redis.connect()).client)
    } catch (error) {
      if (error instanceof ValidationError) throw error
      throw new UnavailableError({
        provider: 'shares-redis',
        message: `Redis did not answer a share ${action}.`,
        cause: error,
      })
    }
  }

  async function* keys(c: Redis): AsyncGenerator<string> {
    let cursor = '0'
    do {
      const [next, batch] = await c.scan(cursor, 'MATCH', `${escapeGlob(keyPrefix)}*`, 'COUNT', 500)
      cursor = next
      yield* batch
    } while (cursor !== '0')
  }

  return {
    kind: 'redis',
    create: (id: string, share: NewShare) =>
      run('write', async (c) => {
        await c
          .multi()
          .hset(keyPrefix + id, { c: share.ciphertext, e: share.expiresAt, r: share.reads })
          .pexpireat(keyPrefix + id, share.expiresAt)
          .exec()
      }),
    consume: (id: string, now: number) =>
      run('read', async (c): Promise<ConsumedShare | undefined> => {
        const out = (await c.eval(CONSUME, 1, keyPrefix + id, now)) as [string, string, string] | null
        if (!out) return undefined
        return { ciphertext: out[0], expiresAt: Number(out[1]), readsLeft: Number(out[2]) }
      }),
    delete: (id: string) => run('delete', async (c) => (await c.del(keyPrefix + id)) === 1),
    sweep: (now: number) =>
      run('sweep', async (c) => {
        let removed = 0
        for await (const key of keys(c)) removed += Number(await c.eval(SWEEP_ONE, 1, key, now))
        return removed
      }),
    count: () =>
      run('count', async (c) => {
        let n = 0
        for await (const _ of keys(c)) n++
        return n
      }),
    async health() {
      try {
        await run('ping', (c) => c.ping())
        return { ok: true }
      } catch (error) {
        return { ok: false, message: (error as Error).message }
      }
    },
    close: () => redis.close(),
  }
}

/** Resolves when a fresh client is connected; rejects on its first connection error. */
function waitReady(c: Redis): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReady = () => {
      c.off('error', onError)
      resolve()
    }
    const onError = (error: Error) => {
      c.off('ready', onReady)
      reject(error)
    }
    c.once('ready', onReady)
    c.once('error', onError)
  })
}

/** The prefix with Redis glob characters escaped, for `SCAN MATCH`. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

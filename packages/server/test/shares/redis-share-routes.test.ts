/**
 * The share API on a real redis-server (started by the test, see test/support/redis.ts): two server
 * instances on one Redis serve the same shares, a race across them has exactly one winner (the Lua
 * consume script), Redis itself purges expired shares, and a Redis outage is a 503.
 */
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { systemTool } from '../../../../test/support/system-tools.js'
import { redisShareStore } from '../../src/shares/redis-store.js'
import { sealShare } from '../../src/shares/share-codec.js'
import type { ShareStore } from '../../src/shares/share-store.js'
import { type RedisServer, startRedis } from '../support/redis.js'
import { type RunningShareServer, startShareServer } from '../support/share-server.js'

describe.runIf(systemTool('redis-server').run)('share API on Redis', () => {
  let redis: RedisServer
  let admin: Redis
  let clock = Date.now()
  const now = () => clock
  const stores: ShareStore[] = []
  const servers: RunningShareServer[] = []

  const newServer = async (store = redisShareStore({ url: redis.url })) => {
    stores.push(store)
    const server = await startShareServer({ store, now })
    servers.push(server)
    return server
  }
  const create = async (url: string, body: Record<string, unknown> = {}) => {
    const { ciphertext } = await sealShare('hello')
    const response = await fetch(`${url}/v1/shares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ciphertext, ...body }),
    })
    expect(response.status).toBe(201)
    return { ciphertext, ...((await response.json()) as { id: string }) }
  }

  beforeAll(async () => {
    redis = await startRedis()
    admin = new Redis(redis.url)
  })
  afterEach(async () => {
    clock = Date.now()
    for (const s of servers.splice(0)) await s.close()
    for (const s of stores.splice(0)) await s.close()
    await admin.flushall()
  })
  afterAll(async () => {
    admin.disconnect()
    await redis?.stop()
  })

  it('two servers on one Redis serve the same shares: created on one, opened once on the other', async () => {
    const a = await newServer()
    const b = await newServer()
    const { id, ciphertext } = await create(a.url)
    const opened = await fetch(`${b.url}/v1/shares/${id}`)
    expect(opened.status).toBe(200)
    expect(((await opened.json()) as { ciphertext: string }).ciphertext).toBe(ciphertext)
    expect((await fetch(`${a.url}/v1/shares/${id}`)).status).toBe(404)
    expect((await fetch(`${b.url}/v1/shares/${id}`)).status).toBe(404)
    expect(await admin.dbsize()).toBe(0)
  })

  it('a race across two servers has exactly one winner (and exactly `reads` winners for reads > 1)', async () => {
    const a = await newServer()
    const b = await newServer()
    for (const reads of [1, 1, 1, 3]) {
      const { id } = await create(a.url, { reads })
      const statuses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(`${(i % 2 ? a : b).url}/v1/shares/${id}`).then((r) => r.status),
        ),
      )
      expect(statuses.filter((s) => s === 200)).toHaveLength(reads)
      expect(statuses.filter((s) => s === 404)).toHaveLength(20 - reads)
    }
    expect(await admin.dbsize()).toBe(0)
  })

  it('stores the share as a hash with Redis expiry at expiresAt, under the key prefix', async () => {
    await newServer()
    const { url } = servers[0]!
    const { id, ciphertext } = await create(url, { ttl: 600, reads: 2 })
    const key = `polysecret:share:${id}`
    expect(await admin.hgetall(key)).toEqual({ c: ciphertext, e: String(clock + 600_000), r: '2' })
    expect(await admin.pexpiretime(key)).toBe(clock + 600_000)
  })

  it('refuses a share past its expiry on read (by the server clock) and deletes it', async () => {
    const { url } = await newServer()
    const { id } = await create(url, { ttl: 60 })
    clock += 60_000
    expect((await fetch(`${url}/v1/shares/${id}`)).status).toBe(404)
    expect(await admin.exists(`polysecret:share:${id}`)).toBe(0)
  })

  it('lets Redis purge expired shares by itself, and sweep removes what its clock says is expired', async () => {
    const store = redisShareStore({ url: redis.url })
    const { url } = await newServer(store)
    clock = Date.now() - 3_600_000 // created an hour ago with a one-minute ttl: Redis drops it at once
    await create(url, { ttl: 60 })
    expect(await admin.dbsize()).toBe(0)

    clock = Date.now()
    await create(url, { ttl: 60 })
    await create(url, { ttl: 3600 })
    expect(await store.count()).toBe(2)
    expect(await store.sweep(clock + 60_000)).toBe(1)
    expect(await store.count()).toBe(1)
  })

  it('answers 503 (UNAVAILABLE) when Redis is down', async () => {
    const spare = await startRedis()
    try {
      const store = redisShareStore({ url: spare.url })
      const { url } = await newServer(store)
      const { id } = await create(url)
      await spare.stop()
      const down = await fetch(`${url}/v1/shares/${id}`)
      expect(down.status).toBe(503)
      expect(((await down.json()) as { error: { code: string; message: string } }).error).toEqual({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('Redis did not answer a share read.'),
      })
      expect(await store.health()).toMatchObject({ ok: false })
    } finally {
      await spare.stop()
    }
  })

  it('uses a client of yours without closing it, and checks its options', async () => {
    const client = new Redis(redis.url)
    const store = redisShareStore({ client, keyPrefix: 'app:shares:' })
    const { url } = await newServer(store)
    const { id } = await create(url)
    expect(await admin.exists(`app:shares:${id}`)).toBe(1)
    await store.close()
    expect(await client.ping()).toBe('PONG')
    client.disconnect()
    expect(() => redisShareStore({})).toThrow('pass exactly one of "url" or "client"')
    expect(() => redisShareStore({ url: 'http://x' })).toThrow('must start with redis:// or rediss://')
  })
})

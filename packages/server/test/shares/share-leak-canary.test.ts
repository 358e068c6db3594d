/**
 * Leak canary for sharing: a canary plaintext goes through the Node helper and the HTTP API on both
 * stores, and everything a person, a log pipeline or a disk could see is searched for it — every
 * response (status, headers, body), every audit event, stdout/stderr, errors, and the stored bytes
 * (the embedded store's file, Redis's values and its RDB snapshot). Audit events must not carry the
 * share id (it would let a log reader burn the share) nor, of course, the key.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useLeakCanary } from '../../../../test/support/canary.js'
import { systemTool } from '../../../../test/support/system-tools.js'
import { embeddedShareStore } from '../../src/shares/embedded-store.js'
import { redisShareStore } from '../../src/shares/redis-store.js'
import { createShare, openShare } from '../../src/shares/share-client.js'
import type { ShareEvent } from '../../src/shares/share-options.js'
import type { ShareStore } from '../../src/shares/share-store.js'
import { type RedisServer, startRedis } from '../support/redis.js'
import { startShareServer } from '../support/share-server.js'

const CANARY = 'canary-share-5e2c8f1d-LEAK-ME-NOT'

function forms(value: string): string[] {
  const bytes = Buffer.from(value)
  return [
    value,
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    value.slice(7, 22),
  ]
}

// The embedded store always runs; the Redis one where redis-server is installed (always in CI).
const stores = systemTool('redis-server').run ? (['embedded', 'redis'] as const) : (['embedded'] as const)

describe.each(stores)('share leak canary (%s store)', (kind) => {
  const canary = useLeakCanary()
  let dir: string
  let redis: RedisServer | undefined
  let store: ShareStore
  const seen: string[] = []
  const events: ShareEvent[] = []
  const see = (value: unknown) => {
    seen.push(typeof value === 'string' ? value : inspect(value, { depth: 20, showHidden: true }))
    if (value instanceof Error)
      seen.push(value.message, value.stack ?? '', inspect(value.cause, { depth: 20 }))
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polysecret-share-canary-'))
    if (kind === 'redis') redis = await startRedis()
    store =
      kind === 'redis'
        ? redisShareStore({ url: redis!.url })
        : embeddedShareStore({ path: join(dir, 'shares.enc'), key: 'd'.repeat(64), sweepIntervalMs: 0 })
  })
  afterAll(async () => {
    await store?.close()
    await redis?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('the canary appears in no response, event, log line, error or stored byte', async () => {
    const writes = { out: process.stdout.write, err: process.stderr.write }
    const capture = (chunk: unknown) => {
      seen.push(String(chunk))
      return true
    }
    process.stdout.write = capture as typeof process.stdout.write
    process.stderr.write = capture as typeof process.stderr.write
    const server = await startShareServer({ store, onEvent: (event) => events.push(event) })
    // Record every response the server sends, in full.
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      const body = await response.clone().text()
      seen.push(`${response.status} ${JSON.stringify([...response.headers])} ${body}`)
      return response
    }
    let link: string
    let storedBytes: Buffer
    let storedValues = ''
    try {
      const kept = await createShare(CANARY, { server: server.url, reads: 2, fetch: recording })
      see(kept)
      link = kept.link.reveal()
      // Before any read: what the store holds at rest.
      if (kind === 'redis') {
        const admin = new Redis(redis!.url)
        for (const key of await admin.keys('*')) storedValues += JSON.stringify(await admin.hgetall(key))
        await admin.save()
        admin.disconnect()
        storedBytes = await readFile(join(redis!.dir, 'dump.rdb'))
      } else {
        storedBytes = await readFile(join(dir, 'shares.enc'))
      }
      see(await openShare(link, { fetch: recording }))
      const secret = await openShare(link, { fetch: recording })
      expect(secret.reveal()).toBe(CANARY) // the canary really went through
      see(secret)
      see(await openShare(link, { fetch: recording }).catch((error: unknown) => error))
      // Opened with a wrong key: the IntegrityError must not echo what it could not decrypt.
      const again = await createShare(CANARY, { server: server.url, fetch: recording })
      const wrongKey = again.link.reveal().replace(/\.[^.]+$/, `.${'A'.repeat(43)}`)
      see(await openShare(wrongKey, { fetch: recording }).catch((error: unknown) => error))
      for (const path of ['/share', '/share/app.js', '/v1/shares/AAAAAAAAAAAAAAAAAAAAAA']) {
        await recording(`${server.url}${path}`)
      }
    } finally {
      process.stdout.write = writes.out
      process.stderr.write = writes.err
      await server.close()
    }

    const [id, key] = new URL(link).hash.slice(1).split('.') as [string, string]
    const text = [...seen, JSON.stringify(events)].join('\n')
    for (const surface of seen) canary.see('share server traffic and logs', surface)
    canary.see('share events', events)
    canary.see('share store at rest', storedBytes!.toString('latin1') + storedValues)
    canary.expectNoLeak([CANARY, key])
    for (const form of forms(CANARY)) expect(text).not.toContain(form)
    expect(text).not.toContain(key)
    expect(JSON.stringify(events)).not.toContain(id)
    expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'create:ok',
      'open:ok',
      'open:ok',
      'open:not_found',
      'create:ok',
      'open:ok',
      'open:not_found',
    ])
    expect(events[0]).toMatchObject({
      store: kind,
      share: expect.stringMatching(/^[0-9a-f]{16}$/),
      readsLeft: 2,
    })

    const atRest = storedBytes!.toString('latin1') + storedBytes!.toString('utf8') + storedValues
    for (const form of forms(CANARY)) expect(atRest).not.toContain(form)
    expect(atRest).not.toContain(key)
    expect(storedBytes!.length).toBeGreaterThan(50) // the share was stored (the check above read real bytes)
  })
})

/**
 * Refresh without herds, against the Secrets Manager fake over the real SDK, on virtual time shared by
 * the manager's cache and the fake: ttl jitter spreads expiries (and never lengthens them), values read
 * by one call share one expiry, refresh-ahead renews recently read values in one batch call before they
 * expire, and leaves cold ones to expire. Every claim is counted at the fake.
 */
import { secretsManager } from '@polysecret/aws'
import {
  type CacheOptions,
  ConfigManager,
  createManager,
  type Secret,
  ValidationError,
} from '@polysecret/core'
import { type SecretsManagerFake, startFake } from '@polysecret/testing'
import { describe, expect, it, vi } from 'vitest'
import { FAKE_AWS } from './support/aws.js'
import { stopAfterEach } from './support/cleanup.js'
import { type VirtualTime, virtualTime } from './support/virtual-time.js'

const defer = stopAfterEach()
const TTL = 300_000
const KEYS = ['DB_PASSWORD', 'API_TOKEN', 'SMTP_PASSWORD'] as const

async function setup(cache: CacheOptions = {}, retry: number | false = 2) {
  const time = virtualTime()
  const sm: SecretsManagerFake = await startFake('aws-secrets-manager', {
    now: time.now,
    secrets: Object.fromEntries(KEYS.map((k) => [k, `${k}-v1`])),
  })
  defer(() => sm.stop())
  const manager = new ConfigManager({
    secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
    cache: { ttl: TTL, now: time.now, timers: time.timers, ...cache },
    retry,
  })
  defer(() => manager.close())
  const reveal = async (key: string) => ((await manager.get(key)) as Secret).reveal()
  const reads = () => sm.requests.count('GetSecretValue') + sm.requests.count('BatchGetSecretValue')
  return { time, sm, manager, reveal, reads }
}

/** Waits (polling, bounded) until a background refresh has landed in the cache. */
async function settled(check: () => Promise<void>) {
  await vi.waitFor(check, { timeout: 10_000, interval: 5 })
}

describe('ttl jitter', () => {
  it('a value stays fresh for ttl × (1 − jitter × r), drawn from the injected random', async () => {
    const { time, reveal, reads } = await setup({ jitter: 0.2, random: () => 0.5 })
    await reveal('DB_PASSWORD')
    expect(reads()).toBe(1)
    time.advance(TTL * 0.9 - 1) // 1 − 0.2 × 0.5 = 0.9 of ttl
    await reveal('DB_PASSWORD')
    expect(reads()).toBe(1)
    time.advance(2)
    await reveal('DB_PASSWORD')
    expect(reads()).toBe(2)
  })

  it('the default jitter spreads expiries over the last tenth of ttl and never past it', async () => {
    const draws = [0, 0.999_999]
    const { time, reveal, reads } = await setup({ random: () => draws.shift() ?? 0 })
    await reveal('DB_PASSWORD') // draw 0: fresh for the whole ttl
    await reveal('API_TOKEN') // draw ≈ 1: fresh for 0.9 of ttl
    time.advance(TTL * 0.9 + 1)
    await reveal('DB_PASSWORD')
    expect(reads()).toBe(2)
    await reveal('API_TOKEN')
    expect(reads()).toBe(3)
    time.advance(TTL * 0.1) // now past ttl: the unjittered value expires too
    await reveal('DB_PASSWORD')
    expect(reads()).toBe(4)
  })

  it('values read by one batch call share one expiry, so they come due together', async () => {
    let draw = 0
    const { time, manager, sm, reads } = await setup({ jitter: 0.5, random: () => (draw++ % 2 ? 0.9 : 0.1) })
    await manager.getMany([...KEYS])
    expect(sm.requests.count('BatchGetSecretValue')).toBe(1)
    time.advance(TTL * 0.95 - 1) // the batch drew 0.1: fresh for 0.95 of ttl
    await manager.getMany([...KEYS])
    expect(reads()).toBe(1)
    time.advance(2)
    await manager.getMany([...KEYS])
    expect(sm.requests.count('BatchGetSecretValue')).toBe(2)
    expect(sm.requests.count('GetSecretValue')).toBe(0)
  })

  it('rejects a jitter outside [0, 1) and a refreshAhead as long as the shortest freshness, also in a config', async () => {
    const make = (cache: CacheOptions) => () => new ConfigManager({ cache })
    expect(make({ jitter: 1 })).toThrow(ValidationError)
    expect(make({ jitter: -0.1 })).toThrow(/cache\.jitter/)
    expect(make({ ttl: 1000, jitter: 0.1, refreshAhead: 900 })).toThrow(/cache\.refreshAhead/)
    expect(make({ refreshAhead: -1 })).toThrow(/cache\.refreshAhead/)
    expect(make({ timers: {} as never })).toThrow(/cache\.timers/)
    await expect(createManager({ cache: { jitter: 2 } })).rejects.toThrow(/cache\.jitter/)
    await expect(createManager({ cache: { ttl: 60_000, refreshAhead: 60_000 } })).rejects.toThrow(
      /cache\.refreshAhead/,
    )
    const ok = await createManager({ cache: { ttl: 60_000, jitter: 0.05, refreshAhead: 6_000 } })
    await ok.close()
  })
})

describe('refresh-ahead', () => {
  it('renews recently read values in one batch before they expire; readers never wait or see them stale', async () => {
    const { time, manager, sm, reveal, reads } = await setup({ jitter: 0, refreshAhead: 30_000 })
    await manager.getMany([...KEYS])
    sm.seed({ DB_PASSWORD: 'DB_PASSWORD-v2' }) // rotated in the store
    time.advance(60_000)
    for (const key of KEYS) await reveal(key) // read recently: eligible
    expect(reads()).toBe(1)
    time.advance(TTL - 30_000 - 60_000 - 1)
    expect(reads()).toBe(1) // not due yet
    time.advance(1) // due: ttl − refreshAhead
    await settled(async () => expect(await reveal('DB_PASSWORD')).toBe('DB_PASSWORD-v2'))
    expect(sm.requests.count('BatchGetSecretValue')).toBe(2)
    expect(sm.requests.count('GetSecretValue')).toBe(0)
    // Past the first expiry: still served from the cache, fresh, without another call.
    time.advance(30_000)
    const meta = await manager.getWithMetadata('API_TOKEN')
    expect(meta.cached).toBe(true)
    expect(meta.stale).toBe(false)
    expect(reads()).toBe(2)
  })

  it('renews only keys read since their last refresh; the others expire', async () => {
    const { time, manager, reveal, reads, sm } = await setup({ jitter: 0, refreshAhead: 30_000 })
    await manager.getMany([...KEYS]) // a caller's read: all three are hot
    sm.seed({ DB_PASSWORD: 'DB_PASSWORD-v2' })
    time.advance(TTL - 30_000)
    // The refreshed records are stored unread; only one key is read again before its next refresh.
    await settled(async () => expect(await reveal('DB_PASSWORD')).toBe('DB_PASSWORD-v2'))
    expect(sm.requests.count('BatchGetSecretValue')).toBe(2)
    time.advance(TTL - 30_000)
    await settled(async () => expect(reads()).toBe(3))
    expect(sm.requests.all('GetSecretValue').map((r) => (r.input as { SecretId: string }).SecretId)).toEqual([
      'DB_PASSWORD',
    ])
    // The cold keys expired without a call, and are read on demand.
    time.advance(TTL)
    expect(reads()).toBe(3)
    await reveal('API_TOKEN')
    expect(reads()).toBe(4)
  })

  it('values coming due within half the lead of each other share one batch call', async () => {
    const { time, sm, reveal } = await setup({ jitter: 0, refreshAhead: 20_000 })
    await reveal('DB_PASSWORD')
    time.advance(8_000) // within 10 s (half the lead) of the first
    await reveal('API_TOKEN')
    time.advance(30_000) // beyond it
    await reveal('SMTP_PASSWORD')
    for (const key of KEYS) await reveal(key)
    expect(sm.requests.count('GetSecretValue')).toBe(3)
    time.advance(TTL - 20_000 - 38_000) // the first comes due and takes the second along
    await settled(async () => expect(sm.requests.count('BatchGetSecretValue')).toBe(1))
    const batch = sm.requests.last('BatchGetSecretValue')!.input as { SecretIdList: string[] }
    expect(batch.SecretIdList.sort()).toEqual(['API_TOKEN', 'DB_PASSWORD'])
    time.advance(40_000) // the third (due at 318 s), alone: a single-key refresh is one GetSecretValue
    await settled(async () => expect(sm.requests.count('GetSecretValue')).toBe(4))
    expect(sm.requests.count('BatchGetSecretValue')).toBe(1)
  })

  it('a failed refresh keeps the cached value until it expires, then a read asks again', async () => {
    const { time, manager, sm, reveal, reads } = await setup(
      { jitter: 0, refreshAhead: 30_000, staleIfError: 0 },
      false,
    )
    await manager.getMany([...KEYS])
    sm.faults.throttle(1, { operations: ['BatchGetSecretValue'], times: 1 })
    time.advance(TTL - 30_000)
    await settled(async () => expect(sm.faults.injected('throttle')).toBe(1))
    // A fresh read joins the failing refresh while it is in flight (and fails with it); once it has
    // failed, the fresh read is a call of its own.
    await settled(async () => expect(await manager.get('DB_PASSWORD', { fresh: true })).toBeDefined())
    expect(reads()).toBe(3)
    // The other values of the failed batch are still served from the cache, fresh, without a call.
    const meta = await manager.getWithMetadata('API_TOKEN')
    expect(meta).toMatchObject({ cached: true, stale: false })
    expect((meta.value as Secret).reveal()).toBe('API_TOKEN-v1')
    expect(reads()).toBe(3)
    time.advance(30_000) // expired: the store is asked again
    expect(await reveal('API_TOKEN')).toBe('API_TOKEN-v1')
    expect(reads()).toBe(4)
  })

  it('close() and invalidate() stop scheduled refreshes', async () => {
    const { time, manager, reveal, reads } = await setup({ jitter: 0, refreshAhead: 30_000 })
    await reveal('DB_PASSWORD')
    await reveal('API_TOKEN')
    manager.invalidate('DB_PASSWORD')
    await reveal('API_TOKEN')
    await manager.close()
    expect(time.pending()).toBe(0)
    time.advance(TTL)
    expect(reads()).toBe(2)
  })

  it('is off by default: no timer is ever set', async () => {
    const { time, reveal } = await setup()
    await reveal('DB_PASSWORD')
    await reveal('DB_PASSWORD')
    expect(time.pending()).toBe(0)
  })
})

describe('batches under throttling', () => {
  it('keys of a throttled chunk are asked again with backoff, without re-reading the rest', async () => {
    const sm = await startFake('aws-secrets-manager', {
      secrets: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`TOKEN_${i}`, `v${i}`])),
    })
    defer(() => sm.stop())
    const manager = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
      retry: { retries: 2, baseDelay: 1, maxDelay: 2 },
    })
    defer(() => manager.close())
    sm.faults.throttle(1, { operations: ['BatchGetSecretValue'], times: 1 }) // one of the two chunks
    const keys = Array.from({ length: 40 }, (_, i) => `TOKEN_${i}`)
    const { values, errors } = await manager.getMany(keys)
    expect(errors).toEqual({})
    expect(keys.map((k) => (values[k] as Secret).reveal())).toEqual(keys.map((_, i) => `v${i}`))
    const calls = sm.requests
      .all('BatchGetSecretValue')
      .map((r) => (r.input as { SecretIdList: string[] }).SecretIdList)
    expect(calls.map((ids) => ids.length)).toEqual([20, 20, 20])
    // The retry asked for exactly the chunk that was throttled: the one of the first two not answered.
    expect([calls[0]!.join(), calls[1]!.join()]).toContain(calls[2]!.join())
  })
})

export type { VirtualTime }

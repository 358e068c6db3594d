/**
 * manager.stats() over the wire: every kind of call the manager makes is counted once per attempt,
 * by provider and operation, with bytes, errors, throttles, retries, latency and cache results —
 * plain JSON that never holds a value.
 */
import { parameterStore, secretsManager } from '@polysecret/aws'
import { ConfigManager, type LimitsOption, type ManagerStats } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'
import { FAKE_AWS } from '../support/aws.js'
import { virtualTimers } from '../support/virtual-timers.js'

describe('manager.stats()', () => {
  it('counts every provider call by operation, and cache hits, misses and stale serves', async () => {
    await using sm = await startFake('aws-secrets-manager', {
      secrets: { DB_PASSWORD: 'hunter2-long', API_TOKEN: 'tok', SIGNING_KEY: 'sk' },
    })
    let now = 1_000
    const manager = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
      cache: { ttl: 100, staleWhileRevalidate: 1_000, now: () => now },
      allowWrites: true,
      retry: { random: () => 0, baseDelay: 1 },
    })
    await manager.get('DB_PASSWORD') // miss: GetSecretValue
    await manager.get('DB_PASSWORD') // fresh hit: no call
    await manager.getMany(['API_TOKEN', 'SIGNING_KEY']) // misses: one BatchGetSecretValue
    now += 200
    await manager.get('DB_PASSWORD') // stale serve + background refresh
    await manager.set('NEW_SECRET', 'abc') // CreateSecret (after a read of where copies live)
    await manager.versions('DB_PASSWORD')
    await manager.list()
    await manager.health()
    sm.faults.throttle(1, { operations: ['GetSecretValue'], times: 1 })
    await manager.get('API_TOKEN', { fresh: true }) // throttled once, retried
    await expect.poll(() => sm.requests.count('GetSecretValue')).toBe(5) // the background refresh landed
    const stats = manager.stats()
    const aws = stats.providers['aws-secrets-manager']!
    // get: the first miss, the stale entry's refresh, versions() asking who serves the key, and the
    // throttled read with its retry.
    expect(aws.calls).toEqual({ get: 5, getMany: 1, set: 1, versions: 1, list: 1, health: 1 })
    expect(sm.requests.count('GetSecretValue')).toBe(5)
    expect(sm.requests.count('BatchGetSecretValue')).toBe(1)
    expect(aws).toMatchObject({ errors: 1, throttles: 1, retries: 1, limited: 0 })
    // Bytes of values read (DB_PASSWORD three times, the batch, API_TOKEN once more) and written.
    expect(aws.bytes).toBe(12 * 3 + (3 + 2) + 3 + 3)
    expect(aws.latencyMs.p99).toBeGreaterThanOrEqual(aws.latencyMs.p50)
    expect(aws.latencyMs.p50).toBeGreaterThan(0)
    // No limits configured: the throttle paused the provider (its backoff), and cut no rate.
    expect(aws.limiter).toEqual({ rate: null, inFlight: 0, queued: 0, pausedMs: 0 })
    // The fresh read and `versions` (which asks for the serving provider) are misses too.
    expect(stats.cache).toEqual({ hits: 1, misses: 5, staleServes: 1 })
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats)
    expect(Date.parse(stats.since)).not.toBeNaN()
    await manager.close()
  })

  it('resetStats() starts a new window', async () => {
    await using sm = await startFake('aws-secrets-manager', { secrets: { DB_PASSWORD: 'x' } })
    const manager = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
    })
    await manager.get('DB_PASSWORD')
    const before: ManagerStats = manager.stats()
    manager.resetStats()
    await manager.get('DB_PASSWORD')
    const after = manager.stats()
    expect(before.providers['aws-secrets-manager']!.calls).toEqual({ get: 1 })
    expect(after.providers['aws-secrets-manager']!.calls).toEqual({})
    expect(after.cache).toEqual({ hits: 1, misses: 0, staleServes: 0 })
    expect(Date.parse(after.since)).toBeGreaterThanOrEqual(Date.parse(before.since))
    await manager.close()
  })
})

describe('declared service-quota defaults', () => {
  it("Parameter Store paces itself to the store's default 40 TPS; limits override or drop it", async () => {
    await using ssm = await startFake('aws-ssm', {
      parameters: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`/app/p${i}`, `v${i}`])),
    })
    const timers = virtualTimers()
    const make = (limits?: LimitsOption) =>
      new ConfigManager({
        parameters: [parameterStore({ ...FAKE_AWS, endpoint: ssm.endpoint, maxAttempts: 1 })],
        cache: false,
        timers,
        ...(limits ? { limits } : {}),
      })
    const paced = make()
    expect(paced.stats().providers['aws-ssm']!.limiter.rate).toBe(40)
    // (The provider coalesces concurrent gets into GetParameters requests of its own; the limit
    // paces the provider calls the manager makes.)
    const reads = Array.from({ length: 45 }, (_, i) => paced.getParameter(`/app/p${i}`))
    await expect.poll(() => paced.stats().providers['aws-ssm']!.calls.get).toBe(40)
    expect(paced.stats().providers['aws-ssm']!.limiter.queued).toBe(5)
    await timers.advance(100)
    expect(paced.stats().providers['aws-ssm']!.calls.get).toBe(44) // 4 tokens in 100 ms at 40/s
    await timers.advance(25)
    expect((await Promise.all(reads)).length).toBe(45)
    expect(paced.stats().providers['aws-ssm']!.calls.get).toBe(45)
    await paced.close()
    expect(make({ 'aws-ssm': { rate: 1_000 } }).stats().providers['aws-ssm']!.limiter.rate).toBe(1_000)
    expect(make({ 'aws-ssm': false }).stats().providers['aws-ssm']!.limiter.rate).toBeNull()
  })
})

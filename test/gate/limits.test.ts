/**
 * Per-provider limits over the wire: a token bucket, a concurrency cap and a FIFO queue bounded by
 * the read deadline, in front of the real AWS SDK talking to the Secrets Manager fake. Virtual time
 * (the manager's `timers`) makes every wait exact; the fake's request log says what reached the store.
 */
import { secretsManager } from '@polysecret/aws'
import {
  ConfigManager,
  type ProviderLimits,
  type RetryOptions,
  ThrottledError,
  ValidationError,
} from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { describe, expect, it, vi } from 'vitest'
import { FAKE_AWS } from '../support/aws.js'
import { virtualTimers } from '../support/virtual-timers.js'

/** Waits for real I/O (the SDK, the fake): generous, since the first read also loads the SDK. */
const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout: 15_000 })

const KEYS = ['k1', 'k2', 'k3', 'k4', 'k5']
const SECRETS = Object.fromEntries(KEYS.map((k) => [k, `value-of-${k}`]))

async function setup(limits: ProviderLimits, retry: RetryOptions = {}) {
  const fake = await startFake('aws-secrets-manager', { secrets: SECRETS })
  const timers = virtualTimers()
  const provider = secretsManager({ ...FAKE_AWS, endpoint: fake.endpoint, maxAttempts: 1 })
  const manager = new ConfigManager({
    secrets: [provider],
    classify: { overrides: { 'k*': 'secret' } },
    cache: false,
    limits: { 'aws-secrets-manager': limits },
    retry: { random: () => 0, deadline: 60_000, ...retry },
    timers,
  })
  return { fake, timers, manager }
}

describe('limits: token bucket', () => {
  it('stagger starts the bucket part-full (the retry policy’s random), so a fleet’s first calls spread out', async () => {
    // random() = 0.5 of burst 2: one call at once, the next after 1/rate seconds.
    const { fake, timers, manager } = await setup({ rate: 1, burst: 2, stagger: true }, { random: () => 0.5 })
    const reads = ['k1', 'k2'].map((k) => manager.getSecret(k))
    await eventually(() => expect(fake.requests.count('GetSecretValue')).toBe(1))
    await timers.advance(999)
    expect(fake.requests.count('GetSecretValue')).toBe(1)
    await timers.advance(1)
    await Promise.all(reads)
    expect(fake.requests.count('GetSecretValue')).toBe(2)
    await manager.close()
    await fake.stop()
  })

  it('refuses a stagger that is not a boolean', () => {
    expect(
      () =>
        new ConfigManager({
          secrets: [secretsManager({ ...FAKE_AWS, endpoint: 'http://127.0.0.1:9' })],
          limits: { 'aws-secrets-manager': { stagger: 'yes' as never } },
        }),
    ).toThrow(ValidationError)
  })

  it('admits `burst` calls at once, then one per 1/rate seconds, in the order they were asked', async () => {
    const { fake, timers, manager } = await setup({ rate: 2, burst: 2 })
    const order: string[] = []
    const reads = KEYS.map((k) => manager.getSecret(k).then(() => order.push(k)))
    await eventually(() => expect(order).toHaveLength(2))
    expect(fake.requests.count('GetSecretValue')).toBe(2)
    expect(manager.stats().providers['aws-secrets-manager']!.limiter.queued).toBe(3)
    await timers.advance(499)
    expect(fake.requests.count('GetSecretValue')).toBe(2)
    await timers.advance(1)
    await eventually(() => expect(order).toHaveLength(3))
    await timers.advance(500)
    await eventually(() => expect(order).toHaveLength(4))
    await timers.advance(500)
    await Promise.all(reads)
    expect(order).toEqual(KEYS)
    expect(
      fake.requests.all('GetSecretValue').map((r) => (r.input as { SecretId: string }).SecretId),
    ).toEqual(KEYS)
    await manager.close()
    await fake.stop()
  })

  it('a waiter gives up at the read deadline with ThrottledError, before reaching the store', async () => {
    const { fake, timers, manager } = await setup({ rate: 1, burst: 1 }, { deadline: 1_500 })
    const results = KEYS.map((k) =>
      manager.getSecret(k).then(
        () => 'ok',
        (e: unknown) => e,
      ),
    )
    await eventually(() => expect(fake.requests.count('GetSecretValue')).toBe(1))
    await timers.advance(1_000)
    await eventually(() => expect(fake.requests.count('GetSecretValue')).toBe(2))
    await timers.advance(500) // the deadline: k3..k5 are still waiting
    const settled = await Promise.all(results)
    expect(settled.slice(0, 2)).toEqual(['ok', 'ok'])
    for (const error of settled.slice(2)) {
      expect(error).toBeInstanceOf(ThrottledError)
      // The chain's error names the provider tried; its cause is the limiter's own word.
      expect((error as ThrottledError).cause).toBeInstanceOf(ThrottledError)
      expect(((error as ThrottledError).cause as Error).message).toMatch(
        /Gave up after waiting 1500 ms for a call slot of provider "aws-secrets-manager" to read "k\d"/,
      )
    }
    expect(fake.requests.count('GetSecretValue')).toBe(2)
    const stats = manager.stats().providers['aws-secrets-manager']!
    expect(stats.limited).toBe(3)
    expect(stats.calls.get).toBe(2)
    expect(stats.throttles).toBe(0)
    await manager.close()
    await fake.stop()
  })
})

describe('limits: concurrency', () => {
  it('holds calls beyond the cap until one in flight finishes', async () => {
    const { fake, manager } = await setup({ concurrency: 2 })
    fake.faults.latency(150)
    const reads = KEYS.map((k) => manager.getSecret(k))
    await eventually(() => expect(fake.requests.count('GetSecretValue')).toBe(2))
    const limiter = manager.stats().providers['aws-secrets-manager']!.limiter
    expect(limiter).toMatchObject({ inFlight: 2, queued: 3 })
    expect((await Promise.all(reads)).map((s) => s.reveal())).toEqual(KEYS.map((k) => SECRETS[k]))
    expect(fake.requests.count('GetSecretValue')).toBe(5)
    await manager.close()
    await fake.stop()
  })
})

describe('limits: a throttled answer slows the whole provider', () => {
  it('pauses every key for the retry-after, then ramps the rate back to the limit', async () => {
    const { fake, timers, manager } = await setup({ rate: 10, burst: 10 })
    fake.faults.throttle(1, { operations: ['GetSecretValue'], times: 1, retryAfterMs: 1_000 })
    const first = manager.getSecret('k1')
    await eventually(() => expect(manager.stats().providers['aws-secrets-manager']!.throttles).toBe(1))
    // Other keys, never throttled themselves, wait out the pause too.
    const others = ['k2', 'k3', 'k4', 'k5'].map((k) => manager.getSecret(k))
    await timers.advance(0)
    let stats = manager.stats().providers['aws-secrets-manager']!
    expect(stats.limiter).toMatchObject({ rate: 0, pausedMs: 1_000, queued: 4 })
    expect(fake.requests.count('GetSecretValue')).toBe(1)
    // At the end of the pause the rate is cut to half the flow (one call: the floor, 1/s) and climbs
    // linearly back to 10/s over 10 s: one call goes at once, the next ~0.7 s later.
    await timers.advance(1_000)
    await eventually(() => expect(fake.requests.count('GetSecretValue')).toBe(2))
    expect(manager.stats().providers['aws-secrets-manager']!.limiter.rate).toBe(1)
    await timers.advance(500)
    expect(fake.requests.count('GetSecretValue')).toBe(2)
    await timers.advance(5_000)
    expect(manager.stats().providers['aws-secrets-manager']!.limiter.rate).toBe(5.95)
    await Promise.all([first, ...others])
    expect(fake.requests.count('GetSecretValue')).toBe(6)
    await timers.advance(5_000)
    stats = manager.stats().providers['aws-secrets-manager']!
    expect(stats.limiter.rate).toBe(10)
    expect(stats).toMatchObject({ throttles: 1, errors: 1, retries: 1, calls: { get: 6 } })
    await manager.close()
    await fake.stop()
  })

  it('without configured limits, a throttle still pauses the provider for its retry-after', async () => {
    const { fake, timers, manager } = await setup({})
    fake.faults.throttle(1, { operations: ['GetSecretValue'], times: 1, retryAfterMs: 3_000 })
    const first = manager.getSecret('k1')
    await eventually(() => expect(manager.stats().providers['aws-secrets-manager']!.throttles).toBe(1))
    const second = manager.getSecret('k2')
    await timers.advance(2_999)
    expect(fake.requests.count('GetSecretValue')).toBe(1)
    await timers.advance(1)
    expect((await first).reveal()).toBe('value-of-k1')
    expect((await second).reveal()).toBe('value-of-k2')
    expect(fake.requests.count('GetSecretValue')).toBe(3)
    await manager.close()
    await fake.stop()
  })
})

describe('limits: validation', () => {
  const provider = () => secretsManager({ ...FAKE_AWS, endpoint: 'http://127.0.0.1:9' })
  it.each([
    [{ nope: { rate: 1 } }, /unknown provider "nope"/],
    [{ 'aws-secrets-manager': { rate: 0 } }, /rate must be a positive number/],
    [{ 'aws-secrets-manager': { burst: 0.5 } }, /burst must be a number ≥ 1/],
    [{ 'aws-secrets-manager': { concurrency: 1.5 } }, /concurrency must be a positive integer/],
    [{ 'aws-secrets-manager': { qps: 3 } }, /unknown field "qps"/],
    [[], /keyed by provider name/],
  ])('refuses %j', (limits, message) => {
    expect(() => new ConfigManager({ secrets: [provider()], limits: limits as never })).toThrow(
      ValidationError,
    )
    expect(() => new ConfigManager({ secrets: [provider()], limits: limits as never })).toThrow(message)
  })
})

/**
 * The manager on top of the real AWS SDK against the wire fakes, under faults: with 20% injected 5xx
 * and throttling every value returned is correct; with the store down, cached values are served
 * stale-if-error and getWithMetadata says so; with a local fallback, reads move on.
 */
import { parameterStore, secretsManager } from '@polysecret/aws'
import { ConfigManager, memory, type Secret, ThrottledError, UnavailableError } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FAKE_AWS } from './support/aws.js'
import { stopAfterEach } from './support/cleanup.js'

const AWS = FAKE_AWS
const defer = stopAfterEach()

async function fakes() {
  const sm = await startFake('aws-secrets-manager', { seed: 42 })
  const ssm = await startFake('aws-ssm', { seed: 7 })
  defer(() => sm.stop())
  defer(() => ssm.stop())
  const secrets: Record<string, string> = {}
  const params: Record<string, string> = {}
  for (let i = 0; i < 30; i++) {
    secrets[`SERVICE_${i}_TOKEN`] = `token-value-${i}`
    params[`/app/SERVICE_${i}_URL`] = `https://service-${i}.internal`
  }
  sm.seed(secrets)
  ssm.seed(params)
  return { sm, ssm }
}

describe('ConfigManager + @polysecret/aws under faults (real SDK, wire fakes)', () => {
  it('with 20% injected 5xx and throttling, every value returned is correct', async () => {
    const { sm, ssm } = await fakes()
    for (const fake of [sm, ssm]) {
      fake.faults.errorRate(0.1, { status: 500 })
      fake.faults.throttle(0.1)
    }
    const manager = new ConfigManager({
      secrets: [secretsManager({ ...AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
      parameters: [parameterStore({ ...AWS, endpoint: ssm.endpoint, prefix: '/app/', maxAttempts: 1 })],
      retry: { retries: 6, baseDelay: 1, maxDelay: 5 },
      cache: false,
    })
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 30; i++) {
        const token = (await manager.get(`SERVICE_${i}_TOKEN`)) as Secret
        expect(token.reveal()).toBe(`token-value-${i}`)
        expect(await manager.get(`SERVICE_${i}_URL`)).toBe(`https://service-${i}.internal`)
      }
    }
    const batch = await manager.getMany(Array.from({ length: 30 }, (_, i) => `SERVICE_${i}_TOKEN`))
    // Six retries outlast the faults (seeded, so the same faults every run): every key comes back.
    expect(Object.keys(batch.errors)).toEqual([])
    expect(Object.keys(batch.values)).toHaveLength(30)
    for (let i = 0; i < 30; i++)
      expect((batch.values[`SERVICE_${i}_TOKEN`] as Secret).reveal()).toBe(`token-value-${i}`)
    expect(sm.faults.injected('error') + sm.faults.injected('throttle')).toBeGreaterThan(5)
    expect(ssm.faults.injected('error') + ssm.faults.injected('throttle')).toBeGreaterThan(5)
    await manager.close()
  })

  it('with the store down, serves stale-if-error values and says so', async () => {
    const { sm } = await fakes()
    let clock = 1_000_000
    const manager = new ConfigManager({
      secrets: [secretsManager({ ...AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
      cache: { ttl: 50, staleIfError: 60_000, now: () => clock },
      retry: { retries: 1, baseDelay: 1 },
    })
    expect(((await manager.get('SERVICE_1_TOKEN')) as Secret).reveal()).toBe('token-value-1')
    await sm.faults.down()
    clock += 80 // past the ttl, well inside staleIfError
    const meta = await manager.getWithMetadata('SERVICE_1_TOKEN')
    expect(meta).toMatchObject({
      stale: true,
      staleReason: 'error',
      provider: 'aws-secrets-manager',
      cache: 'stale',
    })
    expect(meta.error).toBeInstanceOf(UnavailableError)
    expect((meta.value as Secret).reveal()).toBe('token-value-1')
    // a key never read before has nothing to fall back on
    const error = await manager.get('SERVICE_2_TOKEN').catch((e) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect(error.tried[0]).toMatchObject({ provider: 'aws-secrets-manager', code: 'UNAVAILABLE' })
    await sm.faults.up()
    expect(((await manager.get('SERVICE_2_TOKEN')) as Secret).reveal()).toBe('token-value-2')
    await manager.close()
  })

  it('with a local fallback, a down cloud store falls through to it', async () => {
    const { sm } = await fakes()
    await sm.faults.down('unavailable')
    const manager = new ConfigManager({
      secrets: [
        secretsManager({ ...AWS, endpoint: sm.endpoint, maxAttempts: 1 }),
        memory({ SERVICE_3_TOKEN: 'local-copy' }, { name: 'local' }),
      ],
      retry: { retries: 1, baseDelay: 1 },
    })
    const meta = await manager.getWithMetadata('SERVICE_3_TOKEN')
    expect(meta.provider).toBe('local')
    expect(meta.tried).toMatchObject([
      { provider: 'aws-secrets-manager', outcome: 'error', code: 'UNAVAILABLE' },
    ])
    expect(sm.requests.count('GetSecretValue')).toBe(2) // the first attempt and one retry, then the fallback
    await manager.close()
  })
})

/** Lets real I/O (sockets, the fake's handlers) run while timers are faked, until `done()` holds. */
async function ioUntil(done: () => boolean): Promise<void> {
  for (let turns = 0; !done(); turns++) {
    if (turns > 100_000) throw new Error('the condition never held')
    await new Promise((resolve) => setImmediate(resolve))
  }
}

describe('a throttled answer that asks to wait: the wait is honoured over the wire', () => {
  afterEach(() => vi.useRealTimers())

  it.each([
    ['x-amz-retry-after (ms) on AWS JSON 400', undefined, 3_000],
    ['Retry-After (seconds) on a 429', 429, 4_000],
  ] as const)('%s becomes ThrottledError.retryAfterMs', async (_, status, wait) => {
    const sm = await startFake('aws-secrets-manager', { secrets: { SERVICE_TOKEN: 'v' } })
    defer(() => sm.stop())
    sm.faults.throttle(1, { retryAfterMs: wait, ...(status ? { status } : {}) })
    const provider = secretsManager({ ...AWS, endpoint: sm.endpoint, maxAttempts: 1 })
    const error = await provider.get('SERVICE_TOKEN').catch((e) => e)
    expect(error).toBeInstanceOf(ThrottledError)
    expect(error.retryAfterMs).toBe(wait)
    await provider.close?.()
  })

  it('the manager waits exactly the asked-for time before retrying (fake clock, request counts)', async () => {
    const sm = await startFake('aws-secrets-manager', { secrets: { SERVICE_TOKEN: 'after-wait' } })
    defer(() => sm.stop())
    sm.faults.throttle(1, { times: 1, retryAfterMs: 3_000, operations: ['GetSecretValue'] })
    // Only timers are faked: sockets and the fake server run for real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const manager = new ConfigManager({
      secrets: [secretsManager({ ...AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
      // no jitter and no per-attempt timer: the only timer is the manager's wait between attempts
      retry: { retries: 2, baseDelay: 1, random: () => 0, attemptTimeout: 0 },
    })
    const read = manager.get('SERVICE_TOKEN')
    await ioUntil(() => sm.requests.count('GetSecretValue') === 1 && vi.getTimerCount() === 1)
    expect(sm.faults.injected('throttle')).toBe(1)
    vi.advanceTimersByTime(2_999)
    expect(vi.getTimerCount()).toBe(1) // still waiting: the retry has not started
    expect(sm.requests.count('GetSecretValue')).toBe(1)
    vi.advanceTimersByTime(1)
    expect(((await read) as Secret).reveal()).toBe('after-wait')
    expect(sm.requests.count('GetSecretValue')).toBe(2)
    await manager.close()
  })
})

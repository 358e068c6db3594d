/**
 * The manager on top of the official Azure clients against the wire fakes over TLS, under faults: with
 * injected 503s and 429s every value returned is correct; with the store down, cached values are served
 * stale-if-error; with a local fallback, reads move on after exactly the manager's attempts (the
 * clients' own retries are off); statuses map onto polysecret's error classes.
 */

import { appConfiguration, keyVault } from '@polysecret/azure'
import {
  AccessDeniedError,
  ConfigManager,
  ConflictError,
  memory,
  NotFoundError,
  type Secret,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { type AppConfigFake, type KeyVaultFake, startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it } from 'vitest'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  while (stops.length) await stops.pop()!()
})

async function fakes() {
  const secrets: Record<string, string> = {}
  const settings: { key: string; value: string }[] = []
  for (let i = 0; i < 30; i++) {
    secrets[`service-${i}-token`] = `token-value-${i}`
    settings.push({ key: `SERVICE_${i}_URL`, value: `https://service-${i}.internal` })
  }
  const kv = await startFake('azure-key-vault', { seed: 42, secrets })
  const ac = await startFake('azure-app-configuration', { seed: 7, settings })
  stops.push(
    () => kv.stop(),
    () => ac.stop(),
  )
  return { kv, ac }
}

const kvFor = (kv: KeyVaultFake) =>
  keyVault({ vaultUrl: kv.vaultUrl, credential: kv.credential, clientOptions: kv.clientOptions as never })
const acFor = (ac: AppConfigFake) =>
  appConfiguration({ connectionString: ac.connectionString, clientOptions: ac.clientOptions as never })

describe('ConfigManager + @polysecret/azure under faults (official clients over TLS)', () => {
  it('with injected 503s and 429s, every value returned is correct', async () => {
    const { kv, ac } = await fakes()
    for (const fake of [kv, ac] as const) {
      fake.faults.errorRate(0.1, { status: 503 })
      fake.faults.throttle(0.1)
    }
    const manager = new ConfigManager({
      secrets: [kvFor(kv)],
      parameters: [acFor(ac)],
      retry: { retries: 6, baseDelay: 1, maxDelay: 5 },
      cache: false,
    })
    for (let i = 0; i < 30; i++) {
      expect(((await manager.get(`SERVICE_${i}_TOKEN`)) as Secret).reveal()).toBe(`token-value-${i}`)
      expect(await manager.get(`SERVICE_${i}_URL`)).toBe(`https://service-${i}.internal`)
    }
    const batch = await manager.getMany(Array.from({ length: 30 }, (_, i) => `SERVICE_${i}_URL`))
    expect(Object.keys(batch.errors)).toEqual([])
    for (let i = 0; i < 30; i++)
      expect(batch.values[`SERVICE_${i}_URL`]).toBe(`https://service-${i}.internal`)
    expect(kv.faults.injected('error') + kv.faults.injected('throttle')).toBeGreaterThan(3)
    expect(ac.faults.injected('error') + ac.faults.injected('throttle')).toBeGreaterThan(3)
    await manager.close()
  })

  it('with the store down, serves stale-if-error values and says so', async () => {
    const { kv } = await fakes()
    let clock = 1_000_000
    const manager = new ConfigManager({
      secrets: [kvFor(kv)],
      cache: { ttl: 50, staleIfError: 60_000, now: () => clock },
      retry: { retries: 1, baseDelay: 1 },
    })
    expect(((await manager.get('SERVICE_1_TOKEN')) as Secret).reveal()).toBe('token-value-1')
    await kv.faults.down('refuse')
    clock += 80
    const meta = await manager.getWithMetadata('SERVICE_1_TOKEN')
    expect(meta).toMatchObject({ stale: true, staleReason: 'error', provider: 'azure-key-vault' })
    expect(meta.error).toBeInstanceOf(UnavailableError)
    expect(await manager.get('SERVICE_2_TOKEN').catch((e) => e)).toBeInstanceOf(UnavailableError)
    await kv.faults.up()
    expect(((await manager.get('SERVICE_2_TOKEN')) as Secret).reveal()).toBe('token-value-2')
    await manager.close()
  })

  it('with a local fallback, a failing store falls through after exactly the manager’s attempts', async () => {
    const { kv } = await fakes()
    const provider = kvFor(kv)
    await provider.get('SERVICE_0_TOKEN') // past the challenge
    kv.requests.reset()
    kv.faults.errorRate(1, { status: 503, operations: ['GetSecret'] })
    const manager = new ConfigManager({
      secrets: [provider, memory({ SERVICE_3_TOKEN: 'local-copy' }, { name: 'local' })],
      retry: { retries: 1, baseDelay: 1 },
    })
    const meta = await manager.getWithMetadata('SERVICE_3_TOKEN')
    expect(meta.provider).toBe('local')
    expect(meta.tried).toMatchObject([{ provider: 'azure-key-vault', outcome: 'error', code: 'UNAVAILABLE' }])
    // The first attempt and one manager retry: the Azure pipeline's own retries are off.
    expect(kv.requests.count('GetSecret')).toBe(2)
    await manager.close()
  })

  it('429 with Retry-After is a ThrottledError with retryAfterMs, on both stores', async () => {
    const { kv, ac } = await fakes()
    kv.faults.throttle(1, { retryAfterMs: 4_000, operations: ['GetSecret'] })
    ac.faults.throttle(1, { retryAfterMs: 2_000, operations: ['GetKeyValue'] })
    const kvError = await kvFor(kv)
      .get('SERVICE_4_TOKEN')
      .catch((e) => e)
    expect(kvError).toBeInstanceOf(ThrottledError)
    expect(kvError).toMatchObject({
      key: 'SERVICE_4_TOKEN',
      provider: 'azure-key-vault',
      retryAfterMs: 4_000,
    })
    const acError = await acFor(ac)
      .get('SERVICE_4_URL')
      .catch((e) => e)
    expect(acError).toBeInstanceOf(ThrottledError)
    expect(acError.retryAfterMs).toBe(2_000)
  })

  it.each([
    [401, AccessDeniedError],
    [403, AccessDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [412, ConflictError],
    [400, ValidationError],
    [500, UnavailableError],
    [503, UnavailableError],
  ] as const)(
    'status %i on a write maps to %o naming key and provider, never the message',
    async (status, cls) => {
      const { ac } = await fakes()
      ac.faults.errorRate(1, { status, message: 'leaked-value-hunter2', operations: ['PutKeyValue'] })
      const provider = acFor(ac)
      const error = await provider.set('SERVICE_5_URL', 'x', { createOnly: true }).catch((e) => e)
      expect(error).toBeInstanceOf(cls)
      expect(error).toMatchObject({ key: 'SERVICE_5_URL', provider: 'azure-app-configuration' })
      expect(error.message).not.toContain('hunter2')
      expect(error.message).toContain(`Azure ${status}`)
    },
  )
})

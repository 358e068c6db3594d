/**
 * The manager on top of node-vault against the Vault fake over a real socket, under faults: with 20%
 * injected 500s and 429s every value returned is correct; with Vault sealed (503), cached values are
 * served stale-if-error; with a local fallback, reads move on after exactly the manager's attempts
 * (node-vault has no retries of its own); 429 is a ThrottledError naming the key.
 */

import { ConfigManager, memory, type Secret, ThrottledError, UnavailableError } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { vaultKv } from '@polysecret/vault'
import { afterEach, describe, expect, it } from 'vitest'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  while (stops.length) await stops.pop()!()
})

async function fake() {
  const secrets: Record<string, Record<string, string>> = {
    'secret/app/tokens': Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`t${i}`, `token-value-${i}`]),
    ),
  }
  for (let i = 0; i < 20; i++) secrets[`secret/app/SERVICE_${i}_TOKEN`] = { value: `service-value-${i}` }
  const vault = await startFake('vault', { seed: 42, secrets })
  stops.push(() => vault.stop())
  const provider = () =>
    vaultKv({ endpoint: vault.endpoint, mount: 'secret', prefix: 'app/', auth: vault.rootToken })
  return { vault, provider }
}

describe('ConfigManager + @polysecret/vault under faults', () => {
  it('with 20% injected 500 and 429, every value returned is correct', async () => {
    const { vault, provider } = await fake()
    vault.faults.errorRate(0.1, { status: 500, message: 'internal error' })
    vault.faults.throttle(0.1)
    const manager = new ConfigManager({
      secrets: [provider()],
      retry: { retries: 6, baseDelay: 1, maxDelay: 5 },
      cache: false,
    })
    for (let i = 0; i < 20; i++) {
      expect(((await manager.get(`SERVICE_${i}_TOKEN`)) as Secret).reveal()).toBe(`service-value-${i}`)
    }
    const keys = Array.from({ length: 10 }, (_, i) => `tokens#t${i}`)
    const batch = await manager.getMany(keys)
    expect(Object.keys(batch.errors)).toEqual([])
    for (let i = 0; i < 10; i++)
      expect((batch.values[`tokens#t${i}`] as Secret).reveal()).toBe(`token-value-${i}`)
    expect(vault.faults.injected('error') + vault.faults.injected('throttle')).toBeGreaterThan(3)
    await manager.close()
  })

  it('a batch of 10 fields of one path is one read of the path', async () => {
    const { vault, provider } = await fake()
    const manager = new ConfigManager({ secrets: [provider()] })
    vault.requests.reset()
    const batch = await manager.getMany(Array.from({ length: 10 }, (_, i) => `tokens#t${i}`))
    expect(Object.keys(batch.values)).toHaveLength(10)
    expect(vault.requests.count('kv2.read')).toBe(1)
    await manager.close()
  })

  it('with Vault sealed, serves stale-if-error values and says so', async () => {
    const { vault, provider } = await fake()
    let clock = 1_000_000
    const manager = new ConfigManager({
      secrets: [provider()],
      cache: { ttl: 50, staleIfError: 60_000, now: () => clock },
      retry: { retries: 1, baseDelay: 1 },
    })
    expect(((await manager.get('SERVICE_1_TOKEN')) as Secret).reveal()).toBe('service-value-1')
    vault.seal()
    clock += 80
    const meta = await manager.getWithMetadata('SERVICE_1_TOKEN')
    expect(meta).toMatchObject({ stale: true, staleReason: 'error', provider: 'vault-kv', cache: 'stale' })
    expect(meta.error).toBeInstanceOf(UnavailableError)
    const error = await manager.get('SERVICE_2_TOKEN').catch((e) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect(error.tried[0]).toMatchObject({ provider: 'vault-kv', code: 'UNAVAILABLE' })
    vault.unseal()
    expect(((await manager.get('SERVICE_2_TOKEN')) as Secret).reveal()).toBe('service-value-2')
    await manager.close()
  })

  it('with a local fallback, a failing Vault falls through after exactly the manager’s attempts', async () => {
    const { vault, provider } = await fake()
    vault.faults.errorRate(1, { status: 503, message: 'Vault is sealed', operations: ['kv2.read'] })
    const manager = new ConfigManager({
      secrets: [provider(), memory({ SERVICE_3_TOKEN: 'local-copy' }, { name: 'local' })],
      retry: { retries: 1, baseDelay: 1 },
    })
    const meta = await manager.getWithMetadata('SERVICE_3_TOKEN')
    expect(meta.provider).toBe('local')
    expect(meta.tried).toMatchObject([{ provider: 'vault-kv', outcome: 'error', code: 'UNAVAILABLE' }])
    expect(vault.requests.count('kv2.read')).toBe(2)
    await manager.close()
  })

  it('429 is a ThrottledError naming the key and provider', async () => {
    const { vault, provider } = await fake()
    vault.faults.throttle(1, { retryAfterMs: 4_000, operations: ['kv2.read'] })
    const error = await provider()
      .get('SERVICE_4_TOKEN')
      .catch((e) => e)
    expect(error).toBeInstanceOf(ThrottledError)
    expect(error).toMatchObject({ key: 'SERVICE_4_TOKEN', provider: 'vault-kv' })
  })
})

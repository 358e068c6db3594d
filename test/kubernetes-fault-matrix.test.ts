/**
 * The manager on top of @kubernetes/client-node against the API fake over TLS, under faults: with
 * 20% injected 500s and 429s every value returned is correct; with the API server down, cached values
 * are served stale-if-error; with a local fallback, reads move on after exactly the manager's
 * attempts (the client has no retries of its own); 429 carries Retry-After into ThrottledError.
 */

import { ConfigManager, memory, type Secret, ThrottledError, UnavailableError } from '@polysecret/core'
import { kubernetesSecrets } from '@polysecret/kubernetes'
import { startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it } from 'vitest'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  while (stops.length) await stops.pop()!()
})

async function fake() {
  const data: Record<string, string> = {}
  for (let i = 0; i < 30; i++) data[`SERVICE_${i}_TOKEN`] = `token-value-${i}`
  const k8s = await startFake('kubernetes', {
    seed: 42,
    namespaces: ['apps'],
    secrets: { 'apps/tokens': { data } },
  })
  stops.push(() => k8s.stop())
  const provider = () => kubernetesSecrets({ namespace: 'apps', name: 'tokens', kubeconfig: k8s.kubeconfig })
  return { k8s, provider }
}

describe('ConfigManager + @polysecret/kubernetes under faults', () => {
  it('with 20% injected 500 and 429, every value returned is correct', async () => {
    const { k8s, provider } = await fake()
    k8s.faults.errorRate(0.1, { status: 500 })
    k8s.faults.throttle(0.1)
    const manager = new ConfigManager({
      secrets: [provider()],
      retry: { retries: 6, baseDelay: 1, maxDelay: 5 },
      cache: false,
    })
    for (let i = 0; i < 30; i++) {
      expect(((await manager.get(`SERVICE_${i}_TOKEN`)) as Secret).reveal()).toBe(`token-value-${i}`)
    }
    const batch = await manager.getMany(Array.from({ length: 30 }, (_, i) => `SERVICE_${i}_TOKEN`))
    expect(Object.keys(batch.errors)).toEqual([])
    for (let i = 0; i < 30; i++)
      expect((batch.values[`SERVICE_${i}_TOKEN`] as Secret).reveal()).toBe(`token-value-${i}`)
    expect(k8s.faults.injected('error') + k8s.faults.injected('throttle')).toBeGreaterThan(5)
    await manager.close()
  })

  it('a batch of 30 keys in one object is one read of the object', async () => {
    const { k8s, provider } = await fake()
    const manager = new ConfigManager({ secrets: [provider()] })
    k8s.requests.reset()
    const batch = await manager.getMany(Array.from({ length: 30 }, (_, i) => `SERVICE_${i}_TOKEN`))
    expect(Object.keys(batch.values)).toHaveLength(30)
    expect(k8s.requests.count('get secrets')).toBe(1)
    await manager.close()
  })

  it('with the API server down, serves stale-if-error values and says so', async () => {
    const { k8s, provider } = await fake()
    let clock = 1_000_000
    const manager = new ConfigManager({
      secrets: [provider()],
      cache: { ttl: 50, staleIfError: 60_000, now: () => clock },
      retry: { retries: 1, baseDelay: 1 },
    })
    expect(((await manager.get('SERVICE_1_TOKEN')) as Secret).reveal()).toBe('token-value-1')
    await k8s.faults.down('unavailable')
    clock += 80
    const meta = await manager.getWithMetadata('SERVICE_1_TOKEN')
    expect(meta).toMatchObject({
      stale: true,
      staleReason: 'error',
      provider: 'kubernetes-secrets',
      cache: 'stale',
    })
    expect(meta.error).toBeInstanceOf(UnavailableError)
    const error = await manager.get('SERVICE_2_TOKEN').catch((e) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect(error.tried[0]).toMatchObject({ provider: 'kubernetes-secrets', code: 'UNAVAILABLE' })
    await k8s.faults.up()
    expect(((await manager.get('SERVICE_2_TOKEN')) as Secret).reveal()).toBe('token-value-2')
    await manager.close()
  })

  it('with a local fallback, a failing API server falls through after exactly the manager’s attempts', async () => {
    const { k8s, provider } = await fake()
    k8s.faults.errorRate(1, { status: 503, operations: ['get secrets'] })
    const manager = new ConfigManager({
      secrets: [provider(), memory({ SERVICE_3_TOKEN: 'local-copy' }, { name: 'local' })],
      retry: { retries: 1, baseDelay: 1 },
    })
    const meta = await manager.getWithMetadata('SERVICE_3_TOKEN')
    expect(meta.provider).toBe('local')
    expect(meta.tried).toMatchObject([
      { provider: 'kubernetes-secrets', outcome: 'error', code: 'UNAVAILABLE' },
    ])
    expect(k8s.requests.count('get secrets')).toBe(2)
    await manager.close()
  })

  it('429 with Retry-After is a ThrottledError naming the key, with retryAfterMs', async () => {
    const { k8s, provider } = await fake()
    k8s.faults.throttle(1, { retryAfterMs: 4_000, operations: ['get secrets'] })
    const error = await provider()
      .get('SERVICE_4_TOKEN')
      .catch((e) => e)
    expect(error).toBeInstanceOf(ThrottledError)
    expect(error).toMatchObject({
      key: 'SERVICE_4_TOKEN',
      provider: 'kubernetes-secrets',
      retryAfterMs: 4_000,
    })
  })
})

/**
 * The manager on top of the official Google clients against the wire fakes, over gRPC and over REST,
 * under faults: with 20% injected UNAVAILABLE and RESOURCE_EXHAUSTED every value returned is correct;
 * with the store down, cached values are served stale-if-error and getWithMetadata says so; with a
 * local fallback, reads move on — after exactly the manager's attempts (the client's own retries are off).
 */

import { ConfigManager, memory, type Secret, ThrottledError, UnavailableError } from '@polysecret/core'
import { parameterManager, secretManager } from '@polysecret/gcp'
import { type GcpTransport, startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it } from 'vitest'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  while (stops.length) await stops.pop()!()
})

async function fakes() {
  const secrets: Record<string, string> = {}
  const parameters: Record<string, { versions: Record<string, string> }> = {}
  for (let i = 0; i < 30; i++) {
    secrets[`SERVICE_${i}_TOKEN`] = `token-value-${i}`
    parameters[`SERVICE_${i}_URL`] = { versions: { v1: `https://service-${i}.internal` } }
  }
  const sm = await startFake('gcp-secret-manager', { seed: 42, secrets })
  const pm = await startFake('gcp-parameter-manager', { seed: 7, parameters })
  stops.push(
    () => sm.stop(),
    () => pm.stop(),
  )
  return { sm, pm }
}

describe.each<GcpTransport>(['grpc', 'rest'])(
  'ConfigManager + @polysecret/gcp under faults over %s',
  (transport) => {
    it('with 20% injected UNAVAILABLE and RESOURCE_EXHAUSTED, every value returned is correct', async () => {
      const { sm, pm } = await fakes()
      for (const fake of [sm, pm]) {
        fake.faults.errorRate(0.1, { type: 'UNAVAILABLE' })
        fake.faults.throttle(0.1)
      }
      const secrets = secretManager({ projectId: sm.projectId, clientOptions: sm.clientOptions(transport) })
      const params = parameterManager({ projectId: pm.projectId, clientOptions: pm.clientOptions(transport) })
      const manager = new ConfigManager({
        secrets: [secrets],
        parameters: [params],
        retry: { retries: 6, baseDelay: 1, maxDelay: 5 },
        cache: false,
      })
      for (let i = 0; i < 30; i++) {
        expect(((await manager.get(`SERVICE_${i}_TOKEN`)) as Secret).reveal()).toBe(`token-value-${i}`)
        expect(await manager.get(`SERVICE_${i}_URL`)).toBe(`https://service-${i}.internal`)
      }
      const batch = await manager.getMany(Array.from({ length: 30 }, (_, i) => `SERVICE_${i}_TOKEN`))
      expect(Object.keys(batch.errors)).toEqual([])
      expect(Object.keys(batch.values)).toHaveLength(30)
      for (let i = 0; i < 30; i++)
        expect((batch.values[`SERVICE_${i}_TOKEN`] as Secret).reveal()).toBe(`token-value-${i}`)
      expect(sm.faults.injected('error') + sm.faults.injected('throttle')).toBeGreaterThan(5)
      expect(pm.faults.injected('error') + pm.faults.injected('throttle')).toBeGreaterThan(5)
      await manager.close()
    })

    it('with the store down, serves stale-if-error values and says so', async () => {
      const { sm } = await fakes()
      let clock = 1_000_000
      const manager = new ConfigManager({
        secrets: [secretManager({ projectId: sm.projectId, clientOptions: sm.clientOptions(transport) })],
        cache: { ttl: 50, staleIfError: 60_000, now: () => clock },
        retry: { retries: 1, baseDelay: 1 },
      })
      expect(((await manager.get('SERVICE_1_TOKEN')) as Secret).reveal()).toBe('token-value-1')
      await sm.faults.down('unavailable')
      clock += 80
      const meta = await manager.getWithMetadata('SERVICE_1_TOKEN')
      expect(meta).toMatchObject({
        stale: true,
        staleReason: 'error',
        provider: 'gcp-secret-manager',
        cache: 'stale',
      })
      expect(meta.error).toBeInstanceOf(UnavailableError)
      expect((meta.value as Secret).reveal()).toBe('token-value-1')
      const error = await manager.get('SERVICE_2_TOKEN').catch((e) => e)
      expect(error).toBeInstanceOf(UnavailableError)
      expect(error.tried[0]).toMatchObject({ provider: 'gcp-secret-manager', code: 'UNAVAILABLE' })
      await sm.faults.up()
      expect(((await manager.get('SERVICE_2_TOKEN')) as Secret).reveal()).toBe('token-value-2')
      await manager.close()
    })

    it('with a local fallback, a down store falls through after exactly the manager’s attempts', async () => {
      const { sm } = await fakes()
      sm.faults.errorRate(1, { type: 'UNAVAILABLE', operations: ['AccessSecretVersion'] })
      const manager = new ConfigManager({
        secrets: [
          secretManager({ projectId: sm.projectId, clientOptions: sm.clientOptions(transport) }),
          memory({ SERVICE_3_TOKEN: 'local-copy' }, { name: 'local' }),
        ],
        retry: { retries: 1, baseDelay: 1 },
      })
      const meta = await manager.getWithMetadata('SERVICE_3_TOKEN')
      expect(meta.provider).toBe('local')
      expect(meta.tried).toMatchObject([
        { provider: 'gcp-secret-manager', outcome: 'error', code: 'UNAVAILABLE' },
      ])
      // The first attempt and one manager retry: google-gax's own retries (on by default) are off.
      expect(sm.requests.count('AccessSecretVersion')).toBe(2)
      await manager.close()
    })

    it('RESOURCE_EXHAUSTED is a ThrottledError naming the key', async () => {
      const { sm } = await fakes()
      sm.faults.throttle(1, { operations: ['AccessSecretVersion'] })
      const provider = secretManager({ projectId: sm.projectId, clientOptions: sm.clientOptions(transport) })
      const error = await provider.get('SERVICE_4_TOKEN').catch((e) => e)
      expect(error).toBeInstanceOf(ThrottledError)
      expect(error).toMatchObject({ key: 'SERVICE_4_TOKEN', provider: 'gcp-secret-manager' })
      await provider.close()
    })
  },
)

it('over REST, a Retry-After on RESOURCE_EXHAUSTED becomes ThrottledError.retryAfterMs', async () => {
  const { sm } = await fakes()
  sm.faults.throttle(1, { retryAfterMs: 4_000, operations: ['AccessSecretVersion'] })
  const provider = secretManager({ projectId: sm.projectId, clientOptions: sm.clientOptions('rest') })
  const error = await provider.get('SERVICE_5_TOKEN').catch((e) => e)
  expect(error).toBeInstanceOf(ThrottledError)
  expect(error.retryAfterMs).toBe(4_000)
  await provider.close()
})

/**
 * Request-rate quotas: a token bucket per quota in the fake's own clock, answered with the service's
 * throttling error through the real SDK; a throttled request takes no token.
 */
import { BatchGetSecretValueCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager'
import { afterEach, describe, expect, it } from 'vitest'
import { type SecretsManagerFake, startFake } from '../src/index.js'
import { rejection, smClient } from './helpers.js'

let fake: SecretsManagerFake | undefined
afterEach(() => fake?.stop())

describe('fake quotas', () => {
  it('lets `burst` requests through, throttles the next, and refills at `rate` in the fake clock', async () => {
    let now = Date.UTC(2025, 0, 1)
    fake = await startFake('aws-secrets-manager', {
      now: () => now,
      secrets: { a: '1', b: '2' },
      quotas: [{ operations: ['BatchGetSecretValue'], rate: 4, burst: 2 }],
    })
    const client = smClient(fake.endpoint)
    const batch = () => client.send(new BatchGetSecretValueCommand({ SecretIdList: ['a', 'b'] }))
    await batch()
    await batch()
    const error = await rejection(batch())
    expect(error.name).toBe('ThrottlingException')
    expect(fake.faults.injected('throttle')).toBe(1)
    // Other operations are not under this quota.
    await client.send(new GetSecretValueCommand({ SecretId: 'a' }))
    now += 249 // 0.996 of a token: still empty (the throttled call took none)
    expect((await rejection(batch())).name).toBe('ThrottlingException')
    now += 1
    await batch()
    expect(fake.requests.count('BatchGetSecretValue')).toBe(5)
    client.destroy()
  })

  it('operations sharing a quota share one bucket; faults.quota adds one at run time; clear() removes it', async () => {
    const now = Date.UTC(2025, 0, 1)
    fake = await startFake('aws-secrets-manager', { now: () => now, secrets: { a: '1' } })
    fake.faults.quota({ operations: ['GetSecretValue', 'DescribeSecret'], rate: 1 })
    const client = smClient(fake.endpoint)
    await client.send(new GetSecretValueCommand({ SecretId: 'a' }))
    expect((await rejection(client.send(new GetSecretValueCommand({ SecretId: 'a' })))).name).toBe(
      'ThrottlingException',
    )
    fake.faults.clear()
    await client.send(new GetSecretValueCommand({ SecretId: 'a' }))
    expect(() => fake!.faults.quota({ operations: ['GetSecretValue'], rate: 0 })).toThrow(RangeError)
    client.destroy()
  })
})

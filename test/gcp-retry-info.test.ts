/**
 * A throttled Google answer that asks to wait, over the wire: over gRPC the Secret Manager fake sends
 * google.rpc.RetryInfo in the `grpc-status-details-bin` trailer (as Google's APIs do), over REST a
 * `Retry-After` header. The official client decodes it, @polysecret/gcp maps it onto
 * `ThrottledError.retryAfterMs`, and the manager waits exactly that long before its next attempt —
 * proven with fake timers and request counts, never with wall-clock thresholds.
 */

import { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import { ConfigManager, type Secret, ThrottledError } from '@polysecret/core'
import { secretManager } from '@polysecret/gcp'
import { type GcpTransport, startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  vi.useRealTimers()
  while (stops.length) await stops.pop()!()
})

async function fake(value = 'after-wait') {
  const sm = await startFake('gcp-secret-manager', { secrets: { SERVICE_TOKEN: value } })
  stops.push(() => sm.stop())
  return sm
}

/** Lets real I/O (sockets, the fake's handlers) run while timers are faked, until `done()` holds. */
async function ioUntil(done: () => boolean): Promise<void> {
  for (let turns = 0; !done(); turns++) {
    if (turns > 100_000) throw new Error('the condition never held')
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Lets I/O run for a while, so anything that was going to happen has happened. */
async function ioTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('over gRPC, RESOURCE_EXHAUSTED carries google.rpc.RetryInfo', () => {
  it('the official client decodes the trailer into statusDetails', async () => {
    const sm = await fake()
    sm.faults.throttle(1, { retryAfterMs: 2_500, operations: ['AccessSecretVersion'] })
    const client = new SecretManagerServiceClient(sm.clientOptions('grpc') as never)
    stops.push(() => client.close())
    const name = `projects/${sm.projectId}/secrets/SERVICE_TOKEN/versions/latest`
    const error = await client.accessSecretVersion({ name }, { retry: null } as never).catch((e) => e)
    expect(error.code).toBe(8)
    expect(error.statusDetails).toHaveLength(1)
    const { retryDelay } = error.statusDetails[0]
    expect([Number(String(retryDelay.seconds)), retryDelay.nanos]).toEqual([2, 500_000_000])
  })

  it('the provider maps it onto ThrottledError.retryAfterMs', async () => {
    const sm = await fake()
    sm.faults.throttle(1, { retryAfterMs: 2_500, operations: ['AccessSecretVersion'] })
    const provider = secretManager({ projectId: sm.projectId, clientOptions: sm.clientOptions('grpc') })
    const error = await provider.get('SERVICE_TOKEN').catch((e) => e)
    expect(error).toBeInstanceOf(ThrottledError)
    expect(error).toMatchObject({ retryAfterMs: 2_500, key: 'SERVICE_TOKEN' })
    await provider.close()
  })

  it('a throttle without a wait sends no details, and the error asks for none', async () => {
    const sm = await fake()
    sm.faults.throttle(1, { operations: ['AccessSecretVersion'] })
    const client = new SecretManagerServiceClient(sm.clientOptions('grpc') as never)
    stops.push(() => client.close())
    const name = `projects/${sm.projectId}/secrets/SERVICE_TOKEN/versions/latest`
    const raw = await client.accessSecretVersion({ name }, { retry: null } as never).catch((e) => e)
    expect(raw.code).toBe(8)
    expect(raw.statusDetails).toBeUndefined()
    const provider = secretManager({ projectId: sm.projectId, clientOptions: sm.clientOptions('grpc') })
    const error = await provider.get('SERVICE_TOKEN').catch((e) => e)
    expect(error).toBeInstanceOf(ThrottledError)
    expect(error.retryAfterMs).toBeUndefined()
    await provider.close()
  })
})

describe.each<[GcpTransport, number]>([
  ['grpc', 2_500], // RetryInfo: millisecond precision
  ['rest', 3_000], // Retry-After: whole seconds
])('over %s, the manager waits exactly the asked-for time', (transport, wait) => {
  it('before its next attempt (fake timers, request counts)', async () => {
    const sm = await fake()
    sm.faults.throttle(1, { times: 1, retryAfterMs: wait, operations: ['AccessSecretVersion'] })
    // Only timers are faked: sockets, the client and the fake run for real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    // `retries` as a function is asked right before the manager schedules its wait: it sees the error
    // and tells this test when the wait has begun.
    const seen: unknown[] = []
    const manager = new ConfigManager({
      secrets: [secretManager({ projectId: sm.projectId, clientOptions: sm.clientOptions(transport) })],
      // no jitter and no per-attempt timer: the wait is the hint alone
      retry: {
        retries: (failures, error) => seen.push(error) > 0 && failures <= 2,
        baseDelay: 1,
        random: () => 0,
        attemptTimeout: 0,
      },
    })
    const read = manager.get('SERVICE_TOKEN')
    await ioUntil(() => seen.length === 1)
    expect(seen[0]).toBeInstanceOf(ThrottledError)
    expect((seen[0] as ThrottledError).retryAfterMs).toBe(wait)
    expect(sm.requests.count('AccessSecretVersion')).toBe(1)
    vi.advanceTimersByTime(wait - 1)
    await ioTurns(200)
    expect(sm.requests.count('AccessSecretVersion')).toBe(1) // still waiting
    vi.advanceTimersByTime(1)
    expect(((await read) as Secret).reveal()).toBe('after-wait')
    expect(sm.requests.count('AccessSecretVersion')).toBe(2)
    expect(seen).toHaveLength(1)
    await manager.close()
  })
})

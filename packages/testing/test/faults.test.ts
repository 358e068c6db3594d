import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
} from '@aws-sdk/client-secrets-manager'
import { GetParameterCommand, InternalServerError } from '@aws-sdk/client-ssm'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Faults, type SecretsManagerFake, startFake } from '../src/index.js'
import { ioUntil, rejection, smClient, ssmClient } from './helpers.js'

let fake: SecretsManagerFake
let client: ReturnType<typeof smClient>
const get = (SecretId = 's') => client.send(new GetSecretValueCommand({ SecretId }))

beforeEach(async () => {
  fake = await startFake('aws-secrets-manager', { secrets: { s: 'v', t: 'w' } })
  client = smClient(fake.endpoint)
})
afterEach(async () => {
  vi.useRealTimers()
  client.destroy()
  await fake.stop()
})

describe('fault injection through the real SDK', () => {
  it('latency delays answers by the configured time (fake clock: the answer waits on the timer)', async () => {
    fake.faults.latency(60)
    // Only timers are faked: the socket and the fake's handler run for real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    let answered = false
    const slow = get().then((out) => {
      answered = true
      return out
    })
    await ioUntil(() => fake.requests.count('GetSecretValue') === 1)
    const pending = vi.getTimerCount() // the fake's delay, and the SDK's own request timers
    vi.advanceTimersByTime(59)
    expect(vi.getTimerCount()).toBe(pending) // nothing has run out yet
    expect(answered).toBe(false)
    vi.advanceTimersByTime(1)
    expect(vi.getTimerCount()).toBe(pending - 1) // the fake's delay ran out: it answers now
    expect((await slow).SecretString).toBe('v')
    // Without latency the answer needs no timer: it arrives while the fake clock stands still.
    fake.faults.clear()
    expect((await get()).SecretString).toBe('v')
  })
  it('latency ranges draw from { min, max }', () => {
    const faults = new Faults({ seed: 1 }).latency({ min: 5, max: 20 })
    for (let i = 0; i < 50; i++) {
      const { delayMs } = faults.decide('Op')
      expect(delayMs).toBeGreaterThanOrEqual(5)
      expect(delayMs).toBeLessThanOrEqual(20)
    }
  })

  it('errorRate answers with the service 5xx type by default, or the given status and type', async () => {
    fake.faults.errorRate(1)
    const e500 = await rejection(get())
    expect(e500).toBeInstanceOf(InternalServiceError)
    expect(e500.$metadata.httpStatusCode).toBe(500)

    fake.faults.clear().errorRate(1, { status: 400, type: 'AccessDeniedException', message: 'no' })
    const denied = await rejection(get())
    expect(denied.name).toBe('AccessDeniedException')
    expect(denied.$metadata.httpStatusCode).toBe(400)
    expect(fake.faults.injected('error')).toBe(2)
  })

  it('throttle answers ThrottlingException, which the SDK treats as retryable', async () => {
    fake.faults.throttle(1, { times: 1 })
    const throttled = await rejection(get())
    expect(throttled.name).toBe('ThrottlingException')
    expect(throttled.$metadata.httpStatusCode).toBe(400)

    fake.faults.throttle(1, { times: 1, status: 429 })
    expect((await rejection(get())).$metadata.httpStatusCode).toBe(429)

    // The SDK's own retry: a throttle then success. (Throttling backoff starts near 500 ms, hence one.)
    fake.faults.throttle(1, { times: 1 })
    const retrying = smClient(fake.endpoint, 2)
    const out = await retrying.send(new GetSecretValueCommand({ SecretId: 's' }))
    expect(out.SecretString).toBe('v')
    expect(out.$metadata.attempts).toBe(2)
    expect(fake.requests.count('GetSecretValue')).toBe(4)
    retrying.destroy()
  })

  it('throttle with retryAfterMs asks for the wait in the header the SDK reads', async () => {
    fake.faults.throttle(1, { times: 1, retryAfterMs: 1500 })
    const amz = await rejection(get())
    expect(amz.$response.headers['x-amz-retry-after']).toBe('1500')
    expect(amz.$response.headers['retry-after']).toBeUndefined()
    fake.faults.throttle(1, { times: 1, retryAfterMs: 1500, status: 429 })
    const http = await rejection(get())
    expect(http.$response.headers['retry-after']).toBe('2') // whole seconds, rounded up
    expect(http.$response.headers['x-amz-retry-after']).toBeUndefined()
    fake.faults.throttle(1, { times: 1 })
    const plain = await rejection(get())
    expect(Object.keys(plain.$response.headers).filter((h) => h.includes('retry-after'))).toEqual([])
    expect(() => new Faults().throttle(1, { retryAfterMs: -1 })).toThrow(RangeError)
  })

  it('reset destroys the connection', async () => {
    fake.faults.reset(1)
    const err = await rejection(get())
    expect(err.code ?? err.name).toMatch(/ECONNRESET|socket hang up/i)
    expect(fake.requests.count('GetSecretValue')).toBe(1)
  })

  it('hang never answers until the client gives up, and stop() still returns', async () => {
    fake.faults.hang(1, { operations: ['GetSecretValue'] })
    const err = await rejection(
      client.send(new GetSecretValueCommand({ SecretId: 's' }), { abortSignal: AbortSignal.timeout(100) }),
    )
    expect(err.name).toMatch(/AbortError|TimeoutError/)
    expect(fake.faults.injected('hang')).toBe(1)
    // A hang scoped to GetSecretValue leaves other operations alone.
    const described = await client.send(new DescribeSecretCommand({ SecretId: 's' }))
    expect(described.Name).toBe('s')
  }, 5_000)

  it('down refuses connections until up, on the same port', async () => {
    await fake.faults.down()
    const refused = await rejection(get())
    expect(refused.code).toBe('ECONNREFUSED')
    await fake.faults.up()
    expect((await get()).SecretString).toBe('v')

    await fake.faults.down('unavailable')
    const unavailable = await rejection(get())
    expect(unavailable.$metadata.httpStatusCode).toBe(503)
    await fake.faults.down('reset')
    expect((await rejection(get())).code ?? '').toMatch(/ECONNRESET/)
    await fake.faults.up()
    expect((await get()).SecretString).toBe('v')
  })

  it('scopes faults to operations and retires them after `times`', async () => {
    fake.faults.errorRate(1, { operations: ['DescribeSecret'] })
    expect((await get()).SecretString).toBe('v')
    fake.faults.clear().errorRate(1, { times: 1 })
    await expect(get()).rejects.toBeInstanceOf(InternalServiceError)
    expect((await get()).SecretString).toBe('v')
  })

  it('uses the SSM error vocabulary for the SSM fake', async () => {
    await using ssm = await startFake('aws-ssm', { parameters: { '/p': 'x' } })
    const c = ssmClient(ssm.endpoint)
    ssm.faults.errorRate(1, { times: 1 })
    expect(await rejection(c.send(new GetParameterCommand({ Name: '/p' })))).toBeInstanceOf(
      InternalServerError,
    )
    ssm.faults.throttle(1, { times: 1 })
    expect((await rejection(c.send(new GetParameterCommand({ Name: '/p' })))).name).toBe(
      'ThrottlingException',
    )
    expect((await c.send(new GetParameterCommand({ Name: '/p' }))).Parameter!.Value).toBe('x')
    expect(ssm.requests.byOperation()).toEqual({ GetParameter: 3 })
    c.destroy()
  })
})

describe('Faults (unit)', () => {
  it('is deterministic for a given seed', () => {
    const pattern = (seed: number) => {
      const faults = new Faults({ seed }).errorRate(0.5).latency({ min: 1, max: 9 })
      return Array.from({ length: 32 }, () => {
        const d = faults.decide('Op')
        return `${d.action.kind}:${d.delayMs.toFixed(3)}`
      })
    }
    expect(pattern(42)).toEqual(pattern(42))
    expect(pattern(42)).not.toEqual(pattern(43))
    const kinds = new Set(pattern(42).map((p) => p.split(':')[0]))
    expect(kinds).toEqual(new Set(['error', 'pass']))
  })

  it('rejects rates outside [0, 1]', () => {
    expect(() => new Faults().throttle(1.5)).toThrow(RangeError)
  })
})

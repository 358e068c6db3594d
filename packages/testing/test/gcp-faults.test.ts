import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type GcpSecretManagerFake, startFake } from '../src/index.js'
import { smClient, statusOf, TRANSPORTS } from './gcp-helpers.js'
import { ioUntil, rejection } from './helpers.js'

/**
 * Fault injection on the GCP fakes, as the official client sees it on each transport. Calls that meet a
 * fault pass `{ retry: null }`: google-gax would otherwise retry UNAVAILABLE and RESOURCE_EXHAUSTED over
 * gRPC, and the test would see the retry's outcome instead of the fault.
 */
const ONCE = { retry: null } as never
describe.each(TRANSPORTS)('GCP fake faults over %s', (transport) => {
  let fake: GcpSecretManagerFake
  const name = () => `projects/${fake.projectId}/secrets/s/versions/latest`

  beforeEach(async () => {
    fake = await startFake('gcp-secret-manager', { secrets: { s: 'v' } })
  })
  afterEach(async () => {
    await fake.stop()
  })

  it('answers injected errors by canonical status name or HTTP status, scoped to operations and counted', async () => {
    const client = smClient(fake, transport)
    fake.faults.errorRate(1, { type: 'UNAVAILABLE', operations: ['AccessSecretVersion'], times: 1 })
    fake.faults.errorRate(1, { status: 500, operations: ['AccessSecretVersion'], times: 1 })
    expect(statusOf(await rejection(client.accessSecretVersion({ name: name() }, ONCE)))).toBe('UNAVAILABLE')
    expect(statusOf(await rejection(client.accessSecretVersion({ name: name() }, ONCE)))).toBe('INTERNAL')
    // Other operations are untouched, and the rules retired after one hit each.
    await client.getSecret({ name: `projects/${fake.projectId}/secrets/s` })
    const [ok] = await client.accessSecretVersion({ name: name() })
    expect(ok.payload?.data?.toString()).toBe('v')
    expect(fake.requests.count('AccessSecretVersion')).toBe(3)
    expect(fake.faults.injected('error')).toBe(2)
    await client.close()
  })

  it('throttles with RESOURCE_EXHAUSTED', async () => {
    const client = smClient(fake, transport)
    fake.faults.throttle(1, { times: 1 })
    expect(statusOf(await rejection(client.accessSecretVersion({ name: name() }, ONCE)))).toBe(
      'RESOURCE_EXHAUSTED',
    )
    expect(fake.faults.injected('throttle')).toBe(1)
    await client.close()
  })

  it('answers UNAVAILABLE while down in "unavailable" mode, and serves again after up()', async () => {
    const client = smClient(fake, transport)
    await fake.faults.down('unavailable')
    expect(statusOf(await rejection(client.accessSecretVersion({ name: name() }, ONCE)))).toBe('UNAVAILABLE')
    await fake.faults.up()
    const [ok] = await client.accessSecretVersion({ name: name() })
    expect(ok.payload?.data?.toString()).toBe('v')
    await client.close()
  })

  it('refuses connections while down, and serves on the same port after up()', async () => {
    const client = smClient(fake, transport)
    await client.getSecret({ name: `projects/${fake.projectId}/secrets/s` }) // a connection exists
    await fake.faults.down()
    const error = await rejection(client.accessSecretVersion({ name: name() }, ONCE))
    if (transport === 'grpc') expect(statusOf(error)).toBe('UNAVAILABLE')
    else expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).toMatch(/ECONNREFUSED/)
    await fake.faults.up()
    // The gRPC channel reconnects after its backoff (50 ms with clientOptions); retry until it has.
    let value: string | undefined
    for (let attempt = 0; value === undefined && attempt < 100; attempt++) {
      const [res] = await client.accessSecretVersion({ name: name() }, ONCE).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        return [undefined]
      })
      value = res?.payload?.data?.toString()
    }
    expect(value).toBe('v')
    await client.close()
  })

  it('resets the connection: the call fails without a service answer', async () => {
    const client = smClient(fake, transport)
    fake.faults.reset(1, { times: 1 })
    const error = await rejection(client.accessSecretVersion({ name: name() }, ONCE))
    // gRPC reports a dropped connection as UNAVAILABLE; REST surfaces the socket error itself.
    if (transport === 'grpc') expect(statusOf(error)).toBe('UNAVAILABLE')
    else
      expect(String((error as { code?: unknown }).code ?? error.message)).toMatch(
        /ECONNRESET|socket|UND_ERR|fetch failed/i,
      )
    expect(fake.faults.injected('reset')).toBe(1)
    const [ok] = await client.accessSecretVersion({ name: name() })
    expect(ok.payload?.data?.toString()).toBe('v')
    await client.close()
  })

  it('hangs: the request stays open, unanswered, until stop() drops it', async () => {
    const client = smClient(fake, transport)
    fake.faults.hang(1, { times: 1 })
    let settled = false
    const call = rejection(client.accessSecretVersion({ name: name() }, ONCE)).finally(() => {
      settled = true
    })
    await ioUntil(() => fake.faults.injected('hang') === 1)
    // Let the client's I/O run for a while: a hung request gets no answer.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)
    expect(fake.openConnections).toBeGreaterThan(0)
    await fake.stop()
    expect(await call).toBeInstanceOf(Error)
    await client.close()
  })
})

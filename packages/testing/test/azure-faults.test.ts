import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type AppConfigFake, type KeyVaultFake, startFake } from '../src/index.js'
import { acClient, kvClient, restError } from './azure-helpers.js'
import { ioUntil, rejection } from './helpers.js'

/**
 * Fault injection on the Azure fakes, as the official clients see it over TLS. Clients are built with
 * no retries unless a test is about the retry.
 */
describe('Azure fake faults: Key Vault', () => {
  let fake: KeyVaultFake

  beforeEach(async () => {
    fake = await startFake('azure-key-vault', { secrets: { s: 'v' } })
  })
  afterEach(async () => {
    await fake.stop()
  })

  it('answers injected 500s and 503s in the service error body, scoped to operations and counted', async () => {
    const client = kvClient(fake)
    await client.getSecret('s') // past the challenge
    fake.faults.errorRate(1, { status: 503, operations: ['GetSecret'], times: 1 })
    fake.faults.errorRate(1, { status: 500, operations: ['GetSecret'], times: 1 })
    expect(restError(await rejection(client.getSecret('s')))).toMatchObject({
      status: 503,
      code: 'ServiceUnavailable',
    })
    expect(restError(await rejection(client.getSecret('s')))).toMatchObject({
      status: 500,
      code: 'InternalServerError',
    })
    await client.setSecret('other', 'untouched')
    expect((await client.getSecret('s')).value).toBe('v')
    expect(fake.requests.count('GetSecret')).toBe(4)
    expect(fake.faults.injected('error')).toBe(2)
  })

  it('throttles with 429 Throttled and a Retry-After in seconds', async () => {
    const client = kvClient(fake)
    await client.getSecret('s')
    fake.faults.throttle(1, { times: 1, retryAfterMs: 3000 })
    const error = await rejection(client.getSecret('s'))
    expect(restError(error)).toMatchObject({ status: 429, code: 'Throttled' })
    expect(error.response.headers.get('retry-after')).toBe('3')
    expect(fake.faults.injected('throttle')).toBe(1)
  })

  it('resets connections, refuses them while down, and serves again after up()', async () => {
    const client = kvClient(fake)
    await client.getSecret('s')
    fake.faults.reset(1, { times: 1 })
    expect((await rejection(client.getSecret('s'))).code).toBe('ECONNRESET')
    await fake.faults.down()
    expect((await rejection(client.getSecret('s'))).code).toBe('ECONNREFUSED')
    await fake.faults.up()
    expect((await client.getSecret('s')).value).toBe('v')
  })

  it('hangs until the client aborts the call', async () => {
    const client = kvClient(fake)
    await client.getSecret('s')
    fake.faults.hang(1, { times: 1 })
    const abort = new AbortController()
    const pending = rejection(client.getSecret('s', { abortSignal: abort.signal }))
    await ioUntil(() => fake.requests.count('GetSecret') === 2)
    abort.abort()
    expect((await pending).name).toBe('AbortError')
    expect(fake.faults.injected('hang')).toBe(1)
  })
})

describe('Azure fake faults: App Configuration', () => {
  let fake: AppConfigFake

  beforeEach(async () => {
    fake = await startFake('azure-app-configuration', { settings: [{ key: 'k', value: 'v' }] })
  })
  afterEach(async () => {
    await fake.stop()
  })

  it('answers injected errors as problem details, scoped to operations', async () => {
    const client = acClient(fake)
    fake.faults.errorRate(1, { status: 500, operations: ['GetKeyValue'], times: 1 })
    expect(restError(await rejection(client.getConfigurationSetting({ key: 'k' }))).status).toBe(500)
    await client.setConfigurationSetting({ key: 'other', value: 'x' })
    expect((await client.getConfigurationSetting({ key: 'k' })).value).toBe('v')
    expect(fake.requests.byOperation()).toEqual({ GetKeyValue: 2, PutKeyValue: 1 })
  })

  it('throttles with 429, Retry-After and retry-after-ms, which the client honours before retrying', async () => {
    fake.faults.throttle(1, { operations: ['GetKeyValue'], times: 1, retryAfterMs: 20 })
    const once = acClient(fake)
    const error = await rejection(once.getConfigurationSetting({ key: 'k' }))
    expect(restError(error).status).toBe(429)
    expect(error.response.headers.get('retry-after-ms')).toBe('20')
    expect(error.response.headers.get('retry-after')).toBe('1')
    fake.faults.throttle(1, { operations: ['GetKeyValue'], times: 1, retryAfterMs: 20 })
    const retrying = acClient(fake, 'hmac', { retryOptions: { maxRetries: 1 } })
    expect((await retrying.getConfigurationSetting({ key: 'k' })).value).toBe('v')
    expect(fake.requests.count('GetKeyValue')).toBe(3)
    expect(fake.faults.injected('throttle')).toBe(2)
  })

  it('answers 503 while down in "unavailable" mode, and serves again after up()', async () => {
    const client = acClient(fake)
    await fake.faults.down('unavailable')
    expect(restError(await rejection(client.getConfigurationSetting({ key: 'k' }))).status).toBe(503)
    await fake.faults.up()
    expect((await client.getConfigurationSetting({ key: 'k' })).value).toBe('v')
  })
})

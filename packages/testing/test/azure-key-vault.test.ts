import { SecretClient } from '@azure/keyvault-secrets'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KEY_VAULT_VALUE_LIMIT, type KeyVaultFake, startFake } from '../src/index.js'
import { collect, kvClient, restError } from './azure-helpers.js'
import { rejection } from './helpers.js'

const NO_RETRY = { retryOptions: { maxRetries: 0 } }

/**
 * Key Vault secrets behaviour checked against the data-plane REST reference, through the official
 * `@azure/keyvault-secrets` client over TLS (the fake's own certificate, trusted through clientOptions).
 */
describe('Key Vault fake', () => {
  let fake: KeyVaultFake
  let client: SecretClient
  let clock: number

  beforeEach(async () => {
    clock = Date.UTC(2026, 0, 1)
    fake = await startFake('azure-key-vault', { now: () => clock, seed: 7 })
    client = kvClient(fake)
  })
  afterEach(async () => {
    await fake.stop()
  })

  it('answers the first request with the bearer challenge, then accepts the token it asked for', async () => {
    fake.seed({ db: 's3cret' })
    const secret = await client.getSecret('db')
    expect(secret.value).toBe('s3cret')
    // One body-less probe drew the 401 challenge; the read itself came with the token.
    expect(fake.requests.byOperation()).toEqual({ Challenge: 1, GetSecret: 1 })
    await client.getSecret('db')
    expect(fake.requests.count('Challenge')).toBe(1)
    expect(fake.requests.count('GetSecret')).toBe(2)
  })

  it('makes a new version on every set; reads the latest or a given version', async () => {
    const v1 = await client.setSecret('api-key', 'one')
    const v2 = await client.setSecret('api-key', 'two', { contentType: 'text/plain', tags: { env: 'prod' } })
    expect(v1.properties.version).toMatch(/^[0-9a-f]{32}$/)
    expect(v2.properties.version).not.toBe(v1.properties.version)
    expect(v2.properties.id).toBe(`${fake.vaultUrl}/secrets/api-key/${v2.properties.version}`)
    expect((await client.getSecret('api-key')).value).toBe('two')
    const first = await client.getSecret('api-key', { version: v1.properties.version! })
    expect(first.value).toBe('one')
    expect(first.properties.contentType).toBeUndefined()
    const latest = await client.getSecret('api-key')
    expect(latest.properties.contentType).toBe('text/plain')
    expect(latest.properties.tags).toEqual({ env: 'prod' })
    expect(latest.properties.createdOn?.getTime()).toBe(clock)
    expect(fake.state.find('API-KEY')?.versions.map((v) => v.value)).toEqual(['one', 'two'])
  })

  it('treats names case-insensitively, and answers SecretNotFound for a missing secret or version', async () => {
    await client.setSecret('Mixed-Case', 'v')
    expect((await client.getSecret('mixed-case')).value).toBe('v')
    expect(restError(await rejection(client.getSecret('nope')))).toMatchObject({
      status: 404,
      code: 'SecretNotFound',
    })
    expect(
      restError(await rejection(client.getSecret('Mixed-Case', { version: '0'.repeat(32) }))),
    ).toMatchObject({ status: 404, code: 'SecretNotFound' })
  })

  it('updates attributes (enabled, nbf, exp, tags, contentType); a disabled version answers 403 SecretDisabled', async () => {
    const set = await client.setSecret('rotating', 'old')
    const exp = new Date(clock + 86_400_000)
    const nbf = new Date(clock - 86_400_000)
    const updated = await client.updateSecretProperties('rotating', set.properties.version!, {
      enabled: false,
      expiresOn: exp,
      notBefore: nbf,
      tags: { owner: 'team-a' },
      contentType: 'application/json',
    })
    expect(updated.enabled).toBe(false)
    expect(updated.expiresOn?.getTime()).toBe(exp.getTime())
    expect(updated.notBefore?.getTime()).toBe(nbf.getTime())
    expect(updated.tags).toEqual({ owner: 'team-a' })
    const refused = restError(await rejection(client.getSecret('rotating')))
    expect(refused).toEqual({ status: 403, code: 'Forbidden', inner: 'SecretDisabled' })
    // A new version is enabled; the disabled one stays disabled.
    await client.setSecret('rotating', 'new')
    expect((await client.getSecret('rotating')).value).toBe('new')
    expect(
      restError(await rejection(client.getSecret('rotating', { version: set.properties.version! }))).inner,
    ).toBe('SecretDisabled')
  })

  it('keeps expiry and not-before as attributes: reads still answer, as the service does', async () => {
    await client.setSecret('expired', 'v', { expiresOn: new Date(clock - 1000) })
    const read = await client.getSecret('expired')
    expect(read.value).toBe('v')
    expect(read.properties.expiresOn?.getTime()).toBe(Math.floor((clock - 1000) / 1000) * 1000)
  })

  it('lists secrets and versions in pages of maxresults, following nextLink', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await client.setSecret(name, name)
    await client.setSecret('a', 'a2')
    fake.requests.reset()
    const pages = await collect(client.listPropertiesOfSecrets().byPage({ maxPageSize: 2 }))
    expect(pages.map((p) => p.map((s) => s.name))).toEqual([['a', 'b'], ['c', 'd'], ['e']])
    expect(fake.requests.count('ListSecrets')).toBe(3)
    const secretItem = pages[0]![0]!
    expect(secretItem.id).toBe(`${fake.vaultUrl}/secrets/a`)
    const versions = await collect(client.listPropertiesOfSecretVersions('a'))
    expect(versions).toHaveLength(2)
    expect(new Set(versions.map((v) => v.version)).size).toBe(2)
    expect(await collect(client.listPropertiesOfSecrets())).toHaveLength(5)
  })

  it('refuses maxresults above 25 with BadParameter', async () => {
    const error = await rejection(collect(client.listPropertiesOfSecrets().byPage({ maxPageSize: 26 })))
    expect(restError(error)).toMatchObject({ status: 400, code: 'BadParameter' })
  })

  it('soft-deletes: the deleted secret is listed and readable as deleted, recoverable, and its name is taken (409)', async () => {
    await client.setSecret('temp', 'v')
    const poller = await client.beginDeleteSecret('temp')
    const deleted = await poller.pollUntilDone()
    expect(deleted.recoveryId).toBe(`${fake.vaultUrl}/deletedsecrets/temp`)
    expect(deleted.deletedOn?.getTime()).toBe(Math.floor(clock / 1000) * 1000)
    expect(deleted.scheduledPurgeDate?.getTime()).toBe(Math.floor((clock + 90 * 86_400_000) / 1000) * 1000)
    expect(restError(await rejection(client.getSecret('temp')))).toMatchObject({ status: 404 })
    expect((await client.getDeletedSecret('temp')).name).toBe('temp')
    expect((await collect(client.listDeletedSecrets())).map((s) => s.name)).toEqual(['temp'])
    const conflict = restError(await rejection(client.setSecret('temp', 'again')))
    expect(conflict).toEqual({ status: 409, code: 'Conflict', inner: 'ObjectIsDeletedButRecoverable' })
    const recovered = await (await client.beginRecoverDeletedSecret('temp')).pollUntilDone()
    expect(recovered.name).toBe('temp')
    expect((await client.getSecret('temp')).value).toBe('v')
    expect(await collect(client.listDeletedSecrets())).toEqual([])
  })

  it('purges a deleted secret (204) so the name is free again; purging a live one is SecretNotFound', async () => {
    await client.setSecret('gone', 'v')
    await (await client.beginDeleteSecret('gone')).pollUntilDone()
    await client.purgeDeletedSecret('gone')
    expect(fake.state.deleted('gone')).toBeUndefined()
    expect(restError(await rejection(client.getDeletedSecret('gone')))).toMatchObject({
      status: 404,
      code: 'SecretNotFound',
    })
    await client.setSecret('gone', 'fresh')
    expect((await client.getSecret('gone')).value).toBe('fresh')
    expect(restError(await rejection(client.purgeDeletedSecret('gone')))).toMatchObject({ status: 404 })
  })

  it('refuses a value over 25 KiB and an invalid name with BadParameter', async () => {
    await client.setSecret('big', 'x'.repeat(KEY_VAULT_VALUE_LIMIT))
    expect(
      restError(await rejection(client.setSecret('big', 'x'.repeat(KEY_VAULT_VALUE_LIMIT + 1)))),
    ).toMatchObject({
      status: 400,
      code: 'BadParameter',
    })
    expect(restError(await rejection(client.setSecret('bad_name', 'v')))).toMatchObject({
      status: 400,
      code: 'BadParameter',
    })
    expect(fake.state.find('big')?.versions).toHaveLength(1)
  })

  it('rejects an expired token, a token it did not sign, and no token at all with 401', async () => {
    fake.seed({ s: 'v' })
    const stale = await fake.credential.getToken('https://vault.azure.net/.default')
    clock += 2 * 3600_000
    // The client believes the token good for a year; the fake's clock says it expired an hour ago.
    const holdsStale = {
      getToken: async () => ({ ...stale!, expiresOnTimestamp: Date.now() + 365 * 86_400_000 }),
    }
    const expired = await rejection(
      new SecretClient(fake.vaultUrl, holdsStale, { ...fake.clientOptions, ...NO_RETRY }).getSecret('s'),
    )
    expect(restError(expired)).toMatchObject({ status: 401, code: 'Unauthorized' })
    const stranger = await startFake('azure-key-vault')
    try {
      const foreign = new SecretClient(fake.vaultUrl, stranger.credential, {
        ...fake.clientOptions,
        ...NO_RETRY,
      })
      expect(restError(await rejection(foreign.getSecret('s'))).status).toBe(401)
    } finally {
      await stranger.stop()
    }
    // A credential that gives no token: the only thing that reaches the fake is the unauthenticated
    // probe, which it answers with the challenge.
    fake.requests.reset()
    const none = new SecretClient(
      fake.vaultUrl,
      { getToken: async () => null },
      { ...fake.clientOptions, ...NO_RETRY },
    )
    await rejection(none.getSecret('s'))
    expect(fake.requests.byOperation()).toEqual({ Challenge: 1 })
    // The fake's own credential mints a token valid on its clock.
    expect((await client.getSecret('s')).value).toBe('v')
  })

  it('answers a request from a client that does not trust its certificate with nothing: TLS fails', async () => {
    const untrusting = new SecretClient(fake.vaultUrl, fake.credential, {
      disableChallengeResourceVerification: true,
      ...NO_RETRY,
    })
    const error = await rejection(untrusting.getSecret('s'))
    expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
    expect(fake.requests.total).toBe(0)
  })
})

import {
  AccessDeniedError,
  ConfigManager,
  ConflictError,
  type Secret,
  ValidationError,
} from '@polysecret/core'
import { type KeyVaultFake, startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { type KeyVaultProvider, SecretDisabledError, SecretExpiredError } from '../src/index.js'
import { kvFor } from './support.js'

const open: { fake: KeyVaultFake; kv: KeyVaultProvider }[] = []
afterEach(async () => {
  for (const { fake, kv } of open.splice(0)) {
    await kv.close()
    await fake.stop()
  }
})

async function setup(
  secrets: NonNullable<Parameters<typeof startFake<'azure-key-vault'>>[1]>['secrets'] = {},
  settings: Parameters<typeof kvFor>[1] = {},
) {
  const fake = await startFake('azure-key-vault', { secrets })
  const kv = kvFor(fake, settings)
  open.push({ fake, kv })
  return { fake, kv }
}

describe('keyVault (official SecretClient over TLS, wire fake)', () => {
  it('maps DB_PASSWORD to db-password, reads versions and JSON fields, and lists names back as keys', async () => {
    const { fake, kv } = await setup({
      'db-password': { versions: ['old', 'new'] },
      'db-config': '{"user":"app","port":5432}',
    })
    const current = await kv.get('DB_PASSWORD')
    expect(current).toMatchObject({ value: 'new', version: fake.state.find('db-password')!.versions[1]!.id })
    const oldId = fake.state.find('db-password')!.versions[0]!.id
    expect((await kv.get('DB_PASSWORD', { version: oldId }))?.value).toBe('old')
    expect((await kv.get('DB_CONFIG#port'))?.value).toBe('5432')
    expect(await kv.get('DB_CONFIG#nope')).toBeUndefined()
    expect(await kv.get('MISSING')).toBeUndefined()
    const keys: string[] = []
    for await (const info of kv.list('DB_')) keys.push(info.key)
    expect(keys.sort()).toEqual(['DB_CONFIG', 'DB_PASSWORD'])
    // A key Key Vault cannot name is refused before any call.
    const before = fake.requests.total
    await expect(kv.get('DB.PASSWORD')).rejects.toBeInstanceOf(ValidationError)
    expect(fake.requests.total).toBe(before)
  })

  it('identity and custom key mappings; the prefix is stripped from list', async () => {
    const { kv } = await setup({ 'prod-api-key': 'k' }, { keyMapping: 'identity', prefix: 'prod-' })
    expect((await kv.get('api-key'))?.value).toBe('k')
    await expect(kv.get('API_KEY')).rejects.toBeInstanceOf(ValidationError)
    const keys: string[] = []
    for await (const info of kv.list()) keys.push(info.key)
    expect(keys).toEqual(['api-key'])
  })

  it('a disabled secret is a SecretDisabledError (an AccessDeniedError) naming key and provider', async () => {
    const { kv } = await setup({ 'off-token': { value: 'do-not-show', enabled: false } })
    const error = await kv.get('OFF_TOKEN').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretDisabledError)
    expect(error).toBeInstanceOf(AccessDeniedError)
    expect((error as Error).message).toContain('"OFF_TOKEN"')
    expect((error as Error).message).toContain('azure-key-vault')
    expect((error as Error).message).not.toContain('do-not-show')
  })

  it('an expired or not-yet-valid secret is a SecretExpiredError unless expired: "serve"', async () => {
    const now = Date.parse('2030-01-01T00:00:00Z')
    const secrets = {
      'old-cert': { value: 'expired-value', expiresOn: new Date(now - 1000) },
      'future-key': { value: 'future-value', notBefore: new Date(now + 60_000) },
    }
    const { kv } = await setup(secrets, { now: () => now })
    const expired = await kv.get('OLD_CERT').catch((e: unknown) => e)
    expect(expired).toBeInstanceOf(SecretExpiredError)
    expect((expired as SecretExpiredError).reason).toBe('expired')
    expect((expired as Error).message).not.toContain('expired-value')
    const early = await kv.get('FUTURE_KEY').catch((e: unknown) => e)
    expect((early as SecretExpiredError).reason).toBe('not-yet-valid')
    const { kv: serving } = await setup(secrets, { now: () => now, expired: 'serve' })
    expect(await serving.get('OLD_CERT')).toMatchObject({
      value: 'expired-value',
      metadata: { expiresOn: new Date(now - 1000).toISOString() },
    })
  })

  it('set writes a new version; ifVersion and createOnly are checked; rollback keeps the content type', async () => {
    const { fake, kv } = await setup({ 'api-key': { value: 'v1', contentType: 'text/plain' } })
    const first = fake.state.find('api-key')!.versions[0]!.id
    const second = await kv.set('API_KEY', 'v2', { ifVersion: first })
    expect(second.version).not.toBe(first)
    await expect(kv.set('API_KEY', 'v3', { ifVersion: first })).rejects.toBeInstanceOf(ConflictError)
    await expect(kv.set('API_KEY', 'v3', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    const versions = await kv.versions('API_KEY')
    expect(versions.map((v) => [v.version, v.current])).toEqual([
      [second.version, true],
      [first, false],
    ])
    const rolled = await kv.rollback('API_KEY', first)
    expect(rolled.current).toBe(true)
    const stored = fake.state.find('api-key')!.versions
    expect(stored).toHaveLength(3)
    expect(stored[2]).toMatchObject({ value: 'v1', contentType: 'text/plain' })
    expect((await kv.get('API_KEY'))?.value).toBe('v1')
  })

  it('refuses values over 25 KiB and binary values before any call', async () => {
    const { fake, kv } = await setup()
    await expect(kv.set('BIG', 'x'.repeat(25 * 1024 + 1))).rejects.toBeInstanceOf(ValidationError)
    await expect(kv.set('BIN', new Uint8Array([0xff, 0xfe]))).rejects.toBeInstanceOf(ValidationError)
    expect(fake.requests.count('SetSecret')).toBe(0)
  })

  it('delete is soft (recoverable) and idempotent; a write to a deleted name is a ConflictError that says why', async () => {
    const { fake, kv } = await setup({ 'old-key': 'v' })
    await kv.delete('OLD_KEY')
    expect(fake.state.deleted('old-key')).toBeDefined()
    await kv.delete('OLD_KEY')
    const error = await kv.set('OLD_KEY', 'again').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect((error as Error).message).toMatch(/deleted but recoverable/)
    await expect(kv.delete('OLD_KEY', { force: true })).rejects.toThrow(/needs the purge option/)
  })

  it('with purge: true, a forced delete purges (also a secret already soft-deleted)', async () => {
    const { fake, kv } = await setup({ 'gone-key': 'v', 'half-gone': 'w' }, { purge: true })
    await kv.delete('GONE_KEY', { force: true })
    expect(fake.state.deleted('gone-key')).toBeUndefined()
    expect(fake.state.find('gone-key')).toBeUndefined()
    expect(fake.requests.count('PurgeDeletedSecret')).toBe(1)
    await kv.delete('HALF_GONE')
    await kv.delete('HALF_GONE', { force: true })
    expect(fake.state.deleted('half-gone')).toBeUndefined()
    await kv.set('GONE_KEY', 'fresh')
    expect((await kv.get('GONE_KEY'))?.value).toBe('fresh')
  })

  it('a manager reads many keys with one GetSecret each (no batch API) and serves them as secrets', async () => {
    const { fake, kv } = await setup({ 'a-key': 'a', 'b-key': 'b', 'c-key': 'c' })
    const manager = new ConfigManager({ secrets: [kv] })
    const { values, errors } = await manager.getMany(['A_KEY', 'B_KEY', 'C_KEY'])
    expect(errors).toEqual({})
    expect(Object.values(values).map((v) => (v as Secret).reveal())).toEqual(['a', 'b', 'c'])
    expect(fake.requests.count('GetSecret')).toBe(3)
    await manager.close()
  })

  it('health answers ok, and not ok with a typed message when the credential is refused', async () => {
    const { fake, kv } = await setup()
    expect((await kv.health()).ok).toBe(true)
    const refused = kvFor(fake, {
      credential: {
        getToken: async () => ({ token: 'not-a-token', expiresOnTimestamp: Date.now() + 60_000 }),
      },
    })
    const health = await refused.health()
    expect(health.ok).toBe(false)
    expect(health.message).toMatch(/Access denied \(Azure 401/)
  })
})

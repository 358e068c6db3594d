import {
  ConfigManager,
  ConflictError,
  NotFoundError,
  ReadOnlyError,
  Secret,
  ValidationError,
} from '@polysecret/core'
import {
  type AppConfigSettingSeed,
  type KeyVaultFake,
  keyVaultReference,
  startFake,
} from '@polysecret/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AppConfigurationSettings } from '../src/index.js'
import { acFor, kvFor } from './support.js'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

async function setup(settings: AppConfigSettingSeed[], options: AppConfigurationSettings = {}) {
  const fake = await startFake('azure-app-configuration', { settings })
  const ac = acFor(fake, options)
  stops.push(async () => {
    await ac.close()
    await fake.stop()
  })
  return { fake, ac }
}

async function vault(secrets: Record<string, string>): Promise<KeyVaultFake> {
  const kv = await startFake('azure-key-vault', { secrets })
  stops.push(() => kv.stop())
  return kv
}

const keysOf = async (iterable: AsyncIterable<{ key: string }>) => {
  const out: string[] = []
  for await (const info of iterable) out.push(info.key)
  return out.sort()
}

describe('appConfiguration (official AppConfigurationClient over TLS, wire fake)', () => {
  it('label fallback: the first label that has the key wins, in one request', async () => {
    const { fake, ac } = await setup(
      [
        { key: 'app:HOST', value: 'db.internal' },
        { key: 'app:HOST', label: 'prod', value: 'db.prod' },
        { key: 'app:PORT', value: '5432' },
        { key: 'app:ONLY_DEV', label: 'dev', value: 'x' },
      ],
      { label: ['prod', null], trimPrefix: 'app:' },
    )
    expect(await ac.get('HOST')).toMatchObject({ value: 'db.prod', labels: ['prod'] })
    expect((await ac.get('PORT'))?.value).toBe('5432')
    expect(await ac.get('ONLY_DEV')).toBeUndefined()
    expect((await ac.get('ONLY_DEV', { label: 'dev' }))?.value).toBe('x')
    expect(fake.requests.count('ListKeyValues')).toBe(3)
    expect(await keysOf(ac.list())).toEqual(['HOST', 'PORT'])
  })

  it('keyFilter selects what the provider serves; feature flags stay out of list', async () => {
    const { ac } = await setup(
      [
        { key: 'svc:a', value: '1' },
        { key: 'svc:b', value: '2' },
        { key: 'other:c', value: '3' },
        { key: 'beta', featureFlag: { enabled: true } },
      ],
      { keyFilter: 'svc:*,other:c' },
    )
    expect(await keysOf(ac.list())).toEqual(['other:c', 'svc:a', 'svc:b'])
    const { ac: all } = await setup([
      { key: 'x', value: '1' },
      { key: 'beta', featureFlag: { enabled: true } },
    ])
    expect(await keysOf(all.list())).toEqual(['x'])
    expect(JSON.parse(String((await all.get('.appconfig.featureflag/beta'))?.value))).toMatchObject({
      enabled: true,
    })
    expect(await ac.get('x')).toBeUndefined() // outside the keyFilter
  })

  it('Key Vault references resolve through keyVault() and are served as secrets from the parameters chain', async () => {
    const kvFake = await vault({ 'db-password': 'pa55' })
    const kv = kvFor(kvFake)
    const { fake, ac } = await setup(
      [
        { key: 'DB_HOST', value: 'db.internal' },
        { key: 'DATABASE_REF', keyVaultRef: { vault: kvFake, name: 'db-password' } },
      ],
      { keyVault: kv },
    )
    const entry = await ac.get('DATABASE_REF')
    expect(entry).toMatchObject({ value: 'pa55', sensitive: true })
    expect(entry?.metadata?.keyVaultSecret).toBe(`${kvFake.vaultUrl}/secrets/db-password`)
    const manager = new ConfigManager({ parameters: [ac] })
    const value = await manager.get('DATABASE_REF')
    expect(value).toBeInstanceOf(Secret)
    expect(String(value)).not.toContain('pa55')
    expect(await manager.get('DB_HOST')).toBe('db.internal')
    // getMany: one listing, the references in parallel.
    fake.requests.reset()
    kvFake.requests.reset()
    const many = await ac.getMany(['DB_HOST', 'DATABASE_REF', 'NOPE'])
    expect([...many.entries.keys()].sort()).toEqual(['DATABASE_REF', 'DB_HOST'])
    expect(fake.requests.total).toBe(1)
    expect(kvFake.requests.count('GetSecret')).toBe(1)
    await manager.close()
    await kv.close()
  })

  it('a reference with no way to read its vault, to a missing secret, or malformed is a typed error naming the key', async () => {
    const kvFake = await vault({})
    const { ac } = await setup([
      { key: 'REF', keyVaultRef: { vault: kvFake, name: 'absent' } },
      {
        key: 'BAD',
        value: '{"uri":"not a url with hunter2"}',
        contentType: 'application/vnd.microsoft.appconfig.keyvaultref+json;charset=utf-8',
      },
    ])
    const unresolvable = await ac.get('REF').catch((e: unknown) => e)
    expect(unresolvable).toBeInstanceOf(ValidationError)
    expect((unresolvable as Error).message).toMatch(/Key "REF" is a Key Vault reference.*no way to read/)
    const malformed = await ac.get('BAD').catch((e: unknown) => e)
    expect(malformed).toBeInstanceOf(ValidationError)
    expect((malformed as Error).message).toContain('"BAD"')
    expect((malformed as Error).message).not.toContain('hunter2')
    const { ac: withVault } = await setup([{ key: 'REF', keyVaultRef: { vault: kvFake, name: 'absent' } }], {
      keyVault: { credential: kvFake.credential, clientOptions: kvFake.clientOptions as never },
    })
    const missing = await withVault.get('REF').catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(NotFoundError)
    expect((missing as Error).message).toContain('references Key Vault secret "absent"')
  })

  it('writes use etags: ifVersion conflicts, createOnly, locks, and never overwrite a reference', async () => {
    const { fake, ac } = await setup([
      { key: 'MODE', value: 'a' },
      { key: 'LOCKED', value: 'l', locked: true },
      {
        key: 'REF',
        value: keyVaultReference('https://v.vault.azure.net', 's'),
        contentType: 'application/vnd.microsoft.appconfig.keyvaultref+json;charset=utf-8',
      },
    ])
    const before = (await ac.get('MODE'))!.version!
    const written = await ac.set('MODE', 'b', { ifVersion: before })
    expect(written.version).toBe(fake.state.get('MODE')!.etag)
    await expect(ac.set('MODE', 'c', { ifVersion: before })).rejects.toBeInstanceOf(ConflictError)
    await expect(ac.set('MODE', 'c', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    await expect(ac.set('LOCKED', 'x')).rejects.toBeInstanceOf(ReadOnlyError)
    await expect(ac.set('REF', 'plain')).rejects.toThrow(/is a Key Vault reference/)
    await expect(ac.delete('MODE', { ifVersion: before })).rejects.toBeInstanceOf(ConflictError)
    await ac.delete('MODE', { ifVersion: written.version })
    expect(fake.state.get('MODE')).toBeUndefined()
    await ac.delete('MODE') // idempotent
    await expect(ac.set('BIG', 'x'.repeat(10 * 1024))).rejects.toBeInstanceOf(ValidationError)
  })

  it('versions are revisions; an old one reads back and rollback re-writes it', async () => {
    const { ac } = await setup([{ key: 'LEVEL', value: 'info' }])
    await ac.set('LEVEL', 'debug')
    const versions = await ac.versions('LEVEL')
    expect(versions).toHaveLength(2)
    const [current, old] = versions
    expect(current!.current).toBe(true)
    expect((await ac.get('LEVEL', { version: old!.version }))?.value).toBe('info')
    await ac.rollback('LEVEL', old!.version)
    expect((await ac.get('LEVEL'))?.value).toBe('info')
    await expect(ac.rollback('LEVEL', 'nope')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('changeToken: a sentinel costs one GET and changes when the sentinel does; page etags change with any setting', async () => {
    const { fake, ac } = await setup(
      [
        { key: 'A', value: '1' },
        { key: 'sentinel', value: '1' },
      ],
      { sentinel: 'sentinel' },
    )
    const first = await ac.changeToken()
    expect(await ac.changeToken()).toBe(first)
    expect(fake.requests.count('GetKeyValue')).toBe(2)
    await ac.set('sentinel', '2')
    expect(await ac.changeToken()).not.toBe(first)

    const { fake: paged, ac: byPages } = await setup([{ key: 'A', value: '1' }])
    const token = await byPages.changeToken()
    expect(await byPages.changeToken()).toBe(token)
    expect(paged.requests.count('CheckKeyValues')).toBe(2)
    await byPages.set('A', '2')
    expect(await byPages.changeToken()).not.toBe(token)
  })

  it('watch re-reads keys only when the change token moves', async () => {
    const { fake, ac } = await setup(
      [
        { key: 'A', value: '1' },
        { key: 'B', value: '1' },
        { key: 'sentinel', value: '1' },
      ],
      { sentinel: 'sentinel', label: ['prod', null] },
    )
    const manager = new ConfigManager({ parameters: [ac] })
    const changed: string[] = []
    const watcher = await manager.watch(['A', 'B'], (key) => changed.push(key), { interval: 10 })
    const reads = fake.requests.count('ListKeyValues')
    const polls = fake.requests.count('GetKeyValue')
    await vi.waitFor(() => expect(fake.requests.count('GetKeyValue')).toBeGreaterThan(polls + 2), {
      timeout: 5000,
    })
    expect(fake.requests.count('ListKeyValues')).toBe(reads) // no key was re-read
    // Another writer (the null label): the value, then the sentinel.
    const writer = acFor(fake)
    await writer.set('A', '2')
    await writer.set('sentinel', '2')
    await vi.waitFor(() => expect(changed).toEqual(['A']), { timeout: 5000 })
    watcher.close()
    await manager.close()
  })
})

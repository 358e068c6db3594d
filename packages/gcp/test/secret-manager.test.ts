import {
  AccessDeniedError,
  ConfigManager,
  ConflictError,
  IntegrityError,
  NotFoundError,
  type Secret,
  ValidationError,
} from '@polysecret/core'
import type { GcpSecretManagerFake } from '@polysecret/testing'
import { startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it } from 'vitest'
import type { SecretManagerProvider } from '../src/index.js'
import { smFor, TRANSPORTS } from './support.js'

const open: { fake: GcpSecretManagerFake; sm: SecretManagerProvider }[] = []
afterEach(async () => {
  for (const { fake, sm } of open.splice(0)) {
    await sm.close()
    await fake.stop()
  }
})

describe.each(TRANSPORTS)('secretManager over %s (official client, wire fake)', (transport) => {
  async function setup(secrets: Parameters<GcpSecretManagerFake['seed']>[0] = {}, settings = {}) {
    const fake = await startFake('gcp-secret-manager', { secrets })
    const sm = smFor(fake, transport, settings)
    open.push({ fake, sm })
    return { fake, sm }
  }
  const stored = (fake: GcpSecretManagerFake, id: string) => fake.state.find(`secrets/${id}`)!

  it('reads latest, a version number, an alias and a JSON field', async () => {
    const { sm } = await setup({
      DB: {
        versions: ['{"user":"app","password":"p1","port":5432}', '{"user":"app","password":"p2"}'],
        aliases: { stable: 1 },
      },
    })
    expect(await sm.get('DB#password')).toMatchObject({ value: 'p2', version: '2' })
    expect((await sm.get('DB#password', { version: '1' }))?.value).toBe('p1')
    expect((await sm.get('DB#port', { label: 'stable' }))?.value).toBe('5432')
    expect(await sm.get('DB#nope')).toBeUndefined()
    expect(await sm.get('MISSING')).toBeUndefined()
    expect(await sm.get('DB', { version: '9' })).toBeUndefined()
  })

  it('serves the newest enabled version when latest is disabled; a pinned disabled version reads as missing', async () => {
    const { sm } = await setup({ TOKEN: { versions: ['old', { data: 'new', state: 'DISABLED' }] } })
    expect(await sm.get('TOKEN')).toMatchObject({ value: 'old', version: '1' })
    expect(await sm.get('TOKEN', { version: '2' })).toBeUndefined()
  })

  it('lists versions with state and aliases; rollback disables the newer ones', async () => {
    const { fake, sm } = await setup({ K: { versions: ['a', 'b', 'c'], aliases: { prod: 3, canary: 3 } } })
    const before = await sm.versions('K')
    expect(before.map((v) => [v.version, v.state, v.current, [...v.labels].sort()])).toEqual([
      ['3', 'ENABLED', true, ['canary', 'prod']],
      ['2', 'ENABLED', false, []],
      ['1', 'ENABLED', false, []],
    ])
    await sm.rollback('K', '1')
    expect((await sm.get('K'))?.value).toBe('a')
    expect((await sm.versions('K')).map((v) => [v.version, v.state, v.current])).toEqual([
      ['3', 'DISABLED', false],
      ['2', 'DISABLED', false],
      ['1', 'ENABLED', true],
    ])
    // Roll forward again: the disabled version is enabled, the one between stays disabled.
    await sm.rollback('K', '2')
    expect((await sm.get('K'))?.value).toBe('b')
    expect(stored(fake, 'K').versions.get(3)?.state).toBe('DISABLED')
    await expect(sm.rollback('K', '7')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('writes create the secret, send data_crc32c, and refuse stale or duplicate writes', async () => {
    const { fake, sm } = await setup()
    const first = await sm.set('NEW_KEY', 'v1', { createOnly: true })
    expect(first).toMatchObject({ key: 'NEW_KEY', version: '1', current: true })
    expect(stored(fake, 'NEW_KEY').versions.get(1)?.clientChecksum).toBe(true)
    await expect(sm.set('NEW_KEY', 'again', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    await expect(sm.set('NEW_KEY', 'v2', { ifVersion: '7' })).rejects.toMatchObject({ currentVersion: '1' })
    expect((await sm.set('NEW_KEY', 'v2', { ifVersion: '1' })).version).toBe('2')
    expect(fake.state.value('NEW_KEY')).toBe('v2')
    await sm.set('BYTES', new Uint8Array([0xff, 0x00, 0xfe]))
    const bytes = await sm.get('BYTES')
    expect(bytes?.value).toEqual(new Uint8Array([0xff, 0x00, 0xfe]))
    expect(bytes?.metadata?.encoding).toBe('binary')
  })

  it('deletes idempotently, and only at the expected version', async () => {
    const { fake, sm } = await setup({ GONE: 'x', KEEP: 'y' })
    await expect(sm.delete('KEEP', { ifVersion: '5' })).rejects.toBeInstanceOf(ConflictError)
    await sm.delete('GONE')
    await sm.delete('GONE')
    expect(fake.state.find('secrets/GONE')).toBeUndefined()
    await sm.delete('KEEP', { ifVersion: '1' })
    expect(fake.state.find('secrets/KEEP')).toBeUndefined()
  })

  it('lists keys across pages under the prefix, mapped back through keyMapping', async () => {
    const seed: Record<string, string> = { 'other-thing': 'x' }
    for (let i = 0; i < 230; i++) seed[`app-service-${i}-token`] = `v${i}`
    const { fake, sm } = await setup(seed, { prefix: 'app-', keyMapping: 'kebab' })
    const keys: string[] = []
    for await (const info of sm.list('SERVICE_1')) keys.push(info.key)
    expect(keys.sort()).toEqual(
      Array.from({ length: 230 }, (_, i) => `SERVICE_${i}_TOKEN`)
        .filter((k) => k.startsWith('SERVICE_1'))
        .sort(),
    )
    expect(fake.requests.count('ListSecrets')).toBe(3)
    expect((await sm.get('SERVICE_7_TOKEN'))?.value).toBe('v7')
  })

  it('the manager reads many keys in parallel, one AccessSecretVersion per key, failures per key', async () => {
    const seed: Record<string, string> = {}
    for (let i = 0; i < 40; i++) seed[`S${i}`] = `v${i}`
    const { fake, sm } = await setup(seed)
    expect(sm.capabilities.batch).toBe(false) // no batch API: the manager fans out, with its concurrency
    fake.state.deny('S3', ['secretmanager.versions.access'])
    const manager = new ConfigManager({
      secrets: [sm],
      concurrency: 8,
      cache: false,
      retry: { retries: 2, baseDelay: 1 },
    })
    const { values, errors } = await manager.getMany([...Object.keys(seed), 'ABSENT'], { kind: 'secret' })
    expect(Object.keys(values)).toHaveLength(39)
    expect((values.S39 as Secret).reveal()).toBe('v39')
    expect(Object.keys(errors).sort()).toEqual(['ABSENT', 'S3'])
    expect(errors.S3).toBeInstanceOf(AccessDeniedError)
    // Access denied and not found are answers, not retried: exactly one request per key.
    expect(fake.requests.count('AccessSecretVersion')).toBe(41)
  })

  it('a payload that fails its checksum is an IntegrityError naming key and provider, never the value', async () => {
    const { fake, sm } = await setup({ SIGNED: 'radioactive-value' })
    stored(fake, 'SIGNED').versions.get(1)!.crc32c = 12345
    const error = await sm.get('SIGNED').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IntegrityError)
    expect(error).toMatchObject({ key: 'SIGNED', provider: 'gcp-secret-manager' })
    expect(String((error as Error).message)).not.toContain('radioactive')
  })

  it('an oversized or non-JSON payload is a typed error naming key and provider, never the value', async () => {
    const { fake, sm } = await setup({ HUGE: 'x', TEXT: 'radioactive-plain-text' })
    const version = stored(fake, 'HUGE').versions.get(1)!
    version.data = Buffer.alloc(70 * 1024, 'r')
    version.crc32c = undefined
    await expect(sm.get('HUGE')).rejects.toMatchObject({ name: 'IntegrityError', key: 'HUGE' })
    const error = await sm.get('TEXT#field').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect(String((error as Error).message)).not.toContain('radioactive')
  })

  it('health reports a reachable store, and a down one without throwing', async () => {
    const { fake, sm } = await setup()
    expect((await sm.health()).ok).toBe(true)
    await fake.faults.down('refuse')
    const health = await sm.health()
    expect(health.ok).toBe(false)
    expect(health.message).toMatch(/unavailable/i)
  })
})

/**
 * The embedded default through the manager: versions, rollback, rotation, watch and a live config on
 * the encrypted file — what the README demo and every user without a cloud account run on.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigManager, encryptedFile, IntegrityError, Secret } from '@polysecret/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'

const KEY = Buffer.alloc(32, 3).toString('hex')
const store = (path = join(mkdtempSync(join(tmpdir(), 'polysecret-store-')), 'secrets.enc')) => ({
  path,
  provider: encryptedFile({ path, key: KEY, history: 5 }),
})
const reveal = async (manager: ConfigManager, key: string, opts = {}) =>
  ((await manager.get(key, opts)) as Secret).reveal()

describe('the encrypted store through the manager', () => {
  it('writes, lists versions, reads an old one and rolls back', async () => {
    const { provider } = store()
    const manager = new ConfigManager({ secrets: [provider], allowWrites: true })
    const first = await manager.set('DB_PASSWORD', 'one')
    const second = await manager.set('DB_PASSWORD', 'two')
    const versions = await manager.versions('DB_PASSWORD')
    expect(versions.map((v) => [v.version, v.current])).toEqual([
      [second.version, true],
      [first.version, false],
    ])
    expect(await reveal(manager, 'DB_PASSWORD', { version: first.version })).toBe('one')
    await manager.rollback('DB_PASSWORD', first.version!)
    expect(await reveal(manager, 'DB_PASSWORD')).toBe('one')
    expect((await manager.versions('DB_PASSWORD')).length).toBe(3)
  })

  it('rotates with a generator and reports both version ids; a second process sees the new value', async () => {
    const { path, provider } = store()
    const manager = new ConfigManager({ secrets: [provider], allowWrites: true })
    const first = await manager.set('SIGNING_KEY', 'old')
    const rotation = await manager.rotate('SIGNING_KEY', {
      generate: { type: 'keypair', keyType: 'ec-p256' },
    })
    expect(rotation.previousVersion).toBe(first.version)
    expect(rotation.version).not.toBe(rotation.previousVersion)
    const other = new ConfigManager({ secrets: [encryptedFile({ path, key: KEY })] })
    expect(await reveal(other, 'SIGNING_KEY')).toMatch(/^-----BEGIN PRIVATE KEY-----/)
  })

  it('a live config follows a rotation made by another writer, and keeps the last good value on a bad one', async () => {
    const { path, provider } = store()
    const writer = new ConfigManager({ secrets: [encryptedFile({ path, key: KEY })], allowWrites: true })
    await writer.set('API_TOKEN', 'first-token-value')
    const reader = new ConfigManager({ secrets: [provider], cache: { ttl: 60_000 } })
    const live = await reader.load(
      z.object({ API_TOKEN: z.instanceof(Secret).refine((s) => s.reveal().length >= 10) }),
      { watch: true, interval: 30 },
    )
    const changed = new Promise<readonly string[]>((resolve) =>
      live.onChange((_n, _p, keys) => resolve(keys)),
    )
    await writer.rotate('API_TOKEN', { generate: { type: 'password', length: 24 } })
    expect(await changed).toEqual(['API_TOKEN'])
    expect(live.current.API_TOKEN.reveal().length).toBe(24)
    const rejected = new Promise((resolve) => live.onError(resolve))
    await writer.set('API_TOKEN', 'short')
    expect(await rejected).toMatchObject({ code: 'CONFIG_INVALID' })
    expect(live.current.API_TOKEN.reveal().length).toBe(24)
    live.close()
  })

  it('a wrong key is an IntegrityError, and the manager keeps serving other stores', async () => {
    const { path } = store()
    await encryptedFile({ path, key: KEY }).set!('API_TOKEN', 'x')
    const wrong = encryptedFile({ path, key: Buffer.alloc(32, 9).toString('hex') })
    const manager = new ConfigManager({ secrets: [wrong] })
    const error = await manager.get('API_TOKEN').catch((e) => e)
    expect(error).toBeInstanceOf(IntegrityError)
    expect(error.provider).toBe('encrypted-file')
  })
})

describe('credentials from the environment', () => {
  it('encryptedFile({ path }) reads POLYSECRET_KEY, then POLYSECRET_PASSPHRASE; neither is a clear error', async () => {
    const { path } = store()
    await encryptedFile({ path, key: KEY }).set!('API_TOKEN', 'from-env-key')
    const saved = { key: process.env.POLYSECRET_KEY, passphrase: process.env.POLYSECRET_PASSPHRASE }
    try {
      process.env.POLYSECRET_KEY = KEY
      expect((await encryptedFile({ path }).get('API_TOKEN'))?.value).toBe('from-env-key')
      delete process.env.POLYSECRET_KEY
      delete process.env.POLYSECRET_PASSPHRASE
      expect(() => encryptedFile({ path })).toThrow(/POLYSECRET_PASSPHRASE/)
      process.env.POLYSECRET_PASSPHRASE = 'env passphrase'
      const other = join(mkdtempSync(join(tmpdir(), 'polysecret-store-')), 'p.enc')
      await encryptedFile({ path: other, scrypt: { N: 1024 } }).set!('A_SECRET', 'x')
      await expect(
        encryptedFile({ path: other, passphrase: 'env passphrase' }).get('A_SECRET'),
      ).resolves.toMatchObject({ value: 'x' })
    } finally {
      for (const [name, value] of [
        ['POLYSECRET_KEY', saved.key],
        ['POLYSECRET_PASSPHRASE', saved.passphrase],
      ] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  })
})

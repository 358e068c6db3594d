import { ValidationError } from '@polysecret/core'
import { describe, expect, it } from 'vitest'
import { crc32c } from '../src/crc32c.js'
import { parameterManager, polysecretProviders, secretManager } from '../src/index.js'

describe('factory options are checked eagerly, every problem at once', () => {
  it('lists each bad option', () => {
    const attempt = () =>
      secretManager({
        projectId: 'Not A Project',
        transport: 'carrier-pigeon' as never,
        prefix: 'bad/prefix',
        keyMapping: 'shouting' as never,
      })
    expect(attempt).toThrow(ValidationError)
    expect(attempt).toThrow(/projectId[\s\S]*transport[\s\S]*prefix[\s\S]*keyMapping/)
  })

  it('refuses a client together with connection options, and a client that is not one', () => {
    expect(() => secretManager({ client: {} as never })).toThrow(/accessSecretVersion/)
    expect(() =>
      parameterManager({ client: { renderParameterVersion() {} } as never, transport: 'rest' } as never),
    ).toThrow(/either client or transport/)
    expect(() => parameterManager({ location: 'Mars Base' })).toThrow(/location/)
    expect(() => parameterManager({ format: 'XML' as never })).toThrow(/format/)
  })

  it('accepts project ids and numbers', () => {
    expect(secretManager({ projectId: 'my-project-123' }).type).toBe('gcp-secret-manager')
    expect(parameterManager({ projectId: '314159265358' }).type).toBe('gcp-parameter-manager')
  })

  it('exports both provider types for createManager', () => {
    expect(Object.keys(polysecretProviders).sort()).toEqual(['gcp-parameter-manager', 'gcp-secret-manager'])
    expect(polysecretProviders['gcp-secret-manager']({ projectId: 'my-project' }).type).toBe(
      'gcp-secret-manager',
    )
  })
})

describe('keys the store cannot hold fail before any call, naming the key', () => {
  const sm = secretManager({ projectId: 'my-project', clientOptions: { apiEndpoint: '127.0.0.1', port: 1 } })
  it.each([['db.host'], ['a/b'], ['x'.repeat(256)], ['with space']])('%s', async (key) => {
    const error = await sm.get(key).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).key).toBe(key)
    expect((error as ValidationError).message).toMatch(/secret id/)
  })

  it('refuses to write a single JSON field, and values over 64 KiB, before connecting', async () => {
    await expect(sm.set('db#password', 'x')).rejects.toThrow(/single JSON field/)
    const error = await sm.set('BIG', 'v'.repeat(64 * 1024 + 1)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as Error).message).toMatch(/64 KiB/)
    expect((error as Error).message).not.toContain('vvvv')
  })
})

describe('crc32c', () => {
  it('matches the Castagnoli check value and the RFC 3720 vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
    expect(crc32c(new Uint8Array(0))).toBe(0)
  })
})

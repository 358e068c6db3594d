import { inspect } from 'node:util'
import { ConflictError, UnavailableError, ValidationError } from '@polysecret/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { collect, type SsmFake, ssmFor, startSsm } from './support.js'

let fake: SsmFake

beforeEach(async () => {
  fake = await startSsm()
})
afterEach(async () => {
  await fake.stop()
})

describe('parameterStore get', () => {
  it('reads with decryption, reports version, date and type; missing is undefined', async () => {
    fake.seed({ '/app/DB_HOST': 'db.internal', '/app/DB_PASS': { value: 's3cret', type: 'SecureString' } })
    const ssm = ssmFor(fake, { prefix: '/app/' })
    const host = await ssm.get('DB_HOST')
    expect(host).toMatchObject({
      value: 'db.internal',
      version: '1',
      labels: [],
      metadata: { type: 'String' },
    })
    expect(host?.updatedAt).toBeInstanceOf(Date)
    expect((await ssm.get('DB_PASS'))?.value).toBe('s3cret')
    expect(fake.requests.last('GetParameter')?.input).toEqual({ Name: '/app/DB_PASS', WithDecryption: true })
    expect(await ssm.get('NOPE')).toBeUndefined()
  })

  it('decrypt: false returns SecureString ciphertext', async () => {
    fake.seed({ '/app/DB_PASS': { value: 's3cret', type: 'SecureString' } })
    const entry = await ssmFor(fake, { prefix: '/app/', decrypt: false }).get('DB_PASS')
    expect(entry?.value).not.toBe('s3cret')
    expect(entry?.metadata?.type).toBe('SecureString')
  })

  it('keeps StringList as the comma string', async () => {
    fake.seed({ '/app/HOSTS': { value: 'a,b,c', type: 'StringList' } })
    const entry = await ssmFor(fake, { prefix: '/app/' }).get('HOSTS')
    expect(entry?.value).toBe('a,b,c')
    expect(entry?.metadata?.type).toBe('StringList')
  })

  it('reads by version (name:N) and by label (name:label)', async () => {
    fake.seed({ '/app/K': { values: ['one', 'two', 'three'], labels: { stable: 2 } } })
    const ssm = ssmFor(fake, { prefix: '/app/' })
    expect(await ssm.get('K', { version: '1' })).toMatchObject({ value: 'one', version: '1' })
    expect(fake.requests.last('GetParameter')?.input).toMatchObject({ Name: '/app/K:1' })
    expect(await ssm.get('K', { label: 'stable' })).toMatchObject({
      value: 'two',
      version: '2',
      labels: ['stable'],
    })
    expect(fake.requests.last('GetParameter')?.input).toMatchObject({ Name: '/app/K:stable' })
    expect(await ssm.get('K', { version: '9' })).toBeUndefined()
    expect(await ssm.get('K', { label: 'nope' })).toBeUndefined()
    await expect(ssm.get('K', { version: '1', label: 'stable' })).rejects.toBeInstanceOf(ValidationError)
  })
})

describe('parameterStore key mapping', () => {
  it('path (default): / is hierarchy, dots stay, and list round-trips', async () => {
    const ssm = ssmFor(fake, { prefix: '/app/' })
    await ssm.set('DB_HOST', 'h')
    await ssm.set('db/port', '5432')
    await ssm.set('cache.ttl', '60')
    expect(fake.state.names()).toEqual(['/app/DB_HOST', '/app/cache.ttl', '/app/db/port'])
    expect((await collect(ssm.list())).map((i) => i.key).sort()).toEqual(['DB_HOST', 'cache.ttl', 'db/port'])
  })

  it('without a prefix the key is the name verbatim', async () => {
    fake.seed({ FLAT: 'f', '/deep/x': 'd' })
    const ssm = ssmFor(fake)
    expect((await ssm.get('FLAT'))?.value).toBe('f')
    expect((await ssm.get('/deep/x'))?.value).toBe('d')
    expect((await collect(ssm.list('/deep/'))).map((i) => i.key)).toEqual(['/deep/x'])
  })

  it('dotted: db.host ↔ /app/db/host, and refuses / in keys', async () => {
    const ssm = ssmFor(fake, { prefix: '/app/', keyMapping: 'dotted' })
    await ssm.set('db.host', 'h')
    expect(fake.state.names()).toEqual(['/app/db/host'])
    expect((await ssm.get('db.host'))?.value).toBe('h')
    expect((await collect(ssm.list('db.'))).map((i) => i.key)).toEqual(['db.host'])
    await expect(ssm.get('db/host')).rejects.toBeInstanceOf(ValidationError)
  })

  it('custom { toName, toKey } sees the part after the prefix', async () => {
    const ssm = ssmFor(fake, {
      prefix: '/app/',
      keyMapping: {
        toName: (key) => key.toLowerCase().replaceAll('__', '/'),
        toKey: (name) => name.replaceAll('/', '__').toUpperCase(),
      },
    })
    await ssm.set('DB__HOST', 'h')
    expect(fake.state.names()).toEqual(['/app/db/host'])
    expect((await ssm.get('DB__HOST'))?.value).toBe('h')
    expect((await collect(ssm.list('DB__'))).map((i) => i.key)).toEqual(['DB__HOST'])
  })
})

describe('parameterStore getMany', () => {
  it('chunks 25 names into 3 GetParameters calls; InvalidParameters are missing', async () => {
    const seed: Record<string, string> = {}
    for (let i = 0; i < 22; i++) seed[`/app/K${i}`] = `v${i}`
    fake.seed(seed)
    const ssm = ssmFor(fake, { prefix: '/app/' })
    const keys = [...Array.from({ length: 22 }, (_, i) => `K${i}`), 'MISSING_1', 'MISSING_2', 'MISSING_3']
    const result = await ssm.getMany(keys)
    expect(fake.requests.count('GetParameters')).toBe(3)
    const sizes = fake.requests.all('GetParameters').map((r) => (r.input as { Names: string[] }).Names.length)
    expect(sizes.sort((a, b) => a - b)).toEqual([5, 10, 10])
    expect(fake.requests.last('GetParameters')?.input).toMatchObject({ WithDecryption: true })
    expect(result.entries.size).toBe(22)
    expect(result.entries.get('K21')?.value).toBe('v21')
    expect(result.entries.has('MISSING_2')).toBe(false)
    expect(result.errors.size).toBe(0)
  })

  it('runs chunks in parallel', async () => {
    const ssm = ssmFor(fake, { prefix: '/app/' })
    // No chunk is ever answered: all three requests can arrive only if they are sent together.
    fake.faults.hang(1, { operations: ['GetParameters'] })
    const pending = ssm.getMany(Array.from({ length: 30 }, (_, i) => `K${i}`)).catch((e: unknown) => e)
    await vi.waitFor(() => expect(fake.requests.count('GetParameters')).toBe(3), { timeout: 15_000 })
    await fake.stop() // ends the hung requests
    expect(await pending).toBeInstanceOf(UnavailableError)
  })

  it('reports a failed chunk as per-key errors and throws when every chunk fails', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `K${i}`)
    fake.seed(Object.fromEntries(keys.map((k) => [`/app/${k}`, k])))
    const ssm = ssmFor(fake, { prefix: '/app/' })
    fake.faults.errorRate(1, { status: 500, operations: ['GetParameters'], times: 1 })
    const partial = await ssm.getMany(keys)
    expect(partial.entries.size).toBe(10)
    expect(partial.errors.size).toBe(10)
    for (const error of partial.errors.values()) expect(error).toBeInstanceOf(UnavailableError)
    fake.faults.errorRate(1, { status: 500, operations: ['GetParameters'] })
    await expect(ssm.getMany(keys)).rejects.toBeInstanceOf(UnavailableError)
  })
})

describe('parameterStore list and getByPrefix', () => {
  it('pages GetParametersByPath (10 per page), recursive, without decryption, narrowed to the prefix level', async () => {
    const seed: Record<string, string | { value: string; type: 'SecureString' }> = {
      '/app/other': 'o',
      '/elsewhere/db/x': 'e',
    }
    for (let i = 0; i < 25; i++) seed[`/app/db/K${i}`] = `v${i}`
    seed['/app/db/deep/er'] = { value: 'secret', type: 'SecureString' }
    fake.seed(seed)
    const ssm = ssmFor(fake, { prefix: '/app/' })
    const infos = await collect(ssm.list('db/'))
    expect(infos).toHaveLength(26)
    expect(infos.map((i) => i.key)).toContain('db/deep/er')
    expect(
      infos.every((i) => i.key.startsWith('db/') && i.version === '1' && i.updatedAt instanceof Date),
    ).toBe(true)
    expect(fake.requests.count('GetParametersByPath')).toBe(3)
    expect(fake.requests.last('GetParametersByPath')?.input).toMatchObject({
      Path: '/app/db',
      Recursive: true,
      WithDecryption: false,
      MaxResults: 10,
    })
    // A key prefix that ends mid-name narrows to the level above and filters client-side.
    expect((await collect(ssm.list('db/K1'))).map((i) => i.key).sort()).toEqual(
      ['db/K1', ...Array.from({ length: 10 }, (_, i) => `db/K1${i}`)].sort(),
    )
    expect(fake.requests.last('GetParametersByPath')?.input).toMatchObject({ Path: '/app/db' })
  })

  it('getByPrefix returns decrypted values', async () => {
    fake.seed({ '/app/a': 'A', '/app/b': { value: 'B', type: 'SecureString' } })
    const got = await collect(ssmFor(fake, { prefix: '/app/' }).getByPrefix())
    expect(Object.fromEntries(got.map(({ key, entry }) => [key, entry.value]))).toEqual({ a: 'A', b: 'B' })
    expect(fake.requests.last('GetParametersByPath')?.input).toMatchObject({
      Path: '/app',
      WithDecryption: true,
    })
  })
})

describe('parameterStore set', () => {
  it('writes String for parameters and SecureString for secrets, Overwrite true', async () => {
    const ssm = ssmFor(fake, { prefix: '/app/', kmsKeyId: 'alias/app' })
    const info = await ssm.set('HOST', 'h', { kind: 'parameter', description: 'the host' })
    expect(info).toEqual({ key: 'HOST', version: '1', current: true, labels: [] })
    expect(fake.requests.last('PutParameter')?.input).toEqual({
      Name: '/app/HOST',
      Value: 'h',
      Type: 'String',
      Overwrite: true,
      Description: 'the host',
    })
    await ssm.set('PASS', 's', { kind: 'secret' })
    expect(fake.requests.last('PutParameter')?.input).toMatchObject({
      Type: 'SecureString',
      KeyId: 'alias/app',
    })
    expect(fake.state.get('/app/PASS')?.versions[0]?.type).toBe('SecureString')
    expect((await ssm.set('HOST', 'h2')).version).toBe('2')
  })

  it('secureStringForSecrets: false writes secrets as String', async () => {
    await ssmFor(fake, { prefix: '/app/', secureStringForSecrets: false }).set('PASS', 's', {
      kind: 'secret',
    })
    expect(fake.state.get('/app/PASS')?.versions[0]?.type).toBe('String')
  })

  it('a write without kind keeps the existing type (never downgrades a SecureString) and creates String', async () => {
    fake.seed({ '/app/PASS': { value: 'old', type: 'SecureString' } })
    const ssm = ssmFor(fake, { prefix: '/app/' })
    await ssm.set('PASS', 'new')
    expect(fake.state.get('/app/PASS')?.versions[1]?.type).toBe('SecureString')
    await ssm.set('NEW', 'x')
    expect(fake.state.get('/app/NEW')?.versions[0]?.type).toBe('String')
  })

  it('createOnly uses Overwrite false and maps ParameterAlreadyExists to ConflictError', async () => {
    fake.seed({ '/app/K': 'old' })
    const ssm = ssmFor(fake, { prefix: '/app/' })
    await expect(ssm.set('K', 'new', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    expect(fake.requests.last('PutParameter')?.input).toMatchObject({ Overwrite: false })
    await ssm.set('NEW', 'x', { createOnly: true })
    expect(fake.state.value('/app/NEW')).toBe('x')
  })

  it('ifVersion checks the version first (check-then-write)', async () => {
    fake.seed({ '/app/K': 'v1' })
    const ssm = ssmFor(fake, { prefix: '/app/' })
    await ssm.set('K', 'v2', { ifVersion: '1' })
    const error = (await ssm.set('K', 'v3', { ifVersion: '1' }).catch((e: unknown) => e)) as ConflictError
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.currentVersion).toBe('2')
    expect(fake.state.value('/app/K')).toBe('v2')
  })

  it('refuses binary values', async () => {
    await expect(ssmFor(fake, { prefix: '/app/' }).set('K', new Uint8Array([1]))).rejects.toBeInstanceOf(
      ValidationError,
    )
  })

  it('maps SSM validation failures (changing a type in a hierarchy) to ValidationError', async () => {
    fake.seed({ '/app/K': 'plain' })
    await expect(ssmFor(fake, { prefix: '/app/' }).set('K', 's', { kind: 'secret' })).rejects.toBeInstanceOf(
      ValidationError,
    )
  })
})

describe('parameterStore versions and delete', () => {
  it('pages GetParameterHistory, newest first, labels included', async () => {
    const values = Array.from({ length: 60 }, (_, i) => `v${i + 1}`)
    fake.seed({ '/app/K': { values, labels: { stable: 58, canary: 60 } } })
    const ssm = ssmFor(fake, { prefix: '/app/' })
    const versions = await ssm.versions('K')
    expect(fake.requests.count('GetParameterHistory')).toBe(2)
    expect(versions).toHaveLength(60)
    expect(versions[0]).toMatchObject({ key: 'K', version: '60', current: true, labels: ['canary'] })
    expect(versions[2]).toMatchObject({ version: '58', current: false, labels: ['stable'] })
    expect(versions.filter((v) => v.current)).toHaveLength(1)
    expect(fake.requests.last('GetParameterHistory')?.input).toMatchObject({ WithDecryption: false })
    expect(await ssm.versions('MISSING')).toEqual([])
  })

  it('delete is idempotent and honours ifVersion', async () => {
    fake.seed({ '/app/K': 'v' })
    const ssm = ssmFor(fake, { prefix: '/app/' })
    await expect(ssm.delete('K', { ifVersion: '7' })).rejects.toBeInstanceOf(ConflictError)
    await ssm.delete('K', { ifVersion: '1' })
    expect(await ssm.get('K')).toBeUndefined()
    await ssm.delete('K')
    expect(fake.requests.count('DeleteParameter')).toBe(2)
  })
})

describe('parameterStore health and hygiene', () => {
  it('declares no native rollback', () => {
    const ssm = ssmFor(fake)
    expect(ssm.capabilities.rollback).toBe(false)
    expect('rollback' in ssm).toBe(false)
  })

  it('health reports ok with latency, and ok: false when the store is down', async () => {
    const ssm = ssmFor(fake, { prefix: '/app/' })
    expect(await ssm.health()).toMatchObject({ ok: true })
    expect(fake.requests.last('GetParametersByPath')?.input).toMatchObject({ Path: '/app', MaxResults: 1 })
    await fake.faults.down('unavailable')
    const down = await ssm.health()
    expect(down.ok).toBe(false)
    expect(down.message).toMatch(/unavailable/i)
  })

  it('never shows credentials', async () => {
    const ssm = ssmFor(fake, {
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret-key-456' },
    })
    await ssm.get('X')
    const shown = inspect(ssm, { depth: 10, showHidden: true }) + JSON.stringify(ssm)
    expect(shown).not.toContain('AKIDFAKE')
    expect(shown).not.toContain('fake-secret-key-456')
  })
})

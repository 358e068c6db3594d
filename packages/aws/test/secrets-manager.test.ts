import { inspect } from 'node:util'
import {
  AccessDeniedError,
  ConflictError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secretsManager } from '../src/index.js'
import { FAKE_AWS, type SecretsManagerFake, smFor, startSecretsManager } from './support.js'

let fake: SecretsManagerFake

beforeEach(async () => {
  fake = await startSecretsManager()
})
afterEach(async () => {
  await fake.stop()
})

describe('secretsManager get', () => {
  it('reads AWSCURRENT with version, stages, date and safe metadata; missing is undefined', async () => {
    fake.seed({ 'prod/DB_PASS': 'hunter2' })
    const sm = smFor(fake, { prefix: 'prod/' })
    const entry = await sm.get('DB_PASS')
    expect(entry?.value).toBe('hunter2')
    expect(entry?.version).toMatch(/^[0-9a-f-]{36}$/)
    expect(entry?.labels).toEqual(['AWSCURRENT'])
    expect(entry?.updatedAt).toBeInstanceOf(Date)
    expect(entry?.metadata).toMatchObject({
      name: 'prod/DB_PASS',
      arn: expect.stringContaining(':secret:prod/DB_PASS-'),
    })
    expect(await sm.get('NOPE')).toBeUndefined()
    expect(fake.requests.last('GetSecretValue')?.input).toMatchObject({ SecretId: 'prod/NOPE' })
  })

  it('reads an old version by VersionId and by stage (label)', async () => {
    fake.seed({ db: { versions: ['one', 'two', 'three'] } })
    const sm = smFor(fake)
    const previous = await sm.get('db', { label: 'AWSPREVIOUS' })
    expect(previous?.value).toBe('two')
    expect(previous?.labels).toEqual(['AWSPREVIOUS'])
    const versions = await sm.versions('db')
    const oldest = versions[2]!
    expect((await sm.get('db', { version: oldest.version }))?.value).toBe('one')
    expect(fake.requests.last('GetSecretValue')?.input).toMatchObject({ VersionId: oldest.version })
    expect(await sm.get('db', { version: '00000000-0000-0000-0000-000000000000' })).toBeUndefined()
    // A version that does not carry the label: AWS answers InvalidRequestException; the pair is missing.
    expect(await sm.get('db', { version: oldest.version, label: 'AWSCURRENT' })).toBeUndefined()
    expect(fake.requests.last('GetSecretValue')?.input).toMatchObject({
      VersionId: oldest.version,
      VersionStage: 'AWSCURRENT',
    })
  })

  it('selects JSON fields with name#field', async () => {
    fake.seed({
      db: JSON.stringify({ user: 'app', password: 'p4ss', port: 5432, opts: { ssl: true } }),
      plain: 'not json',
    })
    const sm = smFor(fake)
    expect((await sm.get('db#password'))?.value).toBe('p4ss')
    expect((await sm.get('db#port'))?.value).toBe('5432')
    expect((await sm.get('db#opts'))?.value).toBe('{"ssl":true}')
    expect(await sm.get('db#missing')).toBeUndefined()
    const error = await sm.get('plain#field').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect(String((error as Error).message)).not.toContain('not json')
    await expect(sm.get('db#')).rejects.toBeInstanceOf(ValidationError)
  })

  it('returns binary secrets as bytes and writes bytes as SecretBinary', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    fake.seed({ cert: bytes })
    const sm = smFor(fake)
    const entry = await sm.get('cert')
    expect(entry?.value).toBeInstanceOf(Uint8Array)
    expect([...(entry!.value as Uint8Array)]).toEqual([...bytes])
    expect(entry?.metadata?.encoding).toBe('binary')
    await sm.set('cert2', new Uint8Array([9, 8, 7]))
    expect([...(fake.state.value('cert2') as Uint8Array)]).toEqual([9, 8, 7])
  })

  it('reads a secret scheduled for deletion as missing', async () => {
    fake.seed({ gone: { value: 'x', deleted: true } })
    expect(await smFor(fake).get('gone')).toBeUndefined()
  })
})

describe('secretsManager getMany', () => {
  it('chunks 45 ids into 3 BatchGetSecretValue calls, with missing ids and #field keys', async () => {
    const seed: Record<string, string> = {}
    for (let i = 0; i < 44; i++) seed[`app/K${i}`] = `v${i}`
    seed['app/JSON'] = JSON.stringify({ a: 'x', b: 2 })
    fake.seed(seed)
    const sm = smFor(fake, { prefix: 'app/' })
    const keys = [...Array.from({ length: 44 }, (_, i) => `K${i}`), 'JSON#a', 'JSON#b', 'JSON#c']
    const result = await sm.getMany([...keys, 'MISSING_1'])
    // 44 + JSON (one id for three fields) + MISSING_1 = 46 distinct ids → 20 + 20 + 6
    expect(fake.requests.count('BatchGetSecretValue')).toBe(3)
    expect(fake.requests.count('GetSecretValue')).toBe(0)
    expect(result.entries.size).toBe(46)
    expect(result.entries.get('K7')?.value).toBe('v7')
    expect(result.entries.get('JSON#a')?.value).toBe('x')
    expect(result.entries.get('JSON#b')?.value).toBe('2')
    expect(result.entries.has('JSON#c')).toBe(false)
    expect(result.entries.has('MISSING_1')).toBe(false)
    expect(result.errors.size).toBe(0)
    const sizes = fake.requests
      .all('BatchGetSecretValue')
      .map((r) => (r.input as { SecretIdList: string[] }).SecretIdList.length)
    expect(sizes.sort((a, b) => a - b)).toEqual([6, 20, 20])
  })

  it('exactly 45 ids make 3 calls', async () => {
    const sm = smFor(fake)
    await sm.getMany(Array.from({ length: 45 }, (_, i) => `S${i}`))
    expect(fake.requests.count('BatchGetSecretValue')).toBe(3)
  })

  it('falls back to single gets when BatchGetSecretValue is denied, and stays on that path', async () => {
    fake.seed({ a: '1', b: '2' })
    fake.faults.errorRate(1, {
      status: 400,
      type: 'AccessDeniedException',
      operations: ['BatchGetSecretValue'],
    })
    const sm = smFor(fake)
    const result = await sm.getMany(['a', 'b', 'c'])
    expect(Object.fromEntries([...result.entries].map(([k, e]) => [k, e.value]))).toEqual({ a: '1', b: '2' })
    expect(result.errors.size).toBe(0)
    expect(fake.requests.count('GetSecretValue')).toBe(3)
    await sm.getMany(['a'])
    expect(fake.requests.count('BatchGetSecretValue')).toBe(1)
    expect(fake.requests.count('GetSecretValue')).toBe(4)
  })

  it('does not give up batching on credential failures, and throws one error when nothing could be read', async () => {
    fake.seed({ a: '1' })
    const sm = smFor(fake)
    fake.faults.errorRate(1, { status: 400, type: 'ExpiredTokenException', times: 1 })
    await expect(sm.getMany(['a', 'b'])).rejects.toBeInstanceOf(AccessDeniedError)
    expect(fake.requests.count('GetSecretValue')).toBe(0)
    expect((await sm.getMany(['a'])).entries.get('a')?.value).toBe('1')
    expect(fake.requests.count('BatchGetSecretValue')).toBe(2)
    fake.faults.errorRate(1, { status: 400, type: 'AccessDeniedException' })
    await expect(sm.getMany(['a', 'b'])).rejects.toBeInstanceOf(AccessDeniedError)
    expect(fake.requests.count('GetSecretValue')).toBe(2)
  })

  it('uses single gets with batch: false', async () => {
    fake.seed({ a: '1' })
    const result = await smFor(fake, { batch: false }).getMany(['a', 'b'])
    expect(result.entries.get('a')?.value).toBe('1')
    expect(fake.requests.count('BatchGetSecretValue')).toBe(0)
    expect(fake.requests.count('GetSecretValue')).toBe(2)
  })

  it('reports a failed chunk as per-key errors and throws when every chunk fails', async () => {
    const seed: Record<string, string> = {}
    for (let i = 0; i < 40; i++) seed[`K${i}`] = `v${i}`
    fake.seed(seed)
    const sm = smFor(fake)
    const keys = Object.keys(seed)
    fake.faults.errorRate(1, { status: 500, operations: ['BatchGetSecretValue'], times: 1 })
    const partial = await sm.getMany(keys)
    expect(partial.entries.size).toBe(20)
    expect(partial.errors.size).toBe(20)
    for (const error of partial.errors.values()) expect(error).toBeInstanceOf(UnavailableError)
    fake.faults.errorRate(1, { status: 500, operations: ['BatchGetSecretValue'] })
    await expect(sm.getMany(keys)).rejects.toBeInstanceOf(UnavailableError)
  })

  it('treats secrets scheduled for deletion as missing', async () => {
    fake.seed({ live: 'x', gone: { value: 'y', deleted: true } })
    const result = await smFor(fake).getMany(['live', 'gone'])
    expect([...result.entries.keys()]).toEqual(['live'])
    expect(result.errors.size).toBe(0)
  })
})

describe('secretsManager list', () => {
  it('pages through ListSecrets, filters the exact prefix and strips the provider prefix', async () => {
    const seed: Record<string, string> = { 'app/other': 'x', 'elsewhere/app/DB_1': 'x', 'app/DBX': 'x' }
    for (let i = 0; i < 150; i++) seed[`app/DB_${i}`] = `v${i}`
    seed['app/DB_gone'] = 'x'
    fake.seed(seed)
    fake.seed({ 'app/DB_gone': { value: 'x', deleted: true } })
    const sm = smFor(fake, { prefix: 'app/' })
    const seen = []
    for await (const info of sm.list('DB_')) seen.push(info)
    expect(fake.requests.count('ListSecrets')).toBe(2)
    expect(seen).toHaveLength(150)
    expect(seen.every((i) => i.key.startsWith('DB_') && i.version && i.updatedAt instanceof Date)).toBe(true)
    const all = []
    for await (const info of sm.list()) all.push(info.key)
    expect(all).toContain('other')
    expect(all).toContain('DBX')
    expect(all).not.toContain('elsewhere/app/DB_1')
  })
})

describe('secretsManager set', () => {
  it('creates a missing secret, then puts new versions with a ClientRequestToken', async () => {
    const sm = smFor(fake, { prefix: 'svc/' })
    const created = await sm.set('TOKEN', 'one', { description: 'api token' })
    expect(created).toMatchObject({ key: 'TOKEN', current: true, labels: ['AWSCURRENT'] })
    expect(fake.requests.count('CreateSecret')).toBe(1)
    expect(fake.state.find('svc/TOKEN')?.description).toBe('api token')
    const updated = await sm.set('TOKEN', 'two')
    expect(updated.version).not.toBe(created.version)
    expect(fake.requests.count('PutSecretValue')).toBe(2)
    expect(
      (fake.requests.last('PutSecretValue')!.input as { ClientRequestToken: string }).ClientRequestToken,
    ).toMatch(/^[0-9a-f-]{36}$/)
    expect(fake.state.value('svc/TOKEN')).toBe('two')
  })

  it('uses requestToken as the ClientRequestToken, so a repeated write is idempotent', async () => {
    fake.seed({ k: 'zero' })
    const sm = smFor(fake)
    const token = `${'a'.repeat(8)}-bbbb-cccc-dddd-${'e'.repeat(12)}`
    const first = await sm.set('k', 'one', { requestToken: token })
    const again = await sm.set('k', 'one', { requestToken: token })
    expect(first.version).toBe(token)
    expect(again.version).toBe(token)
    expect(fake.state.find('k')?.versions.size).toBe(2)
  })

  it('createOnly creates once and then fails with ConflictError', async () => {
    const sm = smFor(fake)
    await sm.set('once', 'a', { createOnly: true })
    await expect(sm.set('once', 'b', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    expect(fake.state.value('once')).toBe('a')
    expect(fake.requests.count('PutSecretValue')).toBe(0)
  })

  it('ifVersion checks the AWSCURRENT version id first (check-then-write)', async () => {
    fake.seed({ k: 'v1' })
    const sm = smFor(fake)
    const current = (await sm.get('k'))!.version!
    await sm.set('k', 'v2', { ifVersion: current })
    expect(fake.requests.count('DescribeSecret')).toBe(1)
    const error = (await sm.set('k', 'v3', { ifVersion: current }).catch((e: unknown) => e)) as ConflictError
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.currentVersion).toBe((await sm.get('k'))!.version)
    expect(fake.state.value('k')).toBe('v2')
    await expect(sm.set('missing', 'x', { ifVersion: current })).rejects.toBeInstanceOf(ConflictError)
  })

  it('refuses to write a single JSON field', async () => {
    await expect(smFor(fake).set('db#password', 'x')).rejects.toBeInstanceOf(ValidationError)
  })

  it('restores a secret scheduled for deletion and writes the new value', async () => {
    fake.seed({ k: 'old' })
    const sm = smFor(fake)
    await sm.delete('k')
    expect(await sm.get('k')).toBeUndefined()
    await sm.set('k', 'new')
    expect(fake.requests.count('RestoreSecret')).toBe(1)
    expect((await sm.get('k'))?.value).toBe('new')
  })
})

describe('secretsManager delete', () => {
  it('schedules deletion with a 30-day window by default, configurable per provider and per call', async () => {
    fake.seed({ a: '1', b: '2', c: '3' })
    await smFor(fake).delete('a')
    expect(fake.requests.last('DeleteSecret')?.input).toEqual({ SecretId: 'a', RecoveryWindowInDays: 30 })
    await smFor(fake, { recoveryWindowDays: 7 }).delete('b')
    expect(fake.requests.last('DeleteSecret')?.input).toEqual({ SecretId: 'b', RecoveryWindowInDays: 7 })
    await smFor(fake).delete('c', { recoveryWindowDays: 10 })
    expect(fake.requests.last('DeleteSecret')?.input).toEqual({ SecretId: 'c', RecoveryWindowInDays: 10 })
    expect(fake.state.find('c')?.deletedDate).toBeDefined()
  })

  it('force deletes without recovery (per call or forceDelete option)', async () => {
    fake.seed({ a: '1', b: '2' })
    await smFor(fake).delete('a', { force: true })
    expect(fake.requests.last('DeleteSecret')?.input).toEqual({
      SecretId: 'a',
      ForceDeleteWithoutRecovery: true,
    })
    await smFor(fake, { forceDelete: true }).delete('b')
    expect(fake.state.find('a')).toBeUndefined()
    expect(fake.state.find('b')).toBeUndefined()
  })

  it('is idempotent and validates the window', async () => {
    fake.seed({ a: '1' })
    const sm = smFor(fake)
    await sm.delete('a')
    await sm.delete('a')
    await sm.delete('never-existed')
    await expect(sm.delete('a', { recoveryWindowDays: 3 })).rejects.toBeInstanceOf(ValidationError)
  })

  it('ifVersion guards a delete', async () => {
    fake.seed({ a: '1' })
    const sm = smFor(fake)
    await expect(sm.delete('a', { ifVersion: 'not-current' })).rejects.toBeInstanceOf(ConflictError)
    await sm.delete('a', { ifVersion: (await sm.get('a'))!.version! })
    expect(await sm.get('a')).toBeUndefined()
  })
})

describe('secretsManager versions and rollback', () => {
  it('lists versions newest first with stages, and rolls back by moving AWSCURRENT', async () => {
    const sm = smFor(fake)
    const v1 = await sm.set('k', 'one')
    const v2 = await sm.set('k', 'two')
    const v3 = await sm.set('k', 'three')
    const versions = await sm.versions('k')
    expect(versions.map((v) => v.version)).toEqual([v3.version, v2.version, v1.version])
    expect(versions[0]).toMatchObject({ current: true, labels: ['AWSCURRENT'], key: 'k' })
    expect(versions[1]).toMatchObject({ current: false, labels: ['AWSPREVIOUS'] })
    expect(versions[2]).toMatchObject({ current: false, labels: [] })
    expect(versions[0]?.createdAt).toBeInstanceOf(Date)

    const rolled = await sm.rollback('k', v1.version)
    expect(rolled).toMatchObject({ key: 'k', version: v1.version, current: true, labels: ['AWSCURRENT'] })
    expect(fake.requests.last('UpdateSecretVersionStage')?.input).toEqual({
      SecretId: 'k',
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: v1.version,
      RemoveFromVersionId: v3.version,
    })
    expect((await sm.get('k'))?.value).toBe('one')
    expect((await sm.get('k', { label: 'AWSPREVIOUS' }))?.value).toBe('three')
    const after = await sm.versions('k')
    expect(after.find((v) => v.current)?.version).toBe(v1.version)
  })

  it('versions of a missing key is empty; rollback of a missing key is NotFoundError', async () => {
    const sm = smFor(fake)
    expect(await sm.versions('nope')).toEqual([])
    await expect(sm.rollback('nope', 'x')).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe('secretsManager health and hygiene', () => {
  it('health is a cheap ListSecrets with latency, and never throws', async () => {
    const sm = smFor(fake)
    const ok = await sm.health()
    expect(ok.ok).toBe(true)
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0)
    expect(fake.requests.last('ListSecrets')?.input).toEqual({ MaxResults: 1 })
    await fake.faults.down()
    const down = await sm.health()
    expect(down.ok).toBe(false)
    expect(down.message).toMatch(/unavailable/i)
  })

  it('never shows credentials: util.inspect, JSON, errors', async () => {
    const sm = smFor(fake, {
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret-key-123' },
    })
    await sm.get('x')
    const shown = inspect(sm, { depth: 10, showHidden: true }) + JSON.stringify(sm)
    expect(shown).not.toContain('AKIDFAKE')
    expect(shown).not.toContain('fake-secret-key-123')
    fake.faults.errorRate(1, { status: 403, type: 'AccessDeniedException' })
    const error = await sm.get('x').catch((e: unknown) => e)
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('fake-secret-key-123')
  })

  it('close destroys the client it created; an injected client is left alone', async () => {
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager')
    const client = new SecretsManagerClient({ ...FAKE_AWS, endpoint: fake.endpoint })
    fake.seed({ k: 'v' })
    const injected = secretsManager({ client })
    expect((await injected.get('k'))?.value).toBe('v')
    await injected.close()
    expect((await injected.get('k'))?.value).toBe('v')
    client.destroy()
    // A provider that created its client makes a new one after close instead of reusing a destroyed one.
    const own = smFor(fake)
    expect((await own.get('k'))?.value).toBe('v')
    await own.close()
    expect((await own.get('k'))?.value).toBe('v')
    await own.close()
  })
})

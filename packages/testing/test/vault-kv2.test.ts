import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFake, type VaultFake } from '../src/index.js'
import { raw, vaultClient, vaultFailure } from './vault-helpers.js'

let fake: VaultFake
let clock: number
beforeEach(async () => {
  clock = Date.UTC(2026, 0, 1)
  fake = await startFake('vault', { now: () => clock })
})
afterEach(() => fake.stop())

describe('Vault fake: KV v2 through node-vault', () => {
  it('writes versions and reads the latest or a given one, with metadata', async () => {
    const vault = vaultClient(fake)
    const first = await vault.write('secret/data/app/db', { data: { password: 'one' } })
    expect(first.data).toMatchObject({ version: 1, destroyed: false, deletion_time: '' })
    clock += 1000
    await vault.write('secret/data/app/db', { data: { password: 'two' } })
    const latest = await vault.read('secret/data/app/db')
    expect(latest.data.data).toEqual({ password: 'two' })
    expect(latest.data.metadata).toMatchObject({ version: 2, created_time: new Date(clock).toISOString() })
    expect(latest.mount_type).toBe('kv')
    const older = await vault.read('secret/data/app/db?version=1')
    expect(older.data.data).toEqual({ password: 'one' })
    expect(fake.requests.count('kv2.write')).toBe(2)
    expect(fake.requests.count('kv2.read')).toBe(2)
  })

  it('answers 404 with an empty errors list for a missing secret', async () => {
    const failure = await vaultFailure(vaultClient(fake).read('secret/data/nope'))
    expect(failure).toMatchObject({ status: 404, errors: [] })
  })

  it('enforces check-and-set: cas mismatch and cas_required', async () => {
    const vault = vaultClient(fake)
    await vault.write('secret/data/app/db', { data: { a: '1' }, options: { cas: 0 } })
    const createOnly = await vaultFailure(
      vault.write('secret/data/app/db', { data: { a: '2' }, options: { cas: 0 } }),
    )
    expect(createOnly).toMatchObject({
      status: 400,
      errors: ['check-and-set parameter did not match the current version'],
    })
    await vault.write('secret/data/app/db', { data: { a: '2' }, options: { cas: 1 } })
    await vault.write('secret/metadata/app/db', { cas_required: true })
    const required = await vaultFailure(vault.write('secret/data/app/db', { data: { a: '3' } }))
    expect(required).toMatchObject({
      status: 400,
      errors: ['check-and-set parameter required for this call'],
    })
    expect((await vault.read('secret/data/app/db')).data.data).toEqual({ a: '2' })
  })

  it('soft-deletes, undeletes and destroys versions; gone versions read as 404 with metadata', async () => {
    const vault = vaultClient(fake)
    await vault.write('secret/data/app/db', { data: { v: '1' } })
    await vault.write('secret/data/app/db', { data: { v: '2' } })
    clock += 5000
    await vault.delete('secret/data/app/db')
    const deleted = await raw(fake, 'GET', 'secret/data/app/db')
    expect(deleted.status).toBe(404)
    expect(deleted.body.data).toEqual({
      data: null,
      metadata: expect.objectContaining({
        version: 2,
        deletion_time: new Date(clock).toISOString(),
        destroyed: false,
      }),
    })
    await vault.write('secret/undelete/app/db', { versions: [2] })
    expect((await vault.read('secret/data/app/db')).data.data).toEqual({ v: '2' })
    await vault.write('secret/destroy/app/db', { versions: [1] })
    const destroyed = await raw(fake, 'GET', 'secret/data/app/db?version=1')
    expect(destroyed.status).toBe(404)
    expect(destroyed.body.data.metadata).toMatchObject({ version: 1, destroyed: true })
    await vault.write('secret/delete/app/db', { versions: [2] })
    expect((await raw(fake, 'GET', 'secret/data/app/db')).status).toBe(404)
    const meta = await vault.read('secret/metadata/app/db')
    expect(meta.data).toMatchObject({
      current_version: 2,
      oldest_version: 1,
      max_versions: 0,
      cas_required: false,
    })
    expect(meta.data.versions['1']).toMatchObject({ destroyed: true })
    expect(meta.data.versions['2'].deletion_time).not.toBe('')
  })

  it('answers 204 for data deletes, version deletes and metadata writes and deletes', async () => {
    await fake.put('secret/app/db', { v: '1' })
    expect((await raw(fake, 'DELETE', 'secret/data/app/db')).status).toBe(204)
    expect((await raw(fake, 'POST', 'secret/delete/app/db', { body: { versions: [1] } })).status).toBe(204)
    expect((await raw(fake, 'POST', 'secret/metadata/app/db', { body: { max_versions: 3 } })).status).toBe(
      204,
    )
    expect((await raw(fake, 'DELETE', 'secret/metadata/app/db')).status).toBe(204)
    expect((await raw(fake, 'GET', 'secret/metadata/app/db')).status).toBe(404)
  })

  it('keeps at most max_versions versions (Vault default 10)', async () => {
    const vault = vaultClient(fake)
    for (let i = 1; i <= 12; i++) await vault.write('secret/data/k', { data: { i } })
    let meta = await vault.read('secret/metadata/k')
    expect(Object.keys(meta.data.versions).map(Number)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(meta.data.oldest_version).toBe(3)
    expect((await vaultFailure(vault.read('secret/data/k?version=2'))).status).toBe(404)
    await vault.write('secret/metadata/k', { max_versions: 2 })
    meta = await vault.read('secret/metadata/k')
    expect(Object.keys(meta.data.versions)).toEqual(['11', '12'])
  })

  it('patches the current version with a JSON merge patch', async () => {
    const vault = vaultClient(fake)
    await vault.write('secret/data/app', { data: { a: '1', b: '2' } })
    const out = await vault.update('secret/data/app', { data: { b: null, c: '3' } })
    expect(out.data.version).toBe(2)
    expect((await vault.read('secret/data/app')).data.data).toEqual({ a: '1', c: '3' })
  })

  it('lists keys with the LIST verb and with GET ?list=true, folders with a trailing slash', async () => {
    fake.put('secret/app/db', { p: '1' })
    fake.put('secret/app/api/key', { p: '1' })
    fake.put('secret/other', { p: '1' })
    const vault = vaultClient(fake)
    expect((await vault.list('secret/metadata/app')).data.keys).toEqual(['api/', 'db'])
    expect((await vault.list('secret/metadata/')).data.keys).toEqual(['app/', 'other'])
    const viaGet = await raw(fake, 'GET', 'secret/metadata/app/?list=true')
    expect(viaGet.body.data.keys).toEqual(['api/', 'db'])
    const verb = await raw(fake, 'LIST', 'secret/metadata/app/api')
    expect(verb.body.data.keys).toEqual(['key'])
    expect(fake.requests.count('kv2.list')).toBe(4)
    const empty = await raw(fake, 'LIST', 'secret/metadata/none')
    expect(empty).toMatchObject({ status: 404, body: { errors: [] } })
  })

  it('serves several LIST and other requests on one keep-alive connection', async () => {
    fake.put('secret/a', { p: '1' })
    const vault = vaultClient(fake)
    for (let i = 0; i < 3; i++) {
      await vault.write('secret/data/b', { data: { i: 'x'.repeat(100 * i) } })
      expect((await vault.list('secret/metadata/')).data.keys).toEqual(['a', 'b'])
    }
  })
})

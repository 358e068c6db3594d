import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFake, type VaultFake } from '../src/index.js'
import { raw, vaultClient, vaultFailure } from './vault-helpers.js'

let fake: VaultFake
beforeEach(async () => {
  fake = await startFake('vault', {
    namespaces: ['team-a'],
    maxRequestBytes: 4096,
    secrets: { 'secret/app/db': { password: 'root-ns' }, 'kv1/legacy/api': { key: 'v1' } },
  })
})
afterEach(() => fake.stop())

describe('Vault fake: KV v1', () => {
  it('reads, writes (204), lists and deletes (204) unversioned secrets', async () => {
    const vault = vaultClient(fake)
    const read = await vault.read('kv1/legacy/api')
    expect(read).toMatchObject({ data: { key: 'v1' }, lease_duration: 2_764_800 })
    expect((await raw(fake, 'POST', 'kv1/legacy/db', { body: { user: 'u', pass: 'p' } })).status).toBe(204)
    expect((await vault.list('kv1/legacy')).data.keys).toEqual(['api', 'db'])
    expect((await raw(fake, 'DELETE', 'kv1/legacy/api')).status).toBe(204)
    expect(await vaultFailure(vault.read('kv1/legacy/api'))).toMatchObject({ status: 404, errors: [] })
    expect(fake.requests.byOperation()).toMatchObject({
      'kv1.read': 2,
      'kv1.write': 1,
      'kv1.list': 1,
      'kv1.delete': 1,
    })
  })
})

describe('Vault fake: sys', () => {
  it('lists mounts with their KV version, and answers the UI mount lookup clients use', async () => {
    const vault = vaultClient(fake)
    const mounts = await vault.mounts()
    expect(mounts.data['secret/']).toMatchObject({ type: 'kv', options: { version: '2' } })
    expect(mounts.data['kv1/']).toMatchObject({ type: 'kv', options: null })
    expect(mounts['secret/']).toMatchObject({ type: 'kv' })
    const ui = await vault.read('sys/internal/ui/mounts/secret/app/db')
    expect(ui.data).toMatchObject({ path: 'secret/', type: 'kv', options: { version: '2' } })
    fake.definePolicy('kv1-only', [{ path: 'kv1/*', capabilities: ['read'] }])
    const limited = vaultClient(fake, fake.createToken({ policies: ['kv1-only'] }))
    expect((await limited.read('sys/internal/ui/mounts/kv1')).data.path).toBe('kv1/')
    expect((await vaultFailure(limited.read('sys/internal/ui/mounts/secret'))).status).toBe(403)
    expect((await vaultFailure(limited.mounts())).status).toBe(403)
  })

  it('seals: 503 "Vault is sealed" for everything but health and seal-status', async () => {
    const vault = vaultClient(fake)
    fake.seal()
    expect(await vaultFailure(vault.read('secret/data/app/db'))).toMatchObject({
      status: 503,
      errors: ['Vault is sealed'],
    })
    expect((await vault.status()).sealed).toBe(true)
    const health = await raw(fake, 'GET', 'sys/health', { token: null })
    expect(health).toMatchObject({ status: 503, body: { sealed: true, initialized: true } })
    fake.unseal()
    expect((await vault.health()).sealed).toBe(false)
    expect((await vault.read('secret/data/app/db')).data.data).toEqual({ password: 'root-ns' })
  })

  it('keeps each X-Vault-Namespace separate; an unknown namespace is 404', async () => {
    const teamA = vaultClient(fake, fake.rootToken, 'team-a')
    expect((await vaultFailure(teamA.read('secret/data/app/db'))).status).toBe(404)
    await teamA.write('secret/data/app/db', { data: { password: 'team-a' } })
    expect((await teamA.read('secret/data/app/db')).data.data).toEqual({ password: 'team-a' })
    expect((await vaultClient(fake).read('secret/data/app/db')).data.data).toEqual({ password: 'root-ns' })
    const unknown = await vaultFailure(vaultClient(fake, fake.rootToken, 'team-b').read('secret/data/app/db'))
    expect(unknown.status).toBe(404)
    expect(unknown.errors[0]).toContain('no handler for route')
  })

  it('refuses bodies over the size limit (413), invalid JSON (400), unknown paths (404), LIST on data/ (405)', async () => {
    const big = await raw(fake, 'POST', 'secret/data/big', { body: { data: { v: 'x'.repeat(5000) } } })
    expect(big).toMatchObject({ status: 413, body: { errors: ['http: request body too large'] } })
    const bad = await raw(fake, 'POST', 'secret/data/bad', { body: '{nope' })
    expect(bad.status).toBe(400)
    expect(bad.body.errors[0]).toMatch(/^failed to parse JSON input/)
    expect((await raw(fake, 'GET', 'nowhere/x')).body.errors[0]).toContain('no handler for route')
    expect((await raw(fake, 'LIST', 'secret/data/app')).status).toBe(405)
  })
})

describe('Vault fake: faults', () => {
  it('injects 500s and 429s (with Retry-After) per operation, counting every request', async () => {
    const vault = vaultClient(fake)
    fake.faults.errorRate(1, { operations: ['kv2.read'], times: 1 })
    fake.faults.throttle(1, { operations: ['kv2.write'], times: 1, retryAfterMs: 2000 })
    expect(await vaultFailure(vault.read('secret/data/app/db'))).toMatchObject({
      status: 500,
      errors: ['internal error'],
    })
    expect((await vault.read('secret/data/app/db')).data.data).toEqual({ password: 'root-ns' })
    const throttled = await raw(fake, 'POST', 'secret/data/x', { body: { data: { a: '1' } } })
    expect(throttled).toMatchObject({ status: 429, body: { errors: ['rate limit quota exceeded'] } })
    expect(throttled.headers.get('retry-after')).toBe('2')
    expect(fake.requests.count('kv2.read')).toBe(2)
    expect(fake.requests.count('kv2.write')).toBe(1)
    expect(fake.faults.injected('throttle')).toBe(1)
  })

  it('resets connections and goes down and up', async () => {
    const vault = vaultClient(fake)
    fake.faults.reset(1, { operations: ['token.lookup-self'], times: 1 })
    await expect(vault.tokenLookupSelf()).rejects.toMatchObject({ code: 'ECONNRESET' })
    await fake.faults.down('unavailable')
    expect(await vaultFailure(vault.read('secret/data/app/db'))).toMatchObject({ status: 503 })
    await fake.faults.down('refuse')
    await expect(vault.read('secret/data/app/db')).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    await fake.faults.up()
    expect((await vault.read('secret/data/app/db')).data.data).toEqual({ password: 'root-ns' })
  })
})

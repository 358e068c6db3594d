import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFake, type VaultFake } from '../src/index.js'
import { raw, vaultClient, vaultFailure } from './vault-helpers.js'

let fake: VaultFake
let clock: number
beforeEach(async () => {
  clock = Date.UTC(2026, 0, 1)
  fake = await startFake('vault', { now: () => clock })
  fake.definePolicy('app-read', [
    { path: 'secret/data/app/*', capabilities: ['read'] },
    { path: 'secret/metadata/app/*', capabilities: ['list', 'read'] },
  ])
  fake.put('secret/app/db', { password: 'one' })
  fake.put('secret/ops/key', { k: '1' })
})
afterEach(() => fake.stop())

describe('Vault fake: tokens', () => {
  it('looks up a token: policies, TTL left on the fake clock, renewable', async () => {
    const token = fake.createToken({ policies: ['app-read'], ttl: '1h' })
    const vault = vaultClient(fake, token)
    clock += 600_000
    const self = await vault.tokenLookupSelf()
    expect(self.data).toMatchObject({
      id: token,
      policies: ['app-read', 'default'],
      ttl: 3000,
      creation_ttl: 3600,
      renewable: true,
      type: 'service',
      expire_time: new Date(Date.UTC(2026, 0, 1) + 3_600_000).toISOString(),
    })
    expect(fake.requests.count('token.lookup-self')).toBe(1)
  })

  it('expires tokens on the fake clock: 403 permission denied afterwards', async () => {
    const vault = vaultClient(fake, fake.createToken({ policies: ['app-read'], ttl: 60 }))
    expect((await vault.read('secret/data/app/db')).data.data).toEqual({ password: 'one' })
    clock += 60_000
    const failure = await vaultFailure(vault.read('secret/data/app/db'))
    expect(failure).toMatchObject({ status: 403, errors: ['permission denied'] })
    expect(await vaultFailure(vault.tokenRenewSelf())).toMatchObject({ status: 403 })
  })

  it('renews by the increment, capped at the max TTL with a warning', async () => {
    const vault = vaultClient(fake, fake.createToken({ ttl: 60, maxTtl: 150 }))
    clock += 50_000
    const renewed = await vault.tokenRenewSelf({ increment: 60 })
    expect(renewed.auth).toMatchObject({ lease_duration: 60, renewable: true })
    expect(renewed.warnings).toBeNull()
    clock += 50_000
    const capped = await vault.tokenRenewSelf({ increment: '1m' })
    expect(capped.auth.lease_duration).toBe(50)
    expect(capped.warnings).toEqual([
      'TTL of "60s" exceeded the effective max_ttl of "50s"; TTL value is capped accordingly',
    ])
    clock += 50_000
    expect(await vaultFailure(vault.tokenLookupSelf())).toMatchObject({ status: 403 })
  })

  it('refuses to renew a non-renewable token', async () => {
    const vault = vaultClient(fake, fake.createToken({ ttl: 60, renewable: false }))
    expect(await vaultFailure(vault.tokenRenewSelf())).toMatchObject({
      status: 400,
      errors: ['lease is not renewable'],
    })
  })

  it('rejects a missing or unknown token with 403', async () => {
    expect(await vaultFailure(vaultClient(fake, 'hvs.nope').read('secret/data/app/db'))).toMatchObject({
      status: 403,
      errors: ['permission denied'],
    })
    expect((await raw(fake, 'GET', 'secret/data/app/db', { token: null })).status).toBe(403)
  })

  it('revokes a token', async () => {
    const token = fake.createToken()
    fake.revokeToken(token)
    expect((await vaultFailure(vaultClient(fake, token).tokenLookupSelf())).status).toBe(403)
  })
})

describe('Vault fake: policies', () => {
  it('grants what a policy allows and answers 403 permission denied elsewhere', async () => {
    const vault = vaultClient(fake, fake.createToken({ policies: ['app-read'] }))
    expect((await vault.read('secret/data/app/db')).data.data).toEqual({ password: 'one' })
    expect((await vault.list('secret/metadata/app/')).data.keys).toEqual(['db'])
    const read = await vaultFailure(vault.read('secret/data/ops/key'))
    expect(read.status).toBe(403)
    expect(read.errors[0]).toContain('permission denied')
    expect((await vaultFailure(vault.write('secret/data/app/db', { data: { x: '1' } }))).status).toBe(403)
  })

  it('tells create from update, and lets deny win', async () => {
    fake.definePolicy('create-only', [
      { path: 'secret/data/*', capabilities: ['create'] },
      { path: 'secret/data/app/db', capabilities: ['deny'] },
    ])
    const vault = vaultClient(fake, fake.createToken({ policies: ['create-only'] }))
    await vault.write('secret/data/new', { data: { a: '1' } })
    expect((await vaultFailure(vault.write('secret/data/new', { data: { a: '2' } }))).status).toBe(403)
    expect((await vaultFailure(vault.write('secret/data/app/db', { data: { a: '2' } }))).status).toBe(403)
  })
})

describe('Vault fake: AppRole and Kubernetes login', () => {
  it('logs in with AppRole and gets a token with the role policies', async () => {
    const { roleId, secretId } = fake.createAppRole({ policies: ['app-read'], ttl: '20m' })
    const vault = vaultClient(fake, undefined)
    const login = await vault.approleLogin({ role_id: roleId, secret_id: secretId })
    expect(login.auth).toMatchObject({
      policies: ['app-read', 'default'],
      lease_duration: 1200,
      renewable: true,
    })
    // node-vault keeps the token a login returns.
    expect(vault.token).toBe(login.auth.client_token)
    expect((await vault.read('secret/data/app/db')).data.data).toEqual({ password: 'one' })
    expect(fake.requests.count('approle.login')).toBe(1)
  })

  it('rejects a wrong AppRole secret id with 400', async () => {
    const { roleId } = fake.createAppRole({ policies: ['app-read'] })
    const failure = await vaultFailure(
      vaultClient(fake, undefined).approleLogin({ role_id: roleId, secret_id: 'x' }),
    )
    expect(failure).toMatchObject({ status: 400, errors: ['invalid role or secret ID'] })
  })

  it('logs in with a Kubernetes service-account JWT for a role', async () => {
    fake.createKubernetesRole({ role: 'app', jwt: 'eyJ.fake.jwt', policies: ['app-read'] })
    const vault = vaultClient(fake, undefined)
    // node-vault 0.12 never fills in its own `kubernetesPath` default: the mount must be passed.
    const login = await vault.kubernetesLogin({ mount_point: 'kubernetes', role: 'app', jwt: 'eyJ.fake.jwt' })
    expect(login.auth.policies).toEqual(['app-read', 'default'])
    expect((await vault.read('secret/data/app/db')).data.data).toEqual({ password: 'one' })
    expect(
      await vaultFailure(vault.kubernetesLogin({ mount_point: 'kubernetes', role: 'app', jwt: 'other' })),
    ).toMatchObject({ status: 403 })
    expect(
      await vaultFailure(
        vault.kubernetesLogin({ mount_point: 'kubernetes', role: 'nope', jwt: 'eyJ.fake.jwt' }),
      ),
    ).toMatchObject({
      status: 400,
      errors: ['invalid role name "nope"'],
    })
  })
})

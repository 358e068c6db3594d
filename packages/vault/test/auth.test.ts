import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AccessDeniedError, ValidationError } from '@polysecret/core'
import { afterEach, describe, expect, it } from 'vitest'
import { providerFor, startVault, type VaultFake } from './support.js'

const SECRETS = { 'secret/app/db': { password: 's3cret', username: 'app' } }
let stop: (() => Promise<void>) | undefined
afterEach(async () => {
  await stop?.()
  stop = undefined
})

async function vault() {
  const started = await startVault(SECRETS)
  stop = () => started.fake.stop()
  const policy = 'app-read'
  started.fake.definePolicy(policy, [
    { path: 'secret/data/app/*', capabilities: ['read', 'create', 'update'] },
  ])
  return { ...started, policy }
}

function appRoleProvider(fake: VaultFake, clock: { now: number }, roleId: string, secretId: string) {
  return providerFor(fake, { auth: { appRole: { roleId, secretId } }, now: () => clock.now })
}

describe('AppRole auth', () => {
  it('logs in on first use, once for 50 concurrent reads', async () => {
    const { fake, clock, policy } = await vault()
    const { roleId, secretId } = fake.createAppRole({ policies: [policy], ttl: 3600 })
    const provider = appRoleProvider(fake, clock, roleId, secretId)
    expect(fake.requests.count('approle.login')).toBe(0)
    const reads = await Promise.all(Array.from({ length: 50 }, () => provider.get('app/db#password')))
    expect(reads.every((e) => e?.value === 's3cret')).toBe(true)
    expect(fake.requests.count('approle.login')).toBe(1)
    expect(provider.logins).toBe(1)
  })

  it('renews with renew-self once 2/3 of the TTL passed, on use, and not before', async () => {
    const { fake, clock, policy } = await vault()
    const { roleId, secretId } = fake.createAppRole({ policies: [policy], ttl: 3000, maxTtl: 100_000 })
    const provider = appRoleProvider(fake, clock, roleId, secretId)
    await provider.get('app/db#password')
    clock.now += 1_900_000 // under 2/3 of 3000 s
    await provider.get('app/db#password')
    expect(fake.requests.count('token.renew-self')).toBe(0)
    clock.now += 200_000 // past 2/3
    await Promise.all(Array.from({ length: 20 }, () => provider.get('app/db#password')))
    expect(fake.requests.count('token.renew-self')).toBe(1)
    expect(fake.requests.count('approle.login')).toBe(1)
    // The renewed token lives on past the original expiry.
    clock.now += 1_500_000
    expect((await provider.get('app/db#password'))?.value).toBe('s3cret')
    expect(fake.requests.count('approle.login')).toBe(1)
  })

  it('logs in again when renewal is refused (the token reached its max TTL)', async () => {
    const { fake, clock, policy } = await vault()
    const { roleId, secretId } = fake.createAppRole({ policies: [policy], ttl: 3000, maxTtl: 3000 })
    const provider = appRoleProvider(fake, clock, roleId, secretId)
    await provider.get('app/db#password')
    clock.now += 2_100_000
    await provider.get('app/db#password') // renewal capped at max TTL: the session stops renewing
    expect(fake.requests.count('token.renew-self')).toBe(1)
    clock.now += 650_000 // past 2/3 of what was left
    await Promise.all(Array.from({ length: 10 }, () => provider.get('app/db#password')))
    expect(fake.requests.count('approle.login')).toBe(2)
    expect(fake.requests.count('token.renew-self')).toBe(1)
  })

  it('logs in again when Vault refuses renew-self', async () => {
    const { fake, clock, policy } = await vault()
    const { roleId, secretId } = fake.createAppRole({ policies: [policy], ttl: 3000, maxTtl: 100_000 })
    const provider = appRoleProvider(fake, clock, roleId, secretId)
    await provider.get('app/db#password')
    fake.faults.errorRate(1, {
      status: 403,
      message: 'permission denied',
      operations: ['token.renew-self'],
      times: 1,
    })
    clock.now += 2_100_000
    await Promise.all(Array.from({ length: 10 }, () => provider.get('app/db#password')))
    expect(fake.requests.count('token.renew-self')).toBe(1)
    expect(fake.requests.count('approle.login')).toBe(2)
  })

  it('logs in again once when Vault no longer accepts the token (403), and not for a policy denial', async () => {
    const { fake, clock, policy } = await vault()
    const { roleId, secretId } = fake.createAppRole({ policies: [policy], ttl: 600, maxTtl: 600 })
    // The provider's clock stands still while Vault's moves on: the token expires behind its back.
    const frozen = clock.now
    const provider = providerFor(fake, { auth: { appRole: { roleId, secretId } }, now: () => frozen })
    await provider.get('app/db#password')
    clock.now += 700_000
    expect((await provider.get('app/db#password'))?.value).toBe('s3cret')
    expect(fake.requests.count('approle.login')).toBe(2)
    // A path outside the policy: lookup-self confirms the token, so no login, just AccessDenied.
    await expect(provider.get('other/thing')).rejects.toBeInstanceOf(AccessDeniedError)
    expect(fake.requests.count('approle.login')).toBe(2)
  })

  it('logs in again when the token expired unused (the clock passed its TTL)', async () => {
    const { fake, clock, policy } = await vault()
    const { roleId, secretId } = fake.createAppRole({ policies: [policy], ttl: 600 })
    const provider = appRoleProvider(fake, clock, roleId, secretId)
    await provider.get('app/db#password')
    clock.now += 700_000
    expect((await provider.get('app/db#password'))?.value).toBe('s3cret')
    expect(fake.requests.count('approle.login')).toBe(2)
    expect(fake.requests.count('token.renew-self')).toBe(0)
  })

  it('wrong credentials are an AccessDeniedError that never shows the secret id', async () => {
    const { fake, clock } = await vault()
    const provider = appRoleProvider(fake, clock, 'no-such-role', 'secret-id-do-not-print')
    const error = await provider.get('app/db#password').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AccessDeniedError)
    expect(String((error as Error).message)).not.toContain('secret-id-do-not-print')
  })
})

describe('Kubernetes auth', () => {
  it('logs in with the service-account JWT read from jwtPath', async () => {
    const { fake, clock, policy } = await vault()
    const dir = mkdtempSync(join(tmpdir(), 'polysecret-vault-jwt-'))
    const jwtPath = join(dir, 'token')
    writeFileSync(jwtPath, 'eyJ.service-account.jwt\n')
    fake.createKubernetesRole({ role: 'my-app', jwt: 'eyJ.service-account.jwt', policies: [policy] })
    const provider = providerFor(fake, {
      auth: { kubernetes: { role: 'my-app', jwtPath } },
      now: () => clock.now,
    })
    expect((await provider.get('app/db#username'))?.value).toBe('app')
    expect(fake.requests.count('kubernetes.login')).toBe(1)
  })

  it('a missing JWT file is a ValidationError naming the path', async () => {
    const { fake } = await vault()
    const provider = providerFor(fake, {
      auth: { kubernetes: { role: 'my-app', jwtPath: '/nonexistent/token' } },
    })
    const error = await provider.get('app/db#password').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as Error).message).toContain('/nonexistent/token')
  })

  it('a JWT the role does not accept is an AccessDeniedError', async () => {
    const { fake, policy } = await vault()
    const dir = mkdtempSync(join(tmpdir(), 'polysecret-vault-jwt-'))
    writeFileSync(join(dir, 'token'), 'eyJ.other.jwt')
    fake.createKubernetesRole({ role: 'my-app', jwt: 'eyJ.service-account.jwt', policies: [policy] })
    const provider = providerFor(fake, {
      auth: { kubernetes: { role: 'my-app', jwtPath: join(dir, 'token') } },
    })
    await expect(provider.get('app/db#password')).rejects.toBeInstanceOf(AccessDeniedError)
  })
})

describe('token auth', () => {
  it('a renewable token is renewed at 2/3 of its TTL; a policy-limited token gets AccessDenied outside its paths', async () => {
    const { fake, clock, policy } = await vault()
    const token = fake.createToken({ policies: [policy], ttl: 3000 })
    const provider = providerFor(fake, { auth: token, now: () => clock.now })
    expect((await provider.get('app/db#password'))?.value).toBe('s3cret')
    await expect(provider.get('other/thing')).rejects.toBeInstanceOf(AccessDeniedError)
    clock.now += 2_100_000
    await provider.get('app/db#password')
    expect(fake.requests.count('token.renew-self')).toBe(1)
    expect(provider.logins).toBe(0)
  })
})

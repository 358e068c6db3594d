import { ConfigManager, memory, ValidationError } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { createServer, generateToken, hashToken } from '../src/index.js'
import { key, startServer } from './support/server.js'

const managers: ConfigManager[] = []
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()))
})
function store(values: Record<string, string>) {
  const p = memory(values)
  const manager = new ConfigManager({ secrets: [p], parameters: [p], allowWrites: true })
  managers.push(manager)
  return manager
}

const values = {
  'billing/DB_PASSWORD': 'b-pw',
  'billing/API_URL': 'https://billing',
  'web/SESSION_SECRET': 'w-secret',
}

describe('server: bearer tokens', () => {
  const billing = generateToken()
  const admin = generateToken()
  const auth = {
    tokens: [
      {
        name: 'billing',
        hash: hashToken(billing),
        grants: [{ keys: ['billing/**'], verbs: ['read', 'list'] as const }],
      },
      // A person-chosen token kept with scrypt (small N keeps the test quick; the default is 2^14).
      {
        name: 'admin',
        hash: hashToken(admin, { algorithm: 'scrypt', n: 1024 }),
        grants: [{ keys: ['**'], verbs: ['read', 'list', 'write', 'delete', 'versions'] as const }],
      },
    ],
  }

  it('stores only hashes and authenticates sha256 and scrypt tokens', () => {
    expect(hashToken(billing)).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(hashToken(billing)).not.toContain(billing)
    expect(hashToken(admin, { algorithm: 'scrypt', n: 1024 })).toMatch(/^scrypt:1024:/)
    expect(() => hashToken('short')).toThrow(ValidationError)
  })

  it('401 without or with an unknown token; 403 outside the grant; 200 inside it', async () => {
    await using s = await startServer(store(values), { auth, allowWrites: true })
    const none = await s.call(key('billing/DB_PASSWORD'))
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toContain('Bearer')
    expect((await s.call(key('billing/DB_PASSWORD'), { token: generateToken() })).status).toBe(401)
    expect((await s.call(key('billing/DB_PASSWORD'), { token: billing })).body.value).toBe('b-pw')
    const other = await s.call(key('web/SESSION_SECRET'), { token: billing })
    expect(other.status).toBe(403)
    expect(other.body.error.code).toBe('FORBIDDEN')
    expect(other.text).not.toContain('w-secret')
    // Writes need the write verb.
    expect(
      (await s.call(key('billing/DB_PASSWORD'), { method: 'PUT', token: billing, json: { value: 'x' } }))
        .status,
    ).toBe(403)
    expect(
      (await s.call(key('billing/DB_PASSWORD'), { method: 'PUT', token: admin, json: { value: 'new' } }))
        .status,
    ).toBe(200)
    expect((await s.call(key('web/SESSION_SECRET'), { token: admin })).body.value).toBe('w-secret')
    const denied = s.audit.lines.find((l) => l.status === 403)
    expect(denied).toMatchObject({
      who: { kind: 'token', name: 'billing' },
      key: 'web/SESSION_SECRET',
      outcome: 'forbidden',
    })
  })

  it('batchGet and listings show only what the grant allows', async () => {
    await using s = await startServer(store(values), { auth })
    const batch = await s.call('/v1/secrets:batchGet', {
      method: 'POST',
      token: billing,
      json: { keys: ['billing/DB_PASSWORD', 'web/SESSION_SECRET'] },
    })
    expect(Object.keys(batch.body.values)).toEqual(['billing/DB_PASSWORD'])
    expect(batch.body.errors['web/SESSION_SECRET'].code).toBe('FORBIDDEN')
    const listed = await s.call('/v1/keys', { token: billing })
    expect(listed.body.keys.map((k: { key: string }) => k.key)).toEqual([
      'billing/API_URL',
      'billing/DB_PASSWORD',
    ])
  })

  it('refuses a non-loopback address without auth, and takes it with auth', async () => {
    const manager = store({})
    await expect(createServer(manager, { host: '0.0.0.0', audit: false })).rejects.toThrow(
      /Refusing to listen on 0.0.0.0 without authentication/,
    )
    await expect(createServer(manager, { host: '::', audit: false })).rejects.toThrow(ValidationError)
    const server = await createServer(manager, { host: '0.0.0.0', port: 0, auth, audit: false })
    await server.close()
  })

  it('validates options and reports every problem at once', async () => {
    const error = await createServer(store({}), {
      port: -1,
      auth: { tokens: [{ name: '', hash: 'plain-token', grants: [{ keys: [], verbs: ['fly' as 'read'] }] }] },
      rateLimit: { rate: 0 },
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    const text = String((error as Error).message)
    for (const part of [
      'port must be',
      'name must be',
      'hash must be',
      'keys must be',
      'verbs must be',
      'rate must be',
    ])
      expect(text).toContain(part)
    expect(text).not.toContain('plain-token')
  })
})

describe('server: limits', () => {
  it('rate limits per token on an injected clock: burst, then 429 with Retry-After, then refilled', async () => {
    const token = generateToken()
    let now = 1_000_000
    await using s = await startServer(store(values), {
      now: () => now,
      rateLimit: { rate: 1, burst: 2 },
      auth: { tokens: [{ name: 't', hash: hashToken(token), grants: [{ keys: ['**'], verbs: ['read'] }] }] },
    })
    const get = () => s.call(key('billing/API_URL'), { token })
    expect((await get()).status).toBe(200)
    expect((await get()).status).toBe(200)
    const limited = await get()
    expect(limited.status).toBe(429)
    expect(limited.body.error.code).toBe('RATE_LIMITED')
    expect(limited.headers.get('retry-after')).toBe('1')
    now += 1000
    expect((await get()).status).toBe(200)
    expect(
      await s.server.metrics.registry.getSingleMetricAsString('polysecret_rate_limited_total'),
    ).toContain('polysecret_rate_limited_total{principal_kind="token"} 1')
  })

  it('an unauthenticated loopback sidecar is not rate limited unless a limit is configured', async () => {
    let now = 1_000_000
    await using open = await startServer(store(values), { now: () => now })
    for (let i = 0; i < 250; i++) expect((await open.call(key('billing/API_URL'))).status).toBe(200)
    await using limited = await startServer(store(values), {
      now: () => now,
      rateLimit: { rate: 1, burst: 1 },
    })
    expect((await limited.call(key('billing/API_URL'))).status).toBe(200)
    expect((await limited.call(key('billing/API_URL'))).status).toBe(429)
    now += 1000
    expect((await limited.call(key('billing/API_URL'))).status).toBe(200)
  })

  it('refuses bodies over maxBodyBytes with 413', async () => {
    await using s = await startServer(store({}), { limits: { maxBodyBytes: 100 } })
    const res = await s.call('/v1/secrets:batchGet', { method: 'POST', json: { keys: ['x'.repeat(200)] } })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('TOO_LARGE')
  })

  it('answers 504 when a request outlives requestTimeoutMs (a store that never answers)', async () => {
    const hung = {
      name: 'hung',
      type: 'hung',
      capabilities: { list: false, write: false, delete: false, versions: false, batch: false, watch: false },
      get: () => new Promise<never>(() => {}),
      health: async () => ({ ok: true }),
    }
    const manager = new ConfigManager({ secrets: [hung], retry: false })
    managers.push(manager)
    await using s = await startServer(manager, { limits: { requestTimeoutMs: 50 } })
    const res = await s.call(key('DB_PASSWORD'))
    expect(res.status).toBe(504)
    expect(res.body.error.code).toBe('TIMEOUT')
  })
})

describe('server: Kubernetes service accounts (TokenReview against the fake)', () => {
  it('admits allowed service accounts with their grants, refuses others, and caches reviews', async () => {
    await using fake = await startFake('kubernetes', { namespaces: ['apps', 'other'] })
    const reviewer = fake.createToken({ resources: ['tokenreviews'], verbs: ['create'] })
    await using s = await startServer(store(values), {
      auth: {
        kubernetes: {
          apiServer: fake.endpoint,
          ca: fake.ca,
          token: reviewer,
          serviceAccounts: [
            { namespace: 'apps', name: 'billing', grants: [{ keys: ['billing/**'], verbs: ['read'] }] },
          ],
        },
      },
    })
    const billing = fake.createServiceAccountToken({
      namespace: 'apps',
      serviceAccount: 'billing',
      pod: 'billing-1',
    })
    const res = await s.call(key('billing/DB_PASSWORD'), { token: billing })
    expect(res.status).toBe(200)
    expect(res.body.value).toBe('b-pw')
    await s.call(key('billing/API_URL'), { token: billing })
    expect(fake.requests.count('create tokenreviews')).toBe(1)
    expect(s.server.tokenReviews).toBe(1)
    expect((await s.call(key('web/SESSION_SECRET'), { token: billing })).status).toBe(403)
    const stranger = fake.createServiceAccountToken({ namespace: 'other', serviceAccount: 'billing' })
    expect((await s.call(key('billing/DB_PASSWORD'), { token: stranger })).status).toBe(403)
    const revoked = fake.createServiceAccountToken({ namespace: 'apps', serviceAccount: 'billing' })
    fake.revokeToken(revoked)
    expect((await s.call(key('billing/DB_PASSWORD'), { token: revoked })).status).toBe(401)
    const line = s.audit.lines.find((l) => l.status === 200)
    expect(line?.who).toEqual({
      kind: 'serviceaccount',
      name: 'system:serviceaccount:apps:billing',
      pod: 'billing-1',
    })
  })

  it('answers 503 when the API server cannot review (the reviewer may not create tokenreviews)', async () => {
    await using fake = await startFake('kubernetes', { namespaces: ['apps'] })
    const weak = fake.createToken({ resources: ['secrets'] })
    await using s = await startServer(store(values), {
      auth: {
        kubernetes: {
          apiServer: fake.endpoint,
          ca: fake.ca,
          token: weak,
          serviceAccounts: [{ namespace: 'apps', name: '*', grants: [{ keys: ['**'], verbs: ['read'] }] }],
        },
      },
    })
    const token = fake.createServiceAccountToken({ namespace: 'apps', serviceAccount: 'x' })
    const res = await s.call(key('billing/DB_PASSWORD'), { token })
    expect(res.status).toBe(503)
    expect(res.body.error.message).toContain('system:auth-delegator')
  })
})

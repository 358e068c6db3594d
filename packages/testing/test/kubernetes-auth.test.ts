import { CoreV1Api, VersionApi } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KubernetesFake } from '../src/fakes/kubernetes/kubernetes.js'
import { FAKE_KUBERNETES_VERSION, startFake } from '../src/index.js'
import { apiError, coreApi, kubeConfig } from './kubernetes-helpers.js'

async function raw(
  fake: KubernetesFake,
  path: string,
  token?: string,
): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const { request } = await import('node:https')
  return new Promise((resolve, reject) => {
    const req = request(
      `${fake.endpoint}${path}`,
      { ca: fake.ca, headers: token ? { Authorization: `Bearer ${token}` } : {} },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            body: JSON.parse(Buffer.concat(chunks).toString()),
            headers: res.headers,
          }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('kubernetes fake: discovery, tokens and faults', () => {
  let fake: KubernetesFake
  beforeAll(async () => {
    fake = await startFake('kubernetes', { secrets: { 'apps/db': { data: { p: 'x' } }, 'other/db': {} } })
  })
  afterAll(() => fake.stop())

  it('serves the discovery documents generic clients read first', async () => {
    const version = await kubeConfig(fake).makeApiClient(VersionApi).getCode()
    expect(version).toMatchObject(FAKE_KUBERNETES_VERSION)
    expect((await raw(fake, '/api', fake.token)).body).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    })
    const v1 = (await raw(fake, '/api/v1', fake.token)).body
    expect(v1).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' })
    expect(v1.resources.map((r: any) => r.name).sort()).toEqual(['configmaps', 'namespaces', 'secrets'])
    expect((await raw(fake, '/apis', fake.token)).body).toMatchObject({ kind: 'APIGroupList' })
    expect(fake.requests.count('discovery')).toBe(4)
  })

  it('answers 401 Unauthorized without a known token, and for a revoked one', async () => {
    const anonymous = await raw(fake, '/api/v1/namespaces/apps/secrets/db')
    expect({ status: anonymous.status, body: anonymous.body }).toEqual({
      status: 401,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      },
    })
    expect((await raw(fake, '/api/v1', 'not-a-token')).status).toBe(401)
    const token = fake.createToken()
    await coreApi(fake, token).readNamespacedSecret({ name: 'db', namespace: 'apps' })
    fake.revokeToken(token)
    expect(
      (await apiError(coreApi(fake, token).readNamespacedSecret({ name: 'db', namespace: 'apps' }))).code,
    ).toBe(401)
  })

  it('answers 403 Forbidden outside a restricted token’s namespaces and verbs', async () => {
    const token = fake.createToken({
      namespaces: ['apps'],
      verbs: ['get', 'list'],
      user: 'system:serviceaccount:apps:reader',
    })
    const api = coreApi(fake, token)
    expect((await api.readNamespacedSecret({ name: 'db', namespace: 'apps' })).data).toEqual({ p: 'eA==' })
    const otherNs = await apiError(api.readNamespacedSecret({ name: 'db', namespace: 'other' }))
    expect(otherNs.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'secrets "db" is forbidden: User "system:serviceaccount:apps:reader" cannot get resource "secrets" in API group "" in the namespace "other"',
      reason: 'Forbidden',
      details: { name: 'db', kind: 'secrets' },
      code: 403,
    })
    const write = await apiError(api.deleteNamespacedSecret({ name: 'db', namespace: 'apps' }))
    expect(write.body).toMatchObject({ code: 403, reason: 'Forbidden' })
    expect((await apiError(api.listSecretForAllNamespaces())).code).toBe(403)
    expect((await apiError(api.listNamespace())).code).toBe(403)
  })

  it('encodes injected faults as Status objects: 429 with Retry-After, 500, 503', async () => {
    const api = kubeConfig(fake).makeApiClient(CoreV1Api)
    fake.faults.throttle(1, { operations: ['get secrets'], times: 1, retryAfterMs: 2500 })
    const throttled = await apiError(api.readNamespacedSecret({ name: 'db', namespace: 'apps' }))
    expect(throttled.body).toMatchObject({
      code: 429,
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 3 },
    })
    // `times: 1`: the next read goes through.
    expect((await api.readNamespacedSecret({ name: 'db', namespace: 'apps' })).metadata?.name).toBe('db')
    fake.faults.throttle(1, { operations: ['get secrets'], times: 1, retryAfterMs: 2000 })
    const header = await raw(fake, '/api/v1/namespaces/apps/secrets/db', fake.token)
    expect([header.status, header.headers['retry-after']]).toEqual([429, '2'])
    fake.faults.errorRate(1, { operations: ['list configmaps'], times: 1 })
    expect((await apiError(api.listNamespacedConfigMap({ namespace: 'apps' }))).body).toMatchObject({
      code: 500,
      reason: 'InternalError',
    })
    await fake.faults.down('unavailable')
    expect((await apiError(api.listNamespacedConfigMap({ namespace: 'apps' }))).body).toMatchObject({
      code: 503,
      reason: 'ServiceUnavailable',
    })
    await fake.faults.up()
    expect(fake.faults.injected('throttle')).toBe(2)
  })
})

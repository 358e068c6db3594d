import { AuthenticationV1Api, CoreV1Api } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KubernetesFake } from '../src/fakes/kubernetes/kubernetes.js'
import { startFake } from '../src/index.js'
import { apiError, kubeConfig } from './kubernetes-helpers.js'

// TokenReview through the official client (AuthenticationV1Api.createTokenReview), on a fake clock.
let fake: KubernetesFake
let clock = Date.parse('2026-07-01T00:00:00Z')

beforeAll(async () => {
  fake = await startFake('kubernetes', { namespaces: ['apps'], now: () => clock })
})
afterAll(() => fake.stop())

const review = (token: string, audiences?: string[], as?: string) =>
  kubeConfig(fake, as)
    .makeApiClient(AuthenticationV1Api)
    .createTokenReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences } },
    })

describe('Kubernetes fake: TokenReview', () => {
  it('authenticates a bound service-account token: user, groups, pod and audiences', async () => {
    const token = fake.createServiceAccountToken({
      namespace: 'apps',
      serviceAccount: 'billing',
      pod: 'billing-7d9',
    })
    expect(token.split('.')).toHaveLength(3)
    const answer = await review(token)
    expect(answer.status?.authenticated).toBe(true)
    expect(answer.status?.user?.username).toBe('system:serviceaccount:apps:billing')
    expect(answer.status?.user?.groups).toEqual([
      'system:serviceaccounts',
      'system:serviceaccounts:apps',
      'system:authenticated',
    ])
    expect(answer.status?.user?.extra?.['authentication.kubernetes.io/pod-name']).toEqual(['billing-7d9'])
    expect(answer.status?.audiences).toEqual(['https://kubernetes.default.svc.cluster.local'])
    expect(fake.requests.count('create tokenreviews')).toBe(1)
  })

  it('checks audiences: a token bound to another audience is not authenticated', async () => {
    const token = fake.createServiceAccountToken({
      namespace: 'apps',
      serviceAccount: 'web',
      audiences: ['polysecret'],
    })
    expect((await review(token, ['polysecret'])).status?.audiences).toEqual(['polysecret'])
    const other = await review(token, ['vault'])
    expect(other.status?.authenticated).toBeFalsy()
    expect(other.status?.error).toContain(
      'token audiences ["polysecret"] is invalid for the target audiences ["vault"]',
    )
    // Without spec.audiences the API server's own audience is checked, which this token is not bound to.
    expect((await review(token)).status?.authenticated).toBeFalsy()
  })

  it('refuses expired, revoked and unknown tokens with an error, still 201', async () => {
    const token = fake.createServiceAccountToken({
      namespace: 'apps',
      serviceAccount: 'jobs',
      expirationSeconds: 600,
    })
    expect((await review(token)).status?.authenticated).toBe(true)
    clock += 600_000
    const expired = await review(token)
    expect(expired.status?.authenticated).toBeFalsy()
    expect(expired.status?.error).toContain('service account token has expired')
    const revoked = fake.createServiceAccountToken({ namespace: 'apps', serviceAccount: 'jobs' })
    fake.revokeToken(revoked)
    expect((await review(revoked)).status?.authenticated).toBeFalsy()
    expect((await review('not-a-token')).status?.error).toContain('invalid bearer token')
  })

  it('needs create on tokenreviews at the cluster scope', async () => {
    const token = fake.createServiceAccountToken({ namespace: 'apps', serviceAccount: 'a' })
    const namespaced = fake.createToken({
      namespaces: ['apps'],
      resources: ['tokenreviews'],
      verbs: ['create'],
    })
    const denied = await apiError(review(token, undefined, namespaced))
    expect(denied.code).toBe(403)
    expect(denied.body.message).toContain('tokenreviews.authentication.k8s.io is forbidden')
    expect(denied.body.message).toContain('in API group "authentication.k8s.io" at the cluster scope')
    const reviewer = fake.createToken({ resources: ['tokenreviews'], verbs: ['create'] })
    expect((await review(token, undefined, reviewer)).status?.authenticated).toBe(true)
    expect((await apiError(review(token, undefined, 'unknown'))).code).toBe(401)
  })

  it('a service-account token authenticates API calls but holds no role (403), and 401 once expired', async () => {
    const token = fake.createServiceAccountToken({
      namespace: 'apps',
      serviceAccount: 'reader',
      expirationSeconds: 600,
    })
    const api = kubeConfig(fake, token).makeApiClient(CoreV1Api)
    const forbidden = await apiError(api.listNamespacedSecret({ namespace: 'apps' }))
    expect(forbidden.code).toBe(403)
    expect(forbidden.body.message).toContain(
      'User "system:serviceaccount:apps:reader" cannot list resource "secrets"',
    )
    clock += 600_000
    expect((await apiError(api.listNamespacedSecret({ namespace: 'apps' }))).code).toBe(401)
  })

  it('rejects a malformed review and refuses tokens for unknown namespaces', async () => {
    const bad = await apiError(
      kubeConfig(fake)
        .makeApiClient(AuthenticationV1Api)
        .createTokenReview({
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: {} },
        }),
    )
    expect(bad.code).toBe(400)
    expect(() => fake.createServiceAccountToken({ namespace: 'nope', serviceAccount: 'x' })).toThrow(
      /namespace "nope"/,
    )
    expect(() =>
      fake.createServiceAccountToken({ namespace: 'apps', serviceAccount: 'x', expirationSeconds: 60 }),
    ).toThrow(/600/)
  })
})

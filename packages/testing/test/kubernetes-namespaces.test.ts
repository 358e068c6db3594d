import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KubernetesFake } from '../src/fakes/kubernetes/kubernetes.js'
import { startFake } from '../src/index.js'
import { apiError, coreApi } from './kubernetes-helpers.js'

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)

describe('kubernetes fake: namespaces with labels, label validation', () => {
  let fake: KubernetesFake
  beforeAll(async () => {
    fake = await startFake('kubernetes', {
      namespaces: ['plain', { name: 'team-a', labels: { env: 'prod', team: 'a' } }],
    })
  })
  afterAll(() => fake.stop())

  it('seeds namespaces with labels and lists them by labelSelector', async () => {
    const api = coreApi(fake)
    const prod = await api.listNamespace({ labelSelector: 'env in (prod),team' })
    expect(prod.items.map((n) => n.metadata?.name)).toEqual(['team-a'])
    expect(prod.items[0]?.metadata?.labels).toEqual({
      env: 'prod',
      team: 'a',
      'kubernetes.io/metadata.name': 'team-a',
    })
    const notProd = await api.listNamespace({ labelSelector: '!env' })
    expect(notProd.items.map((n) => n.metadata?.name)).toContain('plain')
    expect(notProd.items.map((n) => n.metadata?.name)).not.toContain('team-a')
  })

  it('keeps kubernetes.io/metadata.name on every update, as the API server’s defaulting does', async () => {
    const api = coreApi(fake)
    const current = await api.readNamespace({ name: 'plain' })
    const replaced = await api.replaceNamespace({
      name: 'plain',
      body: { ...current, metadata: { ...current.metadata, labels: { tier: 'web' } } },
    })
    expect(replaced.metadata?.labels).toEqual({ tier: 'web', 'kubernetes.io/metadata.name': 'plain' })
    const patched = await api.patchNamespace(
      { name: 'plain', body: { metadata: { labels: { 'kubernetes.io/metadata.name': null } } } },
      merge,
    )
    expect(patched.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('plain')
  })

  it('re-seeding a namespace changes its labels and sends a watch event', async () => {
    const before = fake.state.resourceVersion
    fake.seed({ namespaces: [{ name: 'team-a', labels: { env: 'dev' } }] })
    const changes = fake.state.since(before) ?? []
    expect(changes.map((c) => [c.type, c.object.metadata.name])).toEqual([['MODIFIED', 'team-a']])
    expect(fake.state.get('namespaces', undefined, 'team-a')?.metadata.labels).toEqual({
      env: 'dev',
      'kubernetes.io/metadata.name': 'team-a',
    })
  })

  it('refuses invalid label keys and values with 422, as ValidateLabels does', async () => {
    const api = coreApi(fake)
    const badValue = await apiError(
      api.createNamespacedSecret({
        namespace: 'plain',
        body: { metadata: { name: 's', labels: { ok: 'not a label value' } } },
      }),
    )
    expect(badValue.body).toMatchObject({
      code: 422,
      reason: 'Invalid',
      details: { causes: [{ field: 'metadata.labels', reason: 'FieldValueInvalid' }] },
    })
    const long = await apiError(
      api.createNamespace({ body: { metadata: { name: 'n', labels: { k: 'x'.repeat(64) } } } }),
    )
    expect(long.code).toBe(422)
    const badKey = await apiError(
      api.createNamespace({ body: { metadata: { name: 'n', labels: { 'Bad_Prefix/k': 'v' } } } }),
    )
    expect(badKey.code).toBe(422)
    const ok = await api.createNamespace({
      body: { metadata: { name: 'n', labels: { 'example.com/k_1.x': 'v-1.2_3', empty: '' } } },
    })
    expect(ok.metadata?.labels?.empty).toBe('')
  })
})

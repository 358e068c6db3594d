import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KubernetesFake } from '../src/fakes/kubernetes/kubernetes.js'
import { startFake } from '../src/index.js'
import { apiError, coreApi } from './kubernetes-helpers.js'

describe('kubernetes fake: list with selectors and pagination', () => {
  let fake: KubernetesFake
  beforeAll(async () => {
    fake = await startFake('kubernetes', {
      secrets: {
        'default/a': { labels: { app: 'web', tier: 'front' } },
        'default/b': { labels: { app: 'web' }, type: 'kubernetes.io/basic-auth', data: { username: 'u' } },
        'default/c': { labels: { app: 'db' } },
        'default/d': {},
        'apps/e': { labels: { app: 'web' } },
      },
    })
  })
  afterAll(() => fake.stop())

  const names = async (labelSelector?: string, fieldSelector?: string) =>
    (
      await coreApi(fake).listNamespacedSecret({ namespace: 'default', labelSelector, fieldSelector })
    ).items.map((s) => s.metadata!.name)

  it('filters by label selector: =, ==, !=, in, notin, exists, !exists', async () => {
    expect(await names('app=web')).toEqual(['a', 'b'])
    expect(await names('app==db')).toEqual(['c'])
    expect(await names('app!=web')).toEqual(['c', 'd'])
    expect(await names('app in (db, web),tier')).toEqual(['a'])
    expect(await names('app notin (web)')).toEqual(['c', 'd'])
    expect(await names('app')).toEqual(['a', 'b', 'c'])
    expect(await names('!app')).toEqual(['d'])
  })

  it('filters by field selector: metadata.name, metadata.namespace, type; others are 400', async () => {
    expect(await names(undefined, 'metadata.name=c')).toEqual(['c'])
    expect(await names(undefined, 'type=kubernetes.io/basic-auth')).toEqual(['b'])
    expect(await names(undefined, 'type!=Opaque,metadata.namespace=default')).toEqual(['b'])
    const all = await coreApi(fake).listSecretForAllNamespaces({ fieldSelector: 'metadata.namespace=apps' })
    expect(all.items.map((s) => s.metadata!.name)).toEqual(['e'])
    const bad = await apiError(names(undefined, 'data.password=x'))
    expect(bad.body).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'field label not supported: data.password',
    })
    expect((await apiError(names('app in web'))).code).toBe(400)
  })

  it('pages with limit and continue; every page reports the first page resourceVersion', async () => {
    const api = coreApi(fake)
    const first = await api.listNamespacedSecret({ namespace: 'default', limit: 3 })
    expect(first.items.map((s) => s.metadata!.name)).toEqual(['a', 'b', 'c'])
    expect(first.metadata).toMatchObject({ remainingItemCount: 1 })
    expect(first.metadata!._continue).toBeTruthy()
    await api.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'z' } } })
    const second = await api.listNamespacedSecret({
      namespace: 'default',
      limit: 3,
      _continue: first.metadata!._continue!,
    })
    expect(second.items.map((s) => s.metadata!.name)).toEqual(['d', 'z'])
    expect(second.metadata!.resourceVersion).toBe(first.metadata!.resourceVersion)
    expect(second.metadata!._continue).toBeUndefined()
    expect(
      (await apiError(api.listNamespacedSecret({ namespace: 'default', _continue: 'garbage' }))).code,
    ).toBe(400)
  })

  it('answers 410 Expired for a continue token older than the kept history', async () => {
    await using small = await startFake('kubernetes', {
      watchHistory: 2,
      configMaps: { 'default/a': {}, 'default/b': {} },
    })
    const api = coreApi(small)
    const first = await api.listNamespacedConfigMap({ namespace: 'default', limit: 1 })
    for (const n of ['x', 'y', 'z'])
      await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: n } } })
    const old = await apiError(
      api.listNamespacedConfigMap({ namespace: 'default', limit: 1, _continue: first.metadata!._continue! }),
    )
    expect(old.body).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' })
  })

  it('lists namespaces, with the system ones present', async () => {
    const list = await coreApi(fake).listNamespace()
    expect(list.items.map((n) => n.metadata!.name)).toEqual([
      'apps',
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ])
    expect(list.items[0]!.status?.phase).toBe('Active')
  })
})

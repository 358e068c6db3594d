import { makeInformer, type V1ConfigMap, Watch } from '@kubernetes/client-node'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { KubernetesFake } from '../src/fakes/kubernetes/kubernetes.js'
import { startFake } from '../src/index.js'
import { coreApi, kubeConfig } from './kubernetes-helpers.js'

type Seen = [type: string, name: string | undefined, rv: string | undefined]

/** Opens a client-node Watch and collects its events until the stream ends. */
async function watchEvents(fake: KubernetesFake, path: string, query: Record<string, string | boolean>) {
  const events: Seen[] = []
  const raw: { type: string; object: any }[] = []
  let ended: unknown = 'open'
  const controller = await new Watch(kubeConfig(fake)).watch(
    path,
    query,
    (type, object) => {
      events.push([type, object?.metadata?.name, object?.metadata?.resourceVersion])
      raw.push({ type, object })
    },
    (err) => {
      ended = err
    },
  )
  return { events, raw, controller, ended: () => ended }
}

describe('kubernetes fake: watch streams', () => {
  let fake: KubernetesFake
  afterEach(() => fake?.stop())

  it('streams ADDED / MODIFIED / DELETED after a resourceVersion, and selector moves as ADDED / DELETED', async () => {
    fake = await startFake('kubernetes')
    const api = coreApi(fake)
    const list = await api.listNamespacedConfigMap({ namespace: 'default' })
    const w = await watchEvents(fake, '/api/v1/namespaces/default/configmaps', {
      resourceVersion: list.metadata!.resourceVersion!,
      labelSelector: 'app=web',
    })
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'a', labels: { app: 'web' } } },
    })
    await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'other' } } })
    const patch = (labels: Record<string, string | null>, data: Record<string, string>) =>
      api.patchNamespacedConfigMap({
        name: 'a',
        namespace: 'default',
        body: [
          { op: 'add', path: '/metadata/labels', value: labels },
          { op: 'add', path: '/data', value: data },
        ],
      })
    await patch({ app: 'web' }, { k: '1' })
    await patch({ app: 'db' }, { k: '2' })
    await patch({ app: 'web' }, { k: '3' })
    await api.deleteNamespacedConfigMap({ name: 'a', namespace: 'default' })
    await vi.waitFor(() => expect(w.events).toHaveLength(5))
    expect(w.events.map(([t, n]) => [t, n])).toEqual([
      ['ADDED', 'a'],
      ['MODIFIED', 'a'],
      ['DELETED', 'a'],
      ['ADDED', 'a'],
      ['DELETED', 'a'],
    ])
    const rvs = w.events.map(([, , rv]) => Number(rv))
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs)
    w.controller.abort()
  })

  it('without a resourceVersion sends ADDED for current objects, then BOOKMARKs when allowed', async () => {
    fake = await startFake('kubernetes', {
      configMaps: { 'default/one': {}, 'default/two': {}, 'apps/three': {} },
    })
    const w = await watchEvents(fake, '/api/v1/namespaces/default/configmaps', { allowWatchBookmarks: true })
    await vi.waitFor(() => expect(w.events).toHaveLength(2))
    expect(w.events.map(([t, n]) => `${t} ${n}`)).toEqual(['ADDED one', 'ADDED two'])
    fake.bookmark()
    await vi.waitFor(() => expect(w.events).toHaveLength(3))
    expect(w.raw[2]).toEqual({
      type: 'BOOKMARK',
      object: {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(fake.state.resourceVersion) },
      },
    })
    w.controller.abort()
  })

  it('sendInitialEvents: ADDED per object, then a BOOKMARK marking the end of the initial events', async () => {
    fake = await startFake('kubernetes', { secrets: { 'default/one': {}, 'default/two': {} } })
    const w = await watchEvents(fake, '/api/v1/namespaces/default/secrets', {
      sendInitialEvents: true,
      allowWatchBookmarks: true,
      resourceVersionMatch: 'NotOlderThan',
      resourceVersion: '',
    })
    await vi.waitFor(() => expect(w.events).toHaveLength(3))
    expect(w.events.map(([t, n]) => `${t} ${n}`)).toEqual(['ADDED one', 'ADDED two', 'BOOKMARK undefined'])
    expect(w.raw[2]!.object.metadata).toEqual({
      resourceVersion: String(fake.state.resourceVersion),
      annotations: { 'k8s.io/initial-events-end': 'true' },
    })
    w.controller.abort()
  })

  it('answers a resourceVersion older than watchHistory with one ERROR event carrying a 410 Status', async () => {
    fake = await startFake('kubernetes', { watchHistory: 3 })
    const api = coreApi(fake)
    const first = await api.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 's0' } },
    })
    for (let i = 1; i <= 4; i++)
      await api.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: `s${i}` } } })
    const w = await watchEvents(fake, '/api/v1/namespaces/default/secrets', {
      resourceVersion: first.metadata!.resourceVersion!,
    })
    await vi.waitFor(() => expect(w.ended()).toBe(null))
    expect(w.raw).toHaveLength(1)
    expect(w.raw[0]!.type).toBe('ERROR')
    expect(w.raw[0]!.object).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      code: 410,
      reason: 'Expired',
    })
    expect(w.raw[0]!.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/)
  })

  it('an informer reconnects after the server ends its watch, and relists after a 410', async () => {
    fake = await startFake('kubernetes', { watchHistory: 3 })
    const api = coreApi(fake)
    const kc = kubeConfig(fake)
    const informer = makeInformer<V1ConfigMap>(
      kc,
      '/api/v1/namespaces/default/configmaps',
      () => api.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=web' }),
      'app=web',
    )
    const names = () =>
      informer
        .list()
        .map((c) => c.metadata!.name)
        .sort()
    await informer.start()
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'a', labels: { app: 'web' } } },
    })
    await vi.waitFor(() => expect(names()).toEqual(['a']))
    // Reconnect: the server ends the stream, the informer watches again from its resourceVersion.
    fake.closeWatches()
    await vi.waitFor(() => expect(fake.requests.count('watch configmaps')).toBe(2))
    await vi.waitFor(() => expect(fake.openWatches).toBe(1))
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'b', labels: { app: 'web' } } },
    })
    await vi.waitFor(() => expect(names()).toEqual(['a', 'b']))
    expect(fake.requests.count('list configmaps')).toBe(1)
    // Changes the selector filters out age the informer's resourceVersion past the kept history.
    for (let i = 0; i < 4; i++)
      await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `x${i}` } } })
    fake.closeWatches()
    await vi.waitFor(() => expect(fake.requests.count('list configmaps')).toBe(2))
    await vi.waitFor(() => expect(fake.openWatches).toBe(1))
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'c', labels: { app: 'web' } } },
    })
    await vi.waitFor(() => expect(names()).toEqual(['a', 'b', 'c']))
    await informer.stop()
  })
})

import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KubernetesFake } from '../src/fakes/kubernetes/kubernetes.js'
import { startFake } from '../src/index.js'
import { apiError, coreApi } from './kubernetes-helpers.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')

describe('kubernetes fake: Secrets and ConfigMaps through @kubernetes/client-node over TLS', () => {
  let fake: KubernetesFake
  beforeAll(async () => {
    fake = await startFake('kubernetes', { secrets: { 'default/seeded': { data: { password: 's3cret' } } } })
  })
  afterAll(() => fake.stop())

  it('reads a seeded Secret with base64 data', async () => {
    const api = coreApi(fake)
    const secret = await api.readNamespacedSecret({ name: 'seeded', namespace: 'default' })
    expect(secret.data).toEqual({ password: b64('s3cret') })
    expect(secret.type).toBe('Opaque')
    expect(secret.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/)
    expect(fake.requests.count('get secrets')).toBe(1)
  })

  it('creates (201), refuses a duplicate (409 AlreadyExists) and merges stringData into data', async () => {
    const api = coreApi(fake)
    const created = await api.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'db' }, data: { user: b64('app') }, stringData: { password: 'pw' } },
    })
    expect(created.data).toEqual({ user: b64('app'), password: b64('pw') })
    expect(created.stringData).toBeUndefined()
    const again = await apiError(
      api.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'db' } } }),
    )
    expect(again.code).toBe(409)
    expect(again.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'AlreadyExists',
      code: 409,
      details: { name: 'db', kind: 'secrets' },
    })
  })

  it('answers 404 NotFound as a Status, and 404 for a create in a missing namespace', async () => {
    const api = coreApi(fake)
    const missing = await apiError(api.readNamespacedConfigMap({ name: 'nope', namespace: 'default' }))
    expect(missing.body).toMatchObject({
      reason: 'NotFound',
      code: 404,
      message: 'configmaps "nope" not found',
    })
    const noNs = await apiError(
      api.createNamespacedConfigMap({ namespace: 'ghost', body: { metadata: { name: 'x' } } }),
    )
    expect(noNs.body).toMatchObject({
      reason: 'NotFound',
      code: 404,
      details: { name: 'ghost', kind: 'namespaces' },
    })
  })

  it('replaces with a resourceVersion precondition: stale → 409 Conflict, no-op keeps the version', async () => {
    const api = coreApi(fake)
    const cm = await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cfg' }, data: { a: '1' } },
    })
    const rv = cm.metadata!.resourceVersion!
    const same = await api.replaceNamespacedConfigMap({ name: 'cfg', namespace: 'default', body: cm })
    expect(same.metadata!.resourceVersion).toBe(rv)
    const changed = await api.replaceNamespacedConfigMap({
      name: 'cfg',
      namespace: 'default',
      body: { ...cm, data: { a: '2' } },
    })
    expect(Number(changed.metadata!.resourceVersion)).toBeGreaterThan(Number(rv))
    const stale = await apiError(
      api.replaceNamespacedConfigMap({
        name: 'cfg',
        namespace: 'default',
        body: { ...cm, data: { a: '3' } },
      }),
    )
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      code: 409,
      details: { name: 'cfg', kind: 'configmaps' },
    })
    expect((await api.readNamespacedConfigMap({ name: 'cfg', namespace: 'default' })).data).toEqual({
      a: '2',
    })
  })

  it('patches with merge, strategic-merge and JSON patch (422 on a failed test)', async () => {
    const api = coreApi(fake)
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'p' }, data: { a: '1', b: '2' } },
    })
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)
    const merged = await api.patchNamespacedConfigMap(
      { name: 'p', namespace: 'default', body: { data: { a: null, c: '3' } } },
      merge,
    )
    expect(merged.data).toEqual({ b: '2', c: '3' })
    const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)
    const smp = await api.patchNamespacedConfigMap(
      { name: 'p', namespace: 'default', body: { data: { d: '4' } } },
      strategic,
    )
    expect(smp.data).toEqual({ b: '2', c: '3', d: '4' })
    const json = await api.patchNamespacedConfigMap({
      name: 'p',
      namespace: 'default',
      body: [
        { op: 'test', path: '/data/b', value: '2' },
        { op: 'move', from: '/data/b', path: '/data/e' },
        { op: 'copy', from: '/data/c', path: '/data/f' },
        { op: 'replace', path: '/data/d', value: '5' },
        { op: 'remove', path: '/data/c' },
        { op: 'add', path: '/data/g', value: '7' },
      ],
    })
    expect(json.data).toEqual({ d: '5', e: '2', f: '3', g: '7' })
    const failed = await apiError(
      api.patchNamespacedConfigMap({
        name: 'p',
        namespace: 'default',
        body: [{ op: 'test', path: '/data/d', value: 'x' }],
      }),
    )
    expect(failed.code).toBe(422)
    expect(failed.body).toMatchObject({ kind: 'Status', reason: 'Invalid' })
  })

  it('deletes with a Success Status, then the object is gone', async () => {
    const api = coreApi(fake)
    const s = await api.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'gone' } } })
    const status = await api.deleteNamespacedSecret({ name: 'gone', namespace: 'default' })
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'gone', kind: 'secrets', uid: s.metadata!.uid },
    })
    expect((await apiError(api.readNamespacedSecret({ name: 'gone', namespace: 'default' }))).code).toBe(404)
  })

  it('PUT of a missing object is 404; generateName names a new one; stringData merges on patch too', async () => {
    const api = coreApi(fake)
    const missing = await apiError(
      api.replaceNamespacedSecret({
        name: 'ghost',
        namespace: 'default',
        body: { metadata: { name: 'ghost' } },
      }),
    )
    expect(missing.body).toMatchObject({ code: 404, reason: 'NotFound' })
    const generated = await api.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { generateName: 'token-' }, stringData: { t: '1' } },
    })
    expect(generated.metadata!.name).toMatch(/^token-[0-9a-f]{5}$/)
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)
    const patched = await api.patchNamespacedSecret(
      { name: generated.metadata!.name!, namespace: 'default', body: { stringData: { u: '2' } } },
      merge,
    )
    expect(patched.data).toEqual({ t: b64('1'), u: b64('2') })
    expect(patched.stringData).toBeUndefined()
  })

  it('strategic merge patch honours $patch: replace on a map', async () => {
    const api = coreApi(fake)
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'smp' }, data: { a: '1', b: '2' } },
    })
    const smp = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)
    const replaced = await api.patchNamespacedConfigMap(
      { name: 'smp', namespace: 'default', body: { data: { $patch: 'replace', c: '3' } } },
      smp,
    )
    expect(replaced.data).toEqual({ c: '3' })
  })
})

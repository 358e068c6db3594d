import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KubernetesFake } from '../src/fakes/kubernetes/kubernetes.js'
import { MAX_OBJECT_DATA_BYTES, startFake } from '../src/index.js'
import { apiError, coreApi } from './kubernetes-helpers.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')
const apply = (manager: string, force = false) => ({ fieldManager: manager, ...(force ? { force } : {}) })
const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply)
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)

describe('kubernetes fake: validation, immutability and server-side apply', () => {
  let fake: KubernetesFake
  beforeAll(async () => {
    fake = await startFake('kubernetes')
  })
  afterAll(() => fake.stop())

  it('validates typed Secrets as the API server does, never echoing a value', async () => {
    const api = coreApi(fake)
    const create = (name: string, type: string, data: Record<string, string>) =>
      apiError(api.createNamespacedSecret({ namespace: 'default', body: { metadata: { name }, type, data } }))
    const tls = await create('t', 'kubernetes.io/tls', { 'tls.crt': b64('c') })
    expect(tls.body).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'Secret "t" is invalid: data[tls.key]: Required value',
      details: {
        name: 't',
        kind: 'Secret',
        causes: [{ reason: 'FieldValueRequired', field: 'data[tls.key]' }],
      },
    })
    const docker = await create('d', 'kubernetes.io/dockerconfigjson', {
      '.dockerconfigjson': b64('{not json s3cret'),
    })
    expect(docker.body.details.causes[0].field).toBe('data[.dockerconfigjson]')
    expect(JSON.stringify(docker.body)).not.toContain('s3cret')
    const basic = await create('b', 'kubernetes.io/basic-auth', {})
    expect(basic.body.details.causes.map((c: any) => c.field)).toEqual(['data[username]', 'data[password]'])
    await api.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'ok' }, type: 'kubernetes.io/basic-auth', stringData: { password: 'p' } },
    })
    const retype = await apiError(
      api.patchNamespacedSecret({ name: 'ok', namespace: 'default', body: { type: 'Opaque' } }, merge),
    )
    expect(retype.body).toMatchObject({
      code: 422,
      details: { causes: [{ field: 'type', reason: 'FieldValueInvalid' }] },
    })
    const key = await create('k', 'Opaque', { 'bad/key': b64('v') })
    expect(key.body.details.causes[0]).toMatchObject({ field: 'data[bad/key]', reason: 'FieldValueInvalid' })
  })

  it('refuses data over 1 MiB (422) and bodies over 3 MiB (413)', async () => {
    const api = coreApi(fake)
    const big = await apiError(
      api.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'big' }, data: { v: 'x'.repeat(MAX_OBJECT_DATA_BYTES + 1) } },
      }),
    )
    expect(big.body).toMatchObject({ code: 422, details: { causes: [{ reason: 'FieldValueTooLong' }] } })
    const huge = await apiError(
      api.createNamespacedSecret({
        namespace: 'default',
        body: { metadata: { name: 'huge' }, data: { v: b64('x'.repeat(3 * 1024 * 1024)) } },
      }),
    )
    expect(huge.body).toMatchObject({ code: 413, reason: 'RequestEntityTooLarge' })
  })

  it('keeps immutable objects immutable (422), metadata still editable', async () => {
    const api = coreApi(fake)
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'frozen' }, immutable: true, data: { a: '1' } },
    })
    const edit = await apiError(
      api.patchNamespacedConfigMap(
        { name: 'frozen', namespace: 'default', body: { data: { a: '2' } } },
        merge,
      ),
    )
    expect(edit.body).toMatchObject({
      code: 422,
      reason: 'Invalid',
      details: { causes: [{ field: 'data', reason: 'FieldValueForbidden' }] },
    })
    const thaw = await apiError(
      api.patchNamespacedConfigMap(
        { name: 'frozen', namespace: 'default', body: { immutable: false } },
        merge,
      ),
    )
    expect(thaw.code).toBe(422)
    const labelled = await api.patchNamespacedConfigMap(
      { name: 'frozen', namespace: 'default', body: { metadata: { labels: { x: 'y' } } } },
      merge,
    )
    expect(labelled.metadata!.labels).toEqual({ x: 'y' })
  })

  it('server-side apply: creates, records managedFields, conflicts across managers, force takes over', async () => {
    const api = coreApi(fake)
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { a: '1', b: '2' } }
    const created = await api.patchNamespacedConfigMap(
      { name: 'ssa', namespace: 'default', body, ...apply('deployer') },
      ssa,
    )
    expect(created.data).toEqual({ a: '1', b: '2' })
    expect(created.metadata!.managedFields).toEqual([
      expect.objectContaining({
        manager: 'deployer',
        operation: 'Apply',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } },
      }),
    ])
    const noManager = await apiError(
      api.patchNamespacedConfigMap({ name: 'ssa', namespace: 'default', body }, ssa),
    )
    expect(noManager.code).toBe(400)
    const clash = { ...body, data: { a: 'other' } }
    const conflict = await apiError(
      api.patchNamespacedConfigMap(
        { name: 'ssa', namespace: 'default', body: clash, ...apply('intruder') },
        ssa,
      ),
    )
    expect(conflict.body).toMatchObject({
      code: 409,
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', field: '.data.a' }] },
    })
    const forced = await api.patchNamespacedConfigMap(
      { name: 'ssa', namespace: 'default', body: clash, ...apply('intruder', true) },
      ssa,
    )
    expect(forced.data).toEqual({ a: 'other', b: '2' })
    // The first manager stops applying b and no longer owns a: b is removed, a stays.
    const shrunk = await api.patchNamespacedConfigMap(
      { name: 'ssa', namespace: 'default', body: { ...body, data: {} }, ...apply('deployer') },
      ssa,
    )
    expect(shrunk.data).toEqual({ a: 'other' })
  })

  it('creates and deletes namespaces; deleting one removes what it held', async () => {
    const api = coreApi(fake)
    await api.createNamespace({ body: { metadata: { name: 'team' } } })
    await api.createNamespacedSecret({ namespace: 'team', body: { metadata: { name: 's' } } })
    const gone = await api.deleteNamespace({ name: 'team' })
    expect(gone).toMatchObject({ kind: 'Namespace', status: { phase: 'Terminating' } })
    expect((await apiError(api.readNamespacedSecret({ name: 's', namespace: 'team' }))).code).toBe(404)
    expect((await apiError(api.deleteNamespace({ name: 'default' }))).code).toBe(403)
    const badName = await apiError(api.createNamespace({ body: { metadata: { name: 'Not_A_Label' } } }))
    expect(badName.body).toMatchObject({ code: 422, details: { causes: [{ field: 'metadata.name' }] } })
  })
})

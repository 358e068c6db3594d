import type { ParameterManagerClient } from '@google-cloud/parametermanager'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type GcpParameterManagerFake, type GcpSecretManagerFake, startFake } from '../src/index.js'
import { pmClient, statusOf, TRANSPORTS } from './gcp-helpers.js'
import { rejection } from './helpers.js'

/** Parameter Manager behaviour (v1 protos, API reference) through the official client on both transports. */
describe.each(TRANSPORTS)('Parameter Manager fake over %s', (transport) => {
  let sm: GcpSecretManagerFake
  let pm: GcpParameterManagerFake
  let client: ParameterManagerClient
  let parent: string

  beforeEach(async () => {
    sm = await startFake('gcp-secret-manager', {
      secrets: { 'db-password': 'hunter2', old: { versions: ['a', 'b'] } },
    })
    pm = await startFake('gcp-parameter-manager', { secretManager: sm })
    client = pmClient(pm, transport)
    parent = `projects/${pm.projectId}/locations/global`
  })
  afterEach(async () => {
    await client.close()
    await pm.stop()
    await sm.stop()
  })

  const param = async (id: string, format: 'JSON' | 'YAML' | 'UNFORMATTED') =>
    (await client.createParameter({ parent, parameterId: id, parameter: { format } }))[0]
  const version = async (p: string, id: string, text: string) =>
    (
      await client.createParameterVersion({
        parent: p,
        parameterVersionId: id,
        parameterVersion: { payload: { data: Buffer.from(text) } },
      })
    )[0]
  const ref = (secret: string, v = 'latest') =>
    `__REF__(//secretmanager.googleapis.com/projects/${sm.projectId}/secrets/${secret}/versions/${v})`

  it('renders secret references in JSON and YAML parameters from the linked Secret Manager', async () => {
    const json = await param('app-json', 'JSON')
    const v = await version(
      json.name!,
      'v1',
      `{"password":"${ref('db-password')}","old":"${ref('old', '1')}"}`,
    )
    const [rendered] = await client.renderParameterVersion({ name: v.name })
    expect(rendered.parameterVersion).toBe(v.name)
    expect(rendered.renderedPayload?.toString()).toBe('{"password":"hunter2","old":"a"}')
    expect(rendered.payload?.data?.toString()).toContain('__REF__(')
    const yaml = await param('app-yaml', 'YAML')
    const y = await version(yaml.name!, 'v1', `password: ${ref('db-password')}\n`)
    const [ry] = await client.renderParameterVersion({ name: y.name })
    expect(ry.renderedPayload?.toString()).toBe('password: hunter2\n')
    // Rendering happens inside the service: the Secret Manager fake saw no request.
    expect(sm.requests.total).toBe(0)
  })

  it('leaves references in UNFORMATTED parameters as they are', async () => {
    const p = await param('raw', 'UNFORMATTED')
    const text = `password=${ref('db-password')}`
    const v = await version(p.name!, 'v1', text)
    const [rendered] = await client.renderParameterVersion({ name: v.name })
    expect(rendered.renderedPayload?.toString()).toBe(text)
  })

  it('fails to render a reference to a disabled secret version or a missing secret', async () => {
    sm.seed({ old: { versions: ['a', { data: 'b', state: 'DISABLED' }] } })
    const p = await param('bad', 'JSON')
    const v = await version(p.name!, 'v1', `{"x":"${ref('old')}"}`)
    expect(statusOf(await rejection(client.renderParameterVersion({ name: v.name })))).toBe(
      'FAILED_PRECONDITION',
    )
    const w = await version(p.name!, 'v2', `{"x":"${ref('missing')}"}`)
    expect(statusOf(await rejection(client.renderParameterVersion({ name: w.name })))).toBe('NOT_FOUND')
  })

  it('validates payloads against the format, the 1 MiB limit and the 15-reference cap', async () => {
    const json = await param('j', 'JSON')
    expect(statusOf(await rejection(version(json.name!, 'v1', '{not json')))).toBe('INVALID_ARGUMENT')
    const yaml = await param('y', 'YAML')
    expect(statusOf(await rejection(version(yaml.name!, 'v1', 'a: [1, 2')))).toBe('INVALID_ARGUMENT')
    const raw = await param('r', 'UNFORMATTED')
    await version(raw.name!, 'max', 'x'.repeat(1024 * 1024))
    expect(statusOf(await rejection(version(raw.name!, 'over', 'x'.repeat(1024 * 1024 + 1))))).toBe(
      'INVALID_ARGUMENT',
    )
    const many = Array.from({ length: 16 }, () => ref('db-password')).join(' ')
    expect(statusOf(await rejection(version(raw.name!, 'refs', many)))).toBe('INVALID_ARGUMENT')
  })

  it('BASIC view omits the payload; a disabled version never returns it and cannot render', async () => {
    const p = await param('v', 'JSON')
    const v = await version(p.name!, 'v1', '{"a":1}')
    const [basic] = await client.getParameterVersion({ name: v.name, view: 'BASIC' })
    expect(basic.payload).toBeFalsy()
    const [full] = await client.getParameterVersion({ name: v.name })
    expect(full.payload?.data?.toString()).toBe('{"a":1}')
    const [updated] = await client.updateParameterVersion({
      parameterVersion: { name: v.name, disabled: true },
      updateMask: { paths: ['disabled'] },
    })
    expect(updated.disabled).toBe(true)
    const [hidden] = await client.getParameterVersion({ name: v.name, view: 'FULL' })
    expect(hidden.payload).toBeFalsy()
    expect(statusOf(await rejection(client.renderParameterVersion({ name: v.name })))).toBe(
      'FAILED_PRECONDITION',
    )
  })

  it('answers ALREADY_EXISTS, NOT_FOUND, and FAILED_PRECONDITION for deleting a parameter that has versions', async () => {
    const p = await param('d', 'UNFORMATTED')
    expect(statusOf(await rejection(param('d', 'JSON')))).toBe('ALREADY_EXISTS')
    const v = await version(p.name!, 'v1', 'x')
    expect(statusOf(await rejection(version(p.name!, 'v1', 'y')))).toBe('ALREADY_EXISTS')
    expect(statusOf(await rejection(client.getParameter({ name: `${parent}/parameters/none` })))).toBe(
      'NOT_FOUND',
    )
    expect(statusOf(await rejection(client.deleteParameter({ name: p.name })))).toBe('FAILED_PRECONDITION')
    await client.deleteParameterVersion({ name: v.name })
    await client.deleteParameter({ name: p.name })
    expect(pm.state.find('global', 'd')).toBeUndefined()
  })

  it('lists parameters with pagination and filters, and seeds', async () => {
    pm.seed({
      a: { format: 'JSON', labels: { env: 'prod' }, versions: { v1: '{}' } },
      b: { format: 'YAML' },
      c: {},
    })
    const [, , page1] = await client.listParameters({ parent, pageSize: 2 }, { autoPaginate: false })
    expect(page1?.parameters).toHaveLength(2)
    const [, , page2] = await client.listParameters(
      { parent, pageSize: 2, pageToken: page1?.nextPageToken },
      { autoPaginate: false },
    )
    expect(page2?.parameters).toHaveLength(1)
    expect(page2?.nextPageToken).toBeFalsy()
    const [prod] = await client.listParameters({ parent, filter: 'labels.env=prod' })
    expect(prod.map((p) => p.name!.split('/').pop())).toEqual(['a'])
    const [versions] = await client.listParameterVersions({ parent: `${parent}/parameters/a` })
    expect(versions.map((v) => v.name!.split('/').pop())).toEqual(['v1'])
    expect(pm.requests.count('ListParameters')).toBe(3)
  })
})

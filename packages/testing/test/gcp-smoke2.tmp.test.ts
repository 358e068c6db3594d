import { ParameterManagerClient } from '@google-cloud/parametermanager'
import { describe, expect, it } from 'vitest'
import { startFake } from '../src/index.js'

describe.each(['grpc', 'rest'] as const)('pm smoke %s', (transport) => {
  it('render', async () => {
    await using sm = await startFake('gcp-secret-manager', { secrets: { 'db-password': 'hunter2' } })
    await using pm = await startFake('gcp-parameter-manager', { secretManager: sm })
    const client = new ParameterManagerClient(pm.clientOptions(transport) as any)
    const parent = `projects/${pm.projectId}/locations/global`
    const [p] = await client.createParameter({ parent, parameterId: 'app', parameter: { format: 'JSON' } })
    console.log(p)
    const payload = `{"pw":"__REF__(//secretmanager.googleapis.com/projects/${sm.projectId}/secrets/db-password/versions/latest)"}`
    const [v] = await client.createParameterVersion({
      parent: p.name,
      parameterVersionId: 'v1',
      parameterVersion: { payload: { data: Buffer.from(payload) } },
    })
    console.log(v)
    const [r] = await client.renderParameterVersion({ name: v.name })
    expect(r.renderedPayload?.toString()).toBe('{"pw":"hunter2"}')
    const [basic] = await client.getParameterVersion({ name: v.name, view: 'BASIC' })
    expect(basic.payload).toBeNull()
    const [list] = await client.listParameters({ parent })
    expect(list.length).toBe(1)
    const e = await client.deleteParameter({ name: p.name }).catch((e) => e)
    console.log(e.code, e.message)
    await client.close()
  })
})

import { AccessDeniedError, ConfigManager, ConflictError, Secret, ValidationError } from '@polysecret/core'
import { type GcpParameterManagerFake, type GcpSecretManagerFake, startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it } from 'vitest'
import type { ParameterManagerProvider } from '../src/index.js'
import { pmFor, TRANSPORTS } from './support.js'

const open: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const stop of open.splice(0)) await stop()
})

const ref = (project: string, id: string, version = 1) =>
  `__REF__(//secretmanager.googleapis.com/projects/${project}/secrets/${id}/versions/${version})`

describe.each(TRANSPORTS)('parameterManager over %s (official client, wire fake)', (transport) => {
  async function setup(
    parameters: Parameters<GcpParameterManagerFake['seed']>[0] = {},
    settings: Parameters<typeof pmFor>[2] = {},
  ): Promise<{ sm: GcpSecretManagerFake; fake: GcpParameterManagerFake; pm: ParameterManagerProvider }> {
    const sm = await startFake('gcp-secret-manager', { secrets: { 'db-pass': 'radioactive-db-pass' } })
    const fake = await startFake('gcp-parameter-manager', { secretManager: sm, parameters })
    const pm = pmFor(fake, transport, settings)
    open.push(async () => {
      await pm.close()
      await fake.stop()
      await sm.stop()
    })
    return { sm, fake, pm }
  }

  it('renders secret references by default and marks the entry; render: false keeps the reference', async () => {
    const doc = (p: string) => JSON.stringify({ db: { host: 'db.internal', password: ref(p, 'db-pass') } })
    const { fake, pm } = await setup()
    fake.seed({ 'app-config': { format: 'JSON', versions: { v1: doc(fake.projectId) } } })
    const rendered = await pm.get('app-config')
    expect(JSON.parse(rendered?.value as string).db.password).toBe('radioactive-db-pass')
    expect(rendered?.metadata?.secretReferences).toBe('resolved')
    expect((await pm.get('app-config#db.password'))?.value).toBe('radioactive-db-pass')
    expect((await pm.get('app-config#db.host'))?.value).toBe('db.internal')
    expect(await pm.get('app-config#db.port')).toBeUndefined()

    const raw = pmFor(fake, transport, { render: false })
    open.push(() => raw.close())
    expect((await raw.get('app-config#db.password'))?.value).toContain('__REF__(')
    expect(fake.requests.count('GetParameterVersion')).toBe(1)
  })

  it('selects field paths of YAML parameters; an unformatted one cannot be selected into', async () => {
    const { pm } = await setup({
      settings: { format: 'YAML', versions: { v1: 'server:\n  port: 8080\n  tags: [a, b]\n' } },
      plain: { versions: { v1: 'radioactive plain words' } },
    })
    expect((await pm.get('settings#server.port'))?.value).toBe('8080')
    expect((await pm.get('settings#server.tags'))?.value).toBe('["a","b"]')
    const error = await pm.get('plain#x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect(String((error as Error).message)).not.toContain('radioactive')
  })

  it('reads the newest enabled version; writes v<n+1>, creating the parameter with its format', async () => {
    const { fake, pm } = await setup({
      flags: { format: 'JSON', versions: { v1: '{"a":1}', v2: { data: '{"a":2}', disabled: true } } },
    })
    expect(await pm.get('flags')).toMatchObject({ value: '{"a":1}', version: 'v1' })
    expect(await pm.get('flags', { version: 'v2' })).toBeUndefined()
    const written = await pm.set('flags', '{"a":3}')
    expect(written).toMatchObject({ version: 'v3', current: true })
    expect((await pm.get('flags'))?.value).toBe('{"a":3}')
    const json = pmFor(fake, transport, { format: 'JSON' })
    open.push(() => json.close())
    await json.set('fresh', '{"b":true}', { createOnly: true })
    expect(fake.state.find('global', 'fresh')?.format).toBe('JSON')
    await expect(json.set('fresh', '{}', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    await expect(json.set('fresh', '{}', { ifVersion: 'v7' })).rejects.toMatchObject({ currentVersion: 'v1' })
    // The fake validates JSON payloads: a malformed one is refused with a typed error naming the key.
    await expect(json.set('fresh', 'not json')).rejects.toMatchObject({
      name: 'ValidationError',
      key: 'fresh',
    })
  })

  it('versions, rollback by disabling, and delete of a parameter with versions', async () => {
    const { fake, pm } = await setup({ mode: { versions: { v1: 'one', v2: 'two', v3: 'three' } } })
    expect((await pm.versions('mode')).map((v) => [v.version, v.current, v.disabled])).toEqual([
      ['v3', true, false],
      ['v2', false, false],
      ['v1', false, false],
    ])
    await pm.rollback('mode', 'v1')
    expect((await pm.get('mode'))?.value).toBe('one')
    expect((await pm.versions('mode')).map((v) => v.disabled)).toEqual([true, true, false])
    await pm.delete('mode')
    await pm.delete('mode')
    expect(fake.state.find('global', 'mode')).toBeUndefined()
  })

  it('lists keys under the prefix; the manager reads many', async () => {
    const params: Record<string, { versions: Record<string, string> }> = {}
    for (let i = 0; i < 12; i++) params[`svc-${i}`] = { versions: { v1: `value-${i}` } }
    const { pm } = await setup(params, { prefix: 'svc-' })
    const keys: string[] = []
    for await (const info of pm.list('1')) keys.push(info.key)
    expect(keys.sort()).toEqual(['1', '10', '11'])
    const manager = new ConfigManager({ parameters: [pm], cache: false })
    open.push(() => manager.close())
    const { values } = await manager.getMany(['0', '5', 'absent'], { kind: 'parameter' })
    expect(values).toEqual({ '0': 'value-0', '5': 'value-5' })
  })

  it('a rendered value holding secrets is served as a Secret even under a parameter name; other fields stay plain', async () => {
    const { fake } = await setup()
    const doc = { conn: ref(fake.projectId, 'db-pass'), host: 'db.internal' }
    fake.seed({ 'app-config': { format: 'JSON', versions: { v1: JSON.stringify(doc) } } })
    const manager = new ConfigManager({ parameters: [pmFor(fake, transport)], cache: false })
    open.push(() => manager.close())
    // Neither "app-config" nor "conn" is a secret word, and the rendered text looks like no credential:
    // the provider's `sensitive` mark is what makes the manager wrap it.
    const whole = await manager.get('app-config')
    expect(whole).toBeInstanceOf(Secret)
    expect(String(whole)).not.toContain('radioactive')
    const conn = (await manager.get('app-config#conn')) as Secret
    expect(conn).toBeInstanceOf(Secret)
    expect(conn.reveal()).toBe('radioactive-db-pass')
    expect(await manager.get('app-config#host')).toBe('db.internal')
  })

  it('a denied project is AccessDeniedError naming the key', async () => {
    const { fake } = await setup({ p: { versions: { v1: 'x' } } })
    const other = pmFor(fake, transport, { projectId: 'someone-else' })
    open.push(() => other.close())
    await expect(other.get('p')).rejects.toMatchObject({ key: 'p' })
    await expect(other.get('p')).rejects.toBeInstanceOf(AccessDeniedError)
  })
})

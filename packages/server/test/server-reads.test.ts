import { ConfigManager, memory } from '@polysecret/core'
import { afterEach, describe, expect, it } from 'vitest'
import { key, startServer } from './support/server.js'

const managers: ConfigManager[] = []
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()))
})

function store(values: Record<string, string>, opts: { allowWrites?: boolean } = {}) {
  const secrets = memory(values, { name: 'vault-mem' })
  const manager = new ConfigManager({ secrets: [secrets], parameters: [secrets], ...opts })
  managers.push(manager)
  return manager
}

describe('server: reads over HTTP', () => {
  it('GET /v1/secrets/{key} returns the value, kind, provider and cache state; the second read is cached', async () => {
    await using s = await startServer(
      store({ DB_PASSWORD: 'pw-1', 'app/db#password': 'pw-2', LOG_LEVEL: 'debug' }),
    )
    const first = await s.call(key('DB_PASSWORD'))
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({
      key: 'DB_PASSWORD',
      value: 'pw-1',
      kind: 'secret',
      provider: 'vault-mem',
      cache: 'miss',
    })
    expect(first.headers.get('cache-control')).toBe('no-store')
    expect(first.headers.get('x-request-id')).toMatch(/.+/)
    expect((await s.call(key('DB_PASSWORD'))).body.cache).toBe('fresh')
    expect((await s.call(key('app/db#password'))).body.value).toBe('pw-2')
    expect((await s.call(key('LOG_LEVEL'))).body).toMatchObject({ value: 'debug', kind: 'parameter' })
  })

  it('a missing key is 404 NOT_FOUND with the key and request id, no value', async () => {
    await using s = await startServer(store({}))
    const res = await s.call(key('NOPE_TOKEN'), { headers: { 'x-request-id': 'req-123' } })
    expect(res.status).toBe(404)
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', key: 'NOPE_TOKEN', requestId: 'req-123' })
    const line = s.audit.lines.find((l) => l.requestId === 'req-123')
    expect(line).toMatchObject({
      operation: 'get',
      key: 'NOPE_TOKEN',
      outcome: 'error',
      errorCode: 'NOT_FOUND',
      status: 404,
    })
  })

  it('batchGet answers partial results: values for found keys, an error per missing key', async () => {
    await using s = await startServer(store({ A_TOKEN: 'a', B_URL: 'http://b' }))
    const res = await s.call('/v1/secrets:batchGet', {
      method: 'POST',
      json: { keys: ['A_TOKEN', 'B_URL', 'MISSING_KEY'] },
    })
    expect(res.status).toBe(200)
    expect(res.body.values.A_TOKEN).toMatchObject({ value: 'a', kind: 'secret', provider: 'vault-mem' })
    expect(res.body.values.B_URL.value).toBe('http://b')
    expect(res.body.errors.MISSING_KEY).toMatchObject({ code: 'NOT_FOUND', key: 'MISSING_KEY' })
    const lines = s.audit.lines.filter((l) => l.operation === 'batchGet')
    expect(lines.map((l) => [l.key, l.outcome])).toEqual([
      ['A_TOKEN', 'miss'],
      ['B_URL', 'miss'],
      ['MISSING_KEY', 'error'],
    ])
    expect(new Set(lines.map((l) => l.requestId)).size).toBe(1)
  })

  it('batchGet validates its body and caps the number of keys', async () => {
    await using s = await startServer(store({}), { limits: { maxBatchKeys: 2 } })
    expect(
      (await s.call('/v1/secrets:batchGet', { method: 'POST', json: { keys: [] } })).body.error.code,
    ).toBe('VALIDATION')
    expect((await s.call('/v1/secrets:batchGet', { method: 'POST', body: 'not json' })).status).toBe(400)
    const many = await s.call('/v1/secrets:batchGet', { method: 'POST', json: { keys: ['a', 'b', 'c'] } })
    expect(many.status).toBe(413)
    expect(many.body.error.code).toBe('TOO_MANY_KEYS')
  })

  it('GET /v1/keys lists keys under a prefix, without values', async () => {
    await using s = await startServer(store({ 'app/a': '1', 'app/b': '2', 'other/c': '3' }))
    const res = await s.call('/v1/keys?prefix=app/')
    expect(res.body.keys.map((k: { key: string }) => k.key)).toEqual(['app/a', 'app/b'])
    expect(res.text).not.toContain('"value"')
  })

  it('GET /v1/secrets/{key}/versions lists versions; PUT and DELETE exist only when writes are enabled', async () => {
    const manager = store({ API_TOKEN: 'v1' }, { allowWrites: true })
    await using ro = await startServer(manager)
    expect((await ro.call(key('API_TOKEN'), { method: 'PUT', json: { value: 'x' } })).status).toBe(404)
    await using s = await startServer(manager, { allowWrites: true })
    const put = await s.call(key('API_TOKEN'), { method: 'PUT', json: { value: 'v2' } })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ key: 'API_TOKEN', kind: 'secret' })
    expect((await s.call(key('API_TOKEN'), {})).body.value).toBe('v2')
    const versions = await s.call(`${key('API_TOKEN')}/versions`)
    expect(versions.body.versions.length).toBe(2)
    expect(versions.text).not.toContain('v2"')
    const conflict = await s.call(key('API_TOKEN'), {
      method: 'PUT',
      json: { value: 'v3', ifVersion: 'nope' },
    })
    expect(conflict.status).toBe(409)
    expect((await s.call(key('API_TOKEN'), { method: 'DELETE' })).body).toEqual({
      key: 'API_TOKEN',
      deleted: true,
    })
    expect((await s.call(key('API_TOKEN'))).status).toBe(404)
  })

  it('writes the server allows are still refused when the manager does not allow writes (403 READ_ONLY)', async () => {
    await using s = await startServer(store({ API_TOKEN: 'v1' }), { allowWrites: true })
    const res = await s.call(key('API_TOKEN'), { method: 'PUT', json: { value: 'v2' } })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('READ_ONLY')
  })

  it('an unknown route is a JSON 404 pointing at /openapi.json', async () => {
    await using s = await startServer(store({}))
    const res = await s.call('/v2/nothing')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('ROUTE_NOT_FOUND')
  })
})

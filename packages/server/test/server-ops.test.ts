import { ConfigManager, memory } from '@polysecret/core'
import { Validator } from '@seriousme/openapi-schema-validator'
import { afterEach, describe, expect, it } from 'vitest'
import pkg from '../package.json' with { type: 'json' }
import { createServer, createServerMetrics, type ServerExtension } from '../src/index.js'
import { readiness } from '../src/routes/ops.js'
import { SERVER_VERSION } from '../src/version.js'
import { key, startServer } from './support/server.js'

const managers: ConfigManager[] = []
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()))
})

/** `GET /v1/secrets/:key` → `get /v1/secrets/{key}`. */
const routesOf = (app: { routes: { method: string; path: string }[] }) =>
  [
    ...new Set(
      app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/\/:([A-Za-z]+)/g, '/{$1}')}`),
    ),
  ].sort()
const documented = (doc: { paths: Record<string, Record<string, unknown>> }) =>
  Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
    .sort()

describe('server: operations routes', () => {
  it('GET /health answers; GET /ready checks every provider with latency', async () => {
    const a = memory({}, { name: 'a' })
    const manager = new ConfigManager({ secrets: [a] })
    managers.push(manager)
    await using s = await startServer(manager)
    expect((await s.call('/health')).body.status).toBe('ok')
    const ready = await s.call('/ready')
    expect(ready.status).toBe(200)
    expect(ready.body.providers).toEqual([
      { provider: 'a', type: 'memory', ok: true, latencyMs: expect.any(Number) },
    ])
  })

  it('/ready is 503 when a provider is down, naming it', async () => {
    const down = {
      name: 'down',
      type: 'broken',
      capabilities: { list: false, write: false, delete: false, versions: false, batch: false, watch: false },
      get: async () => undefined,
      health: async () => ({ ok: false, message: 'cannot reach the store' }),
    }
    const manager = new ConfigManager({ secrets: [memory({}), down] })
    managers.push(manager)
    await using s = await startServer(manager)
    const res = await s.call('/ready')
    expect(res.status).toBe(503)
    expect(res.body.status).toBe('unavailable')
    expect(res.body.providers.find((p: { provider: string }) => p.provider === 'down')).toMatchObject({
      ok: false,
      message: 'cannot reach the store',
    })
  })

  it('flags credentials that expire within the warning window', () => {
    const now = Date.parse('2026-07-01T00:00:00Z')
    const at = (ms: number) => ({
      provider: 'v',
      type: 'vault-kv',
      ok: true,
      latencyMs: 1,
      credentialsExpireAt: new Date(now + ms),
    })
    expect(readiness(at(10 * 60_000), now, 15 * 60_000)).toMatchObject({
      credentialsExpiringSoon: true,
      credentialsExpireAt: '2026-07-01T00:10:00.000Z',
    })
    expect(readiness(at(60 * 60_000), now, 15 * 60_000).credentialsExpiringSoon).toBe(false)
    expect(
      readiness({ provider: 'm', type: 'memory', ok: true }, now, 1).credentialsExpiringSoon,
    ).toBeUndefined()
  })

  it('GET /metrics: requests by route pattern (never by key), latency histogram, cache and provider calls', async () => {
    const metrics = createServerMetrics()
    const p = memory({ DB_PASSWORD: 'pw' }, { name: 'mem' })
    const manager = new ConfigManager({ secrets: [p], parameters: [p], onAccess: metrics.accessListener })
    managers.push(manager)
    await using s = await startServer(manager, { metrics })
    await s.call(key('DB_PASSWORD'))
    await s.call(key('DB_PASSWORD'))
    await s.call(key('MISSING_TOKEN'))
    const text = (await s.call('/metrics')).text
    expect(text).toContain(
      'polysecret_http_requests_total{method="GET",route="/v1/secrets/:key",status="200"} 2',
    )
    expect(text).toContain(
      'polysecret_http_requests_total{method="GET",route="/v1/secrets/:key",status="404"} 1',
    )
    expect(text).toContain(
      'polysecret_http_request_duration_seconds_count{method="GET",route="/v1/secrets/:key"} 3',
    )
    expect(text).toContain('polysecret_cache_requests_total{result="hit"} 1')
    // Provider calls come from manager.stats(): every call the stores saw (the missing key is asked
    // of both chains the store sits in).
    const calls = manager.stats().providers.mem!.calls.get!
    expect(calls).toBeGreaterThanOrEqual(2)
    expect(text).toContain(`polysecret_provider_calls_total{provider="mem",operation="get"} ${calls}`)
    expect(text).not.toContain('DB_PASSWORD')
    expect(text).not.toContain('MISSING_TOKEN')
  })

  it('reads provider and cache figures from manager.stats()', async () => {
    const manager = new ConfigManager({ secrets: [memory({ API_TOKEN: 'x' }, { name: 'mem' })] })
    managers.push(manager)
    // Reads straight through the manager, not the server: the figures must come from stats().
    await manager.get('API_TOKEN')
    await manager.get('API_TOKEN')
    await manager.get('OTHER_TOKEN', { optional: true })
    await using s = await startServer(manager)
    const stats = manager.stats()
    const text = (await s.call('/metrics')).text
    expect(stats.providers.mem!.calls.get).toBe(2)
    expect(text).toContain(
      `polysecret_provider_calls_total{provider="mem",operation="get"} ${stats.providers.mem!.calls.get}`,
    )
    expect(text).toContain(`polysecret_cache_requests_total{result="hit"} ${stats.cache.hits}`)
    expect(text).toContain(`polysecret_cache_requests_total{result="miss"} ${stats.cache.misses}`)
    expect(stats.cache.hits).toBeGreaterThanOrEqual(1)
  })
})

describe('server: OpenAPI document', () => {
  const extension: ServerExtension = {
    name: 'echo',
    mount(app) {
      app.get('/v1/echo', (c) => c.json({ ok: true }))
    },
    openapi: {
      paths: { '/v1/echo': { get: { operationId: 'echo', responses: { '200': { description: 'ok' } } } } },
    },
  }

  for (const allowWrites of [false, true]) {
    it(`lists exactly the registered routes (writes ${allowWrites ? 'on' : 'off'}, with an extension) and is a valid OpenAPI 3.1 document`, async () => {
      const manager = new ConfigManager({ secrets: [memory({})] })
      managers.push(manager)
      await using s = await startServer(manager, { allowWrites, extensions: [extension] })
      const doc = (await s.call('/openapi.json')).body
      expect(documented(doc)).toEqual(routesOf(s.server.app))
      expect(documented(doc)).toContain('get /v1/echo')
      expect(documented(doc).includes('put /v1/secrets/{key}')).toBe(allowWrites)
      const result = await new Validator().validate(doc)
      expect(result.errors ?? []).toEqual([])
      expect(result.valid).toBe(true)
      expect(doc.info.version).toBe(pkg.version)
    })
  }

  it('the version shown is the package version', () => {
    expect(SERVER_VERSION).toBe(pkg.version)
  })

  it('extension routes are served and closed with the server', async () => {
    let closed = 0
    const manager = new ConfigManager({ secrets: [memory({})] })
    managers.push(manager)
    const server = await createServer(manager, {
      port: 0,
      audit: false,
      extensions: [{ ...extension, close: () => void closed++ }],
    })
    await server.listen()
    expect(await (await fetch(`${server.url}/v1/echo`)).json()).toEqual({ ok: true })
    await server.close()
    expect(closed).toBe(1)
  })
})

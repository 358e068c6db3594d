/**
 * The leak canary over the HTTP sidecar's output surfaces: every response body and header (errors,
 * listings, versions, writes, readiness, metrics, OpenAPI), every audit line, and stdout/stderr. The
 * canary value may appear in exactly one place: the body of a successful read of its key by a caller
 * allowed to read it.
 */
import { Writable } from 'node:stream'
import { secretsManager } from '@polysecret/aws'
import { ConfigManager, memory } from '@polysecret/core'
import { createServer, createServerMetrics, generateToken, hashToken } from '@polysecret/server'
import { startFake } from '@polysecret/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_AWS } from './support/aws.js'
import { useLeakCanary } from './support/canary.js'

const CANARY = 'canary-5e1d8b2c-SERVER-LEAK'
const WRITTEN = 'canary-written-9a7c3f10'

describe('leak canary: HTTP server', () => {
  const canary = useLeakCanary()
  const audit: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      audit.push(chunk.toString('utf8'))
      done()
    },
  })
  const reader = generateToken()
  const writer = generateToken()
  let fake: Awaited<ReturnType<typeof startFake<'aws-secrets-manager'>>>
  let manager: ConfigManager
  let server: Awaited<ReturnType<typeof createServer>>
  const seen: string[] = []
  const allowedValues: string[] = []

  const call = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers)
    if (init.token) headers.set('authorization', `Bearer ${init.token}`)
    if (init.body) headers.set('content-type', 'application/json')
    const res = await fetch(`${server.url}${path}`, { ...init, headers })
    const text = await res.text()
    return { status: res.status, text, headers: [...res.headers].join('\n') }
  }

  beforeAll(async () => {
    fake = await startFake('aws-secrets-manager', {
      secrets: { 'prod/DB_PASSWORD': CANARY, 'prod/json': JSON.stringify({ password: CANARY, user: 'app' }) },
    })
    const metrics = createServerMetrics()
    const local = memory({ LOCAL_API_TOKEN: CANARY }, { name: 'local' })
    manager = new ConfigManager({
      secrets: [
        secretsManager({ ...FAKE_AWS, endpoint: fake.endpoint, prefix: 'prod/', maxAttempts: 1 }),
        local,
      ],
      parameters: [local],
      allowWrites: true,
      retry: false,
      onAccess: metrics.accessListener,
    })
    server = await createServer(manager, {
      port: 0,
      metrics,
      allowWrites: true,
      audit: { destination: sink },
      auth: {
        tokens: [
          {
            name: 'reader',
            hash: hashToken(reader),
            grants: [{ keys: ['DB_*', 'json#*'], verbs: ['read', 'list', 'versions'] }],
          },
          {
            name: 'writer',
            hash: hashToken(writer),
            grants: [{ keys: ['**'], verbs: ['write', 'delete', 'versions', 'list'] }],
          },
        ],
      },
    })
    await server.listen()
  })
  afterAll(async () => {
    await server.close()
    await manager.close()
    await fake.stop()
  })

  it('shows the value only in the body of an allowed read', async () => {
    const ok = await call('/v1/secrets/DB_PASSWORD', { token: reader })
    expect(ok.status).toBe(200)
    expect(ok.text).toContain(CANARY)
    allowedValues.push(ok.text)
    const field = await call(`/v1/secrets/${encodeURIComponent('json#password')}`, { token: reader })
    expect(field.text).toContain(CANARY)
    allowedValues.push(field.text)
    const batch = await call('/v1/secrets:batchGet', {
      method: 'POST',
      token: reader,
      body: JSON.stringify({ keys: ['DB_PASSWORD', 'LOCAL_API_TOKEN', 'DB_MISSING'] }),
    })
    expect(batch.status).toBe(200)
    // The allowed key's value is there; the forbidden and missing keys are errors without values.
    const parsed = JSON.parse(batch.text)
    expect(parsed.values.DB_PASSWORD.value).toBe(CANARY)
    expect(JSON.stringify(parsed.errors)).not.toContain(CANARY)
    allowedValues.push(batch.text)
  })

  it('every other surface stays clean', async () => {
    const record = (r: { text: string; headers: string }) => seen.push(r.text, r.headers)
    // Denied, unauthenticated, not found, bad input.
    record(await call('/v1/secrets/LOCAL_API_TOKEN', { token: reader }))
    record(await call('/v1/secrets/DB_PASSWORD'))
    record(await call('/v1/secrets/DB_PASSWORD', { token: generateToken() }))
    record(await call('/v1/secrets/DB_NOPE', { token: reader }))
    record(
      await call('/v1/secrets:batchGet', { method: 'POST', token: reader, body: `{"keys": "${CANARY}"` }),
    )
    // The store fails with text quoting the value: the error answer must not carry it.
    // (A key never read before, so no stale copy is served: the answer is the error.)
    fake.faults.errorRate(1, {
      status: 500,
      type: 'InternalServiceError',
      message: `boom ${CANARY}`,
      operations: ['GetSecretValue'],
      times: 2,
    })
    const failed = await call(`/v1/secrets/${encodeURIComponent('json#user')}`, { token: reader })
    expect(failed.status).toBe(503)
    record(failed)
    record(
      await call('/v1/secrets:batchGet', {
        method: 'POST',
        token: reader,
        body: JSON.stringify({ keys: ['DB_NEVER_READ'] }),
      }),
    )
    fake.faults.clear()
    // Writes: the written value comes back nowhere.
    record(
      await call('/v1/secrets/DB_PASSWORD', {
        method: 'PUT',
        token: writer,
        body: JSON.stringify({ value: WRITTEN }),
      }),
    )
    record(
      await call('/v1/secrets/DB_PASSWORD', {
        method: 'PUT',
        token: writer,
        body: JSON.stringify({ value: WRITTEN, ifVersion: 'stale' }),
      }),
    )
    record(
      await call('/v1/secrets/DB_PASSWORD', {
        method: 'PUT',
        token: reader,
        body: JSON.stringify({ value: WRITTEN }),
      }),
    )
    record(await call('/v1/secrets/DB_PASSWORD/versions', { token: reader }))
    record(await call('/v1/keys', { token: writer }))
    record(await call('/v1/keys?prefix=DB', { token: reader }))
    record(await call('/ready'))
    record(await call('/health'))
    record(await call('/metrics'))
    record(await call('/openapi.json'))
    await server.audit.close().catch(() => {})
    const everything = [...seen, ...audit].join('\n')
    expect(audit.length).toBeGreaterThan(10)
    for (const text of seen) canary.see('server response', text)
    for (const line of audit) canary.see('server audit line', line)
    canary.expectNoLeak([CANARY, WRITTEN])
    const leaks = [...seen, ...audit].filter((t) => t.includes(CANARY))
    expect(leaks).toEqual([])
    expect(everything).not.toContain(CANARY)
    expect(everything).not.toContain(WRITTEN)
    expect(allowedValues.join('\n')).not.toContain(WRITTEN)
  })
})

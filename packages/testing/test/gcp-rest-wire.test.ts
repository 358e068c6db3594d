import { describe, expect, it } from 'vitest'
import { startFake } from '../src/index.js'

const AUTH = { authorization: 'Bearer fake-token' }
const get = (url: string) => fetch(url, { headers: AUTH })

/**
 * The REST surface as bytes on the wire (what google-gax's fallback and curl see): camelCase proto3 JSON,
 * enum names unless `$alt=json;enum-encoding=int`, int64 as strings, bytes as base64, and Google's error
 * body `{ error: { code, message, status } }` with the HTTP status of the canonical code.
 */
describe('GCP REST wire format', () => {
  it('answers AccessSecretVersion at /v1/{name}:access in camelCase with base64 data and a string crc32c', async () => {
    await using fake = await startFake('gcp-secret-manager', { projectNumber: '7', secrets: { s: 'hello' } })
    const res = await get(`${fake.endpoint}/v1/projects/${fake.projectId}/secrets/s/versions/latest:access`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const body = (await res.json()) as { name: string; payload: { data: string; dataCrc32c: string } }
    expect(body.name).toBe('projects/7/secrets/s/versions/1')
    expect(Buffer.from(body.payload.data, 'base64').toString()).toBe('hello')
    expect(typeof body.payload.dataCrc32c).toBe('string')
    expect(fake.requests.count('AccessSecretVersion')).toBe(1)
  })

  it('sends enums by name, or by number when asked with $alt=json;enum-encoding=int', async () => {
    await using fake = await startFake('gcp-secret-manager', { secrets: { s: 'v' } })
    const url = `${fake.endpoint}/v1/projects/${fake.projectId}/secrets/s/versions/1`
    const byName = (await (await get(url)).json()) as { state: unknown; createTime: unknown }
    expect(byName.state).toBe('ENABLED')
    expect(byName.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
    const byNumber = (await (await get(`${url}?$alt=json%3Benum-encoding=int`)).json()) as { state: unknown }
    expect(byNumber.state).toBe(1)
  })

  it('creates with POST /v1/projects/*/secrets?secretId= and the Secret as the body', async () => {
    await using fake = await startFake('gcp-secret-manager')
    const res = await fetch(`${fake.endpoint}/v1/projects/${fake.projectId}/secrets?secretId=new`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ replication: { automatic: {} }, labels: { team: 'x' } }),
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { labels: unknown }).labels).toEqual({ team: 'x' })
    expect(fake.state.find('secrets/new')?.labels).toEqual({ team: 'x' })
  })

  it("answers errors as Google's error body with the HTTP status of the canonical code", async () => {
    await using fake = await startFake('gcp-secret-manager', {
      secrets: { s: { versions: [{ data: 'x', state: 'DISABLED' }] } },
    })
    const base = `${fake.endpoint}/v1/projects/${fake.projectId}/secrets`
    const missing = await get(`${base}/none/versions/latest:access`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({
      error: { code: 404, message: expect.stringContaining('not found'), status: 'NOT_FOUND' },
    })
    const disabled = await get(`${base}/s/versions/1:access`)
    expect(disabled.status).toBe(400)
    expect(((await disabled.json()) as { error: { status: string } }).error.status).toBe(
      'FAILED_PRECONDITION',
    )
    fake.faults.throttle(1, { times: 1, retryAfterMs: 2000 })
    const throttled = await get(`${base}/s`)
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toBe('2')
    expect(((await throttled.json()) as { error: { status: string } }).error.status).toBe(
      'RESOURCE_EXHAUSTED',
    )
  })

  it('answers a request without a bearer token with 401 UNAUTHENTICATED', async () => {
    await using fake = await startFake('gcp-secret-manager', { secrets: { s: 'v' } })
    const res = await fetch(`${fake.endpoint}/v1/projects/${fake.projectId}/secrets/s/versions/1:access`)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED')
  })

  it('answers an unknown path with NOT_FOUND and counts it as "unknown"', async () => {
    await using fake = await startFake('gcp-parameter-manager')
    const res = await get(`${fake.endpoint}/v2/whatever`)
    expect(res.status).toBe(404)
    expect(fake.requests.count('unknown')).toBe(1)
  })
})

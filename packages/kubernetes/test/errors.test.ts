import { ApiException } from '@kubernetes/client-node'
import {
  AccessDeniedError,
  ConflictError,
  NotFoundError,
  PolysecretError,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { describe, expect, it } from 'vitest'
import { isGone, retryAfterMs, toPolysecretError } from '../src/errors.js'
import { objectEntries } from '../src/object-data.js'

const VALUE = 'hunter2-do-not-print'
const ctx = { key: 'db/password', provider: 'kubernetes-secrets' }

/** An ApiException as the generated client throws it: the Status body as text, headers as an object. */
function apiException(code: number, reason: string, headers: Record<string, string> = {}, details = {}) {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: `secrets "db" ${reason}: value ${VALUE}`,
    reason,
    code,
    details,
  })
  return new ApiException(code, 'Unknown API Status Code!', body, headers)
}

describe('toPolysecretError: ApiException and Status onto core errors', () => {
  it.each([
    [404, 'NotFound', NotFoundError],
    [401, 'Unauthorized', AccessDeniedError],
    [403, 'Forbidden', AccessDeniedError],
    [409, 'AlreadyExists', ConflictError],
    [409, 'Conflict', ConflictError],
    [410, 'Expired', ConflictError],
    [400, 'BadRequest', ValidationError],
    [422, 'Invalid', ValidationError],
    [429, 'TooManyRequests', ThrottledError],
    [500, 'InternalError', UnavailableError],
    [503, 'ServiceUnavailable', UnavailableError],
    [504, 'Timeout', UnavailableError],
  ] as const)('%i %s → %o, naming key and provider but never the store message', (code, reason, type) => {
    const error = toPolysecretError(apiException(code, reason), ctx)
    expect(error).toBeInstanceOf(type)
    expect(error.message).toContain('db/password')
    expect(error.message).toContain('kubernetes-secrets')
    expect(error.message).toContain(String(code))
    expect(error.message).not.toContain(VALUE)
    expect(error.cause).toBeInstanceOf(ApiException)
  })

  it('429: Retry-After header, else the Status retryAfterSeconds', () => {
    const header = toPolysecretError(apiException(429, 'TooManyRequests', { 'retry-after': '3' }), ctx)
    expect((header as ThrottledError).retryAfterMs).toBe(3000)
    const status = apiException(429, 'TooManyRequests', {}, { retryAfterSeconds: 2 })
    expect(retryAfterMs(status)).toBe(2000)
  })

  it('a watch ERROR event Status and a watch Error with statusCode are recognised', () => {
    expect(isGone({ kind: 'Status', code: 410, reason: 'Expired' })).toBe(true)
    expect(isGone(Object.assign(new Error('Gone'), { statusCode: 410 }))).toBe(true)
    const denied = toPolysecretError(Object.assign(new Error('Forbidden'), { statusCode: 403 }), ctx)
    expect(denied).toBeInstanceOf(AccessDeniedError)
  })

  it('network failures are UnavailableError; unknown failures stay PolysecretError; mapped errors pass through', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      name: 'FetchError',
      code: 'ECONNREFUSED',
      type: 'system',
    })
    expect(toPolysecretError(refused, ctx)).toBeInstanceOf(UnavailableError)
    const odd = toPolysecretError(new TypeError(`boom ${VALUE}`), ctx)
    expect(odd.constructor).toBe(PolysecretError)
    expect(odd.message).not.toContain(VALUE)
    const mapped = new NotFoundError(ctx)
    expect(toPolysecretError(mapped, ctx)).toBe(mapped)
  })
})

describe('bad payloads from the store are typed errors naming key and provider, never the value', () => {
  const keyFor = (k: string) => `db/${k}`
  it('Secret data that is not base64', () => {
    const error = (() => {
      try {
        objectEntries({ metadata: { name: 'db' }, data: { password: `${VALUE}!!` } }, 'Secret', 'k8s', keyFor)
      } catch (e) {
        return e as PolysecretError
      }
    })()
    expect(error?.code).toBe('INTEGRITY')
    expect(error?.message).toContain('db/password')
    expect(error?.message).not.toContain(VALUE)
  })
  it('data that is not a map, and a ConfigMap value that is not text', () => {
    expect(() => objectEntries({ data: [] as never }, 'Secret', 'k8s', keyFor)).toThrow(/not a map/)
    expect(() => objectEntries({ data: { a: 1 as never } }, 'ConfigMap', 'k8s', keyFor)).toThrow(/not text/)
  })
  it('an object over 1 MiB', () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 'a').toString('base64')
    expect(() => objectEntries({ data: { a: big } }, 'Secret', 'k8s', keyFor)).toThrow(/1 MiB/)
  })
})

import {
  AccessDeniedError,
  ConflictError,
  IntegrityError,
  NotFoundError,
  PolysecretError,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { GoogleError } from 'google-gax'
import { describe, expect, it } from 'vitest'
import { GrpcStatus, grpcStatusName, toPolysecretError } from '../src/index.js'

type ErrorClass = abstract new (...args: never[]) => PolysecretError

/** A gRPC-transport error as google-gax builds it: a GoogleError whose `code` is the status number. */
function grpcError(code: number, message = `${code} status: STORE-TEXT-MARKER`): GoogleError {
  const error = new GoogleError(message)
  error.code = code
  return error
}

/** A REST error the way google-gax parses a JSON error body (`GoogleError.parseHttpError`). */
function restParsed(code: number, status: string): GoogleError {
  return GoogleError.parseHttpError({ error: { code, message: 'STORE-TEXT-MARKER', status } })
}

/** A REST error as gaxios throws it for a non-2xx: HTTP status as `code`, the JSON body as the message. */
function gaxiosShaped(http: number, status: string): Error {
  const body = JSON.stringify({ error: { code: http, message: 'STORE-TEXT-MARKER', status } })
  return Object.assign(new Error(body), { code: http, status: http, response: { status: http } })
}

const CASES: [string, number, number, ErrorClass][] = [
  ['NOT_FOUND', GrpcStatus.NOT_FOUND, 404, NotFoundError],
  ['ALREADY_EXISTS', GrpcStatus.ALREADY_EXISTS, 409, ConflictError],
  ['PERMISSION_DENIED', GrpcStatus.PERMISSION_DENIED, 403, AccessDeniedError],
  ['UNAUTHENTICATED', GrpcStatus.UNAUTHENTICATED, 401, AccessDeniedError],
  ['RESOURCE_EXHAUSTED', GrpcStatus.RESOURCE_EXHAUSTED, 429, ThrottledError],
  ['FAILED_PRECONDITION', GrpcStatus.FAILED_PRECONDITION, 400, ConflictError],
  ['ABORTED', GrpcStatus.ABORTED, 409, ConflictError],
  ['UNAVAILABLE', GrpcStatus.UNAVAILABLE, 503, UnavailableError],
  ['DEADLINE_EXCEEDED', GrpcStatus.DEADLINE_EXCEEDED, 504, UnavailableError],
  ['INTERNAL', GrpcStatus.INTERNAL, 500, UnavailableError],
  ['INVALID_ARGUMENT', GrpcStatus.INVALID_ARGUMENT, 400, ValidationError],
  ['UNIMPLEMENTED', GrpcStatus.UNIMPLEMENTED, 501, ValidationError],
  ['DATA_LOSS', GrpcStatus.DATA_LOSS, 500, IntegrityError],
]

describe('toPolysecretError maps Google errors by status, over gRPC and REST', () => {
  it.each(CASES)('%s', (status, code, http, Class) => {
    const ctx = { key: 'DB_PASSWORD', provider: 'gcp-sm' }
    for (const error of [grpcError(code), restParsed(http, status), gaxiosShaped(http, status)]) {
      expect(grpcStatusName(error)).toBe(status)
      const mapped = toPolysecretError(error, ctx)
      expect(mapped).toBeInstanceOf(Class)
      expect(mapped.key).toBe('DB_PASSWORD')
      expect(mapped.provider).toBe('gcp-sm')
      expect(mapped.cause).toBeDefined()
      // The store's text never becomes the polysecret message.
      expect(mapped.message).not.toContain('STORE-TEXT-MARKER')
      expect(mapped.message).toContain('DB_PASSWORD')
    }
  })

  it('maps a bare HTTP status when the REST body has no status string', () => {
    expect(
      toPolysecretError(Object.assign(new Error('<html>'), { code: 404 }), { provider: 'p' }),
    ).toBeInstanceOf(NotFoundError)
    expect(
      toPolysecretError(Object.assign(new Error('bad gateway'), { code: 502 }), { provider: 'p' }),
    ).toBeInstanceOf(UnavailableError)
  })

  it('honours RetryInfo on RESOURCE_EXHAUSTED', () => {
    const error = grpcError(GrpcStatus.RESOURCE_EXHAUSTED)
    error.statusDetails = [{ retryDelay: { seconds: 2, nanos: 500_000_000 } }] as never
    const mapped = toPolysecretError(error, { provider: 'p' }) as ThrottledError
    expect(mapped).toBeInstanceOf(ThrottledError)
    expect(mapped.retryAfterMs).toBe(2500)
  })

  it('maps network failures and missing credentials', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    expect(toPolysecretError(refused, { provider: 'p' })).toBeInstanceOf(UnavailableError)
    const noAdc = new Error('Could not load the default credentials. Browse to https://cloud.google.com/…')
    expect(toPolysecretError(noAdc, { provider: 'p' })).toBeInstanceOf(AccessDeniedError)
    const odd = new TypeError('something else')
    const mapped = toPolysecretError(odd, { provider: 'p' })
    expect(mapped.constructor).toBe(PolysecretError)
  })

  it('passes polysecret errors through unchanged', () => {
    const own = new NotFoundError({ key: 'K', provider: 'p' })
    expect(toPolysecretError(own, { provider: 'other' })).toBe(own)
  })
})

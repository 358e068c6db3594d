import {
  AccessDeniedError,
  ConflictError,
  NotFoundError,
  PolysecretError,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { toPolysecretError } from '../src/index.js'
import {
  type SecretsManagerFake,
  type SsmFake,
  smFor,
  ssmFor,
  startSecretsManager,
  startSsm,
} from './support.js'

type ErrorClass = abstract new (...args: never[]) => PolysecretError

/** Injected wire errors and the class each must become, for both services. */
const INJECTED: [string, { status: number; type?: string }, ErrorClass][] = [
  ['AccessDeniedException', { status: 400, type: 'AccessDeniedException' }, AccessDeniedError],
  ['UnrecognizedClientException', { status: 400, type: 'UnrecognizedClientException' }, AccessDeniedError],
  ['ExpiredTokenException', { status: 400, type: 'ExpiredTokenException' }, AccessDeniedError],
  ['untyped 403', { status: 403, type: 'SomethingForbidden' }, AccessDeniedError],
  ['429', { status: 429, type: 'TooManyRequestsException' }, ThrottledError],
  ['500', { status: 500 }, UnavailableError],
  ['502 untyped', { status: 502, type: 'BadGateway' }, UnavailableError],
  ['ValidationException', { status: 400, type: 'ValidationException' }, ValidationError],
  ['InvalidParameterException', { status: 400, type: 'InvalidParameterException' }, ValidationError],
]

describe.each([
  ['aws-secrets-manager', 'GetSecretValue', 'DecryptionFailure'],
  ['aws-ssm', 'GetParameter', 'TooManyUpdates'],
] as const)('error mapping under faults: %s', (service, operation, special) => {
  let fake: SecretsManagerFake | SsmFake
  const provider = (options: Record<string, unknown> = {}) =>
    service === 'aws-ssm' ? ssmFor(fake, { prefix: '/app/', ...options }) : smFor(fake, options)

  beforeAll(async () => {
    fake = service === 'aws-ssm' ? await startSsm() : await startSecretsManager()
  })
  afterAll(async () => {
    await fake.stop()
  })
  beforeEach(async () => {
    fake.faults.clear()
    await fake.faults.up()
    fake.requests.reset()
  })

  it('throttle → ThrottledError with key, provider and the SDK error as cause', async () => {
    fake.faults.throttle(1)
    const error = (await provider()
      .get('KEY')
      .catch((e: unknown) => e)) as ThrottledError
    expect(error).toBeInstanceOf(ThrottledError)
    expect(error.retryable).toBe(true)
    expect(error.key).toBe('KEY')
    expect(error.provider).toBe(service)
    expect((error.cause as Error).name).toBe('ThrottlingException')
    expect(fake.requests.count(operation)).toBe(1)
  })

  it('the SDK makes maxAttempts attempts (default 2) before the error reaches the manager', async () => {
    fake.faults.errorRate(1, { status: 500 })
    const p =
      service === 'aws-ssm'
        ? ssmFor(fake, { maxAttempts: undefined })
        : smFor(fake, { maxAttempts: undefined })
    await expect(p.get('KEY')).rejects.toBeInstanceOf(UnavailableError)
    expect(fake.requests.count(operation)).toBe(2)
  })

  it.each(INJECTED)('%s → mapped class', async (_name, error, expected) => {
    fake.faults.errorRate(1, error)
    await expect(provider().get('KEY')).rejects.toBeInstanceOf(expected)
  })

  it(`${special} → its mapped class`, async () => {
    fake.faults.errorRate(1, { status: 400, type: special })
    const expected = special === 'DecryptionFailure' ? AccessDeniedError : ThrottledError
    await expect(provider().get('KEY')).rejects.toBeInstanceOf(expected)
  })

  it('503 (down: unavailable), connection refused and connection reset → UnavailableError', async () => {
    await fake.faults.down('unavailable')
    await expect(provider().get('KEY')).rejects.toBeInstanceOf(UnavailableError)
    await fake.faults.up()
    await fake.faults.down('refuse')
    const refused = (await provider()
      .get('KEY')
      .catch((e: unknown) => e)) as UnavailableError
    expect(refused).toBeInstanceOf(UnavailableError)
    await fake.faults.up()
    fake.faults.reset(1)
    await expect(provider().get('KEY')).rejects.toBeInstanceOf(UnavailableError)
  })

  it('a hung request → UnavailableError via requestTimeoutMs or the caller’s signal', async () => {
    fake.faults.hang(1)
    await expect(provider({ requestTimeoutMs: 150 }).get('KEY')).rejects.toBeInstanceOf(UnavailableError)
    await expect(provider().get('KEY', { signal: AbortSignal.timeout(150) })).rejects.toBeInstanceOf(
      UnavailableError,
    )
  })

  it('getMany and list map errors too', async () => {
    fake.faults.throttle(1)
    const p = provider()
    await expect(p.getMany(['A', 'B'])).rejects.toBeInstanceOf(ThrottledError)
    const iterate = async () => {
      for await (const _ of p.list()) void _
    }
    await expect(iterate()).rejects.toBeInstanceOf(ThrottledError)
  })
})

describe('toPolysecretError', () => {
  const ctx = { key: 'K', provider: 'p' }
  const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(name), { name, ...extra })

  it('reads Retry-After (seconds or HTTP date) into retryAfterMs', () => {
    const seconds = toPolysecretError(
      sdkError('ThrottlingException', { $response: { statusCode: 400, headers: { 'retry-after': '3' } } }),
      ctx,
    ) as ThrottledError
    expect(seconds).toBeInstanceOf(ThrottledError)
    expect(seconds.retryAfterMs).toBe(3000)
    const date = new Date(Date.now() + 10_000).toUTCString()
    const dated = toPolysecretError(
      sdkError('ServiceUnavailable', {
        $metadata: { httpStatusCode: 503 },
        $response: { headers: { 'retry-after': date } },
      }),
      ctx,
    ) as UnavailableError
    expect(dated).toBeInstanceOf(UnavailableError)
    expect(dated.retryAfterMs).toBeGreaterThan(5000)
  })

  it('maps by name, node error code, $retryable and status', () => {
    expect(toPolysecretError(sdkError('Whatever', { $retryable: { throttling: true } }), ctx)).toBeInstanceOf(
      ThrottledError,
    )
    expect(
      toPolysecretError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), ctx),
    ).toBeInstanceOf(UnavailableError)
    expect(toPolysecretError(new Error('socket hang up'), ctx)).toBeInstanceOf(UnavailableError)
    expect(toPolysecretError(sdkError('TimeoutError'), ctx)).toBeInstanceOf(UnavailableError)
    expect(toPolysecretError(sdkError('ResourceExistsException'), ctx)).toBeInstanceOf(ConflictError)
    expect(toPolysecretError(sdkError('ParameterAlreadyExists'), ctx)).toBeInstanceOf(ConflictError)
    expect(toPolysecretError(sdkError('PreconditionNotMetException'), ctx)).toBeInstanceOf(ConflictError)
    expect(toPolysecretError(sdkError('ResourceNotFoundException'), ctx)).toBeInstanceOf(NotFoundError)
    expect(toPolysecretError(sdkError('CredentialsProviderError'), ctx)).toBeInstanceOf(AccessDeniedError)
    expect(toPolysecretError(sdkError('InvalidRequestException'), ctx)).toBeInstanceOf(ValidationError)
    expect(toPolysecretError(new Error('Region is missing'), ctx)).toBeInstanceOf(ValidationError)
    const unknown = toPolysecretError(new TypeError('boom'), ctx)
    expect(unknown).toBeInstanceOf(PolysecretError)
    expect(unknown.cause).toBeInstanceOf(TypeError)
  })

  it('keeps key and provider, and passes polysecret errors through', () => {
    const mapped = toPolysecretError(sdkError('AccessDeniedException'), ctx)
    expect(mapped).toMatchObject({ key: 'K', provider: 'p' })
    expect(mapped.message).toContain('AccessDeniedException')
    expect(toPolysecretError(mapped, ctx)).toBe(mapped)
  })
})

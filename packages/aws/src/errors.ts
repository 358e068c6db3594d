import {
  AccessDeniedError,
  ConflictError,
  isUndecodableAnswer,
  NETWORK_ERROR_CODES,
  NotFoundError,
  PolysecretError,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'

/** Where a failed AWS call happened: the key (never the value) and the provider instance name. */
export interface AwsErrorContext {
  /** The key being read or written. */
  readonly key?: string | undefined
  /** The provider instance name. */
  readonly provider: string
}

/** The fields of an AWS SDK v3 error (or a Node network error) that the mapping reads. */
interface AwsLikeError {
  name?: string
  code?: string
  message?: string
  $fault?: 'client' | 'server'
  $retryable?: { throttling?: boolean }
  $metadata?: { httpStatusCode?: number }
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> }
}

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'UnrecognizedClient',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'ExpiredToken',
  'ExpiredTokenException',
  'NotAuthorized',
  'CredentialsProviderError',
  // KMS refused to decrypt (key policy, disabled key) — an access problem, not a missing value.
  'DecryptionFailure',
  'EncryptionFailure',
  'KMSAccessDeniedException',
  'KMSDisabledException',
])

const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'TooManyRequests',
  'RequestLimitExceeded',
  // SSM: concurrent writes to one parameter. Backing off and retrying is the documented remedy.
  'TooManyUpdates',
])

const UNAVAILABLE = new Set([
  'InternalServiceError',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
])

const NETWORK_CODES = NETWORK_ERROR_CODES

const CONFLICT = new Set(['ResourceExistsException', 'ParameterAlreadyExists', 'PreconditionNotMetException'])

const NOT_FOUND = new Set(['ResourceNotFoundException', 'ParameterNotFound', 'ParameterVersionNotFound'])

const VALIDATION = new Set([
  'ValidationException',
  'InvalidParameterException',
  'InvalidRequestException',
  'InvalidParameters',
  'InvalidNextTokenException',
  'InvalidNextToken',
  'InvalidKeyId',
  'InvalidAllowedPatternException',
  'ParameterPatternMismatchException',
  'HierarchyLevelLimitExceededException',
  'HierarchyTypeMismatchException',
  'UnsupportedParameterType',
  'ParameterLimitExceeded',
  'ParameterMaxVersionLimitExceeded',
  'ParameterVersionLabelLimitExceeded',
  'LimitExceededException',
  'MalformedPolicyDocumentException',
  'SerializationException',
])

/** Names AWS (or a proxy in front of it) uses when an operation does not exist on the endpoint. */
const UNKNOWN_OPERATION = new Set(['UnknownOperationException', 'UnrecognizedOperation', 'InvalidAction'])

/** The AWS error name (`ResourceNotFoundException`, …) or Node error code of a thrown value. */
export function awsErrorName(error: unknown): string {
  const e = error as AwsLikeError | undefined
  return e?.name && e.name !== 'Error' ? e.name : (e?.code ?? e?.name ?? '')
}

/** Whether the SDK says the key (secret, parameter or version) does not exist. */
export function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has(awsErrorName(error))
}

/** Whether the endpoint does not know the operation at all (old region, proxy, emulator). */
export function isUnknownOperation(error: unknown): boolean {
  const e = error as AwsLikeError
  return UNKNOWN_OPERATION.has(awsErrorName(error)) || e?.$metadata?.httpStatusCode === 404
}

/**
 * The wait a throttled answer asked for, in milliseconds: AWS's `x-amz-retry-after` (milliseconds), or
 * HTTP's `Retry-After` (seconds, or an HTTP date) — the two headers the SDK's own retry honours.
 */
function retryAfterMs(error: AwsLikeError): number | undefined {
  const headers = error.$response?.headers ?? {}
  const header = (name: string) => {
    const found = Object.keys(headers).find((h) => h.toLowerCase() === name)
    return found === undefined ? undefined : headers[found]
  }
  const amz = Number(header('x-amz-retry-after') ?? Number.NaN)
  if (Number.isFinite(amz) && amz >= 0) return Math.round(amz)
  const raw = header('retry-after')
  if (raw === undefined) return undefined
  const seconds = Number(raw)
  if (raw.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
  const at = Date.parse(raw)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

/**
 * Maps an error thrown by the AWS SDK (or the network under it) onto polysecret's error classes, keeping
 * the original as a scrubbed `cause`. Already-mapped polysecret errors pass through unchanged.
 *
 * Reads, in order: the error's `name` (the AWS error code), the Node error `code` for network failures,
 * the SDK's `$retryable.throttling` flag, and finally the HTTP status (`429`, `5xx`, `401/403`, `4xx`).
 * The table is on the providers' docs pages.
 *
 * @example
 * ```ts
 * import { toPolysecretError } from '@polysecret/aws'
 *
 * try {
 *   await client.send(command)
 * } catch (error) {
 *   throw toPolysecretError(error, { key: 'DB_PASS', provider: 'aws-secrets-manager' })
 * }
 * ```
 */
export function toPolysecretError(error: unknown, context: AwsErrorContext): PolysecretError {
  if (error instanceof PolysecretError) return error
  const e = (error ?? {}) as AwsLikeError
  const name = awsErrorName(error)
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode
  const ctx = { key: context.key, provider: context.provider, cause: error }
  const what = name ? `AWS ${name}` : 'AWS request failed'

  if (ACCESS_DENIED.has(name) || (name.startsWith('KMS') && name.includes('Access'))) {
    return new AccessDeniedError({ ...ctx, message: `Access denied (${what})${where(context)}.` })
  }
  if (THROTTLED.has(name) || e.$retryable?.throttling || status === 429) {
    return new ThrottledError({
      ...ctx,
      retryAfterMs: retryAfterMs(e),
      message: `Throttled (${what})${where(context)}.`,
    })
  }
  if (NOT_FOUND.has(name)) {
    return new NotFoundError({ ...ctx, message: `Not found (${what})${where(context)}.` })
  }
  if (CONFLICT.has(name)) {
    return new ConflictError({ ...ctx, message: `Conflict (${what})${where(context)}.` })
  }
  if (VALIDATION.has(name) || UNKNOWN_OPERATION.has(name) || name.startsWith('Invalid')) {
    return new ValidationError(`The request was rejected as invalid (${what})${where(context)}.`, {
      ...ctx,
      hint: 'Check the key name, value size and provider options; see the cause for the store’s reason.',
    })
  }
  if (
    UNAVAILABLE.has(name) ||
    NETWORK_CODES.has(e.code ?? '') ||
    isUndecodableAnswer(error) ||
    NETWORK_CODES.has(name) ||
    /socket hang up|ECONNRESET|ECONNREFUSED|timed? ?out/i.test(e.message ?? '') ||
    e.$fault === 'server' ||
    (status !== undefined && status >= 500)
  ) {
    return new UnavailableError({
      ...ctx,
      retryAfterMs: retryAfterMs(e),
      message: `Store unavailable (${what})${where(context)}.`,
    })
  }
  if (status === 401 || status === 403) {
    return new AccessDeniedError({ ...ctx, message: `Access denied (${what})${where(context)}.` })
  }
  if (/region is missing/i.test(e.message ?? '')) {
    return new ValidationError(`No AWS region configured${where(context)}.`, {
      ...ctx,
      hint: 'Pass region to the provider or set AWS_REGION.',
    })
  }
  if (status !== undefined && status >= 400) {
    return new ValidationError(`The request was rejected (${what}, HTTP ${status})${where(context)}.`, ctx)
  }
  return new PolysecretError(`Unexpected failure (${what})${where(context)}.`, ctx)
}

function where(context: AwsErrorContext): string {
  const key = context.key !== undefined ? `key "${context.key}", ` : ''
  return ` (${key}provider "${context.provider}")`
}

/** An SDK-shaped error for a per-item failure inside a batch response (which carries only code and message). */
export function batchItemError(code: string | undefined, message: string | undefined): Error {
  const error = new Error(message ?? code ?? 'Batch item failed')
  error.name = code ?? 'Error'
  return error
}

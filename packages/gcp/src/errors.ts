import {
  AccessDeniedError,
  ConflictError,
  IntegrityError,
  isUndecodableAnswer,
  NETWORK_ERROR_CODES,
  NotFoundError,
  PolysecretError,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'

/** Where a failed Google Cloud call happened: the key (never the value) and the provider instance name. */
export interface GcpErrorContext {
  /** The key being read or written. */
  readonly key?: string | undefined
  /** The provider instance name. */
  readonly provider: string
}

/** gRPC status codes (google.rpc.Code), the `code` of a google-gax `GoogleError`. */
export const GrpcStatus = Object.freeze({
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const)

type StatusName = keyof typeof GrpcStatus
const NAMES = new Map<number, StatusName>(
  Object.entries(GrpcStatus).map(([name, code]) => [code, name as StatusName]),
)

/** HTTP statuses as Google's REST surface (and `rpcCodeFromHttpStatusCode` in google-gax) maps them. */
const FROM_HTTP: Readonly<Record<number, StatusName>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  416: 'OUT_OF_RANGE',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}

const NETWORK_CODES = NETWORK_ERROR_CODES

/** The fields of a google-gax `GoogleError`, a grpc-js status error or a gaxios error that the mapping reads. */
interface GoogleLikeError {
  name?: string
  code?: number | string
  status?: number | string
  message?: string
  response?: { status?: number }
  statusDetails?: unknown[]
}

/**
 * The gRPC status name of a thrown value (`'NOT_FOUND'`, …), whichever form it came in: a gRPC status
 * number as `code` (gRPC transport, and REST errors google-gax parsed), an HTTP status as `code` or
 * `status` (REST errors in some client versions, gaxios errors), or the status string as `status`
 * (the REST error body's `error.status`). `undefined` for anything else (a network error, a bug).
 */
export function grpcStatusName(error: unknown): StatusName | undefined {
  const e = (error ?? {}) as GoogleLikeError
  if (typeof e.status === 'string' && Object.hasOwn(GrpcStatus, e.status)) return e.status as StatusName
  const http = [e.code, e.status, e.response?.status].find((c) => typeof c === 'number' && c >= 100)
  // REST over gaxios: the HTTP status is ambiguous (400 is INVALID_ARGUMENT, FAILED_PRECONDITION and
  // OUT_OF_RANGE alike), so the body's `error.status` string decides when there is one.
  if (http !== undefined) return restBodyStatus(e) ?? fromHttp(http as number)
  if (typeof e.code === 'number' && Number.isInteger(e.code)) return NAMES.get(e.code)
  return undefined
}

function fromHttp(status: number): StatusName {
  return FROM_HTTP[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT')
}

/**
 * The `error.status` string of a Google REST error body (`{ "error": { "code": 404, "status":
 * "NOT_FOUND", … } }`), from the parsed response data or from the message, which gaxios sets to the
 * body text. Only the status name is read; the message text is never copied anywhere.
 */
function restBodyStatus(e: GoogleLikeError): StatusName | undefined {
  const fromObject = (body: unknown) => {
    const status = (body as { error?: { status?: unknown } } | null)?.error?.status
    return typeof status === 'string' && Object.hasOwn(GrpcStatus, status)
      ? (status as StatusName)
      : undefined
  }
  const data = (e.response as { data?: unknown } | undefined)?.data
  const found = typeof data === 'object' ? fromObject(data) : undefined
  if (found !== undefined) return found
  const text = typeof data === 'string' ? data : e.message
  if (typeof text !== 'string' || !text.trimStart().startsWith('{')) return undefined
  try {
    return fromObject(JSON.parse(text))
  } catch {
    return undefined
  }
}

/** Whether the store says the secret, parameter or version does not exist. */
export function isNotFound(error: unknown): boolean {
  return grpcStatusName(error) === 'NOT_FOUND'
}

/** Whether the store says the resource already exists (a duplicate create). */
export function isAlreadyExists(error: unknown): boolean {
  return grpcStatusName(error) === 'ALREADY_EXISTS'
}

/** Whether the store refused the call for the resource's state (a disabled version, an etag mismatch). */
export function isFailedPrecondition(error: unknown): boolean {
  return grpcStatusName(error) === 'FAILED_PRECONDITION'
}

/**
 * The wait a `RESOURCE_EXHAUSTED` answer asked for, in ms: google.rpc.RetryInfo's `retryDelay` (gRPC
 * status details), else the HTTP `Retry-After` header (seconds or a date) of a REST answer.
 */
function retryAfterMs(error: GoogleLikeError): number | undefined {
  for (const detail of error.statusDetails ?? []) {
    const delay = (detail as { retryDelay?: { seconds?: unknown; nanos?: unknown } } | null)?.retryDelay
    if (delay === undefined) continue
    const ms = Number(String(delay.seconds ?? 0)) * 1000 + Number(delay.nanos ?? 0) / 1e6
    if (Number.isFinite(ms) && ms >= 0) return Math.round(ms)
  }
  const headers = (error.response as { headers?: unknown } | undefined)?.headers
  const raw =
    headers && typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get(name: string): string | null }).get('retry-after')
      : headerOf(headers as Record<string, unknown> | undefined, 'retry-after')
  if (typeof raw !== 'string' || raw.trim() === '') return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
  const at = Date.parse(raw)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

function headerOf(headers: Record<string, unknown> | undefined, name: string): unknown {
  if (!headers || typeof headers !== 'object') return undefined
  const found = Object.keys(headers).find((h) => h.toLowerCase() === name)
  return found === undefined ? undefined : headers[found]
}

/**
 * Maps an error thrown by a Google Cloud client (over gRPC or REST), by its auth library or by the
 * network under it onto polysecret's error classes, keeping the original as `cause` (which core
 * scrubs or seals: the store's message never reaches the polysecret error's message). Already-mapped
 * polysecret errors pass through unchanged.
 *
 * | status (gRPC / HTTP)                        | error                |
 * | ------------------------------------------- | -------------------- |
 * | 5 NOT_FOUND / 404                           | `NotFoundError`      |
 * | 7 PERMISSION_DENIED, 16 UNAUTHENTICATED / 403, 401 | `AccessDeniedError` |
 * | 8 RESOURCE_EXHAUSTED / 429                  | `ThrottledError` (RetryInfo honoured) |
 * | 6 ALREADY_EXISTS, 9 FAILED_PRECONDITION, 10 ABORTED / 409, 412 | `ConflictError` |
 * | 3 INVALID_ARGUMENT, 11 OUT_OF_RANGE, 12 UNIMPLEMENTED / 400, 416, 501 | `ValidationError` |
 * | 15 DATA_LOSS                                | `IntegrityError`     |
 * | 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED, 13 INTERNAL, 2 UNKNOWN, 1 CANCELLED / 5xx, network errors | `UnavailableError` |
 *
 * @example
 * ```ts
 * import { toPolysecretError } from '@polysecret/gcp'
 *
 * try {
 *   await client.accessSecretVersion({ name })
 * } catch (error) {
 *   throw toPolysecretError(error, { key: 'DB_PASSWORD', provider: 'gcp-secret-manager' })
 * }
 * ```
 */
export function toPolysecretError(error: unknown, context: GcpErrorContext): PolysecretError {
  if (error instanceof PolysecretError) return error
  const e = (error ?? {}) as GoogleLikeError
  const status = grpcStatusName(error)
  const ctx = { key: context.key, provider: context.provider, cause: error }
  const what = status ? `Google Cloud ${status}` : 'Google Cloud request failed'
  const at = where(context)
  switch (status) {
    case 'NOT_FOUND':
      return new NotFoundError({ ...ctx, message: `Not found (${what})${at}.` })
    case 'PERMISSION_DENIED':
    case 'UNAUTHENTICATED':
      return new AccessDeniedError({
        ...ctx,
        message: `Access denied (${what})${at}.`,
        hint:
          status === 'UNAUTHENTICATED'
            ? 'No valid credentials: check Application Default Credentials (gcloud auth application-default login, workload identity).'
            : 'Grant the caller the IAM role this operation needs (see the provider docs page).',
      })
    case 'RESOURCE_EXHAUSTED':
      return new ThrottledError({
        ...ctx,
        retryAfterMs: retryAfterMs(e),
        message: `Throttled (${what})${at}.`,
      })
    case 'ALREADY_EXISTS':
    case 'FAILED_PRECONDITION':
    case 'ABORTED':
      return new ConflictError({ ...ctx, message: `Conflict (${what})${at}.` })
    case 'INVALID_ARGUMENT':
    case 'OUT_OF_RANGE':
    case 'UNIMPLEMENTED':
      return new ValidationError(`The request was rejected as invalid (${what})${at}.`, {
        ...ctx,
        hint: 'Check the key name, value size and provider options (projectId, location).',
      })
    case 'DATA_LOSS':
      return new IntegrityError({
        ...ctx,
        message: `The store reported data loss (${what})${at}.`,
        hint: 'The stored data is unrecoverable or corrupted; restore the value from its source.',
      })
    case undefined:
      break
    default:
      return new UnavailableError({ ...ctx, message: `Store unavailable (${what})${at}.` })
  }
  const code = typeof e.code === 'string' ? e.code : ''
  if (
    NETWORK_CODES.has(code) ||
    isUndecodableAnswer(error) ||
    e.name === 'AbortError' ||
    /ECONNRESET|ECONNREFUSED|socket hang up/i.test(e.message ?? '')
  ) {
    return new UnavailableError({
      ...ctx,
      message: `Store unavailable (${code || e.name || 'network error'})${at}.`,
    })
  }
  if (/Could not load the default credentials|Could not refresh access token/i.test(e.message ?? '')) {
    return new AccessDeniedError({
      ...ctx,
      message: `No Google Cloud credentials${at}.`,
      hint: 'Set up Application Default Credentials (workload identity, GOOGLE_APPLICATION_CREDENTIALS, or gcloud auth application-default login).',
    })
  }
  return new PolysecretError(`Unexpected failure (${what})${at}.`, ctx)
}

function where(context: GcpErrorContext): string {
  const key = context.key !== undefined ? `key "${context.key}", ` : ''
  return ` (${key}provider "${context.provider}")`
}

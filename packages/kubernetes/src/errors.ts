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

/** Where a failed Kubernetes call happened: the key (never the value) and the provider instance name. */
export interface KubernetesErrorContext {
  /** The key being read or written. */
  readonly key?: string | undefined
  /** The provider instance name. */
  readonly provider: string
}

/** The fields of a `Status` object (the API server's error body) that the mapping reads. */
export interface KubernetesStatus {
  readonly code?: number
  /** `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired`, `Gone`, `TooManyRequests`, … */
  readonly reason?: string
  readonly details?: { readonly retryAfterSeconds?: number }
}

/** What the client's `ApiException`, a watch's `Error` with `statusCode`, or node-fetch's errors carry. */
interface ClientError {
  name?: string
  code?: number | string
  statusCode?: number
  type?: string
  message?: string
  body?: unknown
  headers?: Record<string, string | string[] | undefined>
}

// A cluster CA the client cannot verify reads as the API server being unreachable (kubectl: "Unable to connect").
const NETWORK_CODES = new Set([
  ...NETWORK_ERROR_CODES,
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
])

/**
 * The HTTP status of a failed call: `ApiException.code` (a number), a watch error's `statusCode`, or
 * a Status object's `code`. `undefined` for network failures and anything else.
 */
export function httpStatusOf(error: unknown): number | undefined {
  const e = (error ?? {}) as ClientError
  if (typeof e.code === 'number' && e.code >= 100) return e.code
  if (typeof e.statusCode === 'number' && e.statusCode >= 100) return e.statusCode
  return statusBody(error)?.code
}

/**
 * The `Status` body of an `ApiException` (the client keeps the body as text), or a Status given
 * directly (a watch ERROR event's object). Only `code`, `reason` and `details.retryAfterSeconds` are
 * read; the `message`, which may quote what was sent, is never copied into our errors.
 */
export function statusBody(error: unknown): KubernetesStatus | undefined {
  const e = (error ?? {}) as ClientError & { kind?: unknown }
  if (e.kind === 'Status') return error as KubernetesStatus
  let body = e.body
  if (typeof body === 'string' && body.trimStart().startsWith('{')) {
    try {
      body = JSON.parse(body)
    } catch {
      return undefined
    }
  }
  if (body === null || typeof body !== 'object') return undefined
  const s = body as { kind?: unknown; code?: unknown; reason?: unknown; details?: unknown }
  if (s.kind !== 'Status') return undefined
  const details = s.details as { retryAfterSeconds?: unknown } | undefined
  return {
    ...(typeof s.code === 'number' && { code: s.code }),
    ...(typeof s.reason === 'string' && { reason: s.reason }),
    ...(typeof details?.retryAfterSeconds === 'number' && {
      details: { retryAfterSeconds: details.retryAfterSeconds },
    }),
  }
}

/** Whether the API server says the object does not exist. */
export function isNotFound(error: unknown): boolean {
  return httpStatusOf(error) === 404
}

/** Whether the API server refused a create (409 AlreadyExists) or a stale replace (409 Conflict). */
export function isConflict(error: unknown): boolean {
  return httpStatusOf(error) === 409
}

/** Whether a watch's resourceVersion is too old to resume from (410 Gone / Expired): relist. */
export function isGone(error: unknown): boolean {
  return httpStatusOf(error) === 410
}

/** The wait a 429 (or a 5xx with Retry-After) asked for: the `Retry-After` header, else the Status's `retryAfterSeconds`. */
export function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as ClientError | null)?.headers
  const found = headers && Object.keys(headers).find((h) => h.toLowerCase() === 'retry-after')
  const raw = found === undefined ? undefined : headers?.[found]
  const text = Array.isArray(raw) ? raw[0] : raw
  if (typeof text === 'string' && text.trim() !== '') {
    const seconds = Number(text)
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
    const at = Date.parse(text)
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now())
  }
  const fromStatus = statusBody(error)?.details?.retryAfterSeconds
  return fromStatus !== undefined && fromStatus >= 0 ? fromStatus * 1000 : undefined
}

/**
 * Maps an error from `@kubernetes/client-node` (an `ApiException` with the API server's `Status`
 * body, a watch failure, a network error) onto polysecret's error classes, keeping the original as
 * `cause` (which core scrubs: the store's message text never reaches our message). Already-mapped
 * polysecret errors pass through unchanged.
 *
 * | HTTP status / Status reason                      | error                 |
 * | ------------------------------------------------ | --------------------- |
 * | 404 NotFound                                     | `NotFoundError`       |
 * | 401 Unauthorized, 403 Forbidden                  | `AccessDeniedError`   |
 * | 409 AlreadyExists / Conflict                     | `ConflictError`       |
 * | 410 Gone / Expired (a watch relists itself)      | `ConflictError`       |
 * | 400 BadRequest, 413, 415, 422 Invalid            | `ValidationError`     |
 * | 429 TooManyRequests                              | `ThrottledError` (Retry-After honoured) |
 * | 5xx, network errors, aborted calls               | `UnavailableError`    |
 *
 * @example
 * ```ts
 * import { toPolysecretError } from '@polysecret/kubernetes'
 *
 * try {
 *   await core.readNamespacedSecret({ name: 'db', namespace: 'prod' })
 * } catch (error) {
 *   throw toPolysecretError(error, { key: 'db/password', provider: 'kubernetes-secrets' })
 * }
 * ```
 */
export function toPolysecretError(error: unknown, context: KubernetesErrorContext): PolysecretError {
  if (error instanceof PolysecretError) return error
  const e = (error ?? {}) as ClientError
  const status = httpStatusOf(error)
  const reason = statusBody(error)?.reason
  const ctx = { key: context.key, provider: context.provider, cause: error }
  const what =
    status === undefined ? 'Kubernetes request failed' : `Kubernetes ${status}${reason ? ` ${reason}` : ''}`
  const at = where(context)
  if (status === 404) return new NotFoundError({ ...ctx, message: `Not found (${what})${at}.` })
  if (status === 401 || status === 403) {
    return new AccessDeniedError({
      ...ctx,
      message: `Access denied (${what})${at}.`,
      hint:
        status === 401
          ? 'The API server did not accept the credentials: check the kubeconfig user or the service-account token.'
          : 'Grant the service account the RBAC verbs this operation needs (see docs/providers/kubernetes.md).',
    })
  }
  if (status === 409 || status === 410) {
    return new ConflictError({ ...ctx, message: `Conflict (${what})${at}.` })
  }
  if (status === 429) {
    return new ThrottledError({
      ...ctx,
      retryAfterMs: retryAfterMs(error),
      message: `Throttled (${what})${at}.`,
    })
  }
  if (status !== undefined && status >= 500) {
    return new UnavailableError({
      ...ctx,
      retryAfterMs: retryAfterMs(error),
      message: `Store unavailable (${what})${at}.`,
    })
  }
  if (status !== undefined && status >= 400) {
    return new ValidationError(`The API server rejected the request as invalid (${what})${at}.`, {
      ...ctx,
      hint: 'Check the key (object names are DNS subdomains, data keys [-._a-zA-Z0-9]), the value size (1 MiB per object) and the namespace.',
    })
  }
  const code = typeof e.code === 'string' ? e.code : ''
  if (
    NETWORK_CODES.has(code) ||
    isUndecodableAnswer(error) ||
    e.type === 'system' ||
    e.type === 'request-timeout' ||
    e.name === 'AbortError' ||
    e.name === 'FetchError' ||
    /ECONNRESET|ECONNREFUSED|socket hang up/i.test(e.message ?? '')
  ) {
    return new UnavailableError({
      ...ctx,
      message: `Store unavailable (${code || e.name || 'network error'})${at}.`,
    })
  }
  return new PolysecretError(`Unexpected failure (${what})${at}.`, ctx)
}

function where(context: KubernetesErrorContext): string {
  const key = context.key !== undefined ? `key "${context.key}", ` : ''
  return ` (${key}provider "${context.provider}")`
}

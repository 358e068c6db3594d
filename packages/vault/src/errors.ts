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

/** Where a failed Vault call happened: the key (never the value) and the provider instance name. */
export interface VaultErrorContext {
  /** The key being read or written. */
  readonly key?: string | undefined
  /** The provider instance name. */
  readonly provider: string
}

/** What node-vault's `ApiResponseError` and axios's network errors carry. */
interface ClientError {
  name?: string
  code?: string
  message?: string
  response?: { statusCode?: number; status?: number; body?: unknown; headers?: Record<string, unknown> }
}

// A Vault CA the client cannot verify reads as Vault being unreachable.
const NETWORK_CODES = new Set([
  ...NETWORK_ERROR_CODES,
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
])

/** The HTTP status of a failed Vault call (`ApiResponseError.response.statusCode`), or `undefined`. */
export function httpStatusOf(error: unknown): number | undefined {
  const response = (error as ClientError | null)?.response
  const status = response?.statusCode ?? response?.status
  return typeof status === 'number' && status >= 100 ? status : undefined
}

/** The texts of Vault's `{ errors: [...] }` envelope; read to classify, never copied into our errors. */
export function vaultErrorTexts(error: unknown): string[] {
  const body = (error as ClientError | null)?.response?.body as { errors?: unknown } | undefined
  const errors = body !== null && typeof body === 'object' ? body.errors : undefined
  return Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : []
}

/** Whether Vault refused a write because `cas` did not match the current version. */
export function isCasMismatch(error: unknown): boolean {
  return (
    httpStatusOf(error) === 400 &&
    vaultErrorTexts(error).some((text) =>
      /check-and-set parameter|did not match the current version/i.test(text),
    )
  )
}

/** Whether Vault answered 404: a missing path (or a deleted/destroyed KV v2 version). */
export function isNotFound(error: unknown): boolean {
  return httpStatusOf(error) === 404
}

/** Whether Vault refused the token (403 permission denied, or a token it no longer knows). */
export function isPermissionDenied(error: unknown): boolean {
  return httpStatusOf(error) === 403
}

/** The wait a 429 or 503 asked for, from `Retry-After` (seconds), if the answer carried one. */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as ClientError | null)?.response?.headers
  const found = headers && Object.keys(headers).find((h) => h.toLowerCase() === 'retry-after')
  const raw = found === undefined ? undefined : headers?.[found]
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw)
  return raw !== undefined && Number.isFinite(seconds) && seconds >= 0
    ? Math.round(seconds * 1000)
    : undefined
}

/** What Vault's answer says, in our words: classified from status and text, never the text itself. */
function describe(status: number | undefined, texts: readonly string[]): string {
  if (status === undefined) return 'Vault request failed'
  const joined = texts.join(' ')
  if (/sealed/i.test(joined)) return `Vault ${status}, sealed`
  if (/standby/i.test(joined)) return `Vault ${status}, standby node`
  if (/permission denied/i.test(joined)) return `Vault ${status}, permission denied`
  return `Vault ${status}`
}

/**
 * Maps an error from `node-vault` (an `ApiResponseError` with Vault's status and `{ errors }` body,
 * or an axios network error) onto polysecret's error classes, keeping the original as `cause` (which
 * core scrubs). Vault's error texts are read to classify the failure but never copied into our
 * messages: some echo what was sent. Already-mapped polysecret errors pass through unchanged.
 *
 * | Vault answer                                         | error                 |
 * | ---------------------------------------------------- | --------------------- |
 * | 404                                                  | `NotFoundError`       |
 * | 401, 403 permission denied                           | `AccessDeniedError`   |
 * | 400 check-and-set parameter did not match            | `ConflictError`       |
 * | other 400, 405, 413                                  | `ValidationError`     |
 * | 429 rate limited                                     | `ThrottledError`      |
 * | 503 sealed / standby, other 5xx, network errors      | `UnavailableError`    |
 *
 * @example
 * ```ts
 * import { toPolysecretError } from '@polysecret/vault'
 *
 * try {
 *   await client.read('secret/data/app/db')
 * } catch (error) {
 *   throw toPolysecretError(error, { key: 'app/db#password', provider: 'vault-kv' })
 * }
 * ```
 */
export function toPolysecretError(error: unknown, context: VaultErrorContext): PolysecretError {
  if (error instanceof PolysecretError) return error
  const e = (error ?? {}) as ClientError
  const status = httpStatusOf(error)
  const texts = vaultErrorTexts(error)
  const ctx = { key: context.key, provider: context.provider, cause: error }
  const what = describe(status, texts)
  const at = where(context)
  if (status === 404) return new NotFoundError({ ...ctx, message: `Not found (${what})${at}.` })
  if (status === 401 || status === 403) {
    return new AccessDeniedError({
      ...ctx,
      message: `Access denied (${what})${at}.`,
      hint: 'Give the token a policy with the capabilities this operation needs on the path (see docs/providers/vault.md).',
    })
  }
  if (isCasMismatch(error)) {
    return new ConflictError({
      ...ctx,
      message: `Conflict: the key changed since the version given (${what})${at}.`,
    })
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
      ...(/sealed/.test(what) && { hint: 'Unseal Vault, or point the provider at an unsealed node.' }),
    })
  }
  if (status !== undefined && status >= 400) {
    return new ValidationError(`Vault rejected the request as invalid (${what})${at}.`, {
      ...ctx,
      hint: 'Check the key (a path, optionally #field), the mount and its KV version, and the value.',
    })
  }
  const code = typeof e.code === 'string' ? e.code : ''
  if (
    NETWORK_CODES.has(code) ||
    isUndecodableAnswer(error) ||
    e.name === 'AbortError' ||
    e.name === 'CanceledError' ||
    /socket hang up/i.test(e.message ?? '')
  ) {
    return new UnavailableError({
      ...ctx,
      message: `Store unavailable (${code || e.name || 'network error'})${at}.`,
    })
  }
  return new PolysecretError(`Unexpected failure (${what})${at}.`, ctx)
}

function where(context: VaultErrorContext): string {
  const key = context.key !== undefined ? `key "${context.key}", ` : ''
  return ` (${key}provider "${context.provider}")`
}

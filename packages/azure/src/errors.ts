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

/** Where a failed Azure call happened: the key (never the value) and the provider instance name. */
export interface AzureErrorContext {
  /** The key being read or written. */
  readonly key?: string | undefined
  /** The provider instance name. */
  readonly provider: string
}

/**
 * A Key Vault secret that is disabled: Key Vault answers 403 `SecretDisabled` to a read of it. An
 * `AccessDeniedError` (so the chain stops here: a disabled secret is a decision, not an outage).
 */
export class SecretDisabledError extends AccessDeniedError {
  constructor(context: { key?: string | undefined; provider: string; cause?: unknown }) {
    super({
      ...context,
      message: `Secret for key "${context.key}" is disabled in Key Vault (provider "${context.provider}").`,
      hint: 'Enable it (az keyvault secret set-attributes --enabled true), or roll the key back to an enabled version.',
    })
  }
}

/**
 * A Key Vault secret read outside its validity window: its `expiresOn` is past or its `notBefore` is
 * still ahead. Key Vault itself still answers such reads; the `keyVault()` provider refuses them
 * unless `expired: 'serve'`. An `AccessDeniedError`, so the chain stops rather than serving another
 * store's (probably older) value.
 */
export class SecretExpiredError extends AccessDeniedError {
  /** `'expired'` (past `expiresOn`) or `'not-yet-valid'` (before `notBefore`). */
  readonly reason: 'expired' | 'not-yet-valid'
  constructor(context: {
    key: string
    provider: string
    reason: 'expired' | 'not-yet-valid'
    at: Date
  }) {
    const what =
      context.reason === 'expired'
        ? `expired at ${context.at.toISOString()}`
        : `not valid before ${context.at.toISOString()}`
    super({
      key: context.key,
      provider: context.provider,
      message: `Secret for key "${context.key}" ${what} (provider "${context.provider}").`,
      hint: "Rotate the secret (write a new version) or update its expiry; pass expired: 'serve' to keyVault() to read it anyway.",
    })
    this.reason = context.reason
  }
}

// The Azure pipeline's own code for a request that never reached the service.
const NETWORK_CODES = new Set([...NETWORK_ERROR_CODES, 'REQUEST_SEND_ERROR'])

/** The fields of an Azure `RestError` (or identity / network error) that the mapping reads. */
interface AzureLikeError {
  name?: string
  code?: unknown
  statusCode?: unknown
  message?: string
  response?: { headers?: { get?(name: string): string | undefined } }
  details?: { error?: { innererror?: { code?: unknown }; innerError?: { code?: unknown } } }
}

/** A service error code as an identifier, or `undefined`: a code is copied into messages only when it is one. */
function safeCode(code: unknown): string | undefined {
  return typeof code === 'string' && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(code) ? code : undefined
}

/** The inner error code of a Key Vault error body (`SecretDisabled`, `ObjectIsDeletedButRecoverable`). */
export function innerCode(error: unknown): string | undefined {
  const e = (error ?? {}) as AzureLikeError
  return safeCode(e.details?.error?.innererror?.code ?? e.details?.error?.innerError?.code)
}

/** The HTTP status of a RestError, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const s = (error as AzureLikeError | null)?.statusCode
  return typeof s === 'number' ? s : undefined
}

/**
 * The wait a 429 / 503 asked for, in ms: `retry-after-ms` / `x-ms-retry-after-ms` (App Configuration),
 * else `Retry-After` in seconds or as a date.
 */
function retryAfterMs(error: AzureLikeError): number | undefined {
  const get = error.response?.headers?.get?.bind(error.response.headers)
  if (get === undefined) return undefined
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(get(name))
    if (get(name) !== undefined && Number.isFinite(ms) && ms >= 0) return Math.round(ms)
  }
  const raw = get('retry-after')
  if (typeof raw !== 'string' || raw.trim() === '') return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
  const at = Date.parse(raw)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

/**
 * Maps an error thrown by an Azure SDK client (`RestError`), by `@azure/identity` or by the network
 * under them onto polysecret's error classes, keeping the original as `cause` (which core scrubs: the
 * service's message text never reaches the polysecret error's message, only its status and code).
 * Already-mapped polysecret errors pass through unchanged.
 *
 * | Azure answer                                   | error                 |
 * | ---------------------------------------------- | --------------------- |
 * | 404                                            | `NotFoundError`       |
 * | 403 `SecretDisabled` (Key Vault)               | `SecretDisabledError` (an `AccessDeniedError`) |
 * | 401, 403, identity's `CredentialUnavailableError` / `AuthenticationError` | `AccessDeniedError` |
 * | 429                                            | `ThrottledError` (`Retry-After` honoured) |
 * | 409, 412                                       | `ConflictError`       |
 * | 400, 413, 414, 422                             | `ValidationError`     |
 * | 5xx, 408, network errors, aborts               | `UnavailableError`    |
 *
 * @example
 * ```ts
 * import { toPolysecretError } from '@polysecret/azure'
 *
 * try {
 *   await client.getSecret('db-password')
 * } catch (error) {
 *   throw toPolysecretError(error, { key: 'DB_PASSWORD', provider: 'azure-key-vault' })
 * }
 * ```
 */
export function toPolysecretError(error: unknown, context: AzureErrorContext): PolysecretError {
  if (error instanceof PolysecretError) return error
  const e = (error ?? {}) as AzureLikeError
  const status = statusOf(error)
  const code = safeCode(e.code)
  const ctx = { key: context.key, provider: context.provider, cause: error }
  const what = status !== undefined ? `Azure ${status}${code ? ` ${code}` : ''}` : undefined
  const at = where(context)
  if (status !== undefined) {
    if (status === 404) return new NotFoundError({ ...ctx, message: `Not found (${what})${at}.` })
    if (status === 403 && innerCode(error) === 'SecretDisabled') return new SecretDisabledError(ctx)
    if (status === 401 || status === 403) {
      return new AccessDeniedError({
        ...ctx,
        message: `Access denied (${what})${at}.`,
        hint:
          status === 401
            ? 'The credential was refused: check the identity (DefaultAzureCredential, workload identity) and the tenant.'
            : "Grant the caller's identity the Azure RBAC role this operation needs (see the provider docs page).",
      })
    }
    if (status === 429) {
      return new ThrottledError({
        ...ctx,
        retryAfterMs: retryAfterMs(e),
        message: `Throttled (${what})${at}.`,
      })
    }
    if (status === 409 || status === 412) {
      return new ConflictError({ ...ctx, message: `Conflict (${what})${at}.` })
    }
    if (status >= 500 || status === 408) {
      return new UnavailableError({
        ...ctx,
        retryAfterMs: retryAfterMs(e),
        message: `Store unavailable (${what})${at}.`,
      })
    }
    if (status >= 400) {
      return new ValidationError(`The request was rejected as invalid (${what})${at}.`, {
        ...ctx,
        hint: 'Check the key name, the value size and the provider options.',
      })
    }
  }
  const name = typeof e.name === 'string' ? e.name : ''
  if (
    name === 'CredentialUnavailableError' ||
    name === 'AuthenticationError' ||
    name === 'AggregateAuthenticationError'
  ) {
    return new AccessDeniedError({
      ...ctx,
      message: `No usable Azure credential (${name})${at}.`,
      hint: 'Pass credential, or set up DefaultAzureCredential (workload identity, managed identity, az login).',
    })
  }
  const network = typeof e.code === 'string' ? e.code : ''
  if (
    NETWORK_CODES.has(network) ||
    isUndecodableAnswer(error) ||
    name === 'AbortError' ||
    /ECONNRESET|ECONNREFUSED|socket hang up/i.test(e.message ?? '')
  ) {
    return new UnavailableError({
      ...ctx,
      message: `Store unavailable (${safeCode(network) ?? (name || 'network error')})${at}.`,
    })
  }
  return new PolysecretError(
    `Unexpected failure (${what ?? safeCode(name) ?? 'Azure request failed'})${at}.`,
    ctx,
  )
}

function where(context: AzureErrorContext): string {
  const key = context.key !== undefined ? `key "${context.key}", ` : ''
  return ` (${key}provider "${context.provider}")`
}

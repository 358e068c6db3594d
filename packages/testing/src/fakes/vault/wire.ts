import { randomUUID } from 'node:crypto'
import type { WireFault, WireResponse } from '../http-server.js'

/**
 * How Vault's HTTP API looks on the wire: every answer is JSON; successes wrap their payload in the
 * logical-response envelope (`request_id`, `lease_*`, `data`, `auth`, `warnings` …), failures are
 * `{ errors: [...] }` — an empty list for a plain 404.
 */

/** An error Vault answers with: a status and the texts of its `errors` list. */
export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly string[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(errors.join('; ') || `HTTP ${status}`)
  }
}

/** 404 with `{ errors: [] }`: what Vault says for a path with nothing at it. */
export const notFound = () => new VaultError(404, [])
export const badRequest = (message: string) => new VaultError(400, [message])
/** ACL denial. Vault words it as a one-item multierror. */
export const permissionDenied = () => new VaultError(403, ['1 error occurred:\n\t* permission denied\n\n'])
/** A missing, unknown or expired token. */
export const invalidToken = () => new VaultError(403, ['permission denied'])
export const sealed = () => new VaultError(503, ['Vault is sealed'])
export const unsupportedOperation = () =>
  new VaultError(405, ['1 error occurred:\n\t* unsupported operation\n\n'])
export const noHandler = (path: string) =>
  new VaultError(404, [`no handler for route "${path}". route entry not found.`])

export function json(status: number, body: unknown, headers: Record<string, string> = {}): WireResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
  }
}

export const noContent = (): WireResponse => ({ status: 204, headers: { 'Cache-Control': 'no-store' } })

/** The envelope of a logical response (secret engines, token lookups). */
export interface Envelope {
  readonly data?: unknown
  readonly auth?: unknown
  readonly warnings?: readonly string[] | null
  readonly leaseDuration?: number
  readonly mountType?: string
}

export function envelope(e: Envelope, status = 200): WireResponse {
  return json(status, {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: e.leaseDuration ?? 0,
    data: e.data ?? null,
    wrap_info: null,
    warnings: e.warnings && e.warnings.length > 0 ? e.warnings : null,
    auth: e.auth ?? null,
    mount_type: e.mountType ?? '',
  })
}

export const errorResponse = (e: VaultError): WireResponse =>
  json(e.status, { errors: e.errors }, { ...e.headers })

/** Vault's timestamps: RFC 3339 in UTC. */
export const timestamp = (ms: number) => new Date(ms).toISOString()

/** An injected fault as Vault words it. */
export function vaultFault(fault: WireFault): WireResponse {
  if (fault.kind === 'unavailable') return errorResponse(new VaultError(503, ['Vault is sealed']))
  if (fault.kind === 'throttle') {
    const seconds = Math.max(1, Math.ceil((fault.retryAfterMs ?? 1000) / 1000))
    return errorResponse(
      new VaultError(fault.status ?? 429, ['rate limit quota exceeded'], { 'Retry-After': String(seconds) }),
    )
  }
  const status = fault.status ?? 500
  const text = fault.message ?? (status === 503 ? 'Vault is sealed' : 'internal error')
  return errorResponse(new VaultError(status, [text]))
}

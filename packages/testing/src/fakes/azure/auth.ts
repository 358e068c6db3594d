import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

/**
 * Authentication as the Azure data planes check it, for the fakes: Microsoft Entra bearer tokens (made
 * here by a fake token authority instead of a tenant), and App Configuration's HMAC-SHA256 access keys.
 */

/** The token `getToken` resolves to; the shape of `AccessToken` in `@azure/core-auth`. */
export interface FakeAccessToken {
  readonly token: string
  /** Epoch ms. */
  readonly expiresOnTimestamp: number
  readonly tokenType: 'Bearer'
}

/**
 * A `TokenCredential` (`@azure/core-auth`) whose tokens the Azure fakes accept: pass it wherever the
 * official clients take a credential. Typed structurally so `@polysecret/testing` needs no Azure package.
 */
export interface FakeTokenCredential {
  getToken(scopes: string | string[], options?: unknown): Promise<FakeAccessToken | null>
}

/** Options of {@link fakeTokenCredential}. */
export interface FakeTokenCredentialOptions {
  /** The key the fake was started with (`tokenKey`): tokens are HMAC-signed with it. */
  readonly tokenKey: string
  /** How long a token lives. Default: one hour. */
  readonly lifetimeMs?: number
  /** The clock the fake uses (epoch ms). Default: `Date.now`. */
  readonly now?: () => number
  /** Tenant written into tokens. Default: the fakes' tenant. */
  readonly tenantId?: string
}

/** The tenant the fakes name in challenges and tokens. */
export const FAKE_TENANT = '72f988bf-0000-4000-8000-000000000000'

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url')

/** The audience a scope asks for: `https://vault.azure.net/.default` → `https://vault.azure.net`. */
function audienceOf(scope: string): string {
  return scope.replace(/\/\.default$/, '').replace(/\/$/, '')
}

/**
 * A credential for fakes started with `tokenKey` — in this process or another one (a fake in a child
 * process only needs the same key).
 *
 * @example
 * ```ts
 * import { fakeTokenCredential, startFake } from '@polysecret/testing'
 * const kv = await startFake('azure-key-vault', { tokenKey: 'k1' })
 * const credential = fakeTokenCredential({ tokenKey: 'k1' }) // same as kv.credential
 * ```
 */
export function fakeTokenCredential(options: FakeTokenCredentialOptions): FakeTokenCredential {
  const { tokenKey, lifetimeMs = 3600_000, now = Date.now, tenantId = FAKE_TENANT } = options
  if (typeof tokenKey !== 'string' || tokenKey === '')
    throw new TypeError('fakeTokenCredential needs the tokenKey the fake was started with')
  return {
    async getToken(scopes) {
      const list = typeof scopes === 'string' ? [scopes] : scopes
      if (list.length !== 1 || typeof list[0] !== 'string')
        throw new TypeError(`getToken takes exactly one scope, got ${JSON.stringify(scopes)}`)
      const exp = now() + lifetimeMs
      const claims = b64url(
        JSON.stringify({ aud: audienceOf(list[0]), exp, tid: tenantId, n: b64url(randomBytes(6)) }),
      )
      const signature = createHmac('sha256', tokenKey).update(claims).digest('base64url')
      return { token: `${claims}.${signature}`, expiresOnTimestamp: exp, tokenType: 'Bearer' }
    },
  }
}

/** Why a request was refused: the fakes word their 401s from it. */
export type AuthFailure = 'missing' | 'malformed' | 'expired' | 'audience' | 'signature' | 'date' | 'content'

/**
 * Checks a bearer token made by {@link fakeTokenCredential} with `tokenKey`: signed by that key, for one
 * of `audiences`, not expired at `now`.
 */
export function verifyBearer(
  authorization: string | undefined,
  tokenKey: string,
  audiences: readonly string[],
  now: number,
): AuthFailure | undefined {
  if (!authorization) return 'missing'
  const m = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization)
  if (!m) return 'malformed'
  const expected = createHmac('sha256', tokenKey).update(m[1]!).digest()
  const given = Buffer.from(m[2]!, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature'
  let claims: { aud?: unknown; exp?: unknown }
  try {
    claims = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8'))
  } catch {
    return 'malformed'
  }
  if (typeof claims.exp !== 'number' || claims.exp <= now) return 'expired'
  if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) return 'audience'
  return undefined
}

/** An App Configuration access key: `Id` and base64 `Secret` of a connection string. */
export interface AccessKey {
  readonly id: string
  readonly secret: string
}

/** How far `x-ms-date` may be from the fake's clock (the service allows 15 minutes). */
const MAX_SKEW_MS = 15 * 60_000

/**
 * Verifies App Configuration's HMAC-SHA256 scheme: `Authorization: HMAC-SHA256 Credential=<id>&SignedHeaders=
 * x-ms-date;host;x-ms-content-sha256&Signature=<base64>`, the signature over `VERB\npath?query\n` and the signed
 * header values joined by `;` (host with its port), `x-ms-content-sha256` the SHA-256 of the body, and
 * `x-ms-date` within 15 minutes of `now`.
 */
export function verifyHmac(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  key: AccessKey,
  now: number,
): AuthFailure | undefined {
  const authorization = headers.authorization
  if (!authorization) return 'missing'
  const m = /^HMAC-SHA256 Credential=([^&]+)&SignedHeaders=([^&]+)&Signature=(.+)$/.exec(authorization)
  if (!m || m[1] !== key.id) return 'malformed'
  const signed = m[2]!.toLowerCase().split(';')
  for (const required of ['x-ms-date', 'host', 'x-ms-content-sha256'])
    if (!signed.includes(required)) return 'malformed'
  const values = signed.map((name) => {
    const v = name === 'x-ms-date' ? (headers['x-ms-date'] ?? headers.date) : headers[name]
    return Array.isArray(v) ? v.join(',') : (v ?? '')
  })
  const stringToSign = `${method}\n${url}\n${values.join(';')}`
  const expected = createHmac('sha256', Buffer.from(key.secret, 'base64')).update(stringToSign).digest()
  const given = Buffer.from(m[3]!, 'base64')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature'
  const date = Date.parse(String(headers['x-ms-date'] ?? headers.date ?? ''))
  if (!Number.isFinite(date) || Math.abs(date - now) > MAX_SKEW_MS) return 'date'
  if (headers['x-ms-content-sha256'] !== createHash('sha256').update(body).digest('base64')) return 'content'
  return undefined
}

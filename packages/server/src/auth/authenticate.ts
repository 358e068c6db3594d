import { createHash } from 'node:crypto'
import type { Context } from 'hono'
import type { Principal } from '../audit.js'
import { HttpProblem } from '../http-errors.js'
import type { AuthOptions } from '../options.js'
import type { RateLimit } from '../rate-limit.js'
import { BearerTokens, parseTokenHash, type TokenHash } from './bearer.js'
import { TokenReviewer } from './kubernetes.js'
import { type CompiledGrant, compileGrants, VERBS } from './policy.js'

/** An authenticated caller: who, what they may do, and their own rate limit if they have one. */
export interface Caller {
  readonly principal: Principal
  readonly grants: readonly CompiledGrant[]
  readonly rateLimit?: RateLimit | undefined
}

interface TokenEntry {
  readonly hash: TokenHash
  readonly caller: Caller
}

const ANONYMOUS: Caller = {
  principal: { kind: 'anonymous', name: 'anonymous' },
  grants: compileGrants([{ keys: ['**'], verbs: [...VERBS] }]),
}

/**
 * Turns a request's `Authorization: Bearer …` into a {@link Caller}. Configured tokens are tried first
 * (a hash lookup, no network); anything else goes to a TokenReview when Kubernetes auth is on. Without
 * `auth`, every caller is anonymous with every verb — allowed only on loopback (see createServer).
 */
export class Authenticator {
  readonly #tokens: BearerTokens<TokenEntry> | undefined
  readonly #reviewer: TokenReviewer | undefined
  readonly #accounts: ReadonlyArray<{ namespace: string; name: string; caller: Omit<Caller, 'principal'> }>
  readonly enabled: boolean

  constructor(auth: AuthOptions | undefined, now: () => number) {
    this.enabled = auth !== undefined
    this.#tokens = auth?.tokens?.length
      ? new BearerTokens(
          auth.tokens.map((t) => ({
            hash: parseTokenHash(t.hash)!,
            caller: {
              principal: { kind: 'token', name: t.name },
              grants: compileGrants(t.grants),
              rateLimit: t.rateLimit,
            },
          })),
        )
      : undefined
    this.#reviewer = auth?.kubernetes ? new TokenReviewer(auth.kubernetes, now) : undefined
    this.#accounts = (auth?.kubernetes?.serviceAccounts ?? []).map((s) => ({
      namespace: s.namespace,
      name: s.name,
      caller: { grants: compileGrants(s.grants), rateLimit: s.rateLimit },
    }))
  }

  /** TokenReviews sent so far (tests count them to prove caching). */
  get reviews(): number {
    return this.#reviewer?.reviews ?? 0
  }

  async authenticate(c: Context): Promise<Caller> {
    if (!this.enabled) return ANONYMOUS
    const header = c.req.header('authorization') ?? ''
    const m = /^Bearer[ ]+([^\s]+)$/i.exec(header)
    if (!m) throw unauthorized('missing bearer token')
    const token = m[1]!
    const byHash = this.#tokens?.find(token)
    if (byHash) return byHash.caller
    if (this.#reviewer) {
      // The cache is keyed by the token's SHA-256 inside the reviewer's map: see tokenKey().
      const identity = await this.#reviewer.review(token, tokenKey(token))
      if (identity) {
        const account = this.#accounts.find(
          (a) => a.namespace === identity.namespace && (a.name === '*' || a.name === identity.serviceAccount),
        )
        if (!account)
          throw new HttpProblem(
            403,
            'FORBIDDEN',
            `Service account ${identity.username} is not allowed by this server.`,
          )
        return {
          principal: { kind: 'serviceaccount', name: identity.username, pod: identity.pod },
          ...account.caller,
        }
      }
    }
    throw unauthorized('unknown or expired token')
  }
}

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

function unauthorized(why: string): HttpProblem {
  return new HttpProblem(401, 'UNAUTHENTICATED', `Authentication required: ${why}.`, {
    'www-authenticate': 'Bearer realm="polysecret"',
  })
}

import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import type { ResourceName } from './resources.js'
import { forbidden, unauthorized } from './status.js'

/**
 * Bearer tokens the fake accepts, each for a user and optionally limited (as an RBAC Role would) to
 * some namespaces, verbs and resources. No token, or one the fake did not issue (or revoked), is 401;
 * a known token asking for what its scope leaves out is 403 Forbidden.
 */

/** What a token may do. Every field left out allows everything. */
export interface TokenScope {
  /**
   * Namespaces the token may touch. With this set, cluster-scoped requests (namespaces, lists across
   * all namespaces) are forbidden, as a RoleBinding grants nothing outside its namespace.
   */
  readonly namespaces?: readonly string[]
  /** RBAC verbs: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`. */
  readonly verbs?: readonly string[]
  /** Resources, plus `tokenreviews` (authentication.k8s.io) for a token that may create TokenReviews. */
  readonly resources?: readonly (ResourceName | 'tokenreviews')[]
  /** The user named in 403 messages. Default: `system:serviceaccount:default:polysecret-N`. */
  readonly user?: string
}

/** A service-account token as the TokenRequest API issues it (a bound, projected token). */
export interface ServiceAccountTokenRequest {
  readonly namespace: string
  readonly serviceAccount: string
  /** Audiences the token is bound to. Default: the API server's own (`https://kubernetes.default.svc.cluster.local`). */
  readonly audiences?: readonly string[]
  /** Lifetime; the API server's minimum is 600. Default: 3600. */
  readonly expirationSeconds?: number
  /** Bind the token to a pod: TokenReview then names it in `user.extra`. */
  readonly pod?: string
}

/** The API server's own audience: tokens without explicit audiences are bound to it. */
export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local'

export interface Grant extends TokenScope {
  readonly user: string
  readonly uid?: string
  readonly groups?: readonly string[]
  /** Epoch ms after which the token is rejected. */
  readonly expiresAt?: number
  readonly audiences?: readonly string[]
  readonly extra?: Readonly<Record<string, readonly string[]>>
}

export class TokenRegistry {
  readonly #tokens = new Map<string, Grant>()
  readonly #signingKey = randomBytes(32)
  #issued = 0

  /** Issues a new token (random, or `token` if given) with `scope`. */
  issue(scope: TokenScope = {}, token = randomBytes(24).toString('base64url')): string {
    this.#issued++
    this.#tokens.set(token, {
      ...scope,
      user: scope.user ?? `system:serviceaccount:default:polysecret-${this.#issued}`,
    })
    return token
  }

  /**
   * Issues a service-account token as TokenRequest does: a JWT (signed with this fake's own key; no
   * client verifies it — the API server does, through TokenReview) for
   * `system:serviceaccount:<ns>:<name>`, bound to audiences and optionally a pod, expiring after
   * `expirationSeconds`. RBAC-wise the account holds no role: API requests with it are 403.
   */
  issueServiceAccountToken(request: ServiceAccountTokenRequest, now: number): string {
    const seconds = request.expirationSeconds ?? 3600
    if (!Number.isInteger(seconds) || seconds < 600)
      throw new RangeError(
        'expirationSeconds must be a whole number of at least 600 (the API server minimum)',
      )
    const user = `system:serviceaccount:${request.namespace}:${request.serviceAccount}`
    const audiences = request.audiences?.length ? [...request.audiences] : [API_AUDIENCE]
    const jti = randomUUID()
    const exp = Math.floor(now / 1000) + seconds
    const podUid = request.pod ? randomUUID() : undefined
    const claims = {
      aud: audiences,
      exp,
      iat: Math.floor(now / 1000),
      iss: API_AUDIENCE,
      jti,
      'kubernetes.io': {
        namespace: request.namespace,
        serviceaccount: { name: request.serviceAccount, uid: randomUUID() },
        ...(request.pod ? { pod: { name: request.pod, uid: podUid } } : {}),
      },
      sub: user,
    }
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const unsigned = `${part({ alg: 'HS256', kid: 'polysecret-fake' })}.${part(claims)}`
    const token = `${unsigned}.${createHmac('sha256', this.#signingKey).update(unsigned).digest('base64url')}`
    this.#tokens.set(token, {
      user,
      uid: claims['kubernetes.io'].serviceaccount.uid,
      groups: [
        'system:serviceaccounts',
        `system:serviceaccounts:${request.namespace}`,
        'system:authenticated',
      ],
      expiresAt: exp * 1000,
      audiences,
      // No RBAC binding: a verb list that allows nothing.
      verbs: [],
      extra: {
        'authentication.kubernetes.io/credential-id': [`JTI=${jti}`],
        ...(request.pod
          ? {
              'authentication.kubernetes.io/pod-name': [request.pod],
              'authentication.kubernetes.io/pod-uid': [podUid!],
            }
          : {}),
      },
    })
    return token
  }

  revoke(token: string): void {
    this.#tokens.delete(token)
  }

  /** The grant of a token, if it is known, unexpired and bound to one of `audiences`; else why not. */
  lookup(token: string, audiences: readonly string[], now: number): Grant | { readonly error: string } {
    const grant = this.#tokens.get(token)
    if (!grant)
      return { error: '[invalid bearer token, square/go-jose: compact JWS format must have three parts]' }
    if (grant.expiresAt !== undefined && now >= grant.expiresAt)
      return { error: '[invalid bearer token, service account token has expired]' }
    const bound = grant.audiences ?? [API_AUDIENCE]
    if (!bound.some((a) => audiences.includes(a)))
      return {
        error: `[invalid bearer token, token audiences ${JSON.stringify(bound)} is invalid for the target audiences ${JSON.stringify(audiences)}]`,
      }
    return grant
  }

  /** The grant of a request's `Authorization` header; throws 401 when it has none the fake accepts now. */
  authenticate(header: string | undefined, now: number = Date.now()): Grant {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '')
    const grant = m ? this.lookup(m[1]!, [API_AUDIENCE], now) : undefined
    if (!grant || 'error' in grant) throw unauthorized()
    return grant
  }

  /** Throws 403 when `grant` may not `verb` the resource. */
  authorize(
    grant: Grant,
    verb: string,
    resource: ResourceName | 'tokenreviews',
    namespace: string | undefined,
    name: string | undefined,
  ): void {
    const allowed =
      (!grant.verbs || grant.verbs.includes(verb)) &&
      (!grant.resources || grant.resources.includes(resource)) &&
      (!grant.namespaces ||
        (resource !== 'namespaces' && namespace !== undefined && grant.namespaces.includes(namespace)))
    if (!allowed)
      throw forbidden(
        grant.user,
        verb,
        resource,
        name,
        namespace,
        resource === 'tokenreviews' ? 'authentication.k8s.io' : '',
      )
  }
}

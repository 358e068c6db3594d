import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { UnavailableError, ValidationError } from '@polysecret/core'

/**
 * Kubernetes service-account tokens, checked with a TokenReview (authentication.k8s.io/v1) against the
 * API server — the same check the API server's webhook authenticator and kube-rbac-proxy make. The
 * server never parses the JWT itself: the API server knows about revoked tokens, deleted pods and
 * bound audiences. Successful reviews are remembered for `cacheTtlMs` (as the API server's own token
 * cache does), failed ones for a shorter time so a retry storm does not turn into a review storm.
 */

export interface KubernetesAuthOptions {
  /** API server URL. @default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (in a pod) */
  readonly apiServer?: string
  /** PEM of the API server's CA. @default the pod's /var/run/secrets/kubernetes.io/serviceaccount/ca.crt */
  readonly ca?: string
  /**
   * The server's own token for creating TokenReviews (its service account needs the
   * `system:auth-delegator` ClusterRole), or a function read on every review (projected tokens rotate).
   * @default the pod's /var/run/secrets/kubernetes.io/serviceaccount/token, re-read on each review
   */
  readonly token?: string | (() => string)
  /** Audiences a presented token must be bound to (`spec.audiences`). @default the API server's own */
  readonly audiences?: readonly string[]
  /** How long an authenticated review is trusted. @default 60_000 */
  readonly cacheTtlMs?: number
  /** Timeout of one TokenReview call. @default 5_000 */
  readonly timeoutMs?: number
}

/** Who a service-account token belongs to, as the API server said. */
export interface ServiceAccountIdentity {
  /** `system:serviceaccount:<namespace>:<name>` */
  readonly username: string
  readonly namespace: string
  readonly serviceAccount: string
  /** The pod the token was bound to, when the token is a bound (projected) token. */
  readonly pod?: string | undefined
  readonly groups: readonly string[]
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'
const FAILURE_TTL_MS = 5_000
const MAX_CACHED = 10_000

interface Cached {
  readonly identity: ServiceAccountIdentity | undefined
  readonly until: number
}

export class TokenReviewer {
  readonly #apiServer: string
  readonly #ca: string | undefined
  readonly #token: () => string
  readonly #audiences: readonly string[] | undefined
  readonly #ttl: number
  readonly #timeout: number
  readonly #now: () => number
  readonly #cache = new Map<string, Cached>()
  /** TokenReviews sent, for tests and metrics. */
  reviews = 0

  constructor(options: KubernetesAuthOptions, now: () => number = Date.now) {
    const host = process.env.KUBERNETES_SERVICE_HOST
    const port = process.env.KUBERNETES_SERVICE_PORT ?? '443'
    const apiServer =
      options.apiServer ?? (host ? `https://${host.includes(':') ? `[${host}]` : host}:${port}` : undefined)
    if (!apiServer)
      throw new ValidationError('auth.kubernetes needs apiServer (not running in a pod).', {
        hint: 'Set auth.kubernetes.apiServer, ca and token, or run the server in a pod.',
      })
    this.#apiServer = apiServer.replace(/\/+$/, '')
    this.#ca = options.ca ?? readOptional(`${SA_DIR}/ca.crt`)
    const token = options.token
    this.#token =
      typeof token === 'function'
        ? token
        : typeof token === 'string'
          ? () => token
          : () => readFileSync(`${SA_DIR}/token`, 'utf8').trim()
    this.#audiences = options.audiences
    this.#ttl = options.cacheTtlMs ?? 60_000
    this.#timeout = options.timeoutMs ?? 5_000
    this.#now = now
  }

  /** The identity behind a token, or `undefined` when the API server does not authenticate it. */
  async review(token: string, key: string): Promise<ServiceAccountIdentity | undefined> {
    const now = this.#now()
    const cached = this.#cache.get(key)
    if (cached && cached.until > now) return cached.identity
    const identity = await this.#ask(token)
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear()
    this.#cache.set(key, { identity, until: now + (identity ? this.#ttl : FAILURE_TTL_MS) })
    return identity
  }

  async #ask(token: string): Promise<ServiceAccountIdentity | undefined> {
    this.reviews++
    const body = JSON.stringify({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, ...(this.#audiences ? { audiences: this.#audiences } : {}) },
    })
    const answer = await postJson(`${this.#apiServer}/apis/authentication.k8s.io/v1/tokenreviews`, body, {
      authorization: `Bearer ${this.#token()}`,
      ca: this.#ca,
      timeoutMs: this.#timeout,
    })
    const status = (answer as { status?: TokenReviewStatus }).status
    if (!status?.authenticated || !status.user?.username) return undefined
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(status.user.username)
    // Only service accounts: a user's token passed to the sidecar is not an identity it grants to.
    if (!m) return undefined
    const pod = status.user.extra?.['authentication.kubernetes.io/pod-name']?.[0]
    return {
      username: status.user.username,
      namespace: m[1]!,
      serviceAccount: m[2]!,
      pod,
      groups: status.user.groups ?? [],
    }
  }
}

interface TokenReviewStatus {
  authenticated?: boolean
  user?: { username?: string; groups?: string[]; extra?: Record<string, string[]> }
  error?: string
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

function postJson(
  url: string,
  body: string,
  o: { authorization: string; ca: string | undefined; timeoutMs: number },
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const fail = (why: string, cause?: unknown) =>
      reject(
        new UnavailableError({
          message: `TokenReview failed: ${why}.`,
          hint: 'Check auth.kubernetes.apiServer and that the server may create tokenreviews (ClusterRole system:auth-delegator).',
          cause,
        }),
      )
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: o.authorization,
        },
        ...(o.ca ? { ca: o.ca } : {}),
        timeout: o.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          if (res.statusCode !== 201 && res.statusCode !== 200)
            return fail(`the API server answered ${res.statusCode}`)
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
          } catch (e) {
            fail('the answer was not JSON', e)
          }
        })
        res.on('error', (e) => fail('the answer was cut off', e))
      },
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (e) => fail(e.message === 'timeout' ? 'timed out' : 'cannot reach the API server', e))
    req.end(body)
  })
}

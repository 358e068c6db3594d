/**
 * Key Vault clients authenticate by challenge: a fresh `SecretClient` sends its first request without a
 * token, and the 401's `WWW-Authenticate` names the tenant and scope to ask a token for; later requests
 * reuse them. Requests that start before that exchange completes go out without a token too, and each
 * makes its own challenge — ten parallel reads on a new client cost ten extra requests (what `load()`
 * does when App Configuration references ten secrets, or `getMany` on Key Vault).
 *
 * The gate lets the client's first request through alone, and the others as soon as the SDK sends that
 * request again with a token (the challenge is then settled for the client) — or when the first request
 * ends, whatever happened. One challenge per client; the others still run in parallel.
 */

/** The slice of `@azure/core-rest-pipeline`'s `PipelineRequest` the gate looks at. */
interface GatedRequest {
  readonly headers: { has(name: string): boolean }
}
type Next<R> = (request: R) => Promise<unknown>

/** An `additionalPolicies` entry of an Azure client's options. */
export interface AdditionalPolicy {
  readonly policy: {
    readonly name: string
    sendRequest(request: GatedRequest, next: Next<GatedRequest>): Promise<unknown>
  }
  readonly position: 'perCall' | 'perRetry'
}

/**
 * The two pipeline policies of one client's gate: `perCall` (before the SDK's authentication policy)
 * holds requests back, `perRetry` (after it, so it sees each request as sent) opens the gate when a
 * request carries a token.
 */
export function challengeGate(): AdditionalPolicy[] {
  let state: 'closed' | 'probing' | 'open' = 'closed'
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = () => {
      state = 'open'
      resolve()
    }
  })
  return [
    {
      position: 'perCall',
      policy: {
        name: 'polysecretChallengeGate',
        async sendRequest(request, next) {
          if (state === 'open') return next(request)
          if (state === 'probing') {
            await opened
            return next(request)
          }
          state = 'probing'
          try {
            return await next(request)
          } finally {
            open()
          }
        },
      },
    },
    {
      position: 'perRetry',
      policy: {
        name: 'polysecretChallengeSettled',
        sendRequest(request, next) {
          if (state === 'probing' && request.headers.has('authorization')) open()
          return next(request)
        },
      },
    },
  ]
}

/** A `SecretClient`'s options with a fresh challenge gate added after the caller's own policies. */
export function withChallengeGate(options: Record<string, unknown>): Record<string, unknown> {
  const own = (options.additionalPolicies as readonly AdditionalPolicy[] | undefined) ?? []
  return { ...options, additionalPolicies: [...own, ...challengeGate()] }
}

import { API_AUDIENCE, type TokenRegistry } from './auth.js'
import { badRequest } from './status.js'

/**
 * TokenReview (authentication.k8s.io/v1): a caller holding `create tokenreviews` asks whether a token
 * is valid, and for whom — how a webhook or a sidecar authenticates Kubernetes service accounts. As the
 * API server: 201 with the review echoed and `status` filled; an unknown, revoked or expired token, or
 * one not bound to a requested audience, is `authenticated: false` with `error` (still 201); without
 * `spec.audiences` the API server's own audience is checked, and `status.audiences` names the
 * audiences the token is valid for.
 */

export const TOKEN_REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews'

export function reviewToken(tokens: TokenRegistry, body: unknown, now: number): Record<string, unknown> {
  const review = body as {
    apiVersion?: unknown
    kind?: unknown
    spec?: { token?: unknown; audiences?: unknown }
  }
  if (typeof review !== 'object' || review === null || review.kind !== 'TokenReview')
    throw badRequest(`Object 'Kind' is missing or is not "TokenReview"`)
  if (review.apiVersion !== 'authentication.k8s.io/v1')
    throw badRequest(
      `the API version in the data (${String(review.apiVersion)}) does not match the expected API version (authentication.k8s.io/v1)`,
    )
  const token = review.spec?.token
  if (typeof token !== 'string' || token === '')
    throw badRequest('TokenReview.authentication.k8s.io "" is invalid: spec.token: Required value')
  const requested = review.spec?.audiences
  const audiences =
    Array.isArray(requested) && requested.length > 0
      ? requested.filter((a): a is string => typeof a === 'string')
      : [API_AUDIENCE]
  const found = tokens.lookup(token, audiences, now)
  const status =
    'error' in found
      ? { user: {}, error: found.error }
      : {
          authenticated: true,
          user: {
            username: found.user,
            ...(found.uid ? { uid: found.uid } : {}),
            groups: found.groups ?? ['system:authenticated'],
            ...(found.extra ? { extra: found.extra } : {}),
          },
          audiences: (found.audiences ?? [API_AUDIENCE]).filter((a) => audiences.includes(a)),
        }
  return {
    kind: 'TokenReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: { token, ...(Array.isArray(requested) ? { audiences: requested } : {}) },
    status,
  }
}

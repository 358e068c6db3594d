import type { ObjectRef } from './objects.js'
import type { KubeObject } from './resources.js'
import { type Predicate, parseFieldSelector, parseLabelSelector } from './selectors.js'
import { copy, type KubernetesState } from './state.js'
import { badRequest, expired } from './status.js'

/**
 * `GET` on a collection: label and field selectors, and chunking with `limit` / `continue`. A continue
 * token carries the resourceVersion of the first page (every page reports it, as a consistent list
 * does) and the last key served; one older than the change history kept is 410 Expired, as a token
 * older than etcd's compaction is on a cluster. Later pages read current data after that key.
 */

export interface ListObject {
  readonly kind: string
  readonly apiVersion: 'v1'
  readonly metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number }
  readonly items: Omit<KubeObject, 'apiVersion' | 'kind'>[]
}

interface ContinueToken {
  readonly v: 'meta.k8s.io/v1'
  readonly rv: number
  readonly start: string
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken
    if (parsed.v === 'meta.k8s.io/v1' && Number.isInteger(parsed.rv) && typeof parsed.start === 'string')
      return parsed
  } catch {
    // reported below
  }
  throw badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  )
}

/** The predicate of a request's `labelSelector` and `fieldSelector` together. */
export function selectorOf(ref: ObjectRef, query: URLSearchParams): Predicate {
  const labels = parseLabelSelector(query.get('labelSelector') ?? undefined)
  const fields = parseFieldSelector(ref.info, query.get('fieldSelector') ?? undefined)
  return (o) => labels(o) && fields(o)
}

export function listObjects(state: KubernetesState, ref: ObjectRef, query: URLSearchParams): ListObject {
  const matches = selectorOf(ref, query)
  const filtered = !!(query.get('labelSelector') || query.get('fieldSelector'))
  let items: readonly KubeObject[] = state.select(ref.info.resource, ref.namespace, matches)
  let rv = state.resourceVersion
  const token = query.get('continue')
  if (token) {
    const parsed = decodeContinue(token)
    if (parsed.rv < state.forgottenUpTo)
      throw expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      )
    rv = parsed.rv
    items = items.filter((o) => keyOf(o) > parsed.start)
  }
  const limit = Number(query.get('limit') ?? 0)
  const metadata: ListObject['metadata'] = { resourceVersion: String(rv) }
  if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
    const rest = items.length - limit
    items = items.slice(0, limit)
    const next: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: keyOf(items[items.length - 1]!) }
    metadata.continue = Buffer.from(JSON.stringify(next)).toString('base64url')
    // The API server can count what is left only when no selector filters it.
    if (!filtered) metadata.remainingItemCount = rest
  }
  return {
    kind: `${ref.info.kind}List`,
    apiVersion: 'v1',
    metadata,
    items: items.map((o) => {
      const { apiVersion: _a, kind: _k, ...rest } = copy(o)
      return rest
    }),
  }
}

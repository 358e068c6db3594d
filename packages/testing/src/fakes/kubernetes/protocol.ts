import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import type { WireFault, WireProtocol, WireResponse } from '../http-server.js'
import type { TokenRegistry } from './auth.js'
import { decodeBody, encodeResponse, jsonResponse, statusResponse } from './codec.js'
import { apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js'
import { listObjects } from './list.js'
import { type ObjectRef, ObjectStore } from './objects.js'
import { patchObject } from './patch-request.js'
import { RESOURCES, type ResourceName } from './resources.js'
import type { KubernetesState } from './state.js'
import { failure, KubeError, methodNotAllowed, tooLarge } from './status.js'
import { reviewToken, TOKEN_REVIEW_PATH } from './token-review.js'
import type { WatchHub } from './watch.js'

/**
 * The API server's HTTP surface for core/v1: paths to resources and verbs, authentication and
 * authorization, dispatch, and Status errors. Operation names (for `requests` and fault scopes) are
 * the RBAC verb and resource, e.g. `get secrets`, `watch configmaps`, `create namespaces`, plus
 * `discovery` for `/version`, `/api`, `/api/v1` and `/apis`.
 */

/** A request as the fake records it (its `input` in the request log). */
export interface KubeRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
  readonly verb: string
  readonly ref?: ObjectRef | undefined
}

const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz'])
const DISCOVERY_PATHS = new Set(['/version', '/api', '/api/v1', '/apis', '/healthz', '/livez', '/readyz'])

/** Parses `/api/v1/[watch/][namespaces/{ns}/]{resource}[/{name}]`. */
function route(
  method: string,
  path: string,
  query: URLSearchParams,
): { verb: string; ref: ObjectRef } | undefined {
  const parts = path.replace(/\/+$/, '').split('/').slice(3).map(decodeURIComponent)
  if (path.split('/').slice(0, 3).join('/') !== '/api/v1') return undefined
  let watch = query.get('watch') === '1' || query.get('watch') === 'true'
  if (parts[0] === 'watch') {
    watch = true
    parts.shift()
  }
  let namespace: string | undefined
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1]
    parts.splice(0, 2)
  }
  const resource = parts[0] as ResourceName | undefined
  if (!resource || !(resource in RESOURCES) || parts.length > 2) return undefined
  const info = RESOURCES[resource]
  if (namespace !== undefined && !info.namespaced) return undefined
  const name = parts[1]
  const ref: ObjectRef = { info, namespace, name }
  const verb =
    method === 'GET'
      ? watch
        ? 'watch'
        : name
          ? 'get'
          : 'list'
      : method === 'POST' && !name
        ? 'create'
        : method === 'PUT' && name
          ? 'update'
          : method === 'PATCH' && name
            ? 'patch'
            : method === 'DELETE'
              ? name
                ? 'delete'
                : 'deletecollection'
              : 'unsupported'
  return { verb, ref }
}

export interface ProtocolContext {
  readonly state: KubernetesState
  readonly tokens: TokenRegistry
  readonly watches: WatchHub
  readonly now: () => number
  readonly maxRequestBytes: number
  endpoint(): string
}

const managerOf = (req: KubeRequest) =>
  req.query.get('fieldManager') || (req.headers['user-agent'] ?? 'unknown').split('/')[0]!.trim() || 'unknown'

export function kubernetesProtocol(ctx: ProtocolContext): WireProtocol {
  const store = new ObjectStore(ctx.state, ctx.now)

  const dispatch = async (req: KubeRequest): Promise<WireResponse> => {
    if (req.body.length > ctx.maxRequestBytes) throw tooLarge(ctx.maxRequestBytes)
    if (req.path === TOKEN_REVIEW_PATH) {
      const grant = ctx.tokens.authenticate(req.headers.authorization, ctx.now())
      if (req.method !== 'POST') throw methodNotAllowed(req.method)
      ctx.tokens.authorize(grant, 'create', 'tokenreviews', undefined, undefined)
      return jsonResponse(201, reviewToken(ctx.tokens, await decodeBody(req.headers, req.body), ctx.now()))
    }
    if (DISCOVERY_PATHS.has(req.path)) {
      if (!PUBLIC_PATHS.has(req.path)) ctx.tokens.authenticate(req.headers.authorization, ctx.now())
      if (req.method !== 'GET') throw methodNotAllowed(req.method)
      if (req.path === '/version') return jsonResponse(200, versionInfo())
      if (req.path === '/api')
        return jsonResponse(200, apiVersions(ctx.endpoint().replace(/^https:\/\//, '')))
      if (req.path === '/api/v1') return jsonResponse(200, apiResourceList())
      if (req.path === '/apis') return jsonResponse(200, apiGroupList())
      return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'ok' }
    }
    const grant = ctx.tokens.authenticate(req.headers.authorization, ctx.now())
    const ref = req.ref
    if (!ref)
      throw new KubeError(failure(404, 'NotFound', 'the server could not find the requested resource'))
    ctx.tokens.authorize(grant, req.verb, ref.info.resource, ref.namespace, ref.name)
    const named = ref as ObjectRef & { name: string }
    const answer = (status: number, obj: unknown) => encodeResponse(status, obj, req.headers)
    switch (req.verb) {
      case 'get':
        return answer(200, store.get(named))
      case 'list':
        if (ref.namespace !== undefined) store.requireNamespace(ref.namespace)
        return answer(200, listObjects(ctx.state, ref, req.query))
      case 'watch':
        return ctx.watches.respond(ref, req.query)
      case 'create':
        return answer(201, store.create(ref, await decodeBody(req.headers, req.body), managerOf(req)))
      case 'update':
        return answer(200, store.replace(named, await decodeBody(req.headers, req.body), managerOf(req)))
      case 'patch': {
        const { object, created } = patchObject(
          store,
          ctx.state,
          named,
          req.headers['content-type'],
          req.body,
          req.query,
          managerOf(req),
        )
        return answer(created ? 201 : 200, object)
      }
      case 'delete': {
        const options = req.body.length ? await decodeBody(req.headers, req.body) : undefined
        return answer(200, store.delete(named, options))
      }
      default:
        throw methodNotAllowed(req.method)
    }
  }

  return {
    parse(req: IncomingMessage, body: Buffer) {
      const url = new URL(req.url ?? '/', 'https://fake')
      const method = req.method ?? 'GET'
      const routed = route(method, url.pathname, url.searchParams)
      const operation = DISCOVERY_PATHS.has(url.pathname)
        ? 'discovery'
        : url.pathname === TOKEN_REVIEW_PATH
          ? 'create tokenreviews'
          : routed
            ? `${routed.verb} ${routed.ref.info.resource}`
            : 'unknown'
      const input: KubeRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        verb: routed?.verb ?? 'unknown',
        ref: routed?.ref,
      }
      return { operation, input }
    },
    async handle(_req, _operation, input) {
      try {
        return await dispatch(input as KubeRequest)
      } catch (error) {
        if (error instanceof KubeError)
          return encodeResponse(error.status.code, error.status, (input as KubeRequest).headers)
        throw error
      }
    },
    fault: kubernetesFault,
  }
}

/** An injected fault as the API server words it. */
export function kubernetesFault(fault: WireFault): WireResponse {
  if (fault.kind === 'unavailable')
    return statusResponse(
      failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'),
    )
  if (fault.kind === 'throttle') {
    const seconds = Math.max(1, Math.ceil((fault.retryAfterMs ?? 1000) / 1000))
    return statusResponse(
      failure(
        fault.status ?? 429,
        'TooManyRequests',
        'the server has received too many requests and has asked us to try again later',
        {
          retryAfterSeconds: seconds,
        },
      ),
      { 'Retry-After': String(seconds) },
    )
  }
  const code = fault.status ?? 500
  const reason =
    fault.type ??
    (code === 503
      ? 'ServiceUnavailable'
      : code === 504
        ? 'Timeout'
        : code >= 500
          ? 'InternalError'
          : 'BadRequest')
  return statusResponse(
    failure(code, reason, fault.message ?? `Internal error occurred: injected fault (${reason})`),
  )
}

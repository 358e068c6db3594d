import type { IncomingMessage } from 'node:http'
import type { WireProtocol, WireResponse } from '../http-server.js'
import { authBlock, lookupData, type Token, type VaultAuth } from './auth.js'
import { kv1Handler, kv2Handler } from './kv-handlers.js'
import { type Route, route } from './routes.js'
import type { VaultState } from './state.js'
import { sysHandler } from './sys.js'
import {
  envelope,
  errorResponse,
  invalidToken,
  noContent,
  noHandler,
  sealed,
  unsupportedOperation,
  VaultError,
  vaultFault,
} from './wire.js'

/**
 * Vault's HTTP surface under `/v1/`: routing, the seal, namespaces, token authentication, and the
 * auth endpoints; the KV engines and `sys/` live in their own modules. LIST arrives either as the
 * `LIST` verb (rewritten to GET by the server, see `custom-methods.ts`) or as `GET ?list=true`.
 */

/** A request as the fake records it (its `input` in the request log). */
export interface VaultRequest {
  readonly method: string
  /** Path after `/v1/`, no leading slash. */
  readonly path: string
  readonly query: URLSearchParams
  readonly namespace: string
  readonly token: string | undefined
  readonly body: Record<string, unknown>
  readonly bodyBytes: number
  readonly bodyError?: string | undefined
  readonly route: Route
}

export interface VaultContext {
  readonly state: VaultState
  readonly auth: VaultAuth
  readonly now: () => number
  readonly maxRequestBytes: number
  readonly version: string
}

/** The header node's HTTP server gets instead of the LIST verb it cannot parse. */
export const ORIGINAL_METHOD_HEADER = 'x-polysecret-original-method'

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

function parseBody(body: Buffer): { body: Record<string, unknown>; error?: string } {
  if (body.length === 0) return { body: {} }
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return { body: {}, error: 'failed to parse JSON input: expected a JSON object' }
    return { body: parsed as Record<string, unknown> }
  } catch (error) {
    return { body: {}, error: `failed to parse JSON input: ${(error as Error).message}` }
  }
}

const LOGINS = new Set(['approle.login', 'kubernetes.login'])
const UNSEALED_ONLY_EXEMPT = new Set(['sys.health', 'sys.seal-status'])

export function vaultProtocol(ctx: VaultContext): WireProtocol {
  const dispatch = async (req: VaultRequest): Promise<WireResponse> => {
    if (req.bodyBytes > ctx.maxRequestBytes) throw new VaultError(413, ['http: request body too large'])
    const r = req.route
    if (r.kind === 'sys' && UNSEALED_ONLY_EXEMPT.has(r.operation)) return sysHandler(ctx, req, undefined)
    if (ctx.state.sealed) throw sealed()
    if (req.bodyError) throw new VaultError(400, [req.bodyError])
    if (req.namespace !== '' && !ctx.state.hasNamespace(req.namespace)) throw noHandler(req.path)
    if (r.kind === 'auth' && LOGINS.has(r.operation)) {
      if (req.method !== 'POST' && req.method !== 'PUT') throw unsupportedOperation()
      const token =
        r.operation === 'approle.login' ? ctx.auth.appRoleLogin(req.body) : ctx.auth.kubernetesLogin(req.body)
      return envelope({ auth: authBlock(token, ctx.now()) })
    }
    const token = ctx.auth.authenticate(req.token)
    switch (r.kind) {
      case 'none':
        throw noHandler(req.path)
      case 'sys':
        return sysHandler(ctx, req, token)
      case 'auth':
        return tokenHandler(ctx, req, token)
      case 'kv1':
        return kv1Handler(ctx, req, r, token)
      case 'kv2':
        return kv2Handler(ctx, req, r, token)
    }
  }

  return {
    parse(req: IncomingMessage, raw: Buffer) {
      const url = new URL(req.url ?? '/', 'http://fake')
      const method = (header(req, ORIGINAL_METHOD_HEADER) ?? req.method ?? 'GET').toUpperCase()
      const full = decodeURIComponent(url.pathname)
      const path = full.startsWith('/v1/') ? full.slice(4) : ''
      const list = ['true', '1'].includes(url.searchParams.get('list') ?? '')
      const r: Route = path
        ? route(ctx.state.mounts, method, path, list)
        : { kind: 'none', operation: 'unknown' }
      const parsed = raw.length > ctx.maxRequestBytes ? { body: {} } : parseBody(raw)
      const input: VaultRequest = {
        method,
        path,
        query: url.searchParams,
        namespace: (header(req, 'x-vault-namespace') ?? '').replace(/^\/+|\/+$/g, ''),
        token: header(req, 'x-vault-token') ?? bearer(header(req, 'authorization')),
        body: parsed.body,
        bodyBytes: raw.length,
        bodyError: parsed.error,
        route: r,
      }
      return { operation: r.operation, input }
    },
    async handle(_req, _operation, input) {
      try {
        return await dispatch(input as VaultRequest)
      } catch (error) {
        if (error instanceof VaultError) return errorResponse(error)
        throw error
      }
    },
    fault: vaultFault,
  }
}

function bearer(value: string | undefined): string | undefined {
  return value?.startsWith('Bearer ') ? value.slice(7) : undefined
}

/** `auth/token/*`: lookup-self, renew-self, revoke-self and create. */
function tokenHandler(ctx: VaultContext, req: VaultRequest, token: Token): WireResponse {
  const now = ctx.now()
  switch (req.route.operation) {
    case 'token.lookup-self':
      if (req.method !== 'GET' && req.method !== 'POST') throw unsupportedOperation()
      return envelope({ data: lookupData(token, now) })
    case 'token.renew-self': {
      if (req.method !== 'POST' && req.method !== 'PUT') throw unsupportedOperation()
      const { warnings } = ctx.auth.renew(token, req.body.increment)
      return envelope({ auth: authBlock(token, now), warnings })
    }
    case 'token.revoke-self':
      if (req.method !== 'POST' && req.method !== 'PUT') throw unsupportedOperation()
      ctx.auth.revoke(token.id)
      return noContent()
    case 'token.create': {
      if (req.method !== 'POST' && req.method !== 'PUT') throw unsupportedOperation()
      ctx.auth.authorize(token, 'auth/token/create', 'create', 'update', 'sudo')
      const b = req.body
      const policies = Array.isArray(b.policies) ? (b.policies as string[]) : token.policies
      if (
        !token.policies.includes('root') &&
        policies.some((p) => p !== 'default' && !token.policies.includes(p))
      )
        throw new VaultError(400, ['child policies must be subset of parent'])
      try {
        const child = ctx.auth.issue({
          policies,
          ttl: (b.ttl as string | number | undefined) ?? undefined,
          renewable: b.renewable === undefined ? true : b.renewable === true,
          maxTtl: (b.explicit_max_ttl as string | number | undefined) ?? undefined,
        })
        return envelope({ auth: authBlock(child, now) })
      } catch (error) {
        throw new VaultError(400, [(error as Error).message])
      }
    }
    default:
      throw invalidToken()
  }
}

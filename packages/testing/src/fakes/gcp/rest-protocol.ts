import type { IncomingMessage } from 'node:http'
import type protobuf from 'protobufjs'
import type { WireFault, WireProtocol, WireResponse } from '../http-server.js'
import { encodeJson, type HttpBinding, type RpcMethod } from './proto.js'
import { decodeRestRequest, faultStatus, type ResolvedService } from './service.js'
import { GcpError, httpStatusOf, type StatusName } from './status.js'

/**
 * The REST/JSON transport the official clients use with `fallback: true` (google-gax's "REST fallback"):
 * each RPC is transcoded by its `google.api.http` rule — path variables, query parameters, a JSON body —
 * in proto3 JSON (camelCase; enums as numbers when the client sends `$alt=json;enum-encoding=int`).
 * Errors are `{ "error": { "code": <HTTP status>, "message", "status": "<CANONICAL_NAME>" } }`.
 */

interface Route {
  readonly method: RpcMethod
  readonly binding: HttpBinding
  readonly pattern: RegExp
  /** Request field paths (camelCase, dotted) of the captured variables, in order. */
  readonly variables: readonly string[]
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Compiles `/v1/{name=projects/*\/secrets/*}:access` into a regex capturing `name`. */
function compile(method: RpcMethod, binding: HttpBinding): Route {
  const variables: string[] = []
  let source = ''
  let rest = binding.template
  for (let m = rest.match(/\{([^}=]+)(?:=([^}]*))?\}/); m; m = rest.match(/\{([^}=]+)(?:=([^}]*))?\}/)) {
    source += escapeRegex(rest.slice(0, m.index))
    variables.push(m[1]!.split('.').map(camel).join('.'))
    // `*` is one path segment (resource ids hold no ':' — it starts the custom verb); `**` is the rest.
    const segments = (m[2] ?? '*')
      .split('/')
      .map((s) => (s === '**' ? '.+' : s === '*' ? '[^/:]+' : escapeRegex(s)))
    source += `(${segments.join('/')})`
    rest = rest.slice(m.index! + m[0].length)
  }
  source += escapeRegex(rest)
  return { method, binding, pattern: new RegExp(`^${source}$`), variables }
}

/** Sets `value` at a dotted path inside `target`, creating objects on the way. */
function setPath(target: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split('.')
  let node = target
  for (const key of keys.slice(0, -1)) node = node[key] ??= {}
  node[keys.at(-1)!] = value
}

/** Query strings carry every scalar as text; proto3 JSON wants numbers and booleans typed. */
function typed(type: protobuf.Type, path: string, value: string): unknown {
  let t: protobuf.Type | undefined = type
  let field: protobuf.Field | undefined
  for (const key of path.split('.')) {
    field = t?.fields[key]
    t =
      field?.resolvedType && 'fields' in field.resolvedType
        ? (field.resolvedType as protobuf.Type)
        : undefined
  }
  if (!field) return value
  if (field.type === 'bool') return value === 'true'
  // Enums arrive by number when the client asks for `enum-encoding=int` (google-gax always does).
  if (field.resolvedType && !('fields' in field.resolvedType) && /^-?\d+$/.test(value)) return Number(value)
  if (['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'double', 'float'].includes(field.type))
    return Number(value)
  return value
}

function errorResponse(
  status: StatusName,
  message: string,
  headers: Record<string, string> = {},
): WireResponse {
  const code = httpStatusOf(status)
  return {
    status: code,
    headers: { 'Content-Type': 'application/json; charset=UTF-8', ...headers },
    body: JSON.stringify({ error: { code, message, status } }),
  }
}

/** The REST transport of one service. */
export function restProtocol(service: ResolvedService): WireProtocol {
  const routes: Route[] = []
  for (const method of service.methods.values())
    for (const b of method.bindings) routes.push(compile(method, b))

  const match = (req: IncomingMessage): { route: Route; captured: string[] } | undefined => {
    const path = (req.url ?? '/').split('?')[0]!
    for (const route of routes) {
      if (route.binding.verb !== req.method) continue
      const m = route.pattern.exec(path)
      if (m) return { route, captured: m.slice(1).map((s) => decodeURIComponent(s)) }
    }
    return undefined
  }

  return {
    parse(req, body) {
      const found = match(req)
      if (!found) return { operation: 'unknown', input: undefined }
      const { route, captured } = found
      const json: Record<string, any> = {}
      const url = new URL(req.url ?? '/', 'http://fake')
      for (const [key, value] of url.searchParams) {
        if (key.startsWith('$')) continue // system parameters: $alt, $prettyPrint
        const current = key.split('.').reduce<any>((n, k) => n?.[k], json)
        const v = typed(route.method.requestType, key, value)
        setPath(json, key, current === undefined ? v : [].concat(current, v as never))
      }
      let parsed: unknown
      try {
        parsed = body.length ? JSON.parse(body.toString('utf8')) : undefined
      } catch {
        return {
          operation: route.method.name,
          input: new GcpError('INVALID_ARGUMENT', 'Invalid JSON payload received.'),
        }
      }
      if (route.binding.body === '*' && parsed && typeof parsed === 'object') Object.assign(json, parsed)
      else if (route.binding.body && parsed !== undefined) json[route.binding.body] = parsed
      for (const [i, path] of route.variables.entries()) setPath(json, path, captured[i])
      try {
        return { operation: route.method.name, input: decodeRestRequest(route.method, json) }
      } catch (error) {
        return { operation: route.method.name, input: error }
      }
    },

    async handle(req, operation, input) {
      try {
        if (!/^Bearer \S+/.test(String(req.headers.authorization ?? '')))
          throw new GcpError(
            'UNAUTHENTICATED',
            'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          )
        if (input instanceof GcpError) throw input
        if (operation === 'unknown' || !input) {
          throw new GcpError(
            'NOT_FOUND',
            `The requested URL ${req.method} ${req.url} was not found on this server.`,
          )
        }
        const method = service.methods.get(operation)!
        const output = await service.call(operation, input as Record<string, any>)
        const numericEnums = /enum-encoding=int/.test(
          new URL(req.url ?? '/', 'http://fake').searchParams.get('$alt') ?? '',
        )
        return {
          status: 200,
          headers: { 'Content-Type': 'application/json; charset=UTF-8' },
          body: JSON.stringify(encodeJson(method.responseType, output, numericEnums)),
        }
      } catch (error) {
        if (error instanceof GcpError) return errorResponse(error.status, error.message)
        throw error
      }
    },

    fault(fault: WireFault) {
      const { status, message, retryAfterMs } = faultStatus(fault)
      const hint: Record<string, string> =
        retryAfterMs === undefined ? {} : { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) }
      return errorResponse(status, message, hint)
    },
  }
}

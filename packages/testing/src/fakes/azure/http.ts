import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import type { WireFault, WireProtocol, WireResponse } from '../http-server.js'

/**
 * The HTTP plumbing both Azure fakes share: a small router from method + path to an operation name, the
 * decoded request handed to a handler, and errors that carry their own wire response.
 */

/** One request as a handler sees it. */
export interface AzureRequest {
  readonly method: string
  /** The raw path and query, as signed (App Configuration's HMAC covers it). */
  readonly url: string
  /** Path parameters captured by the route, percent-decoded. */
  readonly params: Readonly<Record<string, string>>
  /** Query parameters with lower-cased names (the services read them case-insensitively). */
  readonly query: ReadonlyMap<string, readonly string[]>
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/** First value of a query parameter. */
export function param(req: AzureRequest, name: string): string | undefined {
  return req.query.get(name.toLowerCase())?.[0]
}

/** A failure a handler throws; it already knows how the service words it. */
export class AzureHttpError extends Error {
  constructor(readonly response: WireResponse) {
    super(`HTTP ${response.status}`)
  }
}

export type AzureHandler = (req: AzureRequest) => WireResponse | Promise<WireResponse>

/** A route: `GET /secrets/{name}/{version}`; a `{name*}` parameter takes the rest of the path. */
export interface AzureRoute {
  readonly method: string
  readonly path: string
  readonly operation: string
  readonly handler: AzureHandler
}

interface CompiledRoute extends AzureRoute {
  readonly pattern: RegExp
  readonly names: readonly string[]
}

function compile(route: AzureRoute): CompiledRoute {
  const names: string[] = []
  const source = route.path
    .split('/')
    .map((segment) => {
      const m = /^\{(\w+)(\*?)\}$/.exec(segment)
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      names.push(m[1]!)
      return m[2] ? '(.+)' : '([^/]*)'
    })
    .join('/')
  return { ...route, names, pattern: new RegExp(`^${source}/?$`, 'i') }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** Splits a query string without turning `+` into a space (the SDKs send `+` as itself in filters). */
function parseQuery(search: string): Map<string, string[]> {
  const query = new Map<string, string[]>()
  for (const pair of search.split('&')) {
    if (!pair) continue
    const eq = pair.indexOf('=')
    const name = decode(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase()
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1))
    query.set(name, [...(query.get(name) ?? []), value])
  }
  return query
}

/** What a service adds to the shared plumbing. */
export interface AzureService {
  readonly routes: readonly AzureRoute[]
  /** Names a request's operation before routing (Key Vault: a request without a token is a `Challenge`). */
  readonly preRoute?: (req: IncomingMessage) => string | undefined
  /** Refuses an unauthenticated request with the service's 401, or returns `undefined` to let it through. */
  readonly authenticate: (req: AzureRequest, operation: string) => WireResponse | undefined
  /** The answer to a path no route matches. */
  readonly notFound: (req: AzureRequest) => WireResponse
  /** Encodes an injected fault. */
  readonly fault: (fault: WireFault) => WireResponse
}

/** The protocol of an Azure fake: route, authenticate, run the handler, encode what it throws. */
export function azureProtocol(service: AzureService): WireProtocol {
  const routes = service.routes.map(compile)
  const match = (method: string, path: string) => {
    for (const route of routes) {
      if (route.method !== method) continue
      const m = route.pattern.exec(path)
      if (m) return { route, params: Object.fromEntries(route.names.map((n, i) => [n, decode(m[i + 1]!)])) }
    }
    return undefined
  }
  const request = (req: IncomingMessage, body: Buffer, params: Record<string, string> = {}): AzureRequest => {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    return {
      method: req.method ?? 'GET',
      url,
      params,
      query: parseQuery(q < 0 ? '' : url.slice(q + 1)),
      headers: req.headers,
      body,
    }
  }
  return {
    parse(req, body) {
      const url = req.url ?? '/'
      const path = url.split('?')[0]!
      const found = match(req.method ?? 'GET', path)
      const operation = service.preRoute?.(req) ?? found?.route.operation ?? 'unknown'
      // The logged input is the request as the handler sees it; the route rides along unenumerated.
      const input = request(req, body, found?.params)
      Object.defineProperty(input, 'route', { value: found?.route, enumerable: false })
      return { operation, input }
    },
    async handle(_req, operation, input) {
      const r = input as AzureRequest & { readonly route?: CompiledRoute }
      try {
        const refused = service.authenticate(r, operation)
        if (refused) return refused
        if (!r.route) return service.notFound(r)
        return await r.route.handler(r)
      } catch (error) {
        if (error instanceof AzureHttpError) return error.response
        throw error
      }
    },
    fault: service.fault,
  }
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): WireResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  }
}

/** Parses a JSON request body; `undefined` when empty. Throws `bad(message)` when it is not JSON. */
export function readJson(req: AzureRequest, bad: (message: string) => Error): unknown {
  if (req.body.length === 0) return undefined
  try {
    return JSON.parse(req.body.toString('utf8'))
  } catch {
    throw bad('The request body is not valid JSON.')
  }
}

/** `Retry-After` in whole seconds (at least 1, as the services send it) from a hint in ms. */
export function retryAfterSeconds(ms: number | undefined): string {
  return String(Math.max(1, Math.ceil((ms ?? 1000) / 1000)))
}

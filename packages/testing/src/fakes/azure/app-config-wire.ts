import { createHash } from 'node:crypto'
import type { WireResponse } from '../http-server.js'
import { pageToken } from '../page-token.js'
import { FilterError } from './app-config-filters.js'
import type { KeyValue } from './app-config-state.js'
import { AzureHttpError, type AzureRequest, param } from './http.js'

/**
 * How App Configuration answers: key-values in its snake_case JSON, errors as RFC 7807 problem details,
 * pages of 100 with an `after` token in both `@nextLink` and the `Link` header, and a page etag.
 */

/** An error answer: `application/problem+json` with a `https://azconfig.io/errors/<type>` type. */
export function problem(
  status: number,
  type: string,
  title: string,
  extra: { detail?: string; name?: string; headers?: Record<string, string> } = {},
): AzureHttpError {
  const { headers, ...rest } = extra
  return new AzureHttpError({
    status,
    headers: { 'Content-Type': 'application/problem+json; charset=utf-8', ...headers },
    body: JSON.stringify({ type: `https://azconfig.io/errors/${type}`, title, ...rest, status }),
  })
}

/** A status with no body (404 of a key-value, 412, 304), as the service sends them. */
export function bare(status: number, headers: Record<string, string> = {}): AzureHttpError {
  return new AzureHttpError({ status, headers })
}

export const invalidArgument = (name: string, detail: string) =>
  problem(400, 'invalid-argument', `Invalid request parameter '${name}'`, { name, detail })

/** Runs a filter compiler, turning its complaint into the service's 400. */
export function filtered<T>(name: string, compile: () => T): T {
  try {
    return compile()
  } catch (error) {
    if (error instanceof FilterError) throw invalidArgument(name, error.message)
    throw error
  }
}

const FIELDS = ['key', 'label', 'content_type', 'value', 'tags', 'locked', 'last_modified', 'etag'] as const

/** The `$select` fields a request asks for (all when absent). */
export function selectFields(req: AzureRequest): readonly string[] {
  const raw = param(req, '$select')
  if (raw === undefined || raw === '') return FIELDS
  const fields = raw.split(',').map((f) => f.trim())
  for (const f of fields)
    if (!(FIELDS as readonly string[]).includes(f)) throw invalidArgument('$select', `Unknown field '${f}'.`)
  return fields
}

/** A key-value as the service writes it. */
export function kvJson(kv: KeyValue, fields: readonly string[] = FIELDS): Record<string, unknown> {
  const all: Record<string, unknown> = {
    etag: kv.etag,
    key: kv.key,
    label: kv.label,
    content_type: kv.contentType,
    value: kv.value,
    tags: kv.tags,
    locked: kv.locked,
    last_modified: new Date(kv.lastModified).toISOString(),
  }
  return Object.fromEntries(fields.map((f) => [f, all[f]]))
}

/** The headers of an answer about one key-value. */
export function kvHeaders(kv: KeyValue): Record<string, string> {
  return {
    'Content-Type': 'application/vnd.microsoft.appconfig.kv+json; charset=utf-8',
    ETag: `"${kv.etag}"`,
    'Last-Modified': new Date(kv.lastModified).toUTCString(),
  }
}

/** `If-Match` / `If-None-Match` value → the etag it names (`*` kept), quotes removed. */
export function etagOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined
  const v = (Array.isArray(header) ? header[0]! : header).trim()
  return v === '*' ? '*' : v.replace(/^W\//, '').replace(/^"(.*)"$/, '$1')
}

/**
 * One page of a listing, `after` the token of the previous one. Answers 304 when `If-None-Match` names
 * the page's etag (a page etag is a hash of its items' etags, so it changes when any of them does).
 */
export function listPage<T>(
  req: AzureRequest,
  items: readonly T[],
  options: {
    scope: string
    pageSize: number
    contentType: string
    etagOf?: (item: T) => string
    render: (item: T) => unknown
  },
): WireResponse {
  const after = param(req, 'after')
  const offset = after === undefined ? 0 : pageToken.decode(after, options.scope)
  if (offset === undefined) throw invalidArgument('after', 'The after token is not valid for this listing.')
  const end = offset + options.pageSize
  const page = items.slice(offset, end)
  const headers: Record<string, string> = { 'Content-Type': `${options.contentType}; charset=utf-8` }
  let nextLink: string | undefined
  if (end < items.length) {
    const [path, query = ''] = req.url.split('?') as [string, string?]
    const kept = query.split('&').filter((p) => p && !/^after=/i.test(p))
    nextLink = `${path}?${[...kept, `after=${pageToken.encode(end, options.scope)}`].join('&')}`
    headers.Link = `<${nextLink}>; rel="next"`
  }
  if (options.etagOf) {
    const etag = createHash('sha256').update(page.map(options.etagOf).join('\n')).digest('base64url')
    headers.ETag = `"${etag}"`
    if (etagOf(req.headers['if-none-match']) === etag) throw bare(304, headers)
  }
  // A page's etag is in both the ETag header and the body (KeyValueListResult.etag).
  const etag = headers.ETag?.slice(1, -1)
  const body = {
    items: page.map(options.render),
    ...(etag && { etag }),
    ...(nextLink && { '@nextLink': nextLink }),
  }
  return { status: 200, headers, body: req.method === 'HEAD' ? '' : JSON.stringify(body) }
}

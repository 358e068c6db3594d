import { compileFilter, compileTagFilters } from './app-config-filters.js'
import type { AppConfigState, KeyValue } from './app-config-state.js'
import {
  bare,
  etagOf,
  filtered,
  invalidArgument,
  kvHeaders,
  kvJson,
  listPage,
  problem,
  selectFields,
} from './app-config-wire.js'
import { type AzureRequest, type AzureRoute, param, readJson } from './http.js'

/**
 * The key-value routes of the App Configuration fake: read, write and delete by key and label with
 * etag conditions, read-only locks, listings with key/label/tag filters, revisions, keys and labels.
 */

/** The service's limit on one key-value (key, label, value, content type and tags together). */
export const APP_CONFIG_ITEM_LIMIT = 10 * 1024

/** The label a request names: absent, empty or `\0` is the null label. */
function labelOf(req: AzureRequest): string | null {
  const label = param(req, 'label')
  return label === undefined || label === '' || label === '\\0' || label === '\u0000' ? null : label
}

function checkKey(key: string): void {
  if (key === '' || key === '.' || key === '..' || key.includes('%'))
    throw invalidArgument(
      'key',
      `The key '${key}' is not allowed: a key cannot be empty, '.' or '..', nor contain '%'.`,
    )
}

export function keyValueRoutes(state: AppConfigState, pageSize: number): AzureRoute[] {
  const lockedError = (kv: KeyValue) =>
    problem(409, 'key-locked', `Modifying key '${kv.key}' is not allowed`, {
      name: kv.key,
      detail: 'The key is read-only. To allow modification unlock it first.',
    })
  /** `If-Match` against the current item (absent: `undefined`); 412 when it does not hold. */
  const checkIfMatch = (req: AzureRequest, current: KeyValue | undefined) => {
    const ifMatch = etagOf(req.headers['if-match'])
    if (ifMatch !== undefined && (current === undefined || (ifMatch !== '*' && ifMatch !== current.etag)))
      throw bare(412)
    const ifNoneMatch = etagOf(req.headers['if-none-match'])
    if (
      ifNoneMatch !== undefined &&
      current !== undefined &&
      (ifNoneMatch === '*' || ifNoneMatch === current.etag)
    )
      throw bare(412)
  }
  const one = (req: AzureRequest, kv: KeyValue) => ({
    status: 200,
    headers: kvHeaders(kv),
    body: req.method === 'HEAD' ? '' : JSON.stringify(kvJson(kv, selectFields(req))),
  })
  /** `Accept-Datetime` (an HTTP date): the time to read key-values as of, from the revision history. */
  const asOfTime = (req: AzureRequest): number | undefined => {
    const header = req.headers['accept-datetime']
    if (header === undefined) return undefined
    const time = Date.parse(String(header))
    if (Number.isNaN(time)) throw invalidArgument('Accept-Datetime', 'The value is not a valid HTTP date.')
    return time
  }
  const mementoHeaders = (time: number | undefined) =>
    time === undefined ? {} : { 'memento-datetime': new Date(time).toUTCString() }
  const get = (req: AzureRequest) => {
    const time = asOfTime(req)
    const kv =
      time === undefined
        ? state.get(req.params.key!, labelOf(req))
        : state.asOf(time).find((item) => item.key === req.params.key && item.label === labelOf(req))
    if (!kv) throw bare(404)
    const ifMatch = etagOf(req.headers['if-match'])
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== kv.etag) throw bare(412)
    if (etagOf(req.headers['if-none-match']) === kv.etag) throw bare(304, kvHeaders(kv))
    const answer = one(req, kv)
    return { ...answer, headers: { ...answer.headers, ...mementoHeaders(time) } }
  }
  const list = (req: AzureRequest) => {
    const time = asOfTime(req)
    const snapshotName = param(req, 'snapshot')
    const keyMatches = filtered('key', () => compileFilter(param(req, 'key'), 'key'))
    const labelMatches = filtered('label', () => compileFilter(param(req, 'label'), 'label'))
    const tagMatches = filtered('tags', () => compileTagFilters(req.query.get('tags') ?? []))
    let items: readonly KeyValue[]
    if (snapshotName !== undefined) {
      if (param(req, 'key') !== undefined || param(req, 'label') !== undefined)
        throw invalidArgument('snapshot', 'A snapshot cannot be combined with key or label filters.')
      const snapshot = state.snapshots.get(snapshotName)
      if (!snapshot)
        throw problem(404, 'not-found', `Snapshot '${snapshotName}' was not found.`, { name: snapshotName })
      items = snapshot.items
    } else {
      items = (time === undefined ? state.all() : state.asOf(time)).filter(
        (kv) => keyMatches(kv.key) && labelMatches(kv.label) && tagMatches(kv.tags),
      )
    }
    const fields = selectFields(req)
    return listPage(req, items, {
      scope: `kv:${[param(req, 'key'), param(req, 'label'), snapshotName, ...(req.query.get('tags') ?? [])].join('|')}`,
      pageSize,
      contentType: 'application/vnd.microsoft.appconfig.kvset+json',
      etagOf: (kv) => kv.etag,
      render: (kv) => kvJson(kv, fields),
    })
  }
  const names = (req: AzureRequest, all: (string | null)[], kind: 'key' | 'label') => {
    const matches = filtered('name', () => compileFilter(param(req, 'name'), kind))
    const unique = [...new Set(all)].filter(matches)
    return listPage(req, unique, {
      scope: `${kind}s:${param(req, 'name') ?? ''}`,
      pageSize,
      contentType: `application/vnd.microsoft.appconfig.${kind}set+json`,
      render: (name) => ({ name }),
    })
  }
  const lock = (locked: boolean) => (req: AzureRequest) => {
    const current = state.get(req.params.key!, labelOf(req))
    if (!current) throw bare(404)
    checkIfMatch(req, current)
    return one(req, state.put(current.key, current.label, { locked }))
  }

  return [
    { method: 'GET', path: '/kv/{key*}', operation: 'GetKeyValue', handler: get },
    { method: 'HEAD', path: '/kv/{key*}', operation: 'CheckKeyValue', handler: get },
    { method: 'GET', path: '/kv', operation: 'ListKeyValues', handler: list },
    { method: 'HEAD', path: '/kv', operation: 'CheckKeyValues', handler: list },
    {
      method: 'PUT',
      path: '/kv/{key*}',
      operation: 'PutKeyValue',
      handler(req) {
        const key = req.params.key!
        checkKey(key)
        const label = labelOf(req)
        const body = (readJson(req, (m) => invalidArgument('body', m)) ?? {}) as Record<string, unknown>
        if (typeof body !== 'object' || Array.isArray(body))
          throw invalidArgument('body', 'The body must be a JSON object.')
        for (const field of ['value', 'content_type'] as const)
          if (body[field] !== undefined && body[field] !== null && typeof body[field] !== 'string')
            throw invalidArgument(field, `'${field}' must be a string.`)
        const tags = body.tags ?? {}
        if (
          typeof tags !== 'object' ||
          tags === null ||
          Object.values(tags).some((t) => typeof t !== 'string')
        )
          throw invalidArgument('tags', "'tags' must be an object of strings.")
        const current = state.get(key, label)
        checkIfMatch(req, current)
        if (current?.locked) throw lockedError(current)
        const value = (body.value as string | null | undefined) ?? null
        const contentType = (body.content_type as string | null | undefined) ?? null
        const size = [key, label ?? '', value ?? '', contentType ?? '', JSON.stringify(tags)].reduce(
          (n, s) => n + Buffer.byteLength(s),
          0,
        )
        if (size > APP_CONFIG_ITEM_LIMIT)
          throw problem(413, 'kv-too-large', 'The key-value is too large', {
            name: key,
            detail: `A key-value may hold at most ${APP_CONFIG_ITEM_LIMIT} bytes of key, label, value, content type and tags; this one holds ${size}.`,
          })
        return one(req, state.put(key, label, { value, contentType, tags: tags as Record<string, string> }))
      },
    },
    {
      method: 'DELETE',
      path: '/kv/{key*}',
      operation: 'DeleteKeyValue',
      handler(req) {
        const current = state.get(req.params.key!, labelOf(req))
        const ifMatch = etagOf(req.headers['if-match'])
        if (ifMatch !== undefined && (current === undefined || (ifMatch !== '*' && ifMatch !== current.etag)))
          throw bare(412)
        if (!current) return { status: 204 }
        if (current.locked) throw lockedError(current)
        state.remove(current)
        return one(req, current)
      },
    },
    { method: 'PUT', path: '/locks/{key*}', operation: 'PutLock', handler: lock(true) },
    { method: 'DELETE', path: '/locks/{key*}', operation: 'DeleteLock', handler: lock(false) },
    {
      method: 'GET',
      path: '/revisions',
      operation: 'ListRevisions',
      handler(req) {
        const time = asOfTime(req)
        const keyMatches = filtered('key', () => compileFilter(param(req, 'key'), 'key'))
        const labelMatches = filtered('label', () => compileFilter(param(req, 'label'), 'label'))
        const fields = selectFields(req)
        return listPage(
          req,
          state
            .revisions()
            .filter(
              (kv) =>
                (time === undefined || kv.lastModified <= time) &&
                keyMatches(kv.key) &&
                labelMatches(kv.label),
            ),
          {
            scope: `revisions:${param(req, 'key')}|${param(req, 'label')}`,
            pageSize,
            contentType: 'application/vnd.microsoft.appconfig.kvset+json',
            render: (kv) => kvJson(kv, fields),
          },
        )
      },
    },
    {
      method: 'GET',
      path: '/keys',
      operation: 'ListKeys',
      handler: (req) =>
        names(
          req,
          state.all().map((kv) => kv.key),
          'key',
        ),
    },
    {
      method: 'GET',
      path: '/labels',
      operation: 'ListLabels',
      handler: (req) =>
        names(
          req,
          state.all().map((kv) => kv.label),
          'label',
        ),
    },
  ]
}

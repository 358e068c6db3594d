import { compileFilter, compileTagFilters } from './app-config-filters.js'
import type { AppConfigState, KeyValue, Snapshot } from './app-config-state.js'
import { filtered, invalidArgument, listPage, problem } from './app-config-wire.js'
import { type AzureRequest, type AzureRoute, json, param, readJson } from './http.js'

/**
 * Snapshots: an immutable set of key-values chosen by up to three filters when created (`key`
 * composition keeps one item per key, later filters winning; `key_label` keeps every key and label),
 * read with `GET /kv?snapshot=<name>`, archived and recovered by PATCH. The fake composes at once, so a
 * new snapshot is `ready` when its long-running operation is first polled.
 */

const SNAPSHOT_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.snapshot+json; charset=utf-8'
const DEFAULT_RETENTION_S = 30 * 86_400

export function snapshotRoutes(state: AppConfigState, pageSize: number): AzureRoute[] {
  const render = (s: Snapshot) => ({
    name: s.name,
    status: s.status,
    filters: s.filters,
    composition_type: s.compositionType,
    created: new Date(s.created).toISOString(),
    expires: s.expires === undefined ? null : new Date(s.expires).toISOString(),
    retention_period: s.retentionPeriod,
    size: s.items.reduce((n, kv) => n + Buffer.byteLength(JSON.stringify(kv)), 0),
    items_count: s.items.length,
    tags: s.tags,
    etag: s.etag,
  })
  const answer = (s: Snapshot, status = 200, headers: Record<string, string> = {}) =>
    json(status, render(s), { 'Content-Type': SNAPSHOT_CONTENT_TYPE, ETag: `"${s.etag}"`, ...headers })
  const find = (name: string) => {
    const s = state.snapshots.get(name)
    if (!s) throw problem(404, 'not-found', `Snapshot '${name}' was not found.`, { name })
    return s
  }
  const body = (req: AzureRequest) => {
    const b = readJson(req, (m) => invalidArgument('body', m))
    if (typeof b !== 'object' || b === null || Array.isArray(b))
      throw invalidArgument('body', 'The body must be a JSON object.')
    return b as Record<string, any>
  }

  return [
    {
      method: 'PUT',
      path: '/snapshots/{name}',
      operation: 'CreateSnapshot',
      handler(req) {
        const name = req.params.name!
        if (state.snapshots.has(name))
          throw problem(409, 'already-exists', `Snapshot '${name}' already exists.`, { name })
        const b = body(req)
        const filters = b.filters
        if (!Array.isArray(filters) || filters.length < 1 || filters.length > 3)
          throw invalidArgument('filters', 'A snapshot needs one to three filters.')
        const compositionType = b.composition_type ?? 'key'
        if (compositionType !== 'key' && compositionType !== 'key_label')
          throw invalidArgument('composition_type', "composition_type must be 'key' or 'key_label'.")
        const chosen = new Map<string, KeyValue>()
        for (const f of filters) {
          if (typeof f?.key !== 'string') throw invalidArgument('filters', 'Every filter needs a key.')
          const keyMatches = filtered('filters', () => compileFilter(f.key, 'key'))
          const labelMatches = filtered('filters', () => compileFilter(f.label ?? '\\0', 'label'))
          const tagMatches = filtered('filters', () => compileTagFilters(f.tags ?? []))
          for (const kv of state.all())
            if (keyMatches(kv.key) && labelMatches(kv.label) && tagMatches(kv.tags))
              chosen.set(compositionType === 'key' ? kv.key : `${kv.key}\u0000${kv.label}`, {
                ...kv,
                tags: { ...kv.tags },
              })
        }
        const items = [...chosen.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        const retention = b.retention_period ?? DEFAULT_RETENTION_S
        const snapshot: Snapshot = {
          name,
          status: 'ready',
          filters: filters.map((f: Record<string, unknown>) => ({
            key: f.key as string,
            label: (f.label as string | undefined) ?? null,
            ...(f.tags ? { tags: f.tags as string[] } : {}),
          })),
          compositionType,
          created: state.now(),
          expires: undefined,
          retentionPeriod: retention,
          tags: b.tags ?? {},
          items,
          etag: state.etag(),
        }
        state.snapshots.set(name, snapshot)
        const operation = `https://${req.headers.host}/operations?snapshot=${encodeURIComponent(name)}&api-version=${param(req, 'api-version') ?? ''}`
        return answer(snapshot, 201, { 'Operation-Location': operation })
      },
    },
    {
      method: 'GET',
      path: '/snapshots/{name}',
      operation: 'GetSnapshot',
      handler: (req) => answer(find(req.params.name!)),
    },
    {
      method: 'PATCH',
      path: '/snapshots/{name}',
      operation: 'UpdateSnapshot',
      handler(req) {
        const s = find(req.params.name!)
        const ifMatch = req.headers['if-match']
        if (ifMatch !== undefined && String(ifMatch).replace(/"/g, '') !== s.etag) return { status: 412 }
        const status = body(req).status
        if (status !== 'archived' && status !== 'ready')
          throw invalidArgument('status', "status must be 'archived' or 'ready'.")
        if (s.status !== status) {
          s.status = status
          s.expires = status === 'archived' ? state.now() + s.retentionPeriod * 1000 : undefined
          s.etag = state.etag()
        }
        return answer(s)
      },
    },
    {
      method: 'GET',
      path: '/snapshots',
      operation: 'ListSnapshots',
      handler(req) {
        const nameMatches = filtered('name', () => compileFilter(param(req, 'name'), 'key'))
        const statuses = (param(req, 'status') ?? '').split(',').filter(Boolean)
        const all = [...state.snapshots.values()]
          .filter((s) => nameMatches(s.name) && (statuses.length === 0 || statuses.includes(s.status)))
          .sort((a, b) => (a.name < b.name ? -1 : 1))
        return listPage(req, all, {
          scope: `snapshots:${param(req, 'name')}|${param(req, 'status')}`,
          pageSize,
          contentType: 'application/vnd.microsoft.appconfig.snapshotset+json',
          render,
        })
      },
    },
    {
      method: 'GET',
      path: '/operations',
      operation: 'GetOperationDetails',
      handler(req) {
        const name = param(req, 'snapshot')
        if (name === undefined)
          throw invalidArgument('snapshot', 'Name the snapshot whose operation to read.')
        const s = find(name)
        return json(200, { id: s.name, status: s.status === 'failed' ? 'Failed' : 'Succeeded' })
      },
    },
  ]
}

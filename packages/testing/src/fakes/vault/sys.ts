import type { WireResponse } from '../http-server.js'
import type { Token } from './auth.js'
import type { VaultContext, VaultRequest } from './protocol.js'
import { findMount, type MountConfig } from './routes.js'
import { envelope, json, permissionDenied, unsupportedOperation } from './wire.js'

/**
 * `sys/health`, `sys/seal-status` (both open, answering while sealed), `sys/mounts` and
 * `sys/internal/ui/mounts/<path>` — the call clients make to learn a mount's KV version.
 */

const BUILT_IN_MOUNTS: Record<string, { type: string; description: string }> = {
  'cubbyhole/': { type: 'cubbyhole', description: 'per-token private secret storage' },
  'identity/': { type: 'identity', description: 'identity store' },
  'sys/': { type: 'system', description: 'system endpoints used for control, policy and debugging' },
}

function mountEntry(ctx: VaultContext, path: string, config: MountConfig) {
  return {
    accessor: ctx.state.accessor(path),
    config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
    description: config.description ?? '',
    external_entropy_access: false,
    local: false,
    // A KV v1 mount enabled without -version has no options, which clients read as version 1.
    options: config.version === 2 ? { version: '2' } : null,
    plugin_version: '',
    running_plugin_version: 'v0.20.0+builtin',
    seal_wrap: false,
    type: 'kv',
    uuid: ctx.state.accessor(path),
  }
}

export function sysHandler(ctx: VaultContext, req: VaultRequest, token: Token | undefined): WireResponse {
  const r = req.route
  if (r.operation === 'sys.health') {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw unsupportedOperation()
    return health(ctx, req.query)
  }
  if (r.operation === 'sys.seal-status') return json(200, sealStatus(ctx))
  if (req.method !== 'GET') throw unsupportedOperation()
  if (r.operation === 'sys.mounts') {
    ctx.auth.authorize(token!, 'sys/mounts', 'read')
    const data: Record<string, unknown> = {}
    for (const [path, config] of ctx.state.mounts) data[path] = mountEntry(ctx, path, config)
    for (const [path, m] of Object.entries(BUILT_IN_MOUNTS))
      data[path] = {
        ...mountEntry(ctx, path, { version: 1 }),
        type: m.type,
        description: m.description,
        options: null,
      }
    const body = JSON.parse(envelope({ data }).body as string) as Record<string, unknown>
    return json(200, { ...data, ...body })
  }
  // sys/internal/ui/mounts/<path>: any capability under the mount is enough; anything else is 403,
  // an unknown mount included (Vault does not tell the two apart).
  const target = r.kind === 'sys' ? r.rest.replace(/^\/+/, '') : ''
  const mount =
    findMount(ctx.state.mounts, target.endsWith('/') ? target : `${target}/`) ??
    findMount(ctx.state.mounts, target)
  if (!mount || !hasAnyAccessUnder(ctx, token!, mount)) throw permissionDenied()
  return envelope({ data: { ...mountEntry(ctx, mount, ctx.state.mounts.get(mount)!), path: mount } })
}

function hasAnyAccessUnder(ctx: VaultContext, token: Token, mount: string): boolean {
  if (token.policies.includes('root')) return true
  return ctx.auth.anyRuleUnder(token, mount)
}

function health(ctx: VaultContext, query: URLSearchParams): WireResponse {
  const sealedCode = Number(query.get('sealedcode') ?? 503)
  const activeCode = Number(query.get('activecode') ?? 200)
  const sealed = ctx.state.sealed
  return json(sealed ? sealedCode : activeCode, {
    initialized: true,
    sealed,
    standby: false,
    performance_standby: false,
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'disabled',
    server_time_utc: Math.floor(ctx.now() / 1000),
    version: ctx.version,
    cluster_name: sealed ? undefined : 'vault-cluster-polysecret',
    cluster_id: sealed ? undefined : 'polysecret-fake',
  })
}

function sealStatus(ctx: VaultContext) {
  return {
    type: 'shamir',
    initialized: true,
    sealed: ctx.state.sealed,
    t: 1,
    n: 1,
    progress: 0,
    nonce: '',
    version: ctx.version,
    build_date: '2025-01-01T00:00:00Z',
    migration: false,
    recovery_seal: false,
    storage_type: 'inmem',
  }
}

import type { WireResponse } from '../http-server.js'
import type { Token } from './auth.js'
import { Kv1Mount } from './kv1.js'
import { Kv2Mount } from './kv2.js'
import type { Capability } from './policy.js'
import type { VaultContext, VaultRequest } from './protocol.js'
import type { Route } from './routes.js'
import { badRequest, envelope, noContent, noHandler, unsupportedOperation } from './wire.js'

/**
 * The KV engines' HTTP endpoints: the ACL check each one needs (as Vault's docs list them) and its
 * answer — 200 with an envelope, 204 for writes and deletes that return nothing, 404 `{ errors: [] }`.
 */

/** KV v1's default lease: 768 h, what Vault reports as `lease_duration` on a KV v1 read. */
const KV1_LEASE_SECONDS = 2_764_800

type Kv1Route = Extract<Route, { kind: 'kv1' }>
type Kv2Route = Extract<Route, { kind: 'kv2' }>

const writeCapability = (exists: boolean): Capability => (exists ? 'update' : 'create')

export function kv1Handler(ctx: VaultContext, req: VaultRequest, r: Kv1Route, token: Token): WireResponse {
  const engine = ctx.state.engine(req.namespace, r.mount)
  if (!(engine instanceof Kv1Mount)) throw noHandler(req.path)
  const acl = `${r.mount}${r.path}`
  const op = r.operation.slice('kv1.'.length)
  if (op === 'list') {
    ctx.auth.authorize(token, acl, 'list')
    return envelope({ data: { keys: engine.list(r.path) }, mountType: 'kv' })
  }
  if (r.path === '' || r.path.endsWith('/')) throw noHandler(req.path)
  switch (op) {
    case 'read':
      ctx.auth.authorize(token, acl, 'read')
      return envelope({ data: engine.read(r.path), leaseDuration: KV1_LEASE_SECONDS, mountType: 'kv' })
    case 'write':
      ctx.auth.authorize(token, acl, writeCapability(engine.has(r.path)))
      engine.write(r.path, req.body)
      return noContent()
    case 'delete':
      ctx.auth.authorize(token, acl, 'delete')
      engine.delete(r.path)
      return noContent()
    default:
      throw unsupportedOperation()
  }
}

function versionList(body: Record<string, unknown>): number[] {
  const v = body.versions
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : v === undefined ? [] : [v]
  const numbers = list.map((x) => Number(x))
  if (numbers.length === 0) throw badRequest('no version number provided')
  if (numbers.some((n) => !Number.isInteger(n) || n < 0))
    throw badRequest('version numbers must be whole numbers')
  return numbers
}

export function kv2Handler(ctx: VaultContext, req: VaultRequest, r: Kv2Route, token: Token): WireResponse {
  const engine = ctx.state.engine(req.namespace, r.mount)
  if (!(engine instanceof Kv2Mount)) throw noHandler(req.path)
  const acl = `${r.mount}${r.section}${r.section === 'config' ? '' : `/${r.path}`}`
  const answer = (data: unknown, status = 200) => envelope({ data, mountType: 'kv' }, status)
  const op = r.operation.slice('kv2.'.length)
  if (op === 'list') {
    if (r.section !== 'metadata') throw unsupportedOperation()
    ctx.auth.authorize(token, acl, 'list')
    return answer({ keys: engine.list(r.path) })
  }
  if (r.section === 'config') {
    if (op === 'read-config') {
      ctx.auth.authorize(token, acl, 'read')
      return answer(engine.readConfig())
    }
    if (op !== 'write-config') throw unsupportedOperation()
    ctx.auth.authorize(token, acl, 'update', 'create')
    engine.writeConfig(req.body)
    return noContent()
  }
  if (r.path === '' || r.path.endsWith('/')) throw noHandler(req.path)
  switch (op) {
    case 'read': {
      ctx.auth.authorize(token, acl, 'read')
      const version = Number(req.query.get('version') ?? 0)
      if (!Number.isInteger(version) || version < 0) throw badRequest('invalid version')
      const { status, data } = engine.read(r.path, version)
      return answer(data, status)
    }
    case 'write':
      ctx.auth.authorize(token, acl, writeCapability(engine.has(r.path)))
      return answer(engine.write(r.path, req.body))
    case 'patch':
      ctx.auth.authorize(token, acl, 'patch')
      return answer(engine.patch(r.path, req.body))
    case 'delete':
      ctx.auth.authorize(token, acl, 'delete')
      engine.delete(r.path)
      return noContent()
    case 'read-metadata':
      ctx.auth.authorize(token, acl, 'read')
      return answer(engine.readMetadata(r.path))
    case 'write-metadata':
      ctx.auth.authorize(token, acl, writeCapability(engine.has(r.path)))
      engine.writeMetadata(r.path, req.body)
      return noContent()
    case 'delete-metadata':
      ctx.auth.authorize(token, acl, 'delete')
      engine.deleteMetadata(r.path)
      return noContent()
    case 'delete-versions':
    case 'undelete':
    case 'destroy': {
      if (req.method !== 'POST' && req.method !== 'PUT') throw unsupportedOperation()
      ctx.auth.authorize(token, acl, 'update')
      const versions = versionList(req.body)
      if (op === 'delete-versions') engine.delete(r.path, versions)
      else if (op === 'undelete') engine.undelete(r.path, versions)
      else engine.destroy(r.path, versions)
      return noContent()
    }
    default:
      throw unsupportedOperation()
  }
}

import type { KubeObject, ManagedFieldsEntry } from './resources.js'
import { failure, KubeError } from './status.js'

/**
 * Field ownership (`metadata.managedFields`) and server-side apply, at the granularity the maps of
 * Secrets, ConfigMaps and Namespaces need: every leaf (a data key, a label, `type`, `immutable`) is a
 * field. An update gives its manager the fields it changed; an apply makes its manager own exactly the
 * fields of its configuration, removes the ones it stopped applying (when nobody else owns them), and
 * refuses (409) to change a field another manager owns unless `force=true`.
 */

type Path = readonly string[]
const SEP = '\u0000'
const IDENTITY = new Set(['apiVersion', 'kind'])
const META_IDENTITY = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'managedFields',
  'generation',
  'deletionTimestamp',
])

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** Leaf paths set in `obj` (identity and server-set metadata excluded). */
export function leafPaths(obj: Record<string, unknown>): Path[] {
  const out: Path[] = []
  const walk = (node: unknown, path: string[]) => {
    if (isMap(node) && Object.keys(node).length > 0) {
      for (const [k, v] of Object.entries(node)) {
        if (path.length === 0 && IDENTITY.has(k)) continue
        if (path.length === 1 && path[0] === 'metadata' && META_IDENTITY.has(k)) continue
        walk(v, [...path, k])
      }
    } else if (path.length > 0) out.push(path)
  }
  walk(obj, [])
  return out
}

export function getPath(obj: unknown, path: Path): unknown {
  let node = obj
  for (const k of path) node = isMap(node) ? node[k] : undefined
  return node
}

function setPath(obj: Record<string, unknown>, path: Path, value: unknown): void {
  let node = obj
  for (const k of path.slice(0, -1)) {
    if (!isMap(node[k])) node[k] = {}
    node = node[k] as Record<string, unknown>
  }
  node[path[path.length - 1]!] = structuredClone(value)
}

function deletePath(obj: Record<string, unknown>, path: Path): void {
  const parents: Record<string, unknown>[] = []
  let node: unknown = obj
  for (const k of path.slice(0, -1)) {
    if (!isMap(node)) return
    parents.push(node)
    node = node[k]
  }
  if (!isMap(node)) return
  delete node[path[path.length - 1]!]
  // Drop maps the removal left empty, as the API server omits empty maps.
  for (let i = path.length - 2; i >= 0 && isMap(node) && Object.keys(node).length === 0; i--) {
    delete parents[i]![path[i]!]
    node = parents[i]
  }
}

function toFieldsV1(paths: readonly Path[]): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  for (const path of paths) {
    let node = root
    for (const k of path) {
      const name = `f:${k}`
      if (!isMap(node[name])) node[name] = {}
      const child = node[name] as Record<string, unknown>
      if (k !== path[path.length - 1]) child['.'] = {}
      node = child
    }
  }
  return root
}

function fromFieldsV1(fields: Record<string, unknown>): Path[] {
  const out: Path[] = []
  const walk = (node: Record<string, unknown>, path: string[]) => {
    const children = Object.keys(node).filter((k) => k.startsWith('f:'))
    if (children.length === 0 && path.length > 0) out.push(path)
    for (const k of children) walk(node[k] as Record<string, unknown>, [...path, k.slice(2)])
  }
  walk(fields, [])
  return out
}

type Owners = Map<string, { operation: 'Apply' | 'Update'; time: string; fields: Set<string> }>

function ownersOf(obj: KubeObject | undefined): Owners {
  const owners: Owners = new Map()
  for (const e of obj?.metadata.managedFields ?? [])
    owners.set(`${e.manager}${SEP}${e.operation}`, {
      operation: e.operation,
      time: e.time,
      fields: new Set(fromFieldsV1(e.fieldsV1).map((p) => p.join(SEP))),
    })
  return owners
}

function writeOwners(obj: KubeObject, owners: Owners): void {
  const entries: ManagedFieldsEntry[] = []
  for (const [key, o] of owners) {
    if (o.fields.size === 0) continue
    entries.push({
      manager: key.split(SEP)[0]!,
      operation: o.operation,
      apiVersion: 'v1',
      time: o.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1([...o.fields].map((f) => f.split(SEP))),
    })
  }
  if (entries.length) obj.metadata.managedFields = entries
  else delete obj.metadata.managedFields
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Records an update (create, replace, patch) by `manager`: it now owns every field it changed. */
export function recordUpdate(
  previous: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  time: string,
): void {
  const owners = ownersOf(previous)
  const changed = leafPaths(next)
    .filter((p) => !same(getPath(previous, p), getPath(next, p)))
    .map((p) => p.join(SEP))
  const present = new Set(leafPaths(next).map((p) => p.join(SEP)))
  for (const o of owners.values())
    for (const f of [...o.fields]) if (!present.has(f) || changed.includes(f)) o.fields.delete(f)
  if (changed.length) {
    const key = `${manager}${SEP}Update`
    const mine = owners.get(key) ?? { operation: 'Update' as const, time, fields: new Set<string>() }
    for (const f of changed) mine.fields.add(f)
    mine.time = time
    owners.set(key, mine)
  }
  writeOwners(next, owners)
}

/**
 * Server-side apply of `config` by `manager` onto `existing` (or a new object). Returns the object to
 * store, managedFields included.
 */
export function applyConfiguration(
  existing: KubeObject | undefined,
  config: KubeObject,
  manager: string,
  force: boolean,
  time: string,
): KubeObject {
  const owners = ownersOf(existing)
  const key = `${manager}${SEP}Apply`
  const applied = leafPaths(config)
  const appliedSet = new Set(applied.map((p) => p.join(SEP)))
  const conflicts: { manager: string; field: string }[] = []
  for (const path of applied) {
    const f = path.join(SEP)
    if (existing === undefined || same(getPath(existing, path), getPath(config, path))) continue
    for (const [other, o] of owners) {
      if (other === key || !o.fields.has(f)) continue
      if (force) o.fields.delete(f)
      else conflicts.push({ manager: other.split(SEP)[0]!, field: `.${path.join('.')}` })
    }
  }
  if (conflicts.length) throw applyConflict(config, conflicts)
  const result = structuredClone(existing ?? { ...config, metadata: { ...config.metadata } }) as KubeObject
  const previous = owners.get(key)?.fields ?? new Set<string>()
  for (const f of previous) {
    if (appliedSet.has(f)) continue
    const ownedElsewhere = [...owners].some(([k, o]) => k !== key && o.fields.has(f))
    if (!ownedElsewhere) deletePath(result as unknown as Record<string, unknown>, f.split(SEP))
  }
  for (const path of applied)
    setPath(result as unknown as Record<string, unknown>, path, getPath(config, path))
  owners.set(key, { operation: 'Apply', time, fields: appliedSet })
  writeOwners(result, owners)
  return result
}

function applyConflict(config: KubeObject, conflicts: { manager: string; field: string }[]): KubeError {
  const n = conflicts.length
  const message =
    n === 1
      ? `Apply failed with 1 conflict: conflict with "${conflicts[0]!.manager}": ${conflicts[0]!.field}`
      : `Apply failed with ${n} conflicts: ${conflicts.map((c) => `conflict with "${c.manager}": ${c.field}`).join('\n')}`
  return new KubeError(
    failure(409, 'Conflict', message, {
      name: config.metadata.name,
      kind: config.kind,
      causes: conflicts.map((c) => ({
        reason: 'FieldManagerConflict',
        message: `conflict with "${c.manager}"`,
        field: c.field,
      })),
    }),
  )
}

import { randomBytes } from 'node:crypto'
import { recordUpdate } from './managed-fields.js'
import type { KubeObject, ResourceInfo } from './resources.js'
import { copy, type KubernetesState, namespaceDefaults } from './state.js'
import {
  alreadyExists,
  badRequest,
  conflict,
  deleted,
  failure,
  KubeError,
  type KubeStatus,
  notFound,
} from './status.js'
import { validateObject, validateUpdate } from './validation.js'

/**
 * Create, read, replace and delete of one object, with what the API server does around them: the
 * namespace must exist, `stringData` is merged into `data` (and never stored), `resourceVersion` is an
 * optimistic-concurrency precondition, validation on every write, and field ownership recorded.
 */

/** Where a request points: a resource, its namespace (for namespaced ones) and maybe a name. */
export interface ObjectRef {
  readonly info: ResourceInfo
  readonly namespace?: string | undefined
  readonly name?: string | undefined
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export function timestamp(now: number): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * Turns a request body into the object to store: checks its kind and version, merges `stringData`,
 * checks base64, drops empty maps (the API server omits them) and fields only the server sets.
 */
export function normalize(
  info: ResourceInfo,
  body: unknown,
  namespace: string | undefined,
  defaults = true,
): KubeObject {
  if (!isMap(body)) throw badRequest(`the body of the request is not a ${info.kind} object`)
  if (body.apiVersion !== undefined && body.apiVersion !== 'v1')
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (v1)`,
    )
  if (body.kind !== undefined && body.kind !== info.kind)
    throw badRequest(
      `${String(body.kind)} in version "v1" cannot be handled as a ${info.kind}: the object kind does not match the URL`,
    )
  const obj = copy(body) as KubeObject
  obj.apiVersion = 'v1'
  obj.kind = info.kind
  obj.metadata = isMap(obj.metadata) ? obj.metadata : ({} as KubeObject['metadata'])
  const meta = obj.metadata
  if (info.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace)
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      )
    meta.namespace = namespace
  } else delete meta.namespace
  for (const field of ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'selfLink'])
    delete meta[field]
  if (info.kind === 'Secret') {
    const data: Record<string, string> = isMap(obj.data) ? (obj.data as Record<string, string>) : {}
    for (const [k, v] of Object.entries(data))
      if (typeof v !== 'string' || !BASE64.test(v) || v.length % 4 !== 0)
        throw badRequest(
          `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0 (key "${k}")`,
        )
    if (isMap(obj.stringData))
      for (const [k, v] of Object.entries(obj.stringData))
        data[k] = Buffer.from(String(v), 'utf8').toString('base64')
    delete obj.stringData
    obj.data = data
    if (defaults) obj.type ??= 'Opaque'
  }
  for (const field of ['data', 'binaryData'])
    if (isMap(obj[field]) && Object.keys(obj[field]).length === 0) delete obj[field]
  for (const field of ['labels', 'annotations'] as const)
    if (isMap(meta[field]) && Object.keys(meta[field]).length === 0) delete meta[field]
  return obj
}

export class ObjectStore {
  constructor(
    private readonly state: KubernetesState,
    readonly now: () => number,
  ) {}

  requireNamespace(namespace: string | undefined): void {
    if (namespace !== undefined && !this.state.get('namespaces', undefined, namespace))
      throw notFound('namespaces', namespace)
  }

  get(ref: ObjectRef & { name: string }): KubeObject {
    const found = this.state.get(ref.info.resource, ref.namespace, ref.name)
    if (!found) throw notFound(ref.info.resource, ref.name)
    return found
  }

  create(ref: ObjectRef, body: unknown, manager: string): KubeObject {
    const obj = normalize(ref.info, body, ref.namespace)
    const meta = obj.metadata
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName)
      meta.name = `${meta.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`
    if (meta.resourceVersion)
      throw new KubeError(
        failure(
          500,
          'InternalError',
          'Internal error occurred: resourceVersion should not be set on objects to be created',
        ),
      )
    delete meta.resourceVersion
    delete meta.managedFields
    validateObject(obj)
    this.requireNamespace(ref.namespace)
    if (this.state.get(ref.info.resource, ref.namespace, meta.name))
      throw alreadyExists(ref.info.resource, meta.name)
    const stored = ref.info.kind === 'Namespace' ? namespaceDefaults(obj) : obj
    recordUpdate(undefined, stored, manager, timestamp(this.now()))
    return this.state.create(ref.info.resource, stored)
  }

  /** PUT: replaces the object; a `metadata.resourceVersion` in the body must be the stored one. */
  replace(ref: ObjectRef & { name: string }, body: unknown, manager: string): KubeObject {
    const obj = normalize(ref.info, body, ref.namespace)
    if (obj.metadata.name !== ref.name)
      throw badRequest(
        `the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${ref.name})`,
      )
    return this.write(ref, obj, manager)
  }

  /** Stores `obj` over the current object, checking the precondition, validation and immutability. */
  write(ref: ObjectRef & { name: string }, obj: KubeObject, manager: string, owned = false): KubeObject {
    this.requireNamespace(ref.namespace)
    const current = this.get(ref)
    const wanted = obj.metadata.resourceVersion
    if (wanted !== undefined && wanted !== '' && wanted !== current.metadata.resourceVersion)
      throw conflict(ref.info.resource, ref.name)
    obj.metadata.resourceVersion = current.metadata.resourceVersion
    if (ref.info.kind === 'Namespace') {
      obj.spec ??= current.spec
      obj.status = current.status
      // The API server's defaulting sets this label on every write, so no update can drop or change it.
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name }
    }
    if (!owned) obj.metadata.managedFields = current.metadata.managedFields
    validateObject(obj)
    validateUpdate(current, obj)
    if (!owned) recordUpdate(current, obj, manager, timestamp(this.now()))
    return this.state.update(ref.info.resource, obj)
  }

  /** DELETE: a `Success` Status for Secrets and ConfigMaps, the terminating Namespace for namespaces. */
  delete(ref: ObjectRef & { name: string }, options: unknown): KubeObject | KubeStatus {
    const current = this.get(ref)
    const pre = isMap(options) && isMap(options.preconditions) ? options.preconditions : {}
    if (typeof pre.uid === 'string' && pre.uid !== current.metadata.uid)
      throw new KubeError(
        failure(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${ref.info.resource} "${ref.name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
          { name: ref.name, kind: ref.info.resource },
        ),
      )
    if (typeof pre.resourceVersion === 'string' && pre.resourceVersion !== current.metadata.resourceVersion)
      throw new KubeError(
        failure(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${ref.info.resource} "${ref.name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
          { name: ref.name, kind: ref.info.resource },
        ),
      )
    if (ref.info.kind !== 'Namespace') {
      this.state.delete(ref.info.resource, ref.namespace, ref.name)
      return deleted(ref.info.resource, ref.name, current.metadata.uid!)
    }
    if (['default', 'kube-system', 'kube-public'].includes(ref.name))
      throw new KubeError(
        failure(
          403,
          'Forbidden',
          `namespaces "${ref.name}" is forbidden: this namespace may not be deleted`,
          { name: ref.name, kind: 'namespaces' },
        ),
      )
    // The namespace controller empties a terminating namespace; the fake does it at once.
    for (const resource of ['secrets', 'configmaps'] as const)
      for (const obj of this.state.list(resource, ref.name))
        this.state.delete(resource, ref.name, obj.metadata.name)
    this.state.delete('namespaces', undefined, ref.name)
    const terminating = copy(current)
    terminating.metadata.deletionTimestamp = timestamp(this.now())
    terminating.status = { phase: 'Terminating' }
    return terminating
  }
}

import { mediaType, parseText } from './codec.js'
import { applyConfiguration } from './managed-fields.js'
import { normalize, type ObjectRef, type ObjectStore, timestamp } from './objects.js'
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js'
import type { KubeObject } from './resources.js'
import { type KubernetesState, namespaceDefaults } from './state.js'
import { badRequest, conflict, unsupportedMediaType } from './status.js'
import { validateObject } from './validation.js'

/**
 * `PATCH` by content type: `application/merge-patch+json`, `application/strategic-merge-patch+json`,
 * `application/json-patch+json`, and server-side apply (`application/apply-patch+yaml`, which needs
 * `fieldManager` and creates the object when it is missing). The patched object goes through the same
 * checks as a replace: precondition, validation, immutability.
 */

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
]

export function patchObject(
  store: ObjectStore,
  state: KubernetesState,
  ref: ObjectRef & { name: string },
  contentType: string | undefined,
  body: Buffer,
  query: URLSearchParams,
  manager: string,
): { object: KubeObject; created: boolean } {
  const type = mediaType(contentType)
  if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(type, PATCH_TYPES)
  if (type === 'application/apply-patch+yaml') return apply(store, state, ref, body, query)
  const patch = parseText(body, false)
  const current = store.get(ref)
  const patched =
    type === 'application/json-patch+json'
      ? jsonPatch(current, patch)
      : type === 'application/merge-patch+json'
        ? mergePatch(current, patch)
        : strategicMergePatch(current, patch)
  const obj = normalize(ref.info, patched, ref.namespace)
  if (obj.metadata.name !== ref.name)
    throw badRequest('metadata.name: Invalid value: the name of an object cannot be patched')
  return { object: store.write(ref, obj, manager), created: false }
}

function apply(
  store: ObjectStore,
  state: KubernetesState,
  ref: ObjectRef & { name: string },
  body: Buffer,
  query: URLSearchParams,
): { object: KubeObject; created: boolean } {
  const manager = query.get('fieldManager')
  if (!manager)
    throw badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests')
  const raw = parseText(body, true) as Record<string, unknown> | null
  if (!raw || typeof raw !== 'object') throw badRequest('the apply configuration must be an object')
  if (raw.apiVersion === undefined) throw badRequest('apiVersion must be set in an apply configuration')
  if (raw.kind === undefined) throw badRequest('kind must be set in an apply configuration')
  const config = normalize(ref.info, raw, ref.namespace, false)
  config.metadata.name ??= ref.name
  if (config.metadata.name !== ref.name)
    throw badRequest(
      `the name of the object (${config.metadata.name}) does not match the name on the URL (${ref.name})`,
    )
  const force = query.get('force') === 'true'
  const existing = state.get(ref.info.resource, ref.namespace, ref.name)
  const wanted = config.metadata.resourceVersion
  delete config.metadata.resourceVersion
  if (existing && wanted && wanted !== existing.metadata.resourceVersion)
    throw conflict(ref.info.resource, ref.name)
  if (!existing) {
    store.requireNamespace(ref.namespace)
    let created = applyConfiguration(undefined, config, manager, force, timestamp(store.now()))
    if (ref.info.kind === 'Namespace') created = namespaceDefaults(created)
    if (ref.info.kind === 'Secret') created.type ??= 'Opaque'
    validateObject(created)
    return { object: state.create(ref.info.resource, created), created: true }
  }
  const result = applyConfiguration(existing, config, manager, force, timestamp(store.now()))
  return { object: store.write(ref, result, manager, true), created: false }
}

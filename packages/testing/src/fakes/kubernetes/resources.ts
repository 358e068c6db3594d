/**
 * The three core/v1 resources the fake serves, described once: URL plural, kind, whether they live in
 * a namespace, the verbs discovery lists, and the field selectors the API server supports for each.
 */

export type ResourceName = 'secrets' | 'configmaps' | 'namespaces'

export interface ResourceInfo {
  readonly resource: ResourceName
  readonly kind: 'Secret' | 'ConfigMap' | 'Namespace'
  readonly singular: string
  readonly namespaced: boolean
  readonly shortNames: readonly string[]
  readonly verbs: readonly string[]
  /** Field selector labels besides `metadata.name` (and `metadata.namespace` when namespaced). */
  readonly fields: Readonly<Record<string, (obj: KubeObject) => string>>
}

/** An object as the API returns it in JSON (`data` of a Secret base64-encoded). */
export interface KubeObject {
  apiVersion: 'v1'
  kind: string
  metadata: ObjectMeta
  [field: string]: unknown
}

export interface ObjectMeta {
  name: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  managedFields?: ManagedFieldsEntry[]
  [field: string]: unknown
}

export interface ManagedFieldsEntry {
  manager: string
  operation: 'Apply' | 'Update'
  apiVersion: 'v1'
  time: string
  fieldsType: 'FieldsV1'
  fieldsV1: Record<string, unknown>
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

export const RESOURCES: Readonly<Record<ResourceName, ResourceInfo>> = {
  secrets: {
    resource: 'secrets',
    kind: 'Secret',
    singular: 'secret',
    namespaced: true,
    shortNames: [],
    verbs: VERBS,
    fields: { type: (o) => String(o.type ?? 'Opaque') },
  },
  configmaps: {
    resource: 'configmaps',
    kind: 'ConfigMap',
    singular: 'configmap',
    namespaced: true,
    shortNames: ['cm'],
    verbs: VERBS,
    fields: {},
  },
  namespaces: {
    resource: 'namespaces',
    kind: 'Namespace',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    fields: { 'status.phase': (o) => String((o.status as { phase?: string } | undefined)?.phase ?? '') },
  },
}

export function resourceOfKind(kind: string): ResourceInfo | undefined {
  return Object.values(RESOURCES).find((r) => r.kind === kind)
}

/** JSON with sorted keys: clients send fields in any order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

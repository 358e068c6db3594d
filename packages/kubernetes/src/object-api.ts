import type { CoreV1Api } from '@kubernetes/client-node'
import type { KubeObject, ObjectKind } from './object-data.js'

/** A page of a list call: the objects and where the next page starts. */
export interface ObjectPage {
  readonly items: KubeObject[]
  readonly resourceVersion: string | undefined
  readonly continue: string | undefined
}

/** The core/v1 calls one kind needs, on the official client. */
export interface ObjectApi {
  readonly kind: ObjectKind
  /** The resource name in URLs, RBAC rules and the request log (`secrets`, `configmaps`). */
  readonly resource: string
  read(core: CoreV1Api, namespace: string, name: string): Promise<KubeObject>
  create(core: CoreV1Api, namespace: string, body: KubeObject): Promise<KubeObject>
  /** PUT: with `metadata.resourceVersion` set, the API server refuses a stale one with 409 Conflict. */
  replace(core: CoreV1Api, namespace: string, name: string, body: KubeObject): Promise<KubeObject>
  list(core: CoreV1Api, namespace: string, query: ListQuery): Promise<ObjectPage>
}

export interface ListQuery {
  readonly labelSelector?: string | undefined
  readonly fieldSelector?: string | undefined
  readonly limit?: number | undefined
  readonly continue?: string | undefined
}

const page = (list: {
  items: unknown[]
  metadata?: { resourceVersion?: string; _continue?: string }
}): ObjectPage => ({
  items: list.items as KubeObject[],
  resourceVersion: list.metadata?.resourceVersion,
  continue: list.metadata?._continue || undefined,
})

const listParams = (namespace: string, q: ListQuery) => ({
  namespace,
  ...(q.labelSelector !== undefined && { labelSelector: q.labelSelector }),
  ...(q.fieldSelector !== undefined && { fieldSelector: q.fieldSelector }),
  ...(q.limit !== undefined && { limit: q.limit }),
  ...(q.continue !== undefined && { _continue: q.continue }),
})

export const SECRETS: ObjectApi = {
  kind: 'Secret',
  resource: 'secrets',
  read: (core, namespace, name) => core.readNamespacedSecret({ name, namespace }) as Promise<KubeObject>,
  create: (core, namespace, body) =>
    core.createNamespacedSecret({ namespace, body: body as never }) as Promise<KubeObject>,
  replace: (core, namespace, name, body) =>
    core.replaceNamespacedSecret({ name, namespace, body: body as never }) as Promise<KubeObject>,
  list: async (core, namespace, q) => page(await core.listNamespacedSecret(listParams(namespace, q))),
}

export const CONFIG_MAPS: ObjectApi = {
  kind: 'ConfigMap',
  resource: 'configmaps',
  read: (core, namespace, name) => core.readNamespacedConfigMap({ name, namespace }) as Promise<KubeObject>,
  create: (core, namespace, body) =>
    core.createNamespacedConfigMap({ namespace, body: body as never }) as Promise<KubeObject>,
  replace: (core, namespace, name, body) =>
    core.replaceNamespacedConfigMap({ name, namespace, body: body as never }) as Promise<KubeObject>,
  list: async (core, namespace, q) => page(await core.listNamespacedConfigMap(listParams(namespace, q))),
}

import { randomUUID } from 'node:crypto'
import { canonical, type KubeObject, RESOURCES, type ResourceName } from './resources.js'
import { validateObject } from './validation.js'

/**
 * The fake cluster's storage: objects by resource, namespace and name, one global resourceVersion
 * counter (as etcd's revision), and a bounded history of changes that watches resume from. Objects are
 * kept in their JSON wire form and copied in and out, so no caller can change stored data by accident.
 */

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED'

/** One change, as a watch streams it. `object` carries the resourceVersion of the change. */
export interface ChangeEvent {
  readonly type: EventType
  readonly resource: ResourceName
  readonly object: KubeObject
  /** The object before the change (for selectors: an update can move an object out of a watch). */
  readonly previous?: KubeObject | undefined
  readonly rv: number
}

/** A Secret or ConfigMap for `seed()`: values in plain text (or bytes); the fake base64-encodes them. */
export interface KubeObjectSeed {
  readonly data?: Readonly<Record<string, string | Uint8Array>>
  /** ConfigMap only: binary values. */
  readonly binaryData?: Readonly<Record<string, Uint8Array>>
  /** Secret only. Default: `Opaque`. */
  readonly type?: string
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
  readonly immutable?: boolean
}

/** A namespace for `seed()` with its labels (the fake adds `kubernetes.io/metadata.name`). */
export interface NamespaceSeed {
  readonly name: string
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
}

/** What `seed()` and the `seed`-like start options take. Keys of `secrets`/`configMaps` are `namespace/name`. */
export interface KubernetesSeed {
  /** Namespaces by name, or with labels (`{ name: 'team-a', labels: { env: 'prod' } }`). */
  readonly namespaces?: readonly (string | NamespaceSeed)[]
  readonly secrets?: Readonly<Record<string, KubeObjectSeed>>
  readonly configMaps?: Readonly<Record<string, KubeObjectSeed>>
}

export const copy = <T>(value: T): T => structuredClone(value)

const keyOf = (resource: ResourceName, namespace: string | undefined, name: string) =>
  `${resource}/${namespace ?? ''}/${name}`

/** Strips what a write does not change by itself, to tell a no-op write from a real one. */
function content(obj: KubeObject): string {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = obj.metadata
  return canonical({ ...obj, metadata: meta })
}

export class KubernetesState {
  readonly #objects = new Map<string, KubeObject>()
  readonly #history: ChangeEvent[] = []
  readonly #listeners = new Set<(event: ChangeEvent) => void>()
  readonly #historyLimit: number
  readonly #now: () => number
  #rv = 1
  /** The resourceVersion of the newest change no longer in the history (watches from before it get 410). */
  #forgotten = 0

  constructor(options: { now: () => number; watchHistory: number }) {
    this.#now = options.now
    this.#historyLimit = options.watchHistory
  }

  /** The current (newest) resourceVersion of the cluster. */
  get resourceVersion(): number {
    return this.#rv
  }

  /**
   * The resourceVersion of the newest change dropped from the history (0 while none was): a watch or a
   * continue token from before it gets 410, as one from before etcd's compaction does.
   */
  get forgottenUpTo(): number {
    return this.#forgotten
  }

  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.#objects.get(keyOf(resource, namespace, name))
    return found && copy(found)
  }

  /** Objects of `resource` (in `namespace`, or everywhere), ordered by namespace then name as etcd keys are. */
  list(resource: ResourceName, namespace?: string): KubeObject[] {
    return this.select(resource, namespace, () => true).map(copy)
  }

  /**
   * The stored objects (not copies: read-only for the caller) that `accept`, in list order. Lets a list
   * filter and page before copying, so a page of 500 out of 5,000 Secrets copies 500.
   */
  select(
    resource: ResourceName,
    namespace: string | undefined,
    accept: (obj: KubeObject) => boolean,
  ): readonly KubeObject[] {
    const out: KubeObject[] = []
    for (const obj of this.#objects.values()) {
      if (obj.kind !== RESOURCES[resource].kind) continue
      if (namespace !== undefined && obj.metadata.namespace !== namespace) continue
      if (accept(obj)) out.push(obj)
    }
    return out.sort((a, b) => sortKey(a).localeCompare(sortKey(b)))
  }

  /** Stores a new object: uid, creationTimestamp and a resourceVersion are assigned here. */
  create(resource: ResourceName, obj: KubeObject): KubeObject {
    const rv = ++this.#rv
    const stored = copy(obj)
    stored.metadata.uid = randomUUID()
    stored.metadata.creationTimestamp = new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, 'Z')
    stored.metadata.resourceVersion = String(rv)
    this.#objects.set(keyOf(resource, obj.metadata.namespace, obj.metadata.name), stored)
    this.#emit({ type: 'ADDED', resource, object: copy(stored), rv })
    return copy(stored)
  }

  /** Replaces a stored object. A write that changes nothing keeps its resourceVersion and emits nothing. */
  update(resource: ResourceName, obj: KubeObject): KubeObject {
    const key = keyOf(resource, obj.metadata.namespace, obj.metadata.name)
    const previous = this.#objects.get(key)
    if (!previous) throw new Error(`update of a missing object ${key}`)
    const next = copy(obj)
    next.metadata.uid = previous.metadata.uid
    next.metadata.creationTimestamp = previous.metadata.creationTimestamp
    if (content(next) === content(previous)) return copy(previous)
    const rv = ++this.#rv
    next.metadata.resourceVersion = String(rv)
    this.#objects.set(key, next)
    this.#emit({ type: 'MODIFIED', resource, object: copy(next), previous: copy(previous), rv })
    return copy(next)
  }

  delete(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = keyOf(resource, namespace, name)
    const previous = this.#objects.get(key)
    if (!previous) return undefined
    this.#objects.delete(key)
    const rv = ++this.#rv
    const gone = copy(previous)
    gone.metadata.resourceVersion = String(rv)
    this.#emit({ type: 'DELETED', resource, object: copy(gone), previous: copy(previous), rv })
    return gone
  }

  /** Changes after `rv`, oldest first, or `undefined` when some of them are no longer kept. */
  since(rv: number): ChangeEvent[] | undefined {
    if (rv < this.#forgotten) return undefined
    return this.#history.filter((e) => e.rv > rv).map(copy)
  }

  /** Calls `listener` with every change from now on; returns the unsubscribe function. */
  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Creates or replaces namespaces, Secrets and ConfigMaps directly (missing namespaces are created). */
  seed(seed: KubernetesSeed): void {
    for (const ns of seed.namespaces ?? []) {
      if (typeof ns === 'string') this.#ensureNamespace(ns)
      else this.#seedNamespace(ns)
    }
    const put = (resource: 'secrets' | 'configmaps', ref: string, s: KubeObjectSeed) => {
      const slash = ref.indexOf('/')
      if (slash <= 0)
        throw new TypeError(`seed key "${ref}" must be "namespace/name" (e.g. "default/db-credentials")`)
      const namespace = ref.slice(0, slash)
      const obj = seedObject(resource, namespace, ref.slice(slash + 1), s)
      validateObject(obj)
      this.#ensureNamespace(namespace)
      if (this.get(resource, namespace, obj.metadata.name)) this.update(resource, obj)
      else this.create(resource, obj)
    }
    for (const [ref, s] of Object.entries(seed.secrets ?? {})) put('secrets', ref, s)
    for (const [ref, s] of Object.entries(seed.configMaps ?? {})) put('configmaps', ref, s)
  }

  /** Creates the namespace, or sets its labels and annotations when it exists (an update event). */
  #seedNamespace(seed: NamespaceSeed): void {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: seed.name,
        ...(seed.labels ? { labels: { ...seed.labels } } : {}),
        ...(seed.annotations ? { annotations: { ...seed.annotations } } : {}),
      },
    }
    const withDefaults = namespaceDefaults(ns)
    validateObject(withDefaults)
    const current = this.get('namespaces', undefined, seed.name)
    if (!current) {
      this.create('namespaces', withDefaults)
      return
    }
    current.metadata.labels = withDefaults.metadata.labels
    if (seed.annotations) current.metadata.annotations = { ...seed.annotations }
    else delete current.metadata.annotations
    this.update('namespaces', current)
  }

  #ensureNamespace(name: string): void {
    if (this.get('namespaces', undefined, name)) return
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }
    validateObject(ns)
    this.create('namespaces', namespaceDefaults(ns))
  }

  #emit(event: ChangeEvent): void {
    this.#history.push(event)
    while (this.#history.length > this.#historyLimit) this.#forgotten = this.#history.shift()!.rv
    for (const listener of this.#listeners) listener(copy(event))
  }
}

const sortKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`

/** Fills in what the API server adds to a new Namespace: its name label, finalizer and phase. */
export function namespaceDefaults(ns: KubeObject): KubeObject {
  const out = copy(ns)
  out.metadata.labels = { ...out.metadata.labels, 'kubernetes.io/metadata.name': out.metadata.name }
  out.spec = { finalizers: ['kubernetes'] }
  out.status = { phase: 'Active' }
  return out
}

function seedObject(
  resource: 'secrets' | 'configmaps',
  namespace: string,
  name: string,
  s: KubeObjectSeed,
): KubeObject {
  const metadata = {
    name,
    namespace,
    ...(s.labels ? { labels: { ...s.labels } } : {}),
    ...(s.annotations ? { annotations: { ...s.annotations } } : {}),
  }
  const b64 = (v: string | Uint8Array) => Buffer.from(v).toString('base64')
  const obj: KubeObject =
    resource === 'secrets'
      ? {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata,
          type: s.type ?? 'Opaque',
          data: Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, b64(v)])),
        }
      : {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata,
          data: Object.fromEntries(
            Object.entries(s.data ?? {}).map(([k, v]) => [
              k,
              typeof v === 'string' ? v : Buffer.from(v).toString('utf8'),
            ]),
          ),
          ...(s.binaryData
            ? { binaryData: Object.fromEntries(Object.entries(s.binaryData).map(([k, v]) => [k, b64(v)])) }
            : {}),
        }
  if (s.immutable !== undefined) obj.immutable = s.immutable
  return obj
}

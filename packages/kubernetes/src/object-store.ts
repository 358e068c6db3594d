import type { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node'
import {
  type BatchResult,
  type Capabilities,
  ConflictError,
  type Entry,
  type KeyInfo,
  lazyClient,
  type Provider,
  ReadOnlyError,
  type Subscription,
  ValidationError,
  type VersionInfo,
  withSignal,
} from '@polysecret/core'
import { type KubernetesClientOptions, makeKubeConfig } from './connection.js'
import { isConflict, isNotFound, toPolysecretError } from './errors.js'
import type { ObjectKeys, ObjectRef } from './key-mapping.js'
import type { ObjectApi } from './object-api.js'
import { type KubeObject, objectEntries, toEntry, withValue } from './object-data.js'
import { openWatch } from './watch-stream.js'

type Sdk = typeof import('@kubernetes/client-node')

/** Everything but versions: the API server keeps no history of a Secret or ConfigMap. */
export const CAPABILITIES: Capabilities = Object.freeze({
  list: true,
  write: true,
  delete: true,
  versions: false,
  batch: true,
  watch: true,
})

/** A lost write race (409) is retried this many times when the caller gave no `ifVersion`. */
const WRITE_ATTEMPTS = 3
const PAGE = 500

/** What {@link objectStore} needs beyond the kind's API calls. */
export interface ObjectStoreSetup {
  readonly type: string
  readonly name: string
  readonly namespace: string
  /** Only objects with these labels are listed and watched; objects the provider creates get them. */
  readonly labels: Readonly<Record<string, string>> | undefined
  readonly keys: ObjectKeys
  /** The one object every key lives in (the `name` option), if any. */
  readonly object: string | undefined
  readonly connection: KubernetesClientOptions
}

interface Clients {
  readonly kc: KubeConfig
  readonly core: CoreV1Api
  readonly watch: Watch
}

/** The provider both `kubernetesSecrets()` and `configMaps()` are: `api` says which resource. */
export function objectStore(api: ObjectApi, setup: ObjectStoreSetup) {
  const { name, namespace, keys } = setup
  const sdk = lazyClient<Sdk, Clients>({
    provider: name,
    pkg: '@kubernetes/client-node',
    requiredBy: '@polysecret/kubernetes',
    load: () => import('@kubernetes/client-node'),
    create: (m) => {
      const kc = makeKubeConfig(m, setup.connection, name)
      return { kc, core: kc.makeApiClient(m.CoreV1Api), watch: new m.Watch(kc) }
    },
    dispose: () => undefined, // the client keeps no pooled connections to close
  })
  const fail = (error: unknown, key?: string) => toPolysecretError(error, { key, provider: name })
  const labelSelector = setup.labels
    ? Object.entries(setup.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : undefined
  const fieldSelector = setup.object !== undefined ? `metadata.name=${setup.object}` : undefined
  const keyFor = (object: string) => (dataKey: string) => keys.key(object, dataKey) ?? `${object}/${dataKey}`

  /** The object, or `undefined` when it does not exist. */
  const read = async (object: string, signal?: AbortSignal): Promise<KubeObject | undefined> => {
    const { core } = (await sdk.connect()).client
    try {
      return await withSignal(api.read(core, namespace, object), signal)
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }
  const entryOf = (obj: KubeObject | undefined, ref: ObjectRef): Entry | undefined => {
    if (obj === undefined) return undefined
    const raw = objectEntries(obj, api.kind, name, keyFor(ref.object)).get(ref.dataKey)
    return raw === undefined ? undefined : toEntry(obj, api.kind, raw, ref, name)
  }
  const listAll = async (): Promise<{ items: KubeObject[]; resourceVersion: string | undefined }> => {
    const { core } = (await sdk.connect()).client
    const items: KubeObject[] = []
    let next: string | undefined
    let resourceVersion: string | undefined
    do {
      const page = await api.list(core, namespace, {
        labelSelector,
        fieldSelector,
        limit: PAGE,
        continue: next,
      })
      items.push(...page.items)
      resourceVersion ??= page.resourceVersion
      next = page.continue
    } while (next !== undefined)
    return { items, resourceVersion }
  }
  const writable = (ref: ObjectRef) => {
    if (ref.field !== undefined) {
      throw new ValidationError(
        `Cannot write a single JSON field ("${ref.key}"); write the whole value (provider "${name}").`,
        {
          key: ref.key,
          provider: name,
        },
      )
    }
  }
  /**
   * Read-modify-replace with the read resourceVersion: the API server refuses the replace with 409
   * if anything changed the object in between, so a concurrent write to another key is never lost.
   */
  const write = async (
    ref: ObjectRef,
    value: string | Uint8Array | undefined,
    opts: {
      ifVersion?: string | undefined
      createOnly?: boolean | undefined
      signal?: AbortSignal | undefined
    },
  ): Promise<KubeObject | undefined> => {
    const { core } = (await sdk.connect()).client
    for (let attempt = 1; ; attempt++) {
      const current = await read(ref.object, opts.signal)
      const version = current?.metadata?.resourceVersion
      if (opts.ifVersion !== undefined && version !== opts.ifVersion) {
        throw new ConflictError({
          key: ref.key,
          provider: name,
          currentVersion: version,
          message: `Key "${ref.key}" is at another version than ifVersion (provider "${name}").`,
        })
      }
      const present = current !== undefined && entryOf(current, { ...ref, field: undefined }) !== undefined
      if (opts.createOnly && present) {
        throw new ConflictError({
          key: ref.key,
          provider: name,
          message: `Key "${ref.key}" already exists (provider "${name}").`,
        })
      }
      if (value === undefined && !present) return current // deleting a missing key: nothing to do
      if (current?.immutable) {
        throw new ReadOnlyError({
          key: ref.key,
          provider: name,
          message: `${api.kind} "${ref.object}" is immutable; key "${ref.key}" cannot be changed (provider "${name}").`,
          hint: `Immutable objects can only be deleted and re-created (kubectl delete ${api.resource.slice(0, -1)} ${ref.object}).`,
        })
      }
      try {
        if (current === undefined) {
          const body = withValue(
            {
              apiVersion: 'v1',
              kind: api.kind,
              metadata: { name: ref.object, namespace, ...(setup.labels && { labels: { ...setup.labels } }) },
              ...(api.kind === 'Secret' && { type: 'Opaque' }),
            },
            api.kind,
            ref.dataKey,
            value,
            ref.key,
            name,
          )
          return await withSignal(api.create(core, namespace, body), opts.signal)
        }
        const body = withValue(current, api.kind, ref.dataKey, value, ref.key, name)
        return await withSignal(api.replace(core, namespace, ref.object, body), opts.signal)
      } catch (error) {
        // Lost a race (another writer created or changed the object): read again and retry, unless the
        // caller pinned a version, which the race has just made stale.
        if (!isConflict(error) || opts.ifVersion !== undefined || attempt >= WRITE_ATTEMPTS) throw error
      }
    }
  }

  return {
    name,
    type: setup.type,
    capabilities: CAPABILITIES,

    async get(key, opts = {}) {
      const ref = keys.ref(key)
      try {
        return entryOf(await read(ref.object, opts.signal), ref)
      } catch (error) {
        throw fail(error, key)
      }
    },

    /** One read per object: keys are grouped by the object they live in. */
    async getMany(list, opts = {}) {
      const entries = new Map<string, Entry>()
      const errors = new Map<string, Error>()
      const byObject = new Map<string, ObjectRef[]>()
      for (const key of list) {
        try {
          const ref = keys.ref(key)
          byObject.set(ref.object, [...(byObject.get(ref.object) ?? []), ref])
        } catch (error) {
          errors.set(key, error as Error)
        }
      }
      await Promise.all(
        [...byObject].map(async ([object, refs]) => {
          let obj: KubeObject | undefined
          try {
            obj = await read(object, opts.signal)
          } catch (error) {
            for (const ref of refs) errors.set(ref.key, fail(error, ref.key))
            return
          }
          for (const ref of refs) {
            try {
              const entry = entryOf(obj, ref)
              if (entry !== undefined) entries.set(ref.key, entry)
            } catch (error) {
              errors.set(ref.key, fail(error, ref.key))
            }
          }
        }),
      )
      return { entries, errors } satisfies BatchResult
    },

    async *list(prefix = '') {
      let items: KubeObject[]
      try {
        items = (await listAll()).items
      } catch (error) {
        throw fail(error)
      }
      for (const obj of items) {
        const object = obj.metadata?.name
        if (object === undefined) continue
        const version = obj.metadata?.resourceVersion
        for (const dataKey of objectEntries(obj, api.kind, name, keyFor(object)).keys()) {
          const key = keys.key(object, dataKey)
          if (key?.startsWith(prefix))
            yield { key, ...(version !== undefined && { version }) } satisfies KeyInfo
        }
      }
    },

    async set(key, value, opts = {}): Promise<VersionInfo> {
      const ref = keys.ref(key)
      writable(ref)
      try {
        const written = await write(ref, value, opts)
        return { key, version: written?.metadata?.resourceVersion ?? '', current: true, labels: [] }
      } catch (error) {
        throw fail(error, key)
      }
    },

    /** Removes the key from its object; the object itself stays, even when it has no keys left. */
    async delete(key, opts = {}) {
      const ref = keys.ref(key)
      writable(ref)
      try {
        await write(ref, undefined, opts)
      } catch (error) {
        throw fail(error, key)
      }
    },

    async subscribe(onChange, opts): Promise<Subscription> {
      try {
        const { watch } = (await sdk.connect()).client
        return await openWatch({
          watch,
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/${api.resource}`,
          labelSelector,
          fieldSelector,
          relist: listAll,
          keyOf: (object, dataKey) => keys.key(object, dataKey),
          onChange,
          onError: (error) => opts.onError(fail(error)),
        })
      } catch (error) {
        throw fail(error)
      }
    },

    async health(opts = {}) {
      const started = performance.now()
      try {
        const { core } = (await sdk.connect()).client
        if (setup.object !== undefined) await read(setup.object, opts.signal)
        else await withSignal(api.list(core, namespace, { labelSelector, limit: 1 }), opts.signal)
        return { ok: true, latencyMs: Math.round(performance.now() - started) }
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), message: fail(error).message }
      }
    },

    async close() {
      await sdk.close()
    },
  } satisfies Provider
}

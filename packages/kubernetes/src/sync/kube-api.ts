import type { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node'
import { lazyClient, type PolysecretError } from '@polysecret/core'
import { type KubernetesClientOptions, makeKubeConfig } from '../connection.js'
import { isNotFound, toPolysecretError } from '../errors.js'
import type { SecretObject } from './owned.js'
import type { NamespaceInfo } from './selector.js'

/**
 * The Kubernetes calls a namespace sync makes, on the official client: namespaces (list), Secrets
 * (list across namespaces or in one, read, create, replace, delete with preconditions). Every call is
 * counted by operation (`list namespaces`, `create secrets` — the fake's request-log names), retried
 * on throttling and unavailability with capped, jittered backoff (Retry-After honoured), and its
 * failure mapped onto core's error classes.
 */

type Sdk = typeof import('@kubernetes/client-node')

interface Clients {
  readonly kc: KubeConfig
  readonly core: CoreV1Api
  readonly watch: Watch
}

const PAGE = 500
const ATTEMPTS = 4

export interface ListedSecrets {
  readonly items: SecretObject[]
  readonly resourceVersion: string | undefined
}

export type SyncApi = ReturnType<typeof syncApi>

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function namespaceInfo(ns: {
  metadata?: { name?: string; labels?: Record<string, string>; deletionTimestamp?: unknown }
  status?: { phase?: string }
}): NamespaceInfo {
  return {
    name: ns.metadata?.name ?? '',
    labels: ns.metadata?.labels ?? {},
    terminating: ns.metadata?.deletionTimestamp != null || ns.status?.phase === 'Terminating',
  }
}

export function syncApi(provider: string, connection: KubernetesClientOptions) {
  const sdk = lazyClient<Sdk, Clients>({
    provider,
    pkg: '@kubernetes/client-node',
    requiredBy: '@polysecret/kubernetes',
    load: () => import('@kubernetes/client-node'),
    create: (m) => {
      const kc = makeKubeConfig(m, connection, provider)
      return { kc, core: kc.makeApiClient(m.CoreV1Api), watch: new m.Watch(kc) }
    },
    dispose: () => undefined,
  })
  const calls: Record<string, number> = {}

  /** One API call: counted, retried when retryable, mapped. */
  const call = async <T>(
    operation: string,
    fn: (core: CoreV1Api) => Promise<T>,
    key?: string,
  ): Promise<T> => {
    const { core } = (await sdk.connect()).client
    for (let attempt = 1; ; attempt++) {
      calls[operation] = (calls[operation] ?? 0) + 1
      try {
        return await fn(core)
      } catch (error) {
        const mapped: PolysecretError = toPolysecretError(error, { key, provider })
        if (!mapped.retryable || attempt >= ATTEMPTS) throw mapped
        const hint = (mapped as { retryAfterMs?: number }).retryAfterMs
        await sleep(Math.max(hint ?? 0, Math.random() * Math.min(2_000, 100 * 2 ** attempt)))
      }
    }
  }

  const pages = async <
    T extends { items: unknown[]; metadata?: { resourceVersion?: string; _continue?: string } },
  >(
    operation: string,
    fetch: (core: CoreV1Api, next: string | undefined) => Promise<T>,
  ): Promise<{ items: T['items']; resourceVersion: string | undefined }> => {
    const items: unknown[] = []
    let next: string | undefined
    let resourceVersion: string | undefined
    do {
      const page = await call(operation, (core) => fetch(core, next))
      items.push(...page.items)
      resourceVersion ??= page.metadata?.resourceVersion
      next = page.metadata?._continue || undefined
    } while (next !== undefined)
    return { items, resourceVersion }
  }

  return {
    calls,
    connect: () => sdk.connect(),
    close: () => sdk.close(),

    async listNamespaces(labelSelector: string | undefined) {
      const list = await pages('list namespaces', (core, next) =>
        core.listNamespace({
          limit: PAGE,
          ...(labelSelector && { labelSelector }),
          ...(next && { _continue: next }),
        }),
      )
      return { items: list.items.map(namespaceInfo), resourceVersion: list.resourceVersion }
    },

    /** Secrets carrying `labelSelector`, in every namespace (one paged call) or in one. */
    async listSecrets(labelSelector: string, namespace?: string): Promise<ListedSecrets> {
      return (await pages('list secrets', (core, next) => {
        const q = { labelSelector, limit: PAGE, ...(next && { _continue: next }) }
        return namespace === undefined
          ? core.listSecretForAllNamespaces(q)
          : core.listNamespacedSecret({ ...q, namespace })
      })) as ListedSecrets
    },

    async readSecret(namespace: string, name: string): Promise<SecretObject | undefined> {
      try {
        return (await call('get secrets', (core) =>
          core.readNamespacedSecret({ name, namespace }),
        )) as SecretObject
      } catch (error) {
        if (isNotFound(error) || (error as PolysecretError).code === 'NOT_FOUND') return undefined
        throw error
      }
    },

    createSecret: (namespace: string, body: SecretObject) =>
      call('create secrets', (core) =>
        core.createNamespacedSecret({ namespace, body: body as never }),
      ) as Promise<SecretObject>,

    replaceSecret: (namespace: string, body: SecretObject) =>
      call('update secrets', (core) =>
        core.replaceNamespacedSecret({ name: body.metadata?.name ?? '', namespace, body: body as never }),
      ) as Promise<SecretObject>,

    /** Deletes only the object we saw: `preconditions` make the API server refuse (409) if it was replaced. */
    deleteSecret: (namespace: string, current: SecretObject) =>
      call('delete secrets', (core) =>
        core.deleteNamespacedSecret({
          name: current.metadata?.name ?? '',
          namespace,
          body: {
            preconditions: {
              ...(current.metadata?.uid && { uid: current.metadata.uid }),
              ...(current.metadata?.resourceVersion && { resourceVersion: current.metadata.resourceVersion }),
            },
          },
        }),
      ),

    async watcher(): Promise<Watch> {
      return (await sdk.connect()).client.watch
    },
  }
}

import { createHash } from 'node:crypto'
import type { Watch } from '@kubernetes/client-node'
import type { ProviderChange, Subscription } from '@polysecret/core'
import { isGone } from './errors.js'
import type { KubeObject } from './object-data.js'

/** What a watch needs from its provider. */
export interface WatchSetup {
  readonly watch: Watch
  /** `/api/v1/namespaces/{ns}/{secrets|configmaps}`. */
  readonly path: string
  readonly labelSelector?: string | undefined
  readonly fieldSelector?: string | undefined
  /** Every object now (all pages) and the list's resourceVersion. */
  readonly relist: () => Promise<{ items: KubeObject[]; resourceVersion: string | undefined }>
  /** The key of an object's data entry, or `undefined` when it is not one of the provider's keys. */
  readonly keyOf: (object: string, dataKey: string) => string | undefined
  readonly onChange: (change: ProviderChange) => void
  /** A failure of the stream (raw: the provider maps it). */
  readonly onError: (error: unknown) => void
  /** First reconnect delay after a failure, doubled per failure up to 30 s. @default 200 */
  readonly retryDelayMs?: number
}

type Fingerprint = Map<string, string>

/** Data key → hash of its encoded value, so a change reports exactly the keys whose values moved. */
function fingerprint(obj: KubeObject): Fingerprint {
  const out: Fingerprint = new Map()
  for (const map of [obj.data, obj.binaryData]) {
    for (const [k, v] of Object.entries(map ?? {})) {
      out.set(k, createHash('sha256').update(String(v)).digest('hex').slice(0, 16))
    }
  }
  return out
}

/**
 * A push channel on the Kubernetes watch API: list, then watch from the list's resourceVersion;
 * reconnect from the last seen resourceVersion when the stream ends (the API server ends watches
 * every few minutes) or fails; on 410 Gone (the version fell out of the server's history) relist and
 * push the difference. Only keys whose values changed are pushed — a resourceVersion bump alone
 * (labels, annotations, a no-op update) is not a change.
 */
export async function openWatch(setup: WatchSetup): Promise<Subscription> {
  const objects = new Map<string, Fingerprint>()
  let resourceVersion: string | undefined
  let closed = false
  let controller: AbortController | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const baseDelay = setup.retryDelayMs ?? 200
  let delay = baseDelay

  const push = (keys: Set<string>) => {
    if (!closed && keys.size > 0) setup.onChange({ keys: [...keys] })
  }
  /** Applies an object's new state (or its deletion), collecting the keys whose values changed. */
  const apply = (name: string, next: Fingerprint | undefined, changed: Set<string>) => {
    const before = objects.get(name) ?? new Map<string, string>()
    const after = next ?? new Map<string, string>()
    for (const dataKey of new Set([...before.keys(), ...after.keys()])) {
      if (before.get(dataKey) === after.get(dataKey)) continue
      const key = setup.keyOf(name, dataKey)
      if (key !== undefined) changed.add(key)
    }
    if (next === undefined) objects.delete(name)
    else objects.set(name, next)
  }
  const relist = async (report: boolean) => {
    const { items, resourceVersion: rv } = await setup.relist()
    const changed = new Set<string>()
    const seen = new Set<string>()
    for (const item of items) {
      const name = item.metadata?.name
      if (name === undefined) continue
      seen.add(name)
      apply(name, fingerprint(item), changed)
    }
    for (const name of [...objects.keys()]) if (!seen.has(name)) apply(name, undefined, changed)
    resourceVersion = rv
    if (report) push(changed)
  }

  let needRelist = false
  const onEvent = (type: string, obj: KubeObject & { code?: number }) => {
    if (closed) return
    if (type === 'ERROR') {
      if (isGone(obj)) needRelist = true
      else setup.onError(obj)
      return
    }
    delay = baseDelay
    const rv = obj?.metadata?.resourceVersion
    if (rv !== undefined) resourceVersion = rv
    const name = obj?.metadata?.name
    if (type === 'BOOKMARK' || name === undefined) return
    const changed = new Set<string>()
    apply(name, type === 'DELETED' ? undefined : fingerprint(obj), changed)
    push(changed)
  }
  const reconnect = (wait: number) => {
    if (closed) return
    timer = setTimeout(() => void connect(), wait)
    timer.unref?.()
  }
  /** Opens the stream. The first one throws when the server refuses it, so subscribe() rejects. */
  const connect = async (initial = false): Promise<void> => {
    if (closed) return
    let refused: unknown
    let opening = true
    try {
      if (needRelist) {
        needRelist = false
        await relist(true)
      }
      const query = {
        allowWatchBookmarks: true,
        ...(resourceVersion !== undefined && { resourceVersion }),
        ...(setup.labelSelector !== undefined && { labelSelector: setup.labelSelector }),
        ...(setup.fieldSelector !== undefined && { fieldSelector: setup.fieldSelector }),
      }
      controller = await setup.watch.watch(setup.path, query, onEvent, (error: unknown) => {
        controller = undefined
        if (closed) return
        if (initial && opening && error) {
          refused = error
          return
        }
        if (error && !isGone(error)) {
          setup.onError(error)
          reconnect(delay)
          delay = Math.min(delay * 2, 30_000)
          return
        }
        if (error) needRelist = true
        // A stream the server ended normally resumes at once from the last resourceVersion.
        reconnect(0)
      })
      opening = false
      if (refused !== undefined) throw refused
      if (closed) controller.abort()
    } catch (error) {
      if (initial) throw error
      if (closed) return
      if (isGone(error)) needRelist = true
      else setup.onError(error)
      reconnect(delay)
      delay = Math.min(delay * 2, 30_000)
    }
  }

  await relist(false)
  await connect(true)
  return {
    close() {
      closed = true
      clearTimeout(timer)
      controller?.abort()
    },
  }
}

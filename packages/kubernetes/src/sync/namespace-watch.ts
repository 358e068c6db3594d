import type { Watch } from '@kubernetes/client-node'
import { isGone } from '../errors.js'
import { namespaceInfo } from './kube-api.js'
import type { NamespaceInfo } from './selector.js'

/**
 * Follows namespaces with the watch API: list, then watch from the list's resourceVersion; resume from
 * the last seen resourceVersion when the server ends the stream; relist on 410 Gone (the version fell
 * out of the server's history) and report every namespace that changed meanwhile. With a
 * `labelSelector`, a namespace relabelled out of it arrives as DELETED — for the sync the same as gone.
 */

export interface NamespaceWatchSetup {
  readonly watch: Watch
  readonly labelSelector: string | undefined
  readonly list: () => Promise<{ items: NamespaceInfo[]; resourceVersion: string | undefined }>
  /** Namespaces whose state changed (added, relabelled, removed), with the time each event was seen. */
  readonly onChange: (names: readonly string[]) => void
  readonly onError: (error: unknown) => void
  /** First reconnect delay after a failure, doubled up to 30 s. @default 200 */
  readonly retryDelayMs?: number
}

export interface NamespaceWatch {
  /** Namespaces as last seen (those the label selector lets through). */
  readonly namespaces: ReadonlyMap<string, NamespaceInfo>
  /** The first list's namespaces, for the first pass. */
  close(): void
}

export async function watchNamespaces(setup: NamespaceWatchSetup): Promise<NamespaceWatch> {
  const known = new Map<string, NamespaceInfo>()
  let resourceVersion: string | undefined
  let closed = false
  let controller: AbortController | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const base = setup.retryDelayMs ?? 200
  let delay = base
  let relistNeeded = false

  const same = (a: NamespaceInfo | undefined, b: NamespaceInfo | undefined) =>
    JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

  const relist = async (report: boolean) => {
    const { items, resourceVersion: rv } = await setup.list()
    const changed: string[] = []
    const seen = new Set<string>()
    for (const ns of items) {
      seen.add(ns.name)
      if (!same(known.get(ns.name), ns)) changed.push(ns.name)
      known.set(ns.name, ns)
    }
    for (const name of [...known.keys()])
      if (!seen.has(name)) {
        known.delete(name)
        changed.push(name)
      }
    resourceVersion = rv
    if (report && changed.length) setup.onChange(changed)
  }

  const onEvent = (
    type: string,
    obj: Parameters<typeof namespaceInfo>[0] & { metadata?: { resourceVersion?: string } },
  ) => {
    if (closed) return
    if (type === 'ERROR') {
      if (isGone(obj)) relistNeeded = true
      else setup.onError(obj)
      return
    }
    delay = base
    if (obj?.metadata?.resourceVersion !== undefined) resourceVersion = obj.metadata.resourceVersion
    if (type === 'BOOKMARK') return
    const ns = namespaceInfo(obj)
    if (!ns.name) return
    if (type === 'DELETED') known.delete(ns.name)
    else known.set(ns.name, ns)
    setup.onChange([ns.name])
  }

  const reconnect = (wait: number) => {
    if (closed) return
    timer = setTimeout(() => void connect(), wait)
    timer.unref?.()
  }
  const failed = (error: unknown) => {
    if (isGone(error)) relistNeeded = true
    else setup.onError(error)
    reconnect(delay)
    delay = Math.min(delay * 2, 30_000)
  }
  const connect = async (): Promise<void> => {
    if (closed) return
    try {
      if (relistNeeded) {
        relistNeeded = false
        await relist(true)
      }
      const query = {
        allowWatchBookmarks: true,
        ...(resourceVersion !== undefined && { resourceVersion }),
        ...(setup.labelSelector !== undefined && { labelSelector: setup.labelSelector }),
      }
      controller = await setup.watch.watch('/api/v1/namespaces', query, onEvent, (error: unknown) => {
        controller = undefined
        if (closed) return
        if (error) return failed(error)
        reconnect(0) // a stream the server ended normally resumes from the last resourceVersion
      })
      if (closed) controller.abort()
    } catch (error) {
      if (!closed) failed(error)
    }
  }

  await relist(false)
  await connect()
  return {
    namespaces: known,
    close() {
      closed = true
      clearTimeout(timer)
      controller?.abort()
    },
  }
}

import type { WireResponse, WireStreamSink } from '../http-server.js'
import { selectorOf } from './list.js'
import type { ObjectRef } from './objects.js'
import type { KubeObject } from './resources.js'
import type { ChangeEvent, KubernetesState } from './state.js'
import { failure } from './status.js'

/**
 * Watch streams (`?watch=1`): newline-delimited JSON events. Without a resourceVersion (or with "0") a
 * watch first gets an ADDED event per current object; with one it gets every change after it from the
 * bounded history, or a single ERROR event carrying a 410 Expired Status when that history no longer
 * reaches back so far (the client must list again). An update that moves an object into or out of the
 * selector arrives as ADDED or DELETED, as from the API server. BOOKMARKs go to watches that asked for
 * them (`allowWatchBookmarks=true`), every `bookmarkIntervalMs` and on `bookmark()`.
 */

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

interface OpenWatch {
  readonly sink: WireStreamSink
  readonly ref: ObjectRef
  readonly bookmarks: boolean
}

export class WatchHub {
  readonly #open = new Set<OpenWatch>()

  constructor(
    private readonly state: KubernetesState,
    private readonly bookmarkIntervalMs: number,
  ) {}

  /** Watches open right now. */
  get size(): number {
    return this.#open.size
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that allows them. */
  bookmark(): void {
    for (const w of this.#open) if (w.bookmarks) this.#bookmark(w)
  }

  /** Ends every open watch normally, as an API server does when a watch times out or it restarts. */
  closeAll(): void {
    for (const w of [...this.#open]) w.sink.end()
  }

  respond(ref: ObjectRef, query: URLSearchParams): WireResponse {
    const matches = selectorOf(ref, query)
    const inScope = (o: KubeObject | undefined): o is KubeObject =>
      o !== undefined &&
      (ref.namespace === undefined || o.metadata.namespace === ref.namespace) &&
      (ref.name === undefined || o.metadata.name === ref.name) &&
      matches(o)
    const rvParam = query.get('resourceVersion')
    const bookmarks = query.get('allowWatchBookmarks') === 'true'
    const initialEvents = query.get('sendInitialEvents') === 'true'
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0)
    return {
      status: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' },
      stream: (sink) => {
        const write = (type: WatchEventType, object: unknown) =>
          sink.write(`${JSON.stringify({ type, object })}\n`)
        const watch: OpenWatch = { sink, ref, bookmarks }
        const fromRv = rvParam && rvParam !== '0' && !initialEvents ? Number(rvParam) : undefined
        const backlog = fromRv === undefined ? [] : this.state.since(fromRv)
        if (backlog === undefined) {
          write(
            'ERROR',
            failure(410, 'Expired', `too old resource version: ${fromRv} (${this.state.forgottenUpTo + 1})`),
          )
          return sink.end()
        }
        const deliver = (e: ChangeEvent) => {
          if (e.resource !== ref.info.resource) return
          const now = inScope(e.type === 'DELETED' ? undefined : e.object)
          const before = inScope(e.previous)
          if (e.type === 'ADDED' && now) write('ADDED', e.object)
          else if (e.type === 'MODIFIED' && now) write(before ? 'MODIFIED' : 'ADDED', e.object)
          else if (e.type === 'MODIFIED' && before) write('DELETED', e.object)
          else if (e.type === 'DELETED' && before) write('DELETED', e.object)
        }
        if (fromRv === undefined)
          for (const o of this.state.list(ref.info.resource, ref.namespace)) if (inScope(o)) write('ADDED', o)
        if (initialEvents && bookmarks) this.#bookmark(watch, true)
        for (const e of backlog) deliver(e)
        const unsubscribe = this.state.subscribe(deliver)
        this.#open.add(watch)
        const timers: NodeJS.Timeout[] = []
        if (bookmarks && this.bookmarkIntervalMs > 0)
          timers.push(setInterval(() => this.#bookmark(watch), this.bookmarkIntervalMs).unref())
        if (timeoutSeconds > 0) timers.push(setTimeout(() => sink.end(), timeoutSeconds * 1000).unref())
        sink.onClose(() => {
          unsubscribe()
          for (const t of timers) clearTimeout(t)
          this.#open.delete(watch)
        })
      },
    }
  }

  #bookmark(w: OpenWatch, initialEventsEnd = false): void {
    const metadata: Record<string, unknown> = { resourceVersion: String(this.state.resourceVersion) }
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' }
    w.sink.write(
      `${JSON.stringify({ type: 'BOOKMARK', object: { kind: w.ref.info.kind, apiVersion: 'v1', metadata } })}\n`,
    )
  }
}

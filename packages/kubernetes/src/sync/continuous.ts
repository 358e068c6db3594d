import type { ConfigManager, PolysecretError, RunningSync, Watcher } from '@polysecret/core'
import { sourceKeys } from './formats.js'
import { type NamespaceWatch, watchNamespaces } from './namespace-watch.js'
import { type NamespaceSyncResult, type PassContext, runPass } from './pass.js'
import type { SyncRetryOptions } from './spec.js'
import type { NamespaceSyncStats, SyncStatsRecorder } from './stats.js'

/**
 * A continuous sync: a first (strict) pass, then a namespace watch and a watch on the source keys.
 * A namespace event runs a pass scoped to that namespace; a source change, the resync timer or a retry
 * runs a full pass. Passes never overlap: events arriving during one are coalesced into the next. A
 * failed pass (source or API unreachable) leaves every copy as it is and is retried with capped,
 * jittered exponential backoff.
 */

/** A running namespace sync (`manager.sync(target, { watch: true })`). */
export interface RunningNamespaceSync extends RunningSync {
  /** The result of the latest pass. */
  readonly lastResult: NamespaceSyncResult
  stats(): NamespaceSyncStats
  /** The result of the next pass to finish. */
  nextPass(): Promise<NamespaceSyncResult>
}

export interface ContinuousSettings {
  readonly sourceInterval: number
  readonly resyncInterval: number
  readonly retry: SyncRetryOptions
  readonly stats: SyncStatsRecorder
  readonly onError: (error: PolysecretError) => void
}

export async function startContinuous(
  ctx: PassContext,
  source: ConfigManager,
  settings: ContinuousSettings,
): Promise<RunningNamespaceSync> {
  const { stats } = settings
  const pendingNs = new Map<string, number>()
  let pendingFull = false
  let changeAt: number | undefined
  let running = false
  let closed = false
  let failures = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let waiters: ((r: NamespaceSyncResult) => void)[] = []
  let namespaces: NamespaceWatch | undefined
  let keys: Watcher | undefined

  const backoff = () => {
    const base = settings.retry.baseDelay ?? 1_000
    const ceiling = Math.min(settings.retry.maxDelay ?? 60_000, base * 2 ** Math.min(failures - 1, 30))
    return Math.max(base / 2, (settings.retry.random ?? Math.random)() * ceiling)
  }
  const scheduleRetry = () => {
    failures++
    stats.retrying = true
    clearTimeout(retryTimer)
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      stats.retrying = false
      pendingFull = true
      void kick()
    }, backoff())
    retryTimer.unref?.()
  }

  let last: NamespaceSyncResult
  const finish = (result: NamespaceSyncResult) => {
    last = result
    const done = waiters
    waiters = []
    for (const w of done) w(result)
  }

  const kick = async (): Promise<void> => {
    if (running || closed || retryTimer !== undefined || !namespaces) return
    running = true
    try {
      while (!closed && (pendingFull || pendingNs.size > 0)) {
        const full = pendingFull
        const batch = new Map(pendingNs)
        const changedAt = changeAt
        pendingFull = false
        pendingNs.clear()
        changeAt = undefined
        try {
          const result = await runPass(ctx, source, {
            dryRun: false,
            strict: false,
            namespaces: [...namespaces.namespaces.values()],
            scope: full ? undefined : new Set(batch.keys()),
          })
          const end = ctx.now()
          stats.record(result, end)
          const retryable = result.errors.some((e) => e.error.retryable)
          if (retryable) {
            changeAt = changedAt // measured when the retry gets the change through
            scheduleRetry()
          } else {
            failures = 0
            if (changedAt !== undefined) stats.propagation.add(end - changedAt)
            const reached = new Set(result.changes.filter((c) => c.outcome === 'ok').map((c) => c.namespace))
            for (const [ns, seenAt] of batch) if (reached.has(ns)) stats.namespaceEvents.add(end - seenAt)
          }
          finish(result)
        } catch (error) {
          stats.failed(ctx.now(), (error as PolysecretError).code === 'ACCESS_DENIED')
          settings.onError(error as PolysecretError)
          for (const [ns, at] of batch) if (!pendingNs.has(ns)) pendingNs.set(ns, at)
          changeAt = changedAt === undefined ? changeAt : Math.min(changedAt, changeAt ?? changedAt)
          scheduleRetry()
          break
        }
      }
    } finally {
      running = false
    }
  }

  namespaces = await watchNamespaces({
    watch: await ctx.api.watcher(),
    labelSelector: ctx.labelSelector,
    list: () => ctx.api.listNamespaces(ctx.labelSelector),
    onChange: (names) => {
      const at = ctx.now()
      for (const n of names) if (!pendingNs.has(n)) pendingNs.set(n, at)
      void kick()
    },
    onError: (error) => settings.onError(error as PolysecretError),
  })
  try {
    const first = await runPass(ctx, source, {
      dryRun: false,
      strict: true,
      namespaces: [...namespaces.namespaces.values()],
    })
    stats.record(first, ctx.now())
    last = first
    if (first.errors.some((e) => e.error.retryable)) scheduleRetry()
    keys = await source.watch(
      [...new Set(ctx.secrets.flatMap(sourceKeys))],
      (key) => {
        const seen = ctx.now()
        // The store's own change time, when it reports one, counts the poll's delay in the lag too.
        void source
          .getWithMetadata(key)
          .then((r) => r.updatedAt?.getTime())
          .catch(() => undefined)
          .then((updated) => {
            const at = updated !== undefined && updated <= seen ? updated : seen
            changeAt = Math.min(changeAt ?? at, at)
            pendingFull = true
            void kick()
          })
      },
      { interval: settings.sourceInterval, unwatchable: 'ignore', onError: settings.onError },
    )
  } catch (error) {
    namespaces.close()
    throw error
  }
  const resync = setInterval(() => {
    pendingFull = true
    void kick()
  }, settings.resyncInterval)
  resync.unref?.()
  void kick() // events that arrived during the first pass

  return {
    get lastResult() {
      return last
    },
    stats: () => stats.snapshot(),
    nextPass: () => new Promise<NamespaceSyncResult>((resolve) => waiters.push(resolve)),
    async close() {
      closed = true
      clearTimeout(retryTimer)
      clearInterval(resync)
      namespaces?.close()
      keys?.close()
    },
  }
}

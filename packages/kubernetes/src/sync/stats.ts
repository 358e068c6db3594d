import type { NamespaceSyncResult } from './pass.js'

/**
 * Counters of a sync and its propagation lag, as a plain JSON-serialisable object — the shape a
 * `manager.stats()` can fold in under `sync[name]`, or a metrics exporter can read. Keys and counts
 * only, never a value.
 */

/** Distribution of a latency over the last samples (ms). */
export interface LatencySummary {
  readonly count: number
  readonly last: number | undefined
  readonly p50: number | undefined
  readonly p99: number | undefined
  readonly max: number | undefined
}

export interface NamespaceSyncStats {
  readonly sync: string
  readonly passes: number
  readonly failedPasses: number
  readonly writes: {
    readonly create: number
    readonly update: number
    readonly replace: number
    readonly delete: number
  }
  readonly conflicts: number
  readonly denied: number
  readonly errors: number
  /** Namespaces the last pass wrote to (selected and allowed). */
  readonly namespaces: number
  /** Kubernetes API calls by operation (`list namespaces`, `create secrets`, …), retries included. */
  readonly apiCalls: Readonly<Record<string, number>>
  /** From a source change being seen (or the store's `updatedAt`, when earlier) to every copy written. */
  readonly propagationLagMs: LatencySummary
  /** From a namespace event (created, relabelled) to its copies written. */
  readonly namespaceLagMs: LatencySummary
  readonly lastPassAt: string | undefined
  readonly lastSuccessAt: string | undefined
  /** A failed pass is waiting for its retry (backoff). */
  readonly retrying: boolean
}

type WriteAction = 'create' | 'update' | 'replace' | 'delete'

const WINDOW = 1024

class Samples {
  readonly #values: number[] = []
  #count = 0
  add(ms: number): void {
    this.#count++
    this.#values.push(ms)
    if (this.#values.length > WINDOW) this.#values.shift()
  }
  summary(): LatencySummary {
    const sorted = [...this.#values].sort((a, b) => a - b)
    const at = (q: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : undefined
    return {
      count: this.#count,
      last: this.#values.at(-1),
      p50: at(0.5),
      p99: at(0.99),
      max: sorted.at(-1),
    }
  }
}

export class SyncStatsRecorder {
  readonly #sync: string
  readonly #calls: Readonly<Record<string, number>>
  #passes = 0
  #failed = 0
  readonly #writes = { create: 0, update: 0, replace: 0, delete: 0 }
  #conflicts = 0
  #denied = 0
  #errors = 0
  #namespaces = 0
  #lastPassAt: string | undefined
  #lastSuccessAt: string | undefined
  retrying = false
  readonly propagation = new Samples()
  readonly namespaceEvents = new Samples()

  constructor(sync: string, calls: Readonly<Record<string, number>>) {
    this.#sync = sync
    this.#calls = calls
  }

  record(result: NamespaceSyncResult, at: number): void {
    if (result.dryRun) return
    this.#passes++
    if (!result.ok) this.#failed++
    for (const change of result.changes) {
      const action = change.action as WriteAction
      if (change.outcome === 'ok' && action in this.#writes) this.#writes[action]++
      if (change.outcome === 'conflict') this.#conflicts++
    }
    for (const issue of result.errors) {
      if (issue.error.code === 'ACCESS_DENIED' && issue.namespace !== undefined) this.#denied++
      else if (issue.error.code !== 'CONFLICT') this.#errors++
    }
    this.#namespaces = result.namespaces.length
    this.#lastPassAt = new Date(at).toISOString()
    if (result.ok) this.#lastSuccessAt = this.#lastPassAt
  }

  /** A pass refused as a whole (policy) or failed before planning (API or source unreachable). */
  failed(at: number, denied: boolean): void {
    this.#passes++
    this.#failed++
    if (denied) this.#denied++
    else this.#errors++
    this.#lastPassAt = new Date(at).toISOString()
  }

  snapshot(): NamespaceSyncStats {
    return {
      sync: this.#sync,
      passes: this.#passes,
      failedPasses: this.#failed,
      writes: { ...this.#writes },
      conflicts: this.#conflicts,
      denied: this.#denied,
      errors: this.#errors,
      namespaces: this.#namespaces,
      apiCalls: { ...this.#calls },
      propagationLagMs: this.propagation.summary(),
      namespaceLagMs: this.namespaceEvents.summary(),
      lastPassAt: this.#lastPassAt,
      lastSuccessAt: this.#lastSuccessAt,
      retrying: this.retrying,
    }
  }
}

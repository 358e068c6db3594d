import { LatencySketch } from './latency-sketch.js'

/** Provider operations the manager counts, one per kind of call it makes. */
export type ProviderOperation =
  | 'get'
  | 'getMany'
  | 'list'
  | 'set'
  | 'delete'
  | 'versions'
  | 'rollback'
  | 'changeToken'
  | 'subscribe'
  | 'health'

/** One provider's numbers in {@link ManagerStats}. */
export interface ProviderStats {
  /** Calls made to the store, by operation (every attempt counts: a retried call counts twice). */
  readonly calls: Partial<Record<ProviderOperation, number>>
  /** Calls that failed (not-found is an answer, not an error). Includes `throttles`. */
  readonly errors: number
  /** Calls the store answered with a throttling error. */
  readonly throttles: number
  /** Attempts after the first (retries of failed calls). */
  readonly retries: number
  /** Bytes of values received (reads) and sent (writes). */
  readonly bytes: number
  /** Calls that gave up waiting for a slot under `limits` before reaching the store. */
  readonly limited: number
  /** Call latency at the store, in milliseconds. */
  readonly latencyMs: { readonly p50: number; readonly p99: number }
  /** The limiter now: admitted rate (calls/s, `null` = unlimited), calls in flight and waiting, pause left. */
  readonly limiter: {
    readonly rate: number | null
    readonly inFlight: number
    readonly queued: number
    readonly pausedMs: number
  }
}

/** What `manager.stats()` returns: plain, JSON-serialisable numbers — never a key's value. */
export interface ManagerStats {
  readonly providers: Readonly<Record<string, ProviderStats>>
  /** Reads answered from the cache (`hits`), from the stores (`misses`), or with a stale value (`staleServes`). */
  readonly cache: { readonly hits: number; readonly misses: number; readonly staleServes: number }
  /** When counting started (manager creation or the last `resetStats()`), ISO 8601. */
  readonly since: string
}

/** Counters of one provider; mutated in place by the gate. */
export class ProviderCounters {
  readonly calls: Partial<Record<ProviderOperation, number>> = {}
  errors = 0
  throttles = 0
  retries = 0
  bytes = 0
  limited = 0
  readonly latency = new LatencySketch()
}

/** Cache results, counted by the read engine (lifetime counters: OpenTelemetry reads them too). */
export class CacheCounters {
  hits = 0
  misses = 0
  staleServes = 0
}

/** Everything `stats()` reports, resettable without disturbing the lifetime counters telemetry observes. */
export class StatsRecorder {
  readonly cache = new CacheCounters()
  #providers = new Map<string, ProviderCounters>()
  #cacheBase = { hits: 0, misses: 0, staleServes: 0 }
  #since = new Date()

  provider(name: string): ProviderCounters {
    let counters = this.#providers.get(name)
    if (!counters) {
      counters = new ProviderCounters()
      this.#providers.set(name, counters)
    }
    return counters
  }

  reset(): void {
    this.#providers = new Map()
    this.#cacheBase = { ...this.cache }
    this.#since = new Date()
  }

  snapshot(limiters: ReadonlyMap<string, { snapshot(): ProviderStats['limiter'] }>): ManagerStats {
    const providers: Record<string, ProviderStats> = {}
    for (const name of new Set([...limiters.keys(), ...this.#providers.keys()])) {
      const c = this.#providers.get(name) ?? new ProviderCounters()
      providers[name] = {
        calls: { ...c.calls },
        errors: c.errors,
        throttles: c.throttles,
        retries: c.retries,
        bytes: c.bytes,
        limited: c.limited,
        latencyMs: { p50: c.latency.quantile(0.5), p99: c.latency.quantile(0.99) },
        limiter: limiters.get(name)?.snapshot() ?? { rate: null, inFlight: 0, queued: 0, pausedMs: 0 },
      }
    }
    return {
      providers,
      cache: {
        hits: this.cache.hits - this.#cacheBase.hits,
        misses: this.cache.misses - this.#cacheBase.misses,
        staleServes: this.cache.staleServes - this.#cacheBase.staleServes,
      },
      since: this.#since.toISOString(),
    }
  }
}

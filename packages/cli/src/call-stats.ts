/**
 * Calls per store for `--stats` and `polysecret stats`. The ONE place that knows where the numbers come
 * from: `manager.stats()` when the manager has it (core's per-provider call counters), else a count of
 * the manager's access events plus the calls the CLI makes itself (listing, health checks). When every
 * supported core has `stats()`, delete the fallback below and keep the `calls()` shape.
 *
 * The fallback counts operations per key: a native batch read of 10 keys counts 10 `get`s, so it is an
 * upper bound of requests where a store batches; `manager.stats()` counts requests.
 */
import type { AccessEvent, ConfigManager } from '@polysecret/core'

/** store → operation → calls */
export type CallCounts = Record<string, Record<string, number>>

interface StatsShape {
  providers?: Record<string, { calls?: Record<string, number> }>
}

type WithStats = ConfigManager & { stats?: () => StatsShape }

export class CallStats {
  readonly #counted: CallCounts = {}
  #manager: WithStats | undefined
  #baseline: CallCounts | undefined

  /** The access listener to pass to createManager (counts only while the manager lacks stats()). */
  readonly onAccess = (event: AccessEvent): void => {
    if (this.#native()) return
    // A value served from the cache (fresh or stale) made no store call; a background refresh reports its own.
    if (event.provider === undefined || event.cache !== 'miss') return
    this.record(event.provider, event.operation)
  }

  /** The manager whose stats are reported; its counters at this moment are the baseline. */
  attach(manager: ConfigManager): void {
    this.#manager = manager as WithStats
    if (this.#native()) this.#baseline = nativeCounts(this.#manager)
  }

  /** A call the CLI made to a provider directly (listing, health, a probe). */
  record(provider: string, operation: string, count = 1): void {
    if (this.#native() && operation !== 'planned-write') return
    const ops = (this.#counted[provider] ??= {})
    ops[operation] = (ops[operation] ?? 0) + count
  }

  /** Calls made since attach, per store and operation. */
  calls(): CallCounts {
    if (!this.#native()) return structuredClone(this.#counted)
    const now = nativeCounts(this.#manager!)
    const out: CallCounts = {}
    for (const [provider, ops] of Object.entries(now)) {
      for (const [op, n] of Object.entries(ops)) {
        const delta = n - (this.#baseline?.[provider]?.[op] ?? 0)
        if (delta > 0) (out[provider] ??= {})[op] = delta
      }
    }
    for (const [provider, ops] of Object.entries(this.#counted))
      for (const [op, n] of Object.entries(ops)) (out[provider] ??= {})[op] = n
    return out
  }

  #native(): boolean {
    return typeof this.#manager?.stats === 'function'
  }
}

function nativeCounts(manager: WithStats): CallCounts {
  const stats = manager.stats?.()
  const out: CallCounts = {}
  for (const [provider, entry] of Object.entries(stats?.providers ?? {})) out[provider] = { ...entry.calls }
  return out
}

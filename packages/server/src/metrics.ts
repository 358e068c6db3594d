import type { AccessEvent, ConfigManager } from '@polysecret/core'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'

/**
 * Prometheus metrics on the server's own registry (never prom-client's global one, so two servers in
 * one process do not mix). HTTP metrics are counted per route pattern, never per key (keys are
 * unbounded label values and may be sensitive names). Provider and cache figures come from
 * `manager.stats()` when the manager has it, read at scrape time; otherwise they are counted from
 * the manager's access events (`metrics.accessListener`, which `serve()` wires in for you).
 */

/** The agreed shape of `manager.stats()` (fields this adapter reads). */
export interface ManagerStats {
  readonly providers: Readonly<
    Record<
      string,
      {
        readonly calls: Readonly<Record<string, number>>
        readonly errors: number
        readonly throttles?: number
      }
    >
  >
  readonly cache: { readonly hits: number; readonly misses: number; readonly staleServes: number }
}

/** `manager.stats` when the manager has one. */
export function statsReader(manager: ConfigManager): (() => ManagerStats) | undefined {
  const stats = (manager as unknown as { stats?: () => ManagerStats }).stats
  return typeof stats === 'function' ? () => stats.call(manager) : undefined
}

export interface ServerMetrics {
  readonly registry: Registry
  readonly requests: Counter<'method' | 'route' | 'status'>
  readonly duration: Histogram<'method' | 'route'>
  readonly rateLimited: Counter<'principal_kind'>
  readonly authFailures: Counter<'reason'>
  /** Feed a manager's access events here when it has no `stats()` (`onAccess: metrics.accessListener`). */
  readonly accessListener: (event: AccessEvent) => void
  /** Reads provider and cache figures from this manager's `stats()` when it has one (createServer calls it). */
  attach(manager: ConfigManager): void
}

/**
 * The server's metrics. Create them yourself to count a manager's events when it has no `stats()`:
 * `new ConfigManager({ …, onAccess: metrics.accessListener })`, then `createServer(manager, { metrics })`.
 */
export function createServerMetrics(): ServerMetrics {
  let manager: ConfigManager | undefined
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'polysecret_server_' })
  const requests = new Counter({
    name: 'polysecret_http_requests_total',
    help: 'HTTP requests by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'polysecret_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  const rateLimited = new Counter({
    name: 'polysecret_rate_limited_total',
    help: 'Requests refused by the per-caller rate limit.',
    labelNames: ['principal_kind'] as const,
    registers: [registry],
  })
  const authFailures = new Counter({
    name: 'polysecret_auth_failures_total',
    help: 'Requests refused by authentication (401) or authorization (403).',
    labelNames: ['reason'] as const,
    registers: [registry],
  })

  // Counted from events unless stats() answers at scrape time (the manager may come later: serve()
  // builds it with this listener wired in).
  const statsNow = () => {
    return manager ? statsReader(manager) : undefined
  }
  const eventCache = { hit: 0, miss: 0, stale: 0 }
  const eventCalls = new Map<string, { calls: Record<string, number>; errors: number }>()
  const accessListener = (event: AccessEvent) => {
    if (event.operation === 'get') {
      eventCache[event.cache === 'fresh' ? 'hit' : event.cache]++
    }
    // A provider call happened when a provider is named and the answer did not come from the cache.
    if (event.provider === undefined || event.cache === 'fresh') return
    const p = eventCalls.get(event.provider) ?? { calls: {}, errors: 0 }
    p.calls[event.operation] = (p.calls[event.operation] ?? 0) + 1
    if (event.outcome === 'error') p.errors++
    eventCalls.set(event.provider, p)
  }

  new Counter({
    name: 'polysecret_cache_requests_total',
    help: "Reads answered by the manager's cache (result=hit|stale) or not (miss).",
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      const stats = statsNow()
      const c = stats
        ? { hit: stats().cache.hits, miss: stats().cache.misses, stale: stats().cache.staleServes }
        : eventCache
      this.reset()
      for (const [result, n] of Object.entries(c)) this.inc({ result }, n)
    },
  })
  new Counter({
    name: 'polysecret_provider_calls_total',
    help: 'Calls to each provider by operation.',
    labelNames: ['provider', 'operation'] as const,
    registers: [registry],
    collect() {
      this.reset()
      for (const [provider, p] of providerFigures())
        for (const [operation, n] of Object.entries(p.calls)) this.inc({ provider, operation }, n)
    },
  })
  new Counter({
    name: 'polysecret_provider_errors_total',
    help: 'Failed calls to each provider.',
    labelNames: ['provider'] as const,
    registers: [registry],
    collect() {
      this.reset()
      for (const [provider, p] of providerFigures()) this.inc({ provider }, p.errors)
    },
  })
  const providerFigures = (): Iterable<
    [string, { calls: Readonly<Record<string, number>>; errors: number }]
  > => {
    const stats = statsNow()
    return stats ? Object.entries(stats().providers) : eventCalls
  }

  return {
    registry,
    requests,
    duration,
    rateLimited,
    authFailures,
    accessListener,
    attach(m) {
      manager = m
    },
  }
}

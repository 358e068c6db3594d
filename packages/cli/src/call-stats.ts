/**
 * Calls per store for `--stats` and `polysecret stats`. The ONE place that knows where the numbers come
 * from: `manager.stats()` when core has it (its per-provider call counters), else a count of the calls
 * the manager makes into each provider, taken by wrapping the providers the configuration built. When
 * every supported core has `stats()`, delete the wrapping below and keep the `calls()` shape.
 *
 * Both count requests as the store sees them: a native batch is one call, a retry is another.
 */
import type { ConfigManager, ConfigManagerOptions, ManagerConfig, Provider } from '@polysecret/core'

/** store → operation → calls */
export type CallCounts = Record<string, Record<string, number>>

interface StatsShape {
  providers?: Record<string, { calls?: Record<string, number> }>
}

type WithStats = ConfigManager & { stats?: () => StatsShape }

/** Provider methods that reach the store. */
const CALLS = new Set([
  'get',
  'getMany',
  'list',
  'set',
  'delete',
  'versions',
  'rollback',
  'health',
  'changeToken',
])

export class CallStats {
  readonly #counted: CallCounts = {}
  #native: WithStats | undefined
  #baseline: CallCounts = {}

  /**
   * The manager to use for the command: the same one when it counts its own calls, else one over
   * counting wrappers of its providers (same options, same provider instances underneath).
   */
  async instrument(manager: ConfigManager, config: ManagerConfig): Promise<ConfigManager> {
    if (typeof (manager as WithStats).stats === 'function') {
      this.#native = manager as WithStats
      this.#baseline = nativeCounts(this.#native)
      return manager
    }
    const wrapped = new Map<Provider, Provider>()
    const wrap = (p: Provider) => {
      const existing = wrapped.get(p)
      if (existing) return existing
      const proxy = this.#counting(p)
      wrapped.set(p, proxy)
      return proxy
    }
    const { secrets: _s, parameters: _p, ...options } = config
    // Loaded here, not at the top: the CLI's startup path (--help) never needs core.
    const { ConfigManager } = await import('@polysecret/core')
    return new ConfigManager({
      ...(options as ConfigManagerOptions),
      secrets: manager.providers.secrets.map(wrap),
      parameters: manager.providers.parameters.map(wrap),
    })
  }

  /** Something the command would do but did not (a dry run's writes), shown beside the calls. */
  record(provider: string, operation: string, count = 1): void {
    if (count === 0) return
    const ops = this.#counted[provider] ?? {}
    ops[operation] = (ops[operation] ?? 0) + count
    this.#counted[provider] = ops
  }

  /** Calls made since the manager was built, per store and operation. */
  calls(): CallCounts {
    const out: CallCounts = structuredClone(this.#counted)
    if (!this.#native) return out
    for (const [provider, ops] of Object.entries(nativeCounts(this.#native))) {
      for (const [op, n] of Object.entries(ops)) {
        const delta = n - (this.#baseline[provider]?.[op] ?? 0)
        if (delta > 0) out[provider] = { ...out[provider], [op]: delta }
      }
    }
    return out
  }

  #counting(provider: Provider): Provider {
    return new Proxy(provider, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver)
        if (typeof value !== 'function' || typeof property !== 'string' || !CALLS.has(property)) return value
        return (...args: unknown[]) => {
          this.record(target.name, property)
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
  }
}

function nativeCounts(manager: WithStats): CallCounts {
  const out: CallCounts = {}
  for (const [provider, entry] of Object.entries(manager.stats?.().providers ?? {}))
    out[provider] = { ...entry.calls }
  return out
}

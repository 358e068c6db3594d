/**
 * Calls per store for `--stats` and `polysecret stats`: a count of the calls made into each provider,
 * taken by wrapping the providers the configuration built. Not `manager.stats()`: commands such as
 * migrate and diff build one-store managers over the same providers, whose calls the main manager's
 * stats never see; the wrappers see them all. Requests as the store sees them: a native batch is one
 * call, a retry is another.
 */
import type { ConfigManager, ConfigManagerOptions, ManagerConfig, Provider } from '@polysecret/core'

/** store → operation → calls */
export type CallCounts = Record<string, Record<string, number>>

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

  /**
   * The manager to use for the command: the same one when it counts its own calls, else one over
   * counting wrappers of its providers (same options, same provider instances underneath).
   */
  async instrument(manager: ConfigManager, config: ManagerConfig): Promise<ConfigManager> {
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
    return structuredClone(this.#counted)
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

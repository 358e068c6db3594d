import type { Provider } from '@polysecret/core'

/** Provider methods that can be counted and faulted. */
export type ProviderOperation =
  | 'get'
  | 'getMany'
  | 'list'
  | 'set'
  | 'delete'
  | 'versions'
  | 'rollback'
  | 'tags'
  | 'health'

/** Decides, per call, whether it fails: return an error to throw, or `undefined` to let it through. */
export type FaultRule = (call: {
  operation: ProviderOperation
  key: string | undefined
  n: number
}) => Error | undefined

export interface InstrumentOptions {
  /** Added latency per call in milliseconds (a store's round trip). */
  latency?: number
  /** Fault rule applied before each call. */
  fault?: FaultRule
}

/** A provider wrapped with call counts, latency and fault injection. */
export interface InstrumentedProvider {
  readonly provider: Provider
  /** Calls per operation so far. */
  readonly calls: Record<ProviderOperation, number>
  /** Replaces the fault rule (e.g. to take the store "down" mid-test); `undefined` heals it. */
  setFault(rule: FaultRule | undefined): void
  setLatency(ms: number): void
  resetCounts(): void
}

/**
 * Wraps any provider so a test can count its calls and make it slow or failing — the store-level
 * equivalent of the wire fakes' fault injection, for providers without a server (memory, files).
 * The wrapper is a provider itself, with the same name, type and capabilities.
 *
 * @example
 * ```ts
 * const store = instrument(memory({ DB_PASSWORD: 'x' }), { latency: 20 })
 * const manager = new ConfigManager({ secrets: [store.provider] })
 * await manager.get('DB_PASSWORD'); await manager.get('DB_PASSWORD')
 * expect(store.calls.get).toBe(1) // the second read was a cache hit
 * ```
 */
export function instrument(inner: Provider, options: InstrumentOptions = {}): InstrumentedProvider {
  let latency = options.latency ?? 0
  let fault = options.fault
  const calls: Record<ProviderOperation, number> = {
    get: 0,
    getMany: 0,
    list: 0,
    set: 0,
    delete: 0,
    versions: 0,
    rollback: 0,
    tags: 0,
    health: 0,
  }

  async function before(operation: ProviderOperation, key: string | undefined): Promise<void> {
    const n = ++calls[operation]
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency))
    const error = fault?.({ operation, key, n })
    if (error) throw error
  }

  const wrapped: Provider = {
    name: inner.name,
    type: inner.type,
    capabilities: inner.capabilities,
    ...(inner.writable !== undefined ? { writable: inner.writable } : {}),
    async get(key, opts) {
      await before('get', key)
      return inner.get(key, opts)
    },
    async health() {
      await before('health', undefined)
      return inner.health()
    },
  }
  /** Wraps one optional method: count, delay, maybe fail, then call through. */
  const through =
    <A extends unknown[], R>(
      operation: ProviderOperation,
      method: (...args: A) => Promise<R>,
      keyOf: (...args: A) => string | undefined,
    ) =>
    async (...args: A): Promise<R> => {
      await before(operation, keyOf(...args))
      return method(...args)
    }
  if (inner.getMany) wrapped.getMany = through('getMany', inner.getMany.bind(inner), (_args) => undefined)
  if (inner.list) {
    const list = inner.list.bind(inner)
    wrapped.list = (prefix) =>
      (async function* () {
        await before('list', prefix)
        yield* list(prefix)
      })()
  }
  if (inner.set) wrapped.set = through('set', inner.set.bind(inner), ([key]) => key)
  if (inner.delete) wrapped.delete = through('delete', inner.delete.bind(inner), ([key]) => key)
  if (inner.versions) wrapped.versions = through('versions', inner.versions.bind(inner), ([key]) => key)
  if (inner.rollback) wrapped.rollback = through('rollback', inner.rollback.bind(inner), ([key]) => key)
  if (inner.tags) wrapped.tags = through('tags', inner.tags.bind(inner), (key) => key)
  if (inner.close) wrapped.close = () => inner.close!()

  return {
    provider: wrapped,
    calls,
    setFault(rule) {
      fault = rule
    },
    setLatency(ms) {
      latency = ms
    },
    resetCounts() {
      for (const op of Object.keys(calls) as ProviderOperation[]) calls[op] = 0
    },
  }
}

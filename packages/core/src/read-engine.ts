import type { CacheState, ReadCache } from './cache.js'
import type { ChainHit, ChainReadSettings } from './chain.js'
import { type Classification, type Classifier, classificationWarning } from './classify.js'
import {
  NotFoundError,
  PolysecretError,
  type ProviderAttempt,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from './errors.js'
import type { AccessListener } from './events.js'
import type { ProviderGate } from './gate/gate.js'
import type { CacheCounters } from './gate/stats.js'
import { ATTR, type Telemetry } from './gate/telemetry.js'
import { assertKey } from './keys.js'
import { entryText, type Kind, type Provider } from './provider.js'
import {
  NO_ATTEMPTS,
  type ReadOptions,
  type ReadResult,
  type Route,
  resultOf,
  type StaleReason,
  Stored,
} from './read-record.js'
import { type DueRefresh, RefreshAhead } from './refresh-ahead.js'
import { servedKind, type Walked, walkChains } from './route-walk.js'
import { Secret } from './secret.js'
import type { SnapshotHook } from './snapshot/snapshot.js'

export interface ReadEngineOptions {
  readonly secrets: readonly Provider[]
  readonly parameters: readonly Provider[]
  readonly classify: Classifier
  readonly cache: ReadCache<Stored>
  readonly chain: ChainReadSettings
  readonly emit: AccessListener | undefined
  /** The offline snapshot, when configured: told what reads find, asked when every store is unreachable. */
  readonly snapshot?: SnapshotHook | undefined
}

const KIND_PREFIX = { secret: 's\u0000', parameter: 'p\u0000', hint: 'h\u0000' } as const

const EXPLICIT_REF = /^([A-Za-z][\w.-]*):\/\/(.+)$/

/** The read path: route → cache → single-flight → chain → cache. One place for all of it. */
export class ReadEngine {
  readonly #opts: ReadEngineOptions
  /** Cache results for `stats()` and telemetry: plain counters, so the hot path pays one increment. */
  readonly #counts: CacheCounters
  readonly #telemetry: Telemetry | undefined
  readonly #inflight = new Map<string, Promise<Stored>>()
  /**
   * Bumped by every invalidation. A provider read that started before an invalidation (a write, a
   * watch change, `clear()`) may still answer its callers, but never writes its answer to the cache:
   * otherwise a slow pre-write read would cache the old value over the write.
   */
  #generation = 0
  readonly #byName: Map<string, Provider>
  /** The secrets chain without the stores the parameters chain has already asked (env() in both). */
  readonly #secretsOnly: readonly Provider[]
  /** Background refreshes of recently read values, shortly before they expire (`cache.refreshAhead`). */
  readonly #refreshAhead: RefreshAhead
  /** Routes of reads (by hint; writes with a known value are not memoised): routing is pure and hot. */
  readonly #routes = {
    none: new Map<string, Route>(),
    secret: new Map<string, Route>(),
    parameter: new Map<string, Route>(),
  }

  constructor(opts: ReadEngineOptions) {
    this.#opts = opts
    this.#counts = opts.chain.gate.stats.cache
    this.#telemetry = opts.chain.gate.telemetry
    this.#byName = new Map([...opts.secrets, ...opts.parameters].map((p) => [p.name, p]))
    const store = (p: Provider) => `${p.type}\u0000${p.name}`
    const inParameters = new Set(opts.parameters.map(store))
    this.#secretsOnly = opts.secrets.filter((p) => !inParameters.has(store(p)))
    this.#refreshAhead = new RefreshAhead(
      opts.cache.settings,
      (cacheKey) => opts.cache.peek(cacheKey),
      (due) => this.#refreshDue(due),
    )
  }

  /** The interception point of every provider call (writes, versions and watches use it too). */
  get gate(): ProviderGate {
    return this.#opts.chain.gate
  }

  providerNamed(name: string): Provider | undefined {
    return this.#byName.get(name)
  }

  route(key: string, hint?: Kind, value?: string): Route {
    if (value !== undefined) return this.#computeRoute(key, hint, value)
    const memo = this.#routes[hint ?? 'none']
    let route = memo.get(key)
    if (!route) {
      route = this.#computeRoute(key, hint, value)
      if (memo.size < 10_000) memo.set(key, route)
    }
    return route
  }

  #computeRoute(key: string, hint: Kind | undefined, value: string | undefined): Route {
    const ref = key.includes('://') ? EXPLICIT_REF.exec(key) : null
    const provider = ref ? this.#byName.get(ref[1]!) : undefined
    const providerKey = provider ? ref![2]! : key
    const { kind, reason } = this.#opts.classify(providerKey, value, hint)
    const chain = provider ? [provider] : kind === 'secret' ? this.#opts.secrets : this.#opts.parameters
    // Only a parameter-named key looks further: a secret is never looked for among parameters, where
    // a plain store (a committed YAML file) would hide a missing secret behind a value.
    const byName = kind === 'parameter' && !provider && reason !== 'hint' && !reason.startsWith('override:')
    return {
      kind,
      reason,
      key: providerKey,
      chain,
      otherChain: byName && this.#secretsOnly.length > 0 ? this.#secretsOnly : undefined,
      // An explicit reference keeps its scheme in the cache key: the same name read through the chain
      // may be served by another provider. A parameter read by hint (`getParameter`) is cached apart
      // from one read by name, which may be served as a secret (by its value, or from the secrets chain).
      cacheKey:
        KIND_PREFIX[kind === 'parameter' && reason === 'hint' ? 'hint' : kind] +
        (provider ? key : providerKey),
    }
  }

  #cacheKey(route: Route, opts: ReadOptions | undefined): string {
    if (opts?.version === undefined && opts?.label === undefined) return route.cacheKey
    return `${route.cacheKey}\u0000${opts.version ?? ''}\u0000${opts.label ?? ''}`
  }

  /**
   * The hot path: a fresh cache hit returns the very same resolved promise every time, so a cached
   * read allocates nothing. Returns `undefined` when the providers must be asked.
   */
  fastHit(key: string, opts: ReadOptions | undefined): Promise<Secret | string> | undefined {
    if (opts?.fresh) return undefined
    const kind = opts?.kind
    // A plain read of a key read before: its memoised route, without route()'s general checks.
    const route = (kind === undefined ? this.#routes.none.get(key) : undefined) ?? this.route(key, kind)
    const stored = this.#opts.cache.freshRecord(route.cacheKey)
    if (stored === undefined) return undefined
    this.#counts.hits++
    this.#opts.emit?.({
      operation: 'get',
      key,
      kind: stored.route.kind,
      provider: stored.provider,
      outcome: 'hit',
      latencyMs: 0,
      cache: 'fresh',
      version: stored.entry!.version,
    })
    stored.read = true // keeps it eligible for refresh-ahead (a field write: nothing allocated)
    // Made once per entry, on its first fast read: later cached reads return this very promise.
    stored.resolved ??= Promise.resolve(stored.value!)
    return stored.resolved
  }

  /** Reads one key with every rule applied; throws NotFoundError or the chain's error. */
  read(key: string, opts: ReadOptions = {}): Promise<ReadResult> {
    if (this.#telemetry === undefined) return this.#read(key, opts)
    return this.#telemetry.span(
      'polysecret.get',
      { [ATTR.key]: String(key) },
      () => this.#read(key, opts),
      (r) => ({
        [ATTR.cacheResult]: r.cache,
        [ATTR.provider]: r.provider,
        [ATTR.kind]: r.kind,
      }),
    )
  }

  async #read(key: string, opts: ReadOptions): Promise<ReadResult> {
    assertKey(key)
    if (this.#opts.cache.loading) await this.#opts.cache.loading
    const ttl = opts.ttl ?? opts.maxAge
    if (ttl !== undefined && !(typeof ttl === 'number' && ttl >= 0)) {
      throw new ValidationError(`ttl must be a non-negative number of milliseconds, got ${String(ttl)}.`, {
        key,
      })
    }
    const started = performance.now()
    const route = this.route(key, opts.kind)
    const cacheKey = this.#cacheKey(route, opts)
    const cached = opts.fresh ? undefined : this.#opts.cache.lookup(cacheKey)
    if (cached?.state === 'fresh') {
      const stored = cached.record
      this.#counts.hits++
      stored.read = true
      if (stored.value === undefined) {
        this.#emit(key, route, undefined, 'not-found', started, 'fresh', undefined, 'NOT_FOUND')
        throw this.#negative(route, stored.tried)
      }
      this.#emit(key, stored.route, stored.provider, 'hit', started, 'fresh', stored.entry!.version)
      return resultOf(stored, 'fresh')
    }
    if (cached?.state === 'stale' && this.#opts.cache.canServeWhileRevalidating(cached.record)) {
      const stored = cached.record
      stored.read = true
      this.#counts.staleServes++
      this.#refresh(key, cacheKey, route, opts).catch(() => {}) // background refresh; failures keep the stale value
      this.#emit(
        key,
        stored.route,
        stored.provider,
        'stale',
        started,
        'stale',
        stored.entry!.version,
        undefined,
        'revalidating',
      )
      return resultOf(stored, 'stale', { staleReason: 'revalidating' })
    }
    return this.#finish(key, route, started, cached?.record, this.#singleFlight(cacheKey, route, opts), opts)
  }

  /** Turns a provider read into a result: emits the event, or serves stale-if-error, or throws. */
  async #finish(
    key: string,
    route: Route,
    started: number,
    cachedRecord: Stored | undefined,
    pending: Promise<Stored>,
    opts: ReadOptions,
  ): Promise<ReadResult> {
    try {
      const stored = await pending
      this.#counts.misses++
      this.#emit(key, stored.route, stored.provider, 'miss', started, 'miss', stored.entry!.version)
      return resultOf(stored, 'miss')
    } catch (caught) {
      let error = caught
      const last =
        cachedRecord ??
        (opts.fresh ? this.#opts.cache.lookup(this.#cacheKey(route, opts))?.record : undefined)
      if (last && isAvailabilityError(error) && this.#opts.cache.canServeOnError(last)) {
        this.#counts.staleServes++
        this.#emit(
          key,
          last.route,
          last.provider,
          'stale',
          started,
          'stale',
          last.entry!.version,
          undefined,
          'error',
        )
        return resultOf(last, 'stale', { staleReason: 'error', error: error as PolysecretError })
      }
      const snapshot = this.#opts.snapshot
      if (snapshot && opts.version === undefined && opts.label === undefined) {
        // Nothing cached to bridge the outage (a cold start): the last known good value from disk, if
        // every store holding it is unreachable. A snapshot that cannot be used throws its own error.
        const saved = await snapshot.fallback(key, opts.kind, route, error).catch((e: unknown) => {
          error = e
          return undefined
        })
        if (saved) {
          this.#counts.staleServes++
          this.#emit(
            key,
            saved.route,
            saved.provider,
            'stale',
            started,
            'stale',
            saved.entry!.version,
            undefined,
            'snapshot',
          )
          return resultOf(saved, 'stale', { staleReason: 'snapshot', error: error as PolysecretError })
        }
      }
      this.#counts.misses++
      const code = error instanceof PolysecretError ? error.code : 'UNKNOWN'
      this.#emit(
        key,
        route,
        undefined,
        error instanceof NotFoundError ? 'not-found' : 'error',
        started,
        'miss',
        undefined,
        code,
      )
      throw error
    }
  }

  /** Reads many keys: cache first, then one chained pass per kind using native batches. */
  readMany(
    keys: readonly string[],
    opts: ReadOptions = {},
  ): Promise<{ results: Map<string, ReadResult>; errors: Map<string, PolysecretError> }> {
    if (this.#telemetry === undefined) return this.#readMany(keys, opts)
    const attributes = { [ATTR.keyCount]: keys.length }
    return this.#telemetry.span('polysecret.getMany', attributes, () => this.#readMany(keys, opts))
  }

  async #readMany(
    keys: readonly string[],
    opts: ReadOptions,
  ): Promise<{ results: Map<string, ReadResult>; errors: Map<string, PolysecretError> }> {
    if (this.#opts.cache.loading) await this.#opts.cache.loading
    const results = new Map<string, ReadResult>()
    const errors = new Map<string, PolysecretError>()
    const byChain = new Map<readonly Provider[], { key: string; route: Route; last: Stored | undefined }[]>()
    const single: string[] = []
    for (const key of new Set(keys)) {
      try {
        assertKey(key)
      } catch (error) {
        errors.set(String(key), error as PolysecretError)
        continue
      }
      const route = this.route(key, opts.kind)
      const cacheKey = this.#cacheKey(route, opts)
      const cached = opts.fresh ? undefined : this.#opts.cache.lookup(cacheKey)
      // Anything the cache can answer now, or that is already in flight, goes through the single-key
      // path; an expired value is re-read with the rest (one batch), kept only for stale-if-error.
      const answers =
        cached !== undefined &&
        (cached.state === 'fresh' || this.#opts.cache.canServeWhileRevalidating(cached.record))
      if (answers || this.#inflight.has(cacheKey)) single.push(key)
      else {
        const group = byChain.get(route.chain) ?? []
        group.push({ key, route, last: cached?.record })
        byChain.set(route.chain, group)
      }
    }
    const settle = async (key: string) => {
      try {
        results.set(key, await this.read(key, opts))
      } catch (error) {
        errors.set(key, error as PolysecretError)
      }
    }
    await Promise.all([
      ...single.map(settle),
      ...[...byChain].map(async ([chain, group]) => {
        const started = performance.now()
        const reads = this.#readGroup(
          chain,
          group.map((g) => ({ route: g.route, opts })),
          opts,
          true,
        )
        await Promise.all(
          group.map(async ({ key, route, last }, i) => {
            try {
              results.set(key, await this.#finish(key, route, started, last, reads[i]!, opts))
            } catch (error) {
              errors.set(key, error as PolysecretError)
            }
          }),
        )
      }),
    ])
    return { results, errors }
  }

  /**
   * One chained read of keys of one chain — native batches where a provider has them — with each key
   * registered in flight (concurrent single reads join it) and one jitter draw for all, so the values
   * read together expire together and their refresh is one batch again. `read`: stored on behalf of a
   * caller (refresh-ahead renews only values read since they were stored).
   */
  #readGroup(
    chain: readonly Provider[],
    items: readonly { route: Route; opts: ReadOptions }[],
    walkOpts: ReadOptions,
    read: boolean,
  ): Promise<Stored>[] {
    const generation = this.#generation
    const draw = this.#opts.cache.jitterDraw()
    const flights = items.map(({ route, opts }) => this.#startFlight(this.#cacheKey(route, opts)))
    const walked = walkChains(
      chain,
      items.map((item) => item.route),
      walkOpts,
      this.#opts.chain,
      items.some((item) => item.route.kind === 'secret'),
    ).catch(() => new Map<string, Walked>())
    return items.map(({ route, opts }, i) => {
      const pending = walked.then((outcomes) =>
        this.#settleOutcome(route, outcomes.get(route.key), opts, generation, draw, read),
      )
      flights[i]!.finish(pending)
      return pending
    })
  }

  #settleOutcome(
    route: Route,
    outcome: Walked | undefined,
    opts: ReadOptions,
    generation: number,
    jitterDraw: number,
    read = true,
  ): Promise<Stored> {
    if (!outcome)
      return Promise.reject(
        new UnavailableError({ key: route.key, message: `Reading "${route.key}" failed.` }),
      )
    const cacheable = generation === this.#generation
    const current = cacheable && opts.version === undefined && opts.label === undefined
    if (outcome.ok) {
      const stored = this.#store(route, outcome.hit, opts, cacheable, outcome.viaOther === true, jitterDraw)
      stored.read = read
      if (current) this.#opts.snapshot?.remember(route, stored)
      return Promise.resolve(stored)
    }
    if (outcome.error instanceof NotFoundError && current) this.#opts.snapshot?.forget(route)
    // Remember not-found briefly (negative caching) so a missing key does not hit every store each read.
    if (outcome.error instanceof NotFoundError && cacheable) {
      const freshUntil = this.#opts.cache.freshUntil(false)
      if (freshUntil !== undefined) {
        const { tried } = outcome.error
        const stored = new Stored(route, undefined, undefined, undefined, tried, freshUntil)
        this.#opts.cache.set(this.#cacheKey(route, opts), stored)
      }
    }
    return Promise.reject(outcome.error)
  }

  /** Registers a flight; it leaves the map when done, unless an invalidation already replaced it. */
  #register(cacheKey: string, flight: Promise<Stored>): Promise<Stored> {
    const tracked = flight.finally(() => {
      if (this.#inflight.get(cacheKey) === tracked) this.#inflight.delete(cacheKey)
    })
    tracked.catch(() => {}) // callers handle the error; the bookkeeping copy must not be unhandled
    this.#inflight.set(cacheKey, tracked)
    return tracked
  }

  /** Registers an in-flight read that a batch will complete, so concurrent single reads join it. */
  #startFlight(cacheKey: string): { finish(result: Promise<Stored>): void } {
    let finish!: (result: Promise<Stored>) => void
    this.#register(
      cacheKey,
      new Promise<Stored>((resolve) => {
        finish = resolve
      }),
    )
    return { finish }
  }

  /** A background revalidation of a stale entry, in a span of its own when telemetry is on. */
  #refresh(key: string, cacheKey: string, route: Route, opts: ReadOptions): Promise<Stored> {
    const flight = () => this.#singleFlight(cacheKey, route, opts)
    return this.#telemetry
      ? this.#telemetry.span('polysecret.refresh', { [ATTR.key]: key }, flight)
      : flight()
  }

  /** Concurrent reads of one key share one chain walk. */
  #singleFlight(cacheKey: string, route: Route, opts: ReadOptions): Promise<Stored> {
    const existing = this.#inflight.get(cacheKey)
    if (existing) return existing
    const generation = this.#generation
    const flight = walkChains(
      route.chain,
      [route],
      { version: opts.version, label: opts.label },
      this.#opts.chain,
      route.kind === 'secret',
    ).then((outcomes) =>
      this.#settleOutcome(route, outcomes.get(route.key), opts, generation, this.#opts.cache.jitterDraw()),
    )
    return this.#register(cacheKey, flight)
  }

  /**
   * Refreshes values coming due (refresh-ahead), one chained pass per chain so a store with native
   * batching gets one batch call for all of them. Failures keep the cached value: it is still fresh,
   * and a read after it expires asks again (serving it stale-if-error where allowed).
   */
  #refreshDue(due: readonly DueRefresh[]): void {
    const byChain = new Map<readonly Provider[], DueRefresh[]>()
    for (const item of due) {
      if (this.#inflight.has(item.cacheKey)) continue // a read is already renewing it
      const group = byChain.get(item.route.chain) ?? []
      group.push(item)
      byChain.set(item.route.chain, group)
    }
    for (const [chain, group] of byChain) {
      const items = group.map(({ route, ttl }) => ({ route, opts: ttl === undefined ? {} : { ttl } }))
      // Nobody waits on a background refresh unless a read joined it.
      for (const pending of this.#readGroup(chain, items, {}, false)) pending.catch(() => {})
    }
  }

  #store(
    route: Route,
    hit: ChainHit,
    opts: ReadOptions,
    cacheable: boolean,
    viaOther: boolean,
    jitterDraw: number,
  ): Stored {
    const text = entryText(hit.entry.value)
    const served = servedKind(route, text, viaOther, this.#opts.classify, hit.entry.sensitive === true)
    // Most reads serve the kind the name gave: keep the shared route; a value-decided kind gets its own.
    const decided = served === route ? route : { ...route, kind: served.kind, reason: served.reason }
    const value = decided.kind === 'secret' ? new Secret(text) : text
    const entryTtl = opts.ttl ?? opts.maxAge
    const freshUntil = cacheable ? this.#opts.cache.freshUntil(true, entryTtl, jitterDraw) : undefined
    // Most reads find the key in the first provider: share one empty list rather than keep one per entry.
    const tried = hit.tried.length === 0 ? NO_ATTEMPTS : hit.tried
    const stored = new Stored(decided, value, hit.entry, hit.provider.name, tried, freshUntil ?? 0)
    if (freshUntil !== undefined) {
      const cacheKey = this.#cacheKey(route, opts)
      this.#opts.cache.set(cacheKey, stored)
      // Only the current version is renewed: a pinned version or label never changes.
      if (cacheKey === route.cacheKey) this.#refreshAhead.track(cacheKey, stored, route, entryTtl)
    }
    return stored
  }

  /** The answer to a remembered not-found: the original lookup's providers and reasons. */
  #negative(route: Route, tried: readonly ProviderAttempt[]): NotFoundError {
    const names = tried.map((t) => t.provider).join(', ') || 'no provider'
    return new NotFoundError({
      key: route.key,
      tried,
      message: `Key "${route.key}" was not found (tried ${names}; answer remembered for cache.negativeTtl).`,
    })
  }

  /** Reports one read; `decided` is the stored answer's kind and reason, or the route's on failure. */
  #emit(
    key: string,
    decided: Classification,
    provider: string | undefined,
    outcome: 'hit' | 'miss' | 'stale' | 'not-found' | 'error',
    started: number,
    cache: CacheState,
    version?: string,
    errorCode?: string,
    staleReason?: StaleReason,
  ) {
    this.#opts.emit?.({
      operation: 'get',
      key,
      kind: decided.kind,
      provider,
      outcome,
      latencyMs: performance.now() - started,
      cache,
      version,
      errorCode,
      ...(staleReason !== undefined && { staleReason }),
      warning: classificationWarning(key, decided.reason),
    })
  }

  /**
   * Drops cached answers for a key (both kinds, all versions) or every key starting with a prefix, and
   * detaches reads of them still in flight, so the next read asks the providers afresh.
   */
  invalidate(keyOrPrefix: string): number {
    const matches = (cacheKey: string) => {
      const key = cacheKey.slice(2)
      const scheme = key.indexOf('://')
      return key.startsWith(keyOrPrefix) || (scheme > 0 && key.slice(scheme + 3).startsWith(keyOrPrefix))
    }
    this.#generation++
    for (const cacheKey of [...this.#inflight.keys()]) if (matches(cacheKey)) this.#inflight.delete(cacheKey)
    this.#refreshAhead.forget(matches)
    return this.#opts.cache.invalidate(matches)
  }

  /** Drops every cached answer and detaches every read in flight. */
  clear(): void {
    this.#generation++
    this.#inflight.clear()
    this.#refreshAhead.clear()
    this.#opts.cache.clear()
  }

  /** Stops background refreshes for good and drops the cache (the manager closed). */
  close(): void {
    this.clear()
    this.#refreshAhead.close()
  }
}

function isAvailabilityError(error: unknown): boolean {
  return error instanceof UnavailableError || error instanceof ThrottledError
}

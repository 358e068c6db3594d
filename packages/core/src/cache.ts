import { defaultCacheClock } from './coarse-clock.js'
import { ValidationError } from './errors.js'
import { loadedLruCache, loadLruCache } from './lazy-modules.js'

/**
 * Cache settings. All durations are milliseconds. Words borrowed from HTTP caching: an entry is
 * *fresh* for `ttl`, then *stale*: served while a refresh runs in the background for
 * `staleWhileRevalidate`, and served when every provider fails for `staleIfError`.
 */
export interface CacheOptions {
  /** How long a value is fresh. `0` disables caching of values. @default 60_000 */
  ttl?: number
  /** Alias of `ttl` (the name Powertools uses). */
  maxAge?: number
  /** Most entries kept; the least recently used go first. @default 1000 */
  maxEntries?: number
  /** After `ttl`, serve the stale value and refresh in the background for this long. @default 0 */
  staleWhileRevalidate?: number
  /** After `ttl`, serve the last good value when every provider of the chain fails, for this long. @default 300_000 */
  staleIfError?: number
  /** How long a not-found answer is remembered, so a missing key does not hit the store on every read. @default 2_000 */
  negativeTtl?: number
  /**
   * Spreads expiries so values read at the same moment — by a fleet of replicas started together —
   * do not expire together: each read's values stay fresh for `ttl × (1 − jitter × r)`, `r` drawn
   * uniformly from [0, 1). Never longer than `ttl`, so `ttl` still bounds how old a value can be.
   * Values read by one provider call (a batch) share one draw, so they come due together and their
   * refresh is one batch again. A fraction in [0, 1); `0` turns it off. @default 0.1
   */
  jitter?: number
  /**
   * Refresh-ahead: this long before a value expires, re-read it in the background — but only a value
   * read since it was stored, so keys nobody reads any more just expire. Values of one provider chain
   * that come due within half this window of each other are refreshed together, through the store's
   * native batch call. Must be shorter than the shortest freshness, `ttl × (1 − jitter)`. `0` turns
   * it off. @default 0
   */
  refreshAhead?: number
  /**
   * Clock, for tests with fake time; called on every freshness check. The default is `Date.now`, read
   * at most about once per millisecond (exactly, when fake timers replace it; see coarse-clock.ts).
   */
  now?: () => number
  /** Source of randomness for `jitter`, for deterministic tests. @default Math.random */
  random?: () => number
  /**
   * Timers for refresh-ahead, for tests and simulations on virtual time (pair with `now`). The
   * default is the global `setTimeout`/`clearTimeout`, looked up when a timer is set (so fake timers
   * installed later apply); its timers never keep a process alive.
   */
  timers?: CacheTimers
}

/** What refresh-ahead needs to wait: `setTimeout` and `clearTimeout` (the globals by default). */
export interface CacheTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const globalTimers: CacheTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms)
    // A pending refresh never keeps a process alive (fake timers' handles have no unref).
    ;(handle as { unref?: () => void }).unref?.()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** Resolved settings with every default applied. */
export interface CacheSettings {
  readonly ttl: number
  readonly maxEntries: number
  readonly staleWhileRevalidate: number
  readonly staleIfError: number
  readonly negativeTtl: number
  readonly jitter: number
  readonly refreshAhead: number
  readonly now: () => number
  readonly random: () => number
  readonly timers: CacheTimers
}

function duration(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(
      `cache.${name} must be a non-negative number of milliseconds, got ${String(value)}.`,
    )
  }
  return value
}

export function resolveCacheSettings(options: CacheOptions | false = {}): CacheSettings {
  if (options === false) {
    return {
      ttl: 0,
      maxEntries: 1,
      staleWhileRevalidate: 0,
      staleIfError: 0,
      negativeTtl: 0,
      jitter: 0,
      refreshAhead: 0,
      now: defaultCacheClock,
      random: Math.random,
      timers: globalTimers,
    }
  }
  const maxEntries = duration('maxEntries', options.maxEntries, 1000)
  if (maxEntries < 1 || !Number.isInteger(maxEntries)) {
    throw new ValidationError(
      `cache.maxEntries must be a positive integer, got ${String(options.maxEntries)}.`,
    )
  }
  const ttl = duration('ttl', options.ttl ?? options.maxAge, 60_000)
  const jitter = options.jitter ?? 0.1
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter < 1)) {
    throw new ValidationError(
      `cache.jitter must be a fraction of ttl from 0 (off) up to but not including 1, e.g. 0.1; got ${String(options.jitter)}.`,
    )
  }
  const refreshAhead = duration('refreshAhead', options.refreshAhead, 0)
  if (refreshAhead > 0 && refreshAhead >= ttl * (1 - jitter)) {
    throw new ValidationError(
      `cache.refreshAhead (${refreshAhead} ms) must be shorter than the shortest freshness, ttl × (1 − jitter) = ${ttl * (1 - jitter)} ms.`,
      { hint: 'A tenth of ttl is a good start, e.g. { ttl: 300_000, refreshAhead: 30_000 }.' },
    )
  }
  for (const name of ['now', 'random'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function')
      throw new ValidationError(`cache.${name} must be a function returning a number.`)
  }
  const timers = options.timers ?? globalTimers
  if (typeof timers?.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function')
    throw new ValidationError('cache.timers must have setTimeout(callback, ms) and clearTimeout(handle).')
  return {
    ttl,
    maxEntries,
    staleWhileRevalidate: duration('staleWhileRevalidate', options.staleWhileRevalidate, 0),
    staleIfError: duration('staleIfError', options.staleIfError, 300_000),
    negativeTtl: duration('negativeTtl', options.negativeTtl, 2_000),
    jitter,
    refreshAhead,
    now: options.now ?? defaultCacheClock,
    random: options.random ?? Math.random,
    timers,
  }
}

/**
 * What the cache needs of a record: whether it holds a value (`undefined` records a not-found answer,
 * negative caching) and until when it is fresh. Everything else about the read lives on the same object,
 * so an entry costs one object (see bench/heap-child.ts).
 */
export interface Cached {
  readonly value: unknown
  /** Clock time (`settings.now`) until which the record is fresh. */
  readonly freshUntil: number
}

/** What the cache needs of its backing store: an `LRUCache`, or a plain bounded map before it loads. */
interface Entries<R> {
  get(cacheKey: string): R | undefined
  /** Like `get`, without making the entry the most recently used. */
  peek(cacheKey: string): R | undefined
  set(cacheKey: string, record: R): unknown
  delete(cacheKey: string): boolean
  keys(): Iterable<string>
  clear(): void
  readonly size: number
}

/**
 * A least-recently-used map on `Map`'s insertion order (a read moves the entry to the end): the cache's
 * store until lru-cache, faster on hits, has loaded.
 */
class StartupLru<R> extends Map<string, R> {
  constructor(readonly max: number) {
    super()
  }
  override get(key: string): R | undefined {
    const value = super.get(key)
    if (value !== undefined) {
      super.delete(key)
      super.set(key, value)
    }
    return value
  }
  peek(key: string): R | undefined {
    return super.get(key)
  }
  override set(key: string, value: R): this {
    super.delete(key)
    if (this.size >= this.max) this.delete(this.keys().next().value as string)
    return super.set(key, value)
  }
}

/** Cache state of a lookup, as reported in access events and metadata. */
export type CacheState = 'fresh' | 'stale' | 'miss'

/**
 * A bounded LRU of read results with HTTP-style freshness. Holds values in memory only — never on
 * disk. Expiry is computed against the injectable clock, so fake timers work.
 *
 * A record stores one time, `freshUntil`; how long it is kept after that is the same for every value
 * (the larger of the stale-while-revalidate and stale-if-error windows) and zero for a not-found answer,
 * so it is derived rather than stored.
 */
export class ReadCache<T extends Cached> {
  readonly settings: CacheSettings
  #lru: Entries<T>
  /** How long a value is kept once stale: the larger of the two stale windows. */
  readonly #grace: number
  /** `settings.now`, one property load nearer for the hot path. */
  readonly #now: () => number

  constructor(settings: CacheSettings) {
    this.settings = settings
    this.#grace = Math.max(settings.staleIfError, settings.staleWhileRevalidate)
    this.#now = settings.now
    const max = settings.maxEntries
    const loaded = loadedLruCache()
    if (loaded) {
      this.#lru = new loaded.LRUCache<string, T>({ max })
      return
    }
    // The first manager of a process is built before lru-cache has loaded (it is imported lazily, see
    // lazy-modules.ts). Reads await `loading` once before they touch the cache, so in practice every
    // entry lands in lru-cache; the small map only answers what runs before (a fast-path miss, an
    // invalidation) and keeps the cache working should the import fail.
    const startup = new StartupLru<T>(max)
    this.#lru = startup
    this.loading = loadLruCache().then(
      ({ LRUCache }) => {
        const lru = new LRUCache<string, T>({ max })
        for (const [cacheKey, record] of startup) lru.set(cacheKey, record)
        this.#lru = lru
        this.loading = undefined
      },
      (error: unknown) => {
        this.loading = undefined
        process.emitWarning(
          `polysecret: lru-cache could not be loaded (${(error as Error)?.message}); the cache keeps using a slower built-in LRU.`,
        )
      },
    )
  }

  /**
   * Pending while lru-cache is still being imported; reads await it once (a read is async anyway), so
   * the hot path only ever meets lru-cache. `undefined` once it has loaded.
   */
  loading: Promise<void> | undefined

  /** The record for a key if it may still be served at all (fresh or within a stale window). */
  lookup(cacheKey: string): { record: T; state: CacheState } | undefined {
    const record = this.#lru.get(cacheKey)
    if (!record) return undefined
    const now = this.settings.now()
    if (now < record.freshUntil) return { record, state: 'fresh' }
    if (now < record.freshUntil + (record.value === undefined ? 0 : this.#grace)) {
      return { record, state: 'stale' }
    }
    this.#lru.delete(cacheKey)
    return undefined
  }

  /** The record for a key if it holds a fresh value — the hot path of a cached read, allocating nothing. */
  freshRecord(cacheKey: string): T | undefined {
    const record = this.#lru.get(cacheKey)
    return record !== undefined && record.value !== undefined && this.#now() < record.freshUntil
      ? record
      : undefined
  }

  /** A stale value may be served while revalidating (stale-while-revalidate window). */
  canServeWhileRevalidating(record: T): boolean {
    return (
      record.value !== undefined &&
      this.settings.now() < record.freshUntil + this.settings.staleWhileRevalidate
    )
  }

  /** A stale value may be served because every provider failed (stale-if-error window). */
  canServeOnError(record: T): boolean {
    const { staleIfError, now } = this.settings
    // staleIfError: 0 turns the feature off, even for a `fresh: true` read of a still-fresh entry.
    return record.value !== undefined && staleIfError > 0 && now() < record.freshUntil + staleIfError
  }

  /**
   * One jitter draw: the fraction of freshness a read's values give up (see `CacheOptions.jitter`).
   * Values read by one provider call share a draw, so they stay due together.
   */
  jitterDraw(): number {
    const { jitter, random } = this.settings
    return jitter === 0 ? 0 : jitter * Math.min(Math.max(random(), 0), 1)
  }

  /**
   * Until when a record stored now is fresh, or `undefined` when it must not be kept at all. `found`
   * is false for a not-found answer; `entryTtl` overrides the default freshness for this entry;
   * `jitterDraw` (from {@link jitterDraw}) shortens a value's freshness.
   */
  freshUntil(found: boolean, entryTtl?: number, jitterDraw = 0): number | undefined {
    const freshFor = found ? (entryTtl ?? this.settings.ttl) * (1 - jitterDraw) : this.settings.negativeTtl
    // A value is kept for stale-if-error even when ttl is 0, so an outage can still be bridged.
    const keepFor = found ? freshFor + this.#grace : freshFor
    return keepFor > 0 ? this.settings.now() + freshFor : undefined
  }

  /** The record for a key, whatever its state, without touching its place in the LRU order. */
  peek(cacheKey: string): T | undefined {
    return this.#lru.peek(cacheKey)
  }

  /** Stores a record made with a {@link freshUntil} time. */
  set(cacheKey: string, record: T): void {
    this.#lru.set(cacheKey, record)
  }

  /** Removes one key's records, or every record whose key starts with the prefix. */
  invalidate(match: (cacheKey: string) => boolean): number {
    let removed = 0
    for (const cacheKey of [...this.#lru.keys()]) {
      if (match(cacheKey)) {
        this.#lru.delete(cacheKey)
        removed++
      }
    }
    return removed
  }

  clear(): void {
    this.#lru.clear()
  }

  get size(): number {
    return this.#lru.size
  }
}

/**
 * What a read returns and what the cache keeps of it: the route a key takes, the per-read options, the
 * result a caller sees, and the one record per cache entry ({@link Stored}) that results are built from.
 */
import type { CacheState } from './cache.js'
import type { Classification } from './classify.js'
import type { PolysecretError, ProviderAttempt } from './errors.js'
import type { Entry, Kind, Provider } from './provider.js'
import type { Secret } from './secret.js'

/** Where a key is read from and why. */
export interface Route extends Classification {
  /** The key as the providers see it (an explicit `provider://key` reference is stripped of its scheme). */
  readonly key: string
  readonly chain: readonly Provider[]
  /** The cache key of the current version of this key in this kind. */
  readonly cacheKey: string
  /**
   * For a parameter routed by its name alone (no hint, override or explicit reference): the secrets
   * chain, asked when no provider of `chain` has the key — so a secret stored under a parameter's
   * name (`set('FOO', new Secret(…))`) is found by any process. Stores in both chains are left out.
   */
  readonly otherChain?: readonly Provider[] | undefined
}

/** Per-read options. */
export interface ReadOptions {
  /** Skip the cache and ask the providers (the result is still cached). */
  fresh?: boolean
  /** Force the kind instead of classifying the key. */
  kind?: Kind
  /** Read this version (providers with the `versions` capability). */
  version?: string
  /** Read the version carrying this stage or label. */
  label?: string
  /** How long this entry stays fresh, overriding `cache.ttl` (e.g. short for a feature flag). */
  ttl?: number
  /** Alias of `ttl`. */
  maxAge?: number
}

/**
 * Why a stale value was served: the cache is refreshing it in the background (`revalidating`), every
 * provider failed and the cache still had it (`error`), or every store holding it was unreachable and
 * it came from the offline snapshot (`snapshot`, see docs/snapshot.md).
 */
export type StaleReason = 'revalidating' | 'error' | 'snapshot'

/** A resolved value and everything known about how it was found. */
export interface ReadResult {
  readonly key: string
  readonly kind: Kind
  /** Why the key has this kind (the classification rule). */
  readonly reason: string
  /** Secrets are wrapped; parameters are plain strings. */
  readonly value: Secret | string
  readonly entry: Entry
  readonly provider: string
  readonly version: string | undefined
  readonly updatedAt: Date | undefined
  readonly tried: readonly ProviderAttempt[]
  readonly cache: CacheState
  /** Served from the cache (fresh or stale) rather than by a provider just now. */
  readonly cached: boolean
  /** A stale value was served; `staleReason` says why. */
  readonly stale: boolean
  readonly staleReason?: StaleReason | undefined
  /** When stale because of an error (or served from the snapshot): the error every provider gave. */
  readonly error?: PolysecretError | undefined
}

/** The providers tried before the one that answered, when it was the first: one shared empty list. */
export const NO_ATTEMPTS: readonly ProviderAttempt[] = Object.freeze([])

/**
 * One read as the cache keeps it — a found value or a remembered not-found — and the only object kept
 * per cache entry: key, kind and reason come from the (shared, memoised) route, version and date from
 * the entry, and a {@link ReadResult} is built from it when a caller asks for one.
 */
export class Stored {
  /** The promise every fast cached `get()` returns, made by the first (many entries never need one). */
  resolved: Promise<Secret | string> | undefined = undefined
  /**
   * Whether a caller read this record since it was stored (a caller's own read counts): refresh-ahead
   * renews only such records, so a key nobody reads any more simply expires. A background refresh
   * stores its record unread.
   */
  read = true
  constructor(
    readonly route: Route,
    /** `undefined` for a not-found answer. */
    readonly value: Secret | string | undefined,
    readonly entry: Entry | undefined,
    readonly provider: string | undefined,
    readonly tried: readonly ProviderAttempt[],
    readonly freshUntil: number,
  ) {}
}

/** The result of a read served from a record (found), with how it was served. */
export function resultOf(
  stored: Stored,
  cache: CacheState,
  stale?: { staleReason: StaleReason; error?: PolysecretError },
): ReadResult {
  const { route, entry } = stored
  return {
    key: route.key,
    kind: route.kind,
    reason: route.reason,
    value: stored.value!,
    entry: entry!,
    provider: stored.provider!,
    version: entry!.version,
    updatedAt: entry!.updatedAt,
    tried: stored.tried,
    cache,
    cached: cache !== 'miss',
    stale: stale !== undefined,
    ...stale,
  }
}

/**
 * Refresh-ahead: values read recently are re-read in the background shortly before they expire, so
 * readers never wait on the store and never see a value go stale, while keys nobody reads any more
 * just expire. Values coming due close together are handed over as one batch, which the read engine
 * sends through each chain's native batch call — so a replica's refreshes stay one batch per chain
 * instead of one call per key.
 *
 * One timer per manager, set for the earliest due value; no per-key timers.
 */
import type { CacheSettings } from './cache.js'
import type { Route, Stored } from './read-record.js'

/** A value waiting for its refresh. */
export interface DueRefresh {
  readonly cacheKey: string
  readonly record: Stored
  readonly route: Route
  /** The read's own `ttl` option, if it had one (the refresh keeps it). */
  readonly ttl: number | undefined
  /** Clock time (`settings.now`) at which the refresh should start. */
  readonly dueAt: number
}

export class RefreshAhead {
  readonly #settings: CacheSettings
  readonly #current: (cacheKey: string) => Stored | undefined
  readonly #refresh: (due: readonly DueRefresh[]) => void
  readonly #due = new Map<string, DueRefresh>()
  #timer: unknown
  /** When the pending timer fires (clock time), or Infinity when none is pending. */
  #timerAt = Number.POSITIVE_INFINITY
  #closed = false

  /**
   * `current` gives the record the cache holds for a key now (a refresh is skipped when the record it
   * was scheduled for has been replaced or dropped); `refresh` starts the refreshes of a batch.
   */
  constructor(
    settings: CacheSettings,
    current: (cacheKey: string) => Stored | undefined,
    refresh: (due: readonly DueRefresh[]) => void,
  ) {
    this.#settings = settings
    this.#current = current
    this.#refresh = refresh
  }

  /** Whether refresh-ahead is on at all. */
  get enabled(): boolean {
    return this.#settings.refreshAhead > 0
  }

  /** Schedules the refresh of a record just stored. */
  track(cacheKey: string, record: Stored, route: Route, ttl: number | undefined): void {
    if (this.#closed || !this.enabled) return
    const now = this.#settings.now()
    const freshFor = record.freshUntil - now
    if (!(freshFor > 0)) return
    // A per-read ttl shorter than the lead would refresh the moment it is stored: at most halfway then.
    const dueAt = record.freshUntil - Math.min(this.#settings.refreshAhead, freshFor / 2)
    this.#due.set(cacheKey, { cacheKey, record, route, ttl, dueAt })
    if (dueAt < this.#timerAt) this.#arm(dueAt, now)
  }

  /** Forgets scheduled refreshes of matching keys (an invalidation). */
  forget(match: (cacheKey: string) => boolean): void {
    for (const cacheKey of this.#due.keys()) if (match(cacheKey)) this.#due.delete(cacheKey)
  }

  clear(): void {
    this.#due.clear()
    this.#disarm()
  }

  /** Stops for good (the manager closed). */
  close(): void {
    this.#closed = true
    this.clear()
  }

  #arm(at: number, now: number): void {
    this.#disarm()
    this.#timerAt = at
    this.#timer = this.#settings.timers.setTimeout(() => this.#wake(), Math.max(0, at - now))
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#settings.timers.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = Number.POSITIVE_INFINITY
  }

  /** Hands every record due now, or within half the lead, to one batch; re-arms for the next. */
  #wake(): void {
    this.#timer = undefined
    this.#timerAt = Number.POSITIVE_INFINITY
    if (this.#closed) return
    const now = this.#settings.now()
    // Coalescing window: a record due a little later rides along rather than costing its own call.
    const horizon = now + this.#settings.refreshAhead / 2
    const batch: DueRefresh[] = []
    let next = Number.POSITIVE_INFINITY
    for (const [cacheKey, due] of this.#due) {
      if (due.dueAt > horizon) {
        next = Math.min(next, due.dueAt)
        continue
      }
      this.#due.delete(cacheKey)
      const record = this.#current(cacheKey)
      // Replaced (a newer read scheduled its own refresh), dropped, or unread since stored: let it expire.
      if (record !== due.record || !record.read || !(record.freshUntil > now)) continue
      batch.push(due)
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next, now)
    if (batch.length > 0) this.#refresh(batch)
  }
}

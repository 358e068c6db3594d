import type { ResolvedLimits } from './limits.js'
import type { Timers } from './timers.js'

/** How long a throttled provider takes to climb back from its cut rate to its target rate. */
export const RECOVERY_MS = 10_000

interface Waiter {
  readonly resolve: () => void
  readonly reject: (reason: LimiterTimeout) => void
  timer: unknown
  readonly enqueuedAt: number
}

/** A waiter gave up: the deadline passed before a call slot freed. The gate turns it into a typed error. */
export class LimiterTimeout {
  constructor(
    readonly waitedMs: number,
    readonly queued: number,
  ) {}
}

/** After a throttle: paused until `from`, then the rate climbs linearly from `rate` to `target`. */
interface Cut {
  readonly from: number
  readonly rate: number
  readonly target: number
}

/**
 * One provider's admission control: a token bucket (rate, burst), a cap on calls in flight, and a
 * first-in-first-out queue of waiters, each bounded by its deadline. A throttled answer from the store
 * slows the whole provider: every call waits out the store's retry-after (or the retry backoff); with
 * a configured rate, the rate is then cut to half of what was flowing and climbs back linearly over
 * {@link RECOVERY_MS} (AIMD). A provider with no limits and no pause admits synchronously: the gate
 * costs a few comparisons per provider call, and a cached read never reaches it.
 *
 * Waits end when their timer fires, not when the clock says so: a wake for the next token grants
 * that token, a wake at the end of a pause ends it. Whatever runs the timers (real time, virtual time,
 * a test's fake timers) therefore runs the limiter, even when the clock does not move with them.
 */
export class ProviderLimiter {
  readonly #limits: ResolvedLimits
  readonly #timers: Timers
  #tokens: number
  #refilledAt: number
  #inFlight = 0
  readonly #queue: Waiter[] = []
  #pausedUntil = Number.NEGATIVE_INFINITY
  #cut: Cut | undefined
  #wake: unknown
  #wakeAt = Number.POSITIVE_INFINITY
  /** Bumped by each throttle, so a wake scheduled for an earlier pause does not end a later one. */
  #pauseId = 0
  /** Calls admitted in the current and the previous second: the flow a throttle cuts in half. */
  #window = { start: 0, current: 0, previous: 0 }

  readonly #random: () => number

  constructor(limits: ResolvedLimits, timers: Timers, random: () => number = Math.random) {
    this.#limits = limits
    this.#timers = timers
    this.#random = random
    // A staggered bucket starts part-full, so replicas started together do not all spend a full burst
    // at the same moment (see ProviderLimits.stagger).
    this.#tokens = limits.stagger && Number.isFinite(limits.burst) ? random() * limits.burst : limits.burst
    this.#refilledAt = timers.now()
  }

  /** The rate calls are admitted at now (calls/s; `Infinity` when unlimited; 0 while paused). */
  rate(now = this.#timers.now()): number {
    const cut = this.#cut
    if (cut === undefined) return this.#limits.rate
    if (now < cut.from) return 0
    const climbed = cut.rate + ((cut.target - cut.rate) * (now - cut.from)) / RECOVERY_MS
    if (climbed < cut.target) return climbed
    this.#cut = undefined
    return this.#limits.rate
  }

  /**
   * Admits a call now (returns `undefined`) or queues it (a promise that rejects with LimiterTimeout
   * at `deadline`). `pastPause`: the retry of a throttled call, which has already waited out the
   * store's retry-after on its own; it skips the pause (not the bucket or the cap).
   */
  acquire(deadline: number, pastPause = false): Promise<void> | undefined {
    const now = this.#timers.now()
    if (this.#queue.length === 0 && this.#tryTake(now, pastPause)) return undefined
    if (deadline <= now) return Promise.reject(new LimiterTimeout(0, this.#queue.length))
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined, enqueuedAt: now }
      waiter.timer = this.#timers.setTimeout(() => this.#giveUp(waiter), deadline - now)
      this.#queue.push(waiter)
      this.#pump()
    })
  }

  /** A call admitted by {@link acquire} has finished. */
  release(): void {
    this.#inFlight--
    if (this.#queue.length > 0) this.#pump()
  }

  /**
   * The store throttled a call: pause the whole provider for `pauseMs`; with a configured rate, then
   * cut and ramp it. (Without one there is no rate to cut: the pause is the store's own word.)
   */
  throttled(pauseMs: number): void {
    const now = this.#timers.now()
    // Up to twice the asked-for pause, at random: replicas throttled together must not all come back
    // at the same moment and be throttled together again.
    const until = now + Math.max(0, pauseMs) * (1 + this.#random())
    const alreadyCut = this.#cut !== undefined && now < this.#cut.from
    this.#pausedUntil = Math.max(this.#pausedUntil, until)
    this.#pauseId++
    if (!Number.isFinite(this.#limits.rate)) {
      if (this.#queue.length > 0) this.#pump()
      return
    }
    if (alreadyCut) {
      // Calls sent before the pause began answer throttled too: one congestion event, one cut.
      this.#cut = { ...this.#cut!, from: this.#pausedUntil }
    } else {
      const flowing = Math.min(this.rate(now), this.#observedRate(now))
      const target = this.#limits.rate
      const floor = Math.min(1, target)
      this.#cut = { from: this.#pausedUntil, rate: Math.max(floor, flowing / 2), target }
    }
    // One call may go the moment the pause ends (the retry that was told to wait); the rest follow the ramp.
    this.#tokens = 1
    this.#refilledAt = this.#pausedUntil
    if (this.#queue.length > 0) this.#pump()
  }

  snapshot(): { rate: number | null; inFlight: number; queued: number; pausedMs: number } {
    const now = this.#timers.now()
    const rate = this.rate(now)
    return {
      rate: Number.isFinite(rate) ? Math.round(rate * 100) / 100 : null,
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      pausedMs: Math.max(0, this.#pausedUntil - now),
    }
  }

  #observedRate(now: number): number {
    this.#roll(now)
    const w = this.#window
    const intoSecond = (now - w.start) / 1000
    return w.previous * (1 - intoSecond) + w.current
  }

  #roll(now: number): void {
    const w = this.#window
    const seconds = Math.floor((now - w.start) / 1000)
    if (seconds >= 1) {
      w.previous = seconds === 1 ? w.current : 0
      w.current = 0
      w.start += seconds * 1000
    }
  }

  /** Takes a slot if concurrency, pause and tokens allow. */
  #tryTake(now: number, pastPause = false): boolean {
    if (this.#inFlight >= this.#limits.concurrency) return false
    if (now < this.#pausedUntil && !pastPause) return false
    if (this.#refill(now)) {
      if (this.#tokens < 1) return false
      this.#tokens -= 1
    }
    this.#inFlight++
    this.#roll(now)
    this.#window.current++
    return true
  }

  /** Refills the bucket up to `now`; `false` when no bucket applies (unlimited rate). */
  #refill(now: number): boolean {
    const rate = this.rate(now)
    if (rate === Number.POSITIVE_INFINITY) return false
    // While ramping back, the bucket holds at most a second of the current rate: no burst into a
    // store that just said no.
    const burst = this.#cut ? Math.min(this.#limits.burst, Math.max(1, rate)) : this.#limits.burst
    // (A call let past a pause may come before the refill clock: nothing has refilled yet.)
    const elapsed = Math.max(0, now - this.#refilledAt)
    this.#tokens = Math.min(burst, this.#tokens + (elapsed * rate) / 1000)
    if (elapsed > 0) this.#refilledAt = now
    return true
  }

  /** Admits waiters in order while they fit; otherwise sets one timer for when the head can go. */
  #pump(): void {
    const now = this.#timers.now()
    while (this.#queue.length > 0 && this.#tryTake(now)) {
      const waiter = this.#queue.shift()!
      this.#timers.clearTimeout(waiter.timer)
      waiter.resolve()
    }
    if (this.#queue.length === 0 || this.#inFlight >= this.#limits.concurrency) return
    // Blocked by the pause or by the bucket: wake when it ends, or when the next token is due.
    if (now < this.#pausedUntil) {
      this.#schedule(now, this.#pausedUntil - now, this.#pauseId)
    } else {
      const wait = ((1 - this.#tokens) * 1000) / Math.max(this.rate(now), 1e-9)
      this.#schedule(now, Math.max(1, wait), undefined)
    }
  }

  /** One wake timer at a time, the earliest; `pauseId` marks a wake that ends that pause. */
  #schedule(now: number, delay: number, pauseId: number | undefined): void {
    const at = now + delay
    if (this.#wake !== undefined && this.#wakeAt <= at) return
    if (this.#wake !== undefined) this.#timers.clearTimeout(this.#wake)
    this.#wakeAt = at
    this.#wake = this.#timers.setTimeout(() => {
      this.#wake = undefined
      this.#wakeAt = Number.POSITIVE_INFINITY
      const woke = this.#timers.now()
      if (pauseId === undefined) {
        // Set for when the next token is due: it grants that token, whether or not the clock moved.
        this.#refill(woke)
        this.#tokens = Math.max(this.#tokens, 1)
      } else if (pauseId === this.#pauseId && woke < this.#pausedUntil) {
        // The pause's timer fired before the clock got there: the timer's word ends it.
        this.#pausedUntil = Number.NEGATIVE_INFINITY
        if (this.#cut && this.#cut.from > woke) this.#cut = { ...this.#cut, from: woke }
        this.#refilledAt = Math.min(this.#refilledAt, woke)
      }
      this.#pump()
    }, delay)
  }

  #giveUp(waiter: Waiter): void {
    const at = this.#queue.indexOf(waiter)
    if (at < 0) return
    this.#queue.splice(at, 1)
    waiter.reject(new LimiterTimeout(this.#timers.now() - waiter.enqueuedAt, this.#queue.length))
  }
}

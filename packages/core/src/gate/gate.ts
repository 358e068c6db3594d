/**
 * The one door every provider call the manager makes goes through: reads (single and batched), writes,
 * deletes, versions, rollbacks, listings, change tokens, push subscriptions and health checks. Behind
 * it, per provider: admission under `limits` (shared by reads, refreshes and writes), provider-wide
 * slow-down on throttling, retries, the numbers `stats()` reports, and OpenTelemetry spans and
 * metrics. Cached reads never come here.
 */
import { ThrottledError } from '../errors.js'
import type { Provider } from '../provider.js'
import { backoffCeiling, nextRetryDelay, type RetrySettings, retryAfter, withTimeout } from '../retry.js'
import { LimiterTimeout, ProviderLimiter } from './limiter.js'
import { type LimitsOption, type ResolvedLimits, resolveLimits, UNLIMITED } from './limits.js'
import { type ManagerStats, type ProviderOperation, StatsRecorder } from './stats.js'
import { Telemetry, type TelemetryOption } from './telemetry.js'
import { sleep, type Timers } from './timers.js'

export interface GateCallOptions<T> {
  /** The key the call concerns, for errors and spans (never a value). */
  readonly key?: string | undefined
  /** Retry policy; `false` for one attempt (writes: a store may have applied a write that timed out). */
  readonly retry: RetrySettings | false
  /** Per-attempt timeout when not retrying (health checks). @default retry.attemptTimeout, else none */
  readonly timeout?: number
  /** How long a call may wait for a slot under `limits`. @default retry.deadline */
  readonly deadline?: number
  /** Bytes of value in the answer (reads) or the request (writes), for `stats().bytes`. */
  readonly bytes?: (result: T) => number
}

/** Settings of the gate, from the manager's options. */
export interface GateOptions {
  readonly limits: LimitsOption
  readonly timers: Timers
  /** Backoff used for a provider-wide pause when a throttled answer carries no retry-after. */
  readonly backoff: Pick<RetrySettings, 'baseDelay' | 'maxDelay' | 'deadline'> & {
    readonly random?: () => number
  }
  readonly telemetry: TelemetryOption | undefined
}

const NO_SIGNAL = new AbortController().signal

export class ProviderGate {
  readonly stats = new StatsRecorder()
  readonly #options: GateOptions
  readonly #limiters = new Map<string, ProviderLimiter>()
  /** Consecutive throttles per provider, so a store that keeps saying no is paused longer each time. */
  readonly #throttleRun = new Map<string, number>()

  readonly telemetry: Telemetry | undefined

  constructor(options: GateOptions) {
    this.#options = options
    this.telemetry = options.telemetry ? new Telemetry(options.telemetry, this.stats.cache) : undefined
  }

  get timers(): Timers {
    return this.#options.timers
  }

  /** Creates each provider's limiter up front, so limits apply from the first call and show in stats. */
  register(providers: readonly Provider[]): void {
    for (const p of providers) this.#limiterFor(p)
  }

  #limiterFor(provider: Provider): ProviderLimiter {
    let limiter = this.#limiters.get(provider.name)
    if (!limiter) {
      const limits: ResolvedLimits =
        provider.name in this.#options.limits || provider.limits
          ? resolveLimits(this.#options.limits[provider.name], provider.limits)
          : UNLIMITED
      limiter = new ProviderLimiter(limits, this.#options.timers, this.#options.backoff.random)
      this.#limiters.set(provider.name, limiter)
    }
    return limiter
  }

  /** Runs one provider call (with its retries) through limits, stats and telemetry. */
  async call<T>(
    provider: Provider,
    operation: ProviderOperation,
    fn: (signal: AbortSignal) => Promise<T>,
    options: GateCallOptions<T>,
  ): Promise<T> {
    const telemetry = this.telemetry
    if (telemetry?.loading) await telemetry.loading
    const { timers } = this.#options
    const started = timers.now()
    const retry = options.retry
    const deadline = started + (options.deadline ?? (retry ? retry.deadline : this.#options.backoff.deadline))
    const timeout = options.timeout ?? (retry ? retry.attemptTimeout : undefined)
    let throttled = false
    for (let failures = 0; ; ) {
      try {
        return await this.#attempt(provider, operation, fn, options, deadline, timeout, failures, throttled)
      } catch (error) {
        if (error instanceof LimiterTimeout) throw this.#limitedError(provider, options.key, error)
        throttled = error instanceof ThrottledError
        failures++
        const delay = retry ? nextRetryDelay(retry, failures, error, timers.now() - started) : undefined
        if (delay === undefined) throw error
        await sleep(timers, delay)
      }
    }
  }

  async #attempt<T>(
    provider: Provider,
    operation: ProviderOperation,
    fn: (signal: AbortSignal) => Promise<T>,
    options: GateCallOptions<T>,
    deadline: number,
    timeout: number | undefined,
    attempt: number,
    /** The previous attempt was throttled: its backoff already waited out the store's retry-after. */
    pastPause: boolean,
  ): Promise<T> {
    const limiter = this.#limiterFor(provider)
    const counters = this.stats.provider(provider.name)
    const wait = limiter.acquire(deadline, pastPause)
    if (wait) {
      try {
        await wait
      } catch (error) {
        counters.limited++
        this.telemetry?.recordLimited(provider, operation)
        throw error
      }
    }
    counters.calls[operation] = (counters.calls[operation] ?? 0) + 1
    if (attempt > 0) counters.retries++
    const { timers } = this.#options
    const started = timers.now()
    const span = this.telemetry?.startCall(provider, operation, options.key, attempt)
    let failure: unknown
    try {
      const result =
        timeout !== undefined
          ? await withTimeout(fn, timeout, { key: options.key, provider: provider.name })
          : await fn(NO_SIGNAL)
      this.#throttleRun.delete(provider.name)
      if (options.bytes) counters.bytes += options.bytes(result)
      return result
    } catch (error) {
      failure = error
      counters.errors++
      if (error instanceof ThrottledError) {
        counters.throttles++
        const run = (this.#throttleRun.get(provider.name) ?? 0) + 1
        this.#throttleRun.set(provider.name, run)
        limiter.throttled(retryAfter(error) ?? backoffCeiling(this.#options.backoff, run))
      }
      throw error
    } finally {
      limiter.release()
      const latency = timers.now() - started
      counters.latency.add(latency)
      span?.end(latency, failure)
    }
  }

  #limitedError(provider: Provider, key: string | undefined, timeout: LimiterTimeout): ThrottledError {
    const limits = this.#limiters.get(provider.name)?.snapshot()
    return new ThrottledError({
      key,
      provider: provider.name,
      message: `Gave up after waiting ${Math.round(timeout.waitedMs)} ms for a call slot of provider "${provider.name}"${key !== undefined ? ` to read "${key}"` : ''} (${timeout.queued} more calls waiting${limits?.pausedMs ? `; the store asked to pause ${Math.round(limits.pausedMs)} ms more` : ''}).`,
      hint: `Raise limits["${provider.name}"] (within the store's quota), raise the cache ttl, or give reads a longer retry.deadline.`,
    })
  }

  /** The numbers `manager.stats()` reports. */
  snapshot(): ManagerStats {
    return this.stats.snapshot(this.#limiters)
  }
}

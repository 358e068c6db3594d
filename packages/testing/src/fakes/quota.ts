/**
 * A service's request-rate quota, as the stores enforce it: a token bucket per quota, refilled at
 * `rate` per second up to `burst`, measured in the fake's own clock (so a test or a simulation on
 * virtual time sees the quota refill on that time). A request that finds the bucket empty is answered
 * with the service's throttling error and takes no token, as AWS's front ends do.
 */

/** One quota: the operations that share it, and how many requests per second it lets through. */
export interface Quota {
  /** Operations counted against this quota, e.g. `['BatchGetSecretValue']`. */
  readonly operations: readonly string[]
  /** Requests per second. AWS Secrets Manager: GetSecretValue 10,000, BatchGetSecretValue 100. */
  readonly rate: number
  /** Most requests let through at once after a quiet spell. @default rate (one second's worth) */
  readonly burst?: number
}

interface Bucket {
  readonly rate: number
  readonly burst: number
  tokens: number
  at: number
}

/** The quotas of one fake; `take(operation)` says whether a request may pass. */
export class Quotas {
  readonly #now: () => number
  readonly #byOperation = new Map<string, Bucket[]>()

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** Adds a quota. Operations may be under several quotas; a request must pass all of them. */
  add(quota: Quota): void {
    const { rate, operations } = quota
    const burst = quota.burst ?? rate
    if (!(Number.isFinite(rate) && rate > 0)) throw new RangeError(`quota rate must be > 0, got ${rate}`)
    if (!(Number.isFinite(burst) && burst >= 1)) throw new RangeError(`quota burst must be ≥ 1, got ${burst}`)
    if (!Array.isArray(operations) || operations.length === 0)
      throw new TypeError(
        'a quota needs the operations it applies to, e.g. { operations: ["GetSecretValue"] }',
      )
    const bucket: Bucket = { rate, burst, tokens: burst, at: this.#now() }
    for (const op of operations) this.#byOperation.set(op, [...(this.#byOperation.get(op) ?? []), bucket])
  }

  clear(): void {
    this.#byOperation.clear()
  }

  /** Takes a token from every quota over `operation`; `false` (nothing taken) when one is empty. */
  take(operation: string): boolean {
    const buckets = this.#byOperation.get(operation)
    if (!buckets) return true
    const now = this.#now()
    for (const b of buckets) {
      // A clock that steps back (a test rewinding time) refills nothing rather than draining.
      b.tokens = Math.min(b.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * b.rate)
      b.at = now
    }
    if (buckets.some((b) => b.tokens < 1)) return false
    for (const b of buckets) b.tokens -= 1
    return true
  }
}

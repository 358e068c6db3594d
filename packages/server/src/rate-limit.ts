/**
 * Per-caller rate limits: a token bucket per principal (`rate` tokens a second, up to `burst`). The
 * bucket lives in a {@link RateLimitStore}: in memory by default (one process), or a shared store such
 * as Redis when several replicas must share one budget — the store takes the whole decision in one
 * atomic step, so replicas never race on a read-modify-write.
 */

/** One caller's budget. */
export interface RateLimit {
  /** Requests per second, sustained. */
  readonly rate: number
  /** Requests allowed at once after a quiet period. @default 2 × rate */
  readonly burst?: number
}

/** The answer of one `take`. */
export interface RateDecision {
  readonly allowed: boolean
  /** Whole tokens left after this request. */
  readonly remaining: number
  /** When refused: how long until one token is back. */
  readonly retryAfterMs: number
}

/**
 * Where buckets are kept. `take` removes one token from `id`'s bucket if it has one, refilling it for
 * the time since its last use first — all in one atomic step. A Redis store does this in a Lua script
 * (`EVALSHA`), keyed by `id`, with a TTL of the time a bucket takes to fill.
 */
export interface RateLimitStore {
  take(id: string, limit: Required<RateLimit>, now: number): Promise<RateDecision> | RateDecision
  close?(): Promise<void> | void
}

interface Bucket {
  tokens: number
  at: number
}

/** Buckets in this process's memory; full buckets are dropped, so idle callers cost nothing. */
export function memoryRateLimitStore(): RateLimitStore {
  const buckets = new Map<string, Bucket>()
  let sweeps = 0
  return {
    take(id, { rate, burst }, now) {
      const b = buckets.get(id) ?? { tokens: burst, at: now }
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate)
      b.at = now
      const allowed = b.tokens >= 1
      if (allowed) b.tokens -= 1
      buckets.set(id, b)
      // Every 1,000 decisions, forget buckets that have refilled: they behave like new ones.
      if (++sweeps % 1000 === 0)
        for (const [k, v] of buckets) if (v.tokens + ((now - v.at) / 1000) * rate >= burst) buckets.delete(k)
      return {
        allowed,
        remaining: Math.floor(b.tokens),
        retryAfterMs: allowed ? 0 : Math.ceil(((1 - b.tokens) / rate) * 1000),
      }
    },
  }
}

export function resolveLimit(limit: RateLimit): Required<RateLimit> {
  return { rate: limit.rate, burst: limit.burst ?? Math.max(1, Math.ceil(limit.rate * 2)) }
}

export function rateLimitIssues(where: string, limit: unknown): string[] {
  if (typeof limit !== 'object' || limit === null) return [`${where} must be { rate, burst? }`]
  const { rate, burst } = limit as { rate?: unknown; burst?: unknown }
  const issues: string[] = []
  if (typeof rate !== 'number' || !(rate > 0) || !Number.isFinite(rate))
    issues.push(`${where}.rate must be a positive number of requests per second`)
  if (burst !== undefined && (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 1))
    issues.push(`${where}.burst must be a positive whole number`)
  return issues
}

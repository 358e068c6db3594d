/**
 * Latency quantiles in constant memory: a log-bucketed histogram (the DDSketch idea) with ~2%
 * relative error. Buckets grow with the range of latencies seen (about 35 per tenfold), never with
 * the number of calls, so a long-running process keeps exact-enough p50/p99 forever.
 */
const GAMMA = 1.04
const LOG_GAMMA = Math.log(GAMMA)
/** Latencies below this (ms) count as zero: timer resolution, not store latency. */
const FLOOR_MS = 0.001

export class LatencySketch {
  readonly #buckets = new Map<number, number>()
  #zeros = 0
  #count = 0

  add(ms: number): void {
    this.#count++
    if (!(ms > FLOOR_MS)) {
      this.#zeros++
      return
    }
    const index = Math.ceil(Math.log(ms) / LOG_GAMMA)
    this.#buckets.set(index, (this.#buckets.get(index) ?? 0) + 1)
  }

  /** The q-quantile (0..1) in milliseconds, rounded to 0.01 ms; 0 when nothing was recorded. */
  quantile(q: number): number {
    if (this.#count === 0) return 0
    const rank = q * (this.#count - 1)
    let seen = this.#zeros
    if (rank < seen) return 0
    for (const index of [...this.#buckets.keys()].sort((a, b) => a - b)) {
      seen += this.#buckets.get(index)!
      if (rank < seen) return Math.round(((2 * GAMMA ** index) / (GAMMA + 1)) * 100) / 100
    }
    return 0
  }
}

/** One request a fake received, as the fake understood it. */
export interface RecordedRequest {
  /** The operation name (`GetSecretValue`, `GetParameter` …), or `'unknown'` when it could not be told. */
  readonly operation: string
  /** The decoded request body. It may hold secret values: fakes are test fixtures. */
  readonly input: unknown
  /** When the request arrived (epoch ms). */
  readonly at: number
}

/**
 * What a fake was asked, in order — the evidence for "the cache saved a round trip" or "the batch was
 * one call". Every request counts, including those a fault then failed: a throttled call still reached
 * the store.
 *
 * @example
 * ```ts
 * expect(fake.requests.count('GetSecretValue')).toBe(1)
 * expect(fake.requests.total).toBe(3)
 * fake.requests.reset()
 * ```
 */
export class RequestLog {
  #entries: RecordedRequest[] = []

  /** Number of requests for `operation`, or for all operations when omitted. */
  count(operation?: string): number {
    if (operation === undefined) return this.#entries.length
    let n = 0
    for (const e of this.#entries) if (e.operation === operation) n++
    return n
  }

  /** Number of requests of any operation. */
  get total(): number {
    return this.#entries.length
  }

  /** Every request so far, oldest first (optionally only those for `operation`). */
  all(operation?: string): readonly RecordedRequest[] {
    return operation === undefined
      ? [...this.#entries]
      : this.#entries.filter((e) => e.operation === operation)
  }

  /** The most recent request (for `operation`, if given). */
  last(operation?: string): RecordedRequest | undefined {
    const list = this.all(operation)
    return list[list.length - 1]
  }

  /** Request counts keyed by operation. */
  byOperation(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const e of this.#entries) out[e.operation] = (out[e.operation] ?? 0) + 1
    return out
  }

  /** Forgets every recorded request. */
  reset(): void {
    this.#entries = []
  }

  /** @internal Called by the server for each request. */
  record(entry: RecordedRequest): void {
    this.#entries.push(entry)
  }
}

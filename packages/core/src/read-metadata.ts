import type { ReadResult } from './read-record.js'

/** `getWithMetadata` answer: the value and how it was found. */
export type ValueWithMetadata = Omit<ReadResult, 'entry'> & {
  /** Stages/labels of the version served. */
  readonly labels: readonly string[]
}

/**
 * The public metadata of a read, field by field: the engine's result also carries its cache record's
 * internals (the resolved promise a cached `get` returns, the raw entry), which are not part of the API.
 */
export function withMetadata(r: ReadResult): ValueWithMetadata {
  return {
    key: r.key,
    kind: r.kind,
    reason: r.reason,
    value: r.value,
    provider: r.provider,
    version: r.version,
    updatedAt: r.updatedAt,
    labels: r.entry.labels ?? [],
    tried: r.tried,
    cache: r.cache,
    cached: r.cached,
    stale: r.stale,
    ...(r.staleReason !== undefined && { staleReason: r.staleReason }),
    ...(r.error !== undefined && { error: r.error }),
  }
}

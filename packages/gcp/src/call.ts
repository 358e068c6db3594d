/**
 * Per-call options for every Google client call. `retry: null` turns off google-gax's own retries
 * (AccessSecretVersion would otherwise retry UNAVAILABLE and RESOURCE_EXHAUSTED for up to 10 minutes):
 * the ConfigManager owns retries, with backoff, budgets and stale-if-error.
 */
export function callOptions(): { retry: null } {
  // A fresh object per call: the generated clients add `otherArgs` (routing headers) to it.
  return { retry: null }
}

/** A protobuf Timestamp (`{ seconds, nanos }`, seconds as number, string or Long) as a Date. */
export function toDate(ts: unknown): Date | undefined {
  const t = ts as { seconds?: unknown; nanos?: unknown } | null | undefined
  if (t === null || t === undefined || t.seconds === undefined || t.seconds === null) return undefined
  const ms = Number(String(t.seconds)) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6)
  return Number.isFinite(ms) ? new Date(ms) : undefined
}

/** The last segment of a resource name (`…/versions/7` → `'7'`). */
export function lastSegment(name: string | null | undefined): string | undefined {
  if (!name) return undefined
  return name.slice(name.lastIndexOf('/') + 1)
}

/** `google.protobuf.Timestamp` in the plain-object form the fakes' handlers use. */

/** A `google.protobuf.Timestamp` in the plain-object form. */
export function timestamp(ms: number): { seconds: string; nanos: number } {
  const seconds = Math.floor(ms / 1000)
  return { seconds: String(seconds), nanos: Math.round(ms - seconds * 1000) * 1_000_000 }
}

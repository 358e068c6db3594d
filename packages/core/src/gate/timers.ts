/**
 * The clock and timers the gate (limits, provider-wide backoff, retry waits) runs on. Injectable so a
 * test or a simulation can run on virtual time (`ConfigManagerOptions.timers`); the default is real time.
 */
export interface Timers {
  /** Milliseconds on a monotonic clock. */
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const REAL_TIMERS: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => {
    timers.setTimeout(resolve, ms)
  })
}

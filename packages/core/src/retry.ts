import { PolysecretError, UnavailableError, ValidationError } from './errors.js'

/**
 * Retry policy for one provider call: exponential backoff with full jitter, a per-attempt timeout and
 * an overall deadline. Only retryable errors (throttling, unavailability) are retried; a store's
 * retry-after hint is honoured. Pass a number for "this many retries", or a predicate.
 */
export interface RetryOptions {
  /** Retries after the first attempt, or a predicate deciding from the failure count and error. @default 2 */
  retries?: number | ((failureCount: number, error: unknown) => boolean)
  /** First backoff ceiling; doubles per attempt (full jitter picks uniformly below it). @default 50 */
  baseDelay?: number
  /** Largest backoff ceiling. @default 2_000 */
  maxDelay?: number
  /** Abort an attempt after this long; the attempt fails as `UnavailableError`. @default 5_000 */
  attemptTimeout?: number
  /** Give up retrying once this much time has passed since the first attempt. @default 15_000 */
  deadline?: number
  /** Source of randomness for jitter, for deterministic tests. @default Math.random */
  random?: () => number
}

export interface RetrySettings {
  readonly retries: number | ((failureCount: number, error: unknown) => boolean)
  readonly baseDelay: number
  readonly maxDelay: number
  readonly attemptTimeout: number
  readonly deadline: number
  readonly random: () => number
}

export function resolveRetrySettings(options: RetryOptions | number | false = {}): RetrySettings {
  const opts: RetryOptions =
    options === false ? { retries: 0 } : typeof options === 'number' ? { retries: options } : options
  const num = (name: string, value: number | undefined, fallback: number) => {
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !(value >= 0)) {
      throw new ValidationError(`retry.${name} must be a non-negative number, got ${String(value)}.`)
    }
    return value
  }
  const retries = opts.retries ?? 2
  if (typeof retries !== 'function') num('retries', retries, 2)
  return {
    retries,
    baseDelay: num('baseDelay', opts.baseDelay, 50),
    maxDelay: num('maxDelay', opts.maxDelay, 2_000),
    attemptTimeout: num('attemptTimeout', opts.attemptTimeout, 5_000),
    deadline: num('deadline', opts.deadline, 15_000),
    random: opts.random ?? Math.random,
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof PolysecretError && error.retryable
}

export function retryAfter(error: unknown): number | undefined {
  const hint = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs
  return typeof hint === 'number' && hint >= 0 ? hint : undefined
}

/** Runs one attempt with a timeout; the attempt gets an AbortSignal that fires when it times out. */
export async function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  timeout: number,
  context: { key?: string | undefined; provider?: string | undefined },
): Promise<T> {
  if (!(timeout > 0) || timeout === Number.POSITIVE_INFINITY) return fn(new AbortController().signal)
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Settle the race with our (retryable) timeout first, then abort: a provider that rejects as
      // soon as it is aborted must not win with its own, non-retryable abort error.
      reject(
        new UnavailableError({
          ...context,
          message: `Timed out after ${timeout} ms${context.key ? ` reading "${context.key}"` : ''}${context.provider ? ` (provider "${context.provider}")` : ''}.`,
        }),
      )
      controller.abort()
    }, timeout)
  })
  try {
    return await Promise.race([fn(controller.signal), timedOut])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Whether to retry after the `failures`-th failed attempt, and after how long: `undefined` to give up
 * (not retryable, out of retries, or past the deadline). Full jitter under an exponential ceiling; a
 * store's retry-after hint is a floor.
 */
export function nextRetryDelay(
  settings: RetrySettings,
  failures: number,
  error: unknown,
  elapsedMs: number,
): number | undefined {
  if (!isRetryable(error)) return undefined
  const more =
    typeof settings.retries === 'function' ? settings.retries(failures, error) : failures <= settings.retries
  if (!more) return undefined
  const delay = Math.max(retryAfter(error) ?? 0, settings.random() * backoffCeiling(settings, failures))
  return elapsedMs + delay > settings.deadline ? undefined : delay
}

/** The exponential backoff ceiling after `failures` consecutive failures. */
export function backoffCeiling(
  settings: Pick<RetrySettings, 'baseDelay' | 'maxDelay'>,
  failures: number,
): number {
  return Math.min(settings.maxDelay, settings.baseDelay * 2 ** (Math.max(1, failures) - 1))
}

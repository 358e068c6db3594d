import {
  AccessDeniedError,
  IntegrityError,
  NotFoundError,
  PolysecretError,
  type ProviderAttempt,
  ThrottledError,
  UnavailableError,
  UnsupportedError,
  ValidationError,
} from './errors.js'
import type { ProviderGate } from './gate/gate.js'
import { mapLimit } from './map-limit.js'
import type { Entry, GetOptions, Provider } from './provider.js'
import type { RetrySettings } from './retry.js'
import { cleanInPlace, safeErrorName, scrubError } from './scrub-error.js'

/** Error classes a chain may move past, by name. */
export type FallbackReason =
  | 'unavailable'
  | 'throttled'
  | 'access-denied'
  | 'integrity'
  | 'validation'
  | 'unsupported'

/**
 * When a provider fails, whether to try the next one. Not-found always moves on (that is what a chain
 * is for). By default availability errors move on; access-denied and validation errors stop, because
 * falling back past them would hide a misconfiguration behind an older or different value.
 */
export type FallbackOptions =
  | { on?: readonly FallbackReason[] }
  | ((error: PolysecretError, provider: Provider) => boolean)

export const DEFAULT_FALLBACK_ON: readonly FallbackReason[] = ['unavailable', 'throttled', 'unsupported']

const FALLBACK_REASONS: readonly unknown[] = [
  'unavailable',
  'throttled',
  'access-denied',
  'integrity',
  'validation',
  'unsupported',
] satisfies FallbackReason[]

export function fallbackReason(error: unknown): FallbackReason | undefined {
  if (error instanceof ThrottledError) return 'throttled'
  if (error instanceof UnavailableError) return 'unavailable'
  if (error instanceof AccessDeniedError) return 'access-denied'
  if (error instanceof IntegrityError) return 'integrity'
  if (error instanceof ValidationError) return 'validation'
  if (error instanceof UnsupportedError) return 'unsupported'
  return undefined
}

export function makeFallbackPredicate(
  options: FallbackOptions | undefined,
): (e: PolysecretError, p: Provider) => boolean {
  if (typeof options === 'function') return options
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ValidationError('fallback must be { on: [...] } or a function (error, provider) => boolean.')
  }
  const list: unknown = options?.on ?? DEFAULT_FALLBACK_ON
  if (!Array.isArray(list)) {
    throw new ValidationError(
      `fallback.on must be a list, e.g. ['unavailable', 'throttled'], got ${JSON.stringify(list)}.`,
    )
  }
  for (const reason of list) {
    if (!FALLBACK_REASONS.includes(reason)) {
      throw new ValidationError(`Unknown fallback reason ${JSON.stringify(reason)}.`, {
        hint: `Use any of: ${FALLBACK_REASONS.join(', ')}.`,
      })
    }
  }
  const on = new Set<unknown>(list)
  return (error) => {
    const reason = fallbackReason(error)
    return reason !== undefined && on.has(reason)
  }
}

/**
 * Makes sure whatever a provider threw is a PolysecretError carrying key and provider, cleaned for the
 * caller. Provider packages map their SDK errors themselves; anything that slips through counts as
 * unavailability. When the operation concerns a secret (`secret: true`), or a store call whose keys
 * are unknown, the error's `cause` is sealed: no text the store wrote survives in it (see
 * scrub-error.ts); otherwise it is scrubbed and bounded.
 */
export function asPolysecretError(
  error: unknown,
  key: string | undefined,
  provider: string,
  secret = true,
): PolysecretError {
  const mode = secret ? 'seal' : 'scrub'
  if (error instanceof PolysecretError) {
    // A provider's own error may leave out where it happened; the manager knows, and every error it
    // throws carries key and provider.
    const located = error as { key: string | undefined; provider: string | undefined }
    if (located.key === undefined && key !== undefined) located.key = key
    if (located.provider === undefined) located.provider = provider
    return cleanInPlace(error, [], mode)
  }
  return new UnavailableError({
    key,
    provider,
    cause: scrubError(error, [], mode),
    message: `Provider "${provider}" failed${key !== undefined ? ` reading "${key}"` : ''}: ${safeErrorName(error)}.`,
  })
}

/** What the chain found for one key. */
export interface ChainHit {
  readonly entry: Entry
  readonly provider: Provider
  readonly tried: readonly ProviderAttempt[]
}

/** The outcome of a chained read of many keys: a hit or a final error per key. */
export type ChainOutcome = { ok: true; hit: ChainHit } | { ok: false; error: PolysecretError }

export interface ChainReadSettings {
  readonly retry: RetrySettings
  readonly fallback: (error: PolysecretError, provider: Provider) => boolean
  readonly concurrency: number
  /** Every provider call goes through it: limits, throttle backoff, stats, telemetry. */
  readonly gate: ProviderGate
}

/** Bytes of an entry's value, for `stats().bytes`. */
export function entryBytes(entry: Entry | undefined): number {
  if (entry === undefined) return 0
  return typeof entry.value === 'string' ? Buffer.byteLength(entry.value) : entry.value.byteLength
}

function attemptOf(provider: Provider, error: PolysecretError): ProviderAttempt {
  return { provider: provider.name, outcome: 'error', code: error.code, reason: error.message }
}

/** One provider's answers for a set of keys: an entry, `undefined` (not found) or an error per key. */
async function askProvider(
  provider: Provider,
  keys: readonly string[],
  opts: GetOptions,
  settings: ChainReadSettings,
  secret: boolean,
): Promise<Map<string, Entry | undefined | PolysecretError>> {
  const answers = new Map<string, Entry | undefined | PolysecretError>()
  const needsVersion = opts.version !== undefined || opts.label !== undefined
  if (needsVersion && !provider.capabilities.versions) {
    const error = new UnsupportedError({ provider: provider.name, capability: 'versions' })
    for (const key of keys) answers.set(key, error)
    return answers
  }
  if (keys.length > 1 && provider.capabilities.batch && provider.getMany && !needsVersion) {
    // Keys a batch answered with a retryable error (a throttled chunk, a timed-out one) are asked
    // again, alone, with the retry policy's backoff (the gate's retry loop); the keys it did answer
    // are not read twice.
    let pending: readonly string[] = keys
    let lastFailedPerKey = false
    try {
      await settings.gate.call(
        provider,
        'getMany',
        async (signal) => {
          lastFailedPerKey = false
          const batch = await provider.getMany!(pending, { signal })
          const again: string[] = []
          let retryable: PolysecretError | undefined
          for (const key of pending) {
            const failure = batch.errors.get(key)
            const answer = failure
              ? asPolysecretError(failure, key, provider.name, secret)
              : batch.entries.get(key)
            answers.set(key, answer)
            if (answer instanceof PolysecretError && answer.retryable) {
              again.push(key)
              retryable ??= answer
            }
          }
          pending = again
          lastFailedPerKey = retryable !== undefined
          if (retryable) throw retryable
          return batch
        },
        {
          retry: settings.retry,
          bytes: (b) => {
            let n = 0
            for (const entry of b.entries.values()) n += entryBytes(entry)
            return n
          },
        },
      )
    } catch (error) {
      // Out of retries on per-key errors: each pending key keeps its own. A failed call: every
      // pending key gets its error.
      if (!lastFailedPerKey) {
        const mapped = asPolysecretError(error, undefined, provider.name, secret)
        for (const key of pending) answers.set(key, mapped)
      }
    }
    return answers
  }
  await mapLimit(keys, settings.concurrency, async (key) => {
    try {
      const entry = await settings.gate.call(
        provider,
        'get',
        (signal) => provider.get(key, { ...opts, signal }),
        {
          key,
          retry: settings.retry,
          bytes: entryBytes,
        },
      )
      answers.set(key, entry)
    } catch (error) {
      answers.set(key, asPolysecretError(error, key, provider.name, secret))
    }
  })
  return answers
}

/**
 * Reads keys through an ordered chain of providers: each key moves to the next provider on not-found
 * and on errors the fallback policy allows, and stops on any other error. Keys still unanswered at the
 * end get one error naming every provider tried and why, with the providers' errors as its `cause`.
 * `secret` says whether the keys are secrets: their errors' causes are then sealed (no store text).
 */
export async function readChain(
  chain: readonly Provider[],
  keys: readonly string[],
  opts: GetOptions,
  settings: ChainReadSettings,
  secret = true,
): Promise<Map<string, ChainOutcome>> {
  const outcomes = new Map<string, ChainOutcome>()
  const tried = new Map<string, ProviderAttempt[]>(keys.map((k) => [k, []]))
  const failures = new Map<string, PolysecretError[]>()
  let remaining = [...keys]
  for (const provider of chain) {
    if (remaining.length === 0) break
    const answers = await askProvider(provider, remaining, opts, settings, secret)
    const next: string[] = []
    for (const key of remaining) {
      const answer = answers.get(key)
      const attempts = tried.get(key)!
      if (answer instanceof PolysecretError) {
        attempts.push(attemptOf(provider, answer))
        if (settings.fallback(answer, provider)) {
          next.push(key)
          failures.set(key, [...(failures.get(key) ?? []), answer])
        } else outcomes.set(key, { ok: false, error: withTried(answer, attempts) })
      } else if (answer === undefined) {
        attempts.push({ provider: provider.name, outcome: 'not-found' })
        next.push(key)
      } else {
        outcomes.set(key, { ok: true, hit: { entry: answer, provider, tried: attempts } })
      }
    }
    remaining = next
  }
  for (const key of remaining)
    outcomes.set(key, { ok: false, error: exhausted(key, tried.get(key)!, failures.get(key) ?? []) })
  return outcomes
}

/**
 * A provider's error that stopped the chain, carrying the providers asked so far (itself included), so
 * it says where the read went like the chain's own errors do. An error already carrying its own
 * `tried` keeps it; one error shared by a whole batch gets the first key's list (every key of one
 * batch was asked of the same providers, if not always with the same answers).
 */
function withTried(error: PolysecretError, attempts: readonly ProviderAttempt[]): PolysecretError {
  if (error.tried.length === 0) (error as { tried: readonly ProviderAttempt[] }).tried = [...attempts]
  return error
}

/**
 * The error for a key no provider could answer: not-found if all said so, else the failure. Its
 * message names every provider and what each said; its `cause` is the one provider error, or an
 * `AggregateError` of all of them in chain order. Also used by the read engine when a key is looked
 * up in both chains.
 */
export function exhausted(
  key: string,
  attempts: readonly ProviderAttempt[],
  errors: readonly PolysecretError[] = [],
): PolysecretError {
  const summary = attempts.length
    ? attempts.map((a) => `${a.provider}: ${a.outcome === 'not-found' ? 'not found' : a.code}`).join('; ')
    : 'no providers configured for this kind'
  const failures = attempts.filter((a) => a.outcome === 'error')
  if (failures.length === 0) {
    return new NotFoundError({
      key,
      tried: attempts,
      message: `Key "${key}" was not found (tried ${summary}).`,
    })
  }
  const message = `Key "${key}" could not be read from any provider (tried ${summary}).`
  const cause =
    errors.length === 1
      ? errors[0]
      : new AggregateError(errors, `Every provider failed for "${key}": ${summary}.`)
  const context = { key, tried: attempts, message, cause }
  const codes = new Set(failures.map((f) => f.code))
  if (codes.size === 1 && codes.has('THROTTLED')) return new ThrottledError(context)
  if (codes.size === 1 && codes.has('UNSUPPORTED')) return new UnsupportedError(context)
  return new UnavailableError(context)
}

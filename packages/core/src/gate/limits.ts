import { ValidationError } from '../errors.js'

/**
 * How fast the manager may call one provider. Reads, background refreshes and writes share the same
 * limits, because the store's quota counts them all.
 */
export interface ProviderLimits {
  /** Calls per second, refilled continuously (token bucket). @default unlimited (or the provider's declared quota) */
  rate?: number
  /** Calls that may start at once after a quiet spell (bucket size). @default max(1, rate) */
  burst?: number
  /** Calls in flight at once. @default unlimited */
  concurrency?: number
  /**
   * Start with a random fill of the bucket (between empty and `burst`) instead of a full one. For a
   * fleet whose replicas start together (a deploy) with a per-replica share of the store's quota:
   * their first calls spread over `burst / rate` seconds instead of all landing at once.
   * @default false
   */
  stagger?: boolean
}

/** `limits` option: per provider name; `false` drops a provider's declared defaults. */
export type LimitsOption = Readonly<Record<string, ProviderLimits | false>>

/** Limits with every field settled. `Infinity` means "no limit". */
export interface ResolvedLimits {
  readonly rate: number
  readonly burst: number
  readonly concurrency: number
  readonly stagger: boolean
}

export const UNLIMITED: ResolvedLimits = Object.freeze({
  rate: Number.POSITIVE_INFINITY,
  burst: Number.POSITIVE_INFINITY,
  concurrency: Number.POSITIVE_INFINITY,
  stagger: false,
})

const FIELDS = ['rate', 'burst', 'concurrency', 'stagger'] as const

/** Checks the `limits` option eagerly: unknown providers and bad numbers are errors that say what to fix. */
export function checkLimitsOption(option: unknown, providerNames: ReadonlySet<string>): LimitsOption {
  if (option === undefined) return {}
  if (option === null || typeof option !== 'object' || Array.isArray(option))
    throw new ValidationError(
      'limits must be an object keyed by provider name, e.g. { "aws-secrets-manager": { rate: 50 } }.',
    )
  for (const [name, limits] of Object.entries(option)) {
    if (!providerNames.has(name)) {
      throw new ValidationError(`limits names an unknown provider "${name}".`, {
        hint: `Use the name of a configured provider: ${[...providerNames].join(', ') || 'none configured'}.`,
      })
    }
    if (limits === false) continue
    if (limits === null || typeof limits !== 'object' || Array.isArray(limits))
      throw new ValidationError(
        `limits["${name}"] must be { rate?, burst?, concurrency?, stagger? } or false.`,
      )
    for (const field of Object.keys(limits)) {
      if (!(FIELDS as readonly string[]).includes(field))
        throw new ValidationError(`limits["${name}"] has an unknown field "${field}".`, {
          hint: 'Use rate (calls per second), burst, concurrency and stagger.',
        })
    }
    const { rate, burst, concurrency, stagger } = limits as ProviderLimits
    if (stagger !== undefined && typeof stagger !== 'boolean')
      throw new ValidationError(`limits["${name}"].stagger must be true or false, got ${String(stagger)}.`)
    if (rate !== undefined && !(typeof rate === 'number' && rate > 0))
      throw new ValidationError(
        `limits["${name}"].rate must be a positive number of calls per second, got ${String(rate)}.`,
      )
    if (burst !== undefined && !(typeof burst === 'number' && burst >= 1))
      throw new ValidationError(`limits["${name}"].burst must be a number ≥ 1, got ${String(burst)}.`)
    if (
      (concurrency !== undefined &&
        !(Number.isInteger(concurrency) || concurrency === Number.POSITIVE_INFINITY)) ||
      (concurrency !== undefined && concurrency < 1)
    )
      throw new ValidationError(
        `limits["${name}"].concurrency must be a positive integer, got ${String(concurrency)}.`,
      )
  }
  return option as LimitsOption
}

/**
 * A provider's limits: the user's fields over the provider's declared service-quota defaults
 * (`Provider.limits`); `false` from the user drops the defaults.
 */
export function resolveLimits(
  user: ProviderLimits | false | undefined,
  declared: ProviderLimits | undefined,
): ResolvedLimits {
  const merged: ProviderLimits = user === false ? {} : { ...declared, ...user }
  const rate = merged.rate ?? Number.POSITIVE_INFINITY
  return {
    rate,
    burst: merged.burst ?? (rate === Number.POSITIVE_INFINITY ? rate : Math.max(1, rate)),
    concurrency: merged.concurrency ?? Number.POSITIVE_INFINITY,
    stagger: merged.stagger === true,
  }
}

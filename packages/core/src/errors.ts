import { scrubError } from './scrub-error.js'

/** Where an error happened: the key and the provider, never the value. */
export interface ErrorContext {
  /** The key being read or written. */
  key?: string | undefined
  /** The provider instance name. */
  provider?: string | undefined
  /**
   * The original error; stored as a scrubbed copy (message scrubbed and bounded, payload fields
   * dropped). A copy already sealed (`sealError`) is kept as it is.
   */
  cause?: unknown
  /** What the user should do next; replaces the class default. */
  hint?: string | undefined
  /** Every provider a chained operation asked, and why each did not answer. */
  tried?: readonly ProviderAttempt[] | undefined
}

/**
 * The brand every polysecret error class carries: its code, stored on the class under a registry symbol.
 * One process may hold several copies of core — the CommonJS build required by the app and the ESM build
 * a provider package imports, or two installed versions — and each copy has its own classes. `instanceof`
 * checks (the user's, and core's own fallback decisions) compare brands, so an `AccessDeniedError` from
 * any copy is an `AccessDeniedError` to every copy.
 */
const BRAND: unique symbol = Symbol.for('polysecret.error')

type Branded = { readonly [BRAND]?: string }

function hasOwnBrand(value: unknown): value is Branded & { [BRAND]: string } {
  return typeof value === 'function' && Object.hasOwn(value, BRAND)
}

function isInstanceByBrand(cls: abstract new (...args: never[]) => unknown, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(cls, value)) return true
  if (!hasOwnBrand(cls) || typeof value !== 'object' || value === null) return false
  const wanted = cls[BRAND]
  for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const owner: unknown = Object.hasOwn(proto, 'constructor') ? proto.constructor : undefined
    if (hasOwnBrand(owner) && owner[BRAND] === wanted) return true
  }
  return false
}

/**
 * Base class of every error polysecret throws. Carries `key` and `provider` (never a value), a stable
 * `code`, whether retrying may help, and `hint` — what to do next, which is also the message's last
 * sentence.
 */
export class PolysecretError extends Error {
  static readonly [BRAND]: string = 'POLYSECRET_ERROR'

  /**
   * `error instanceof SomeError` holds for an error built by any copy of core: true when a class on the
   * error's prototype chain carries the same brand as `SomeError`. A subclass of your own is matched by
   * plain prototype identity (its instances still match every polysecret class above it, from any copy).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of `instanceof`, often a subclass
    return isInstanceByBrand(this, value)
  }

  readonly code: string = 'POLYSECRET_ERROR'
  readonly key: string | undefined
  readonly provider: string | undefined
  readonly hint: string | undefined
  /** Whether the same call may succeed if retried (throttling, timeouts, 5xx). */
  readonly retryable: boolean = false
  /** Every provider a chained read asked and why each did not answer (empty when not chained). */
  readonly tried: readonly ProviderAttempt[]

  constructor(message: string, context: ErrorContext = {}) {
    const hint = context.hint
    super(hint ? `${message} ${hint}` : message)
    this.name = new.target.name
    this.key = context.key
    this.provider = context.provider
    this.hint = hint
    this.tried = context.tried ?? []
    if (context.cause !== undefined) {
      Object.defineProperty(this, 'cause', {
        value: scrubError(context.cause),
        enumerable: false,
        writable: true,
        configurable: true,
      })
    }
  }
}

function where(context: ErrorContext): string {
  const parts = []
  if (context.key !== undefined) parts.push(`key "${context.key}"`)
  if (context.provider !== undefined) parts.push(`provider "${context.provider}"`)
  return parts.length ? ` (${parts.join(', ')})` : ''
}

/** The key does not exist in any provider that was asked. */
export class NotFoundError extends PolysecretError {
  static override readonly [BRAND] = 'NOT_FOUND'
  override readonly code = 'NOT_FOUND'
  constructor(context: ErrorContext & { message?: string } = {}) {
    super(context.message ?? `Not found${where(context)}.`, {
      hint: 'Check the key name and prefix, and that the value was written to one of the configured providers.',
      ...context,
    })
  }
}

/** The store refused the caller's credentials or permissions. Not retried, not fallen back from. */
export class AccessDeniedError extends PolysecretError {
  static override readonly [BRAND] = 'ACCESS_DENIED'
  override readonly code = 'ACCESS_DENIED'
  constructor(context: ErrorContext & { message?: string } = {}) {
    super(context.message ?? `Access denied${where(context)}.`, {
      hint: "Grant the service's identity read (or write) permission on this key; see the provider's docs page for the exact permissions.",
      ...context,
    })
  }
}

/** The store is rate-limiting. Retried with backoff; honours the store's retry-after hint. */
export class ThrottledError extends PolysecretError {
  static override readonly [BRAND] = 'THROTTLED'
  override readonly code = 'THROTTLED'
  override readonly retryable = true
  readonly retryAfterMs: number | undefined
  constructor(context: ErrorContext & { message?: string; retryAfterMs?: number | undefined } = {}) {
    super(context.message ?? `Throttled${where(context)}.`, {
      hint: 'Reduce the request rate, raise the cache ttl, or ask for a higher quota.',
      ...context,
    })
    this.retryAfterMs = context.retryAfterMs
  }
}

/** The store could not be reached or failed (timeout, connection reset, 5xx). Retried, then fallen back from. */
export class UnavailableError extends PolysecretError {
  static override readonly [BRAND] = 'UNAVAILABLE'
  override readonly code = 'UNAVAILABLE'
  override readonly retryable = true
  readonly retryAfterMs: number | undefined
  constructor(context: ErrorContext & { message?: string; retryAfterMs?: number | undefined } = {}) {
    super(context.message ?? `Store unavailable${where(context)}.`, {
      hint: 'Check network access and the endpoint; the manager retries and falls back to the next provider of the chain.',
      ...context,
    })
    this.retryAfterMs = context.retryAfterMs
  }
}

/** A write lost an optimistic-concurrency race (`ifVersion`) or `createOnly` met an existing key. */
export class ConflictError extends PolysecretError {
  static override readonly [BRAND] = 'CONFLICT'
  override readonly code = 'CONFLICT'
  readonly currentVersion: string | undefined
  constructor(context: ErrorContext & { message?: string; currentVersion?: string | undefined } = {}) {
    super(context.message ?? `Conflict${where(context)}.`, {
      hint: 'Read the current version and retry the write against it, or drop ifVersion/createOnly to overwrite.',
      ...context,
    })
    this.currentVersion = context.currentVersion
  }
}

/** A write was refused because writes are disabled or the provider cannot write. */
export class ReadOnlyError extends PolysecretError {
  static override readonly [BRAND] = 'READ_ONLY'
  override readonly code = 'READ_ONLY'
  constructor(context: ErrorContext & { message?: string } = {}) {
    super(context.message ?? `Writes are disabled${where(context)}.`, {
      hint: 'Pass allowWrites: true to the ConfigManager (or writable: true to the provider) to enable writes.',
      ...context,
    })
  }
}

/** The provider lacks a capability the call needs (versions, write, list, watch …). */
export class UnsupportedError extends PolysecretError {
  static override readonly [BRAND] = 'UNSUPPORTED'
  override readonly code = 'UNSUPPORTED'
  readonly capability: string | undefined
  constructor(context: ErrorContext & { capability?: string; message?: string } = {}) {
    super(
      context.message ??
        `Provider ${context.provider ? `"${context.provider}" ` : ''}does not support "${context.capability ?? 'this operation'}"${context.key !== undefined ? ` (key "${context.key}")` : ''}.`,
      { hint: 'Use a provider that declares this capability, or route the key elsewhere.', ...context },
    )
    this.capability = context.capability
  }
}

/** Stored data failed authentication: tampered, truncated, foreign, or the wrong key/passphrase. */
export class IntegrityError extends PolysecretError {
  static override readonly [BRAND] = 'INTEGRITY'
  override readonly code = 'INTEGRITY'
  constructor(context: ErrorContext & { message?: string } = {}) {
    super(context.message ?? `Integrity check failed${where(context)}.`, {
      hint: 'Check the passphrase or key; if it is right, the file was modified or truncated — restore it from a backup.',
      ...context,
    })
  }
}

/**
 * Every provider of a chain was unreachable and the offline snapshot's value for the key is older than
 * `snapshot.maxAge`, so it was refused. Retryable: the value is served again once a store answers.
 */
export class SnapshotExpiredError extends PolysecretError {
  static override readonly [BRAND] = 'SNAPSHOT_EXPIRED'
  override readonly code = 'SNAPSHOT_EXPIRED'
  override readonly retryable = true
  /** When the manager last read the refused value from its store. */
  readonly readAt: Date
  /** The `snapshot.maxAge` it exceeded, in milliseconds. */
  readonly maxAge: number
  constructor(context: ErrorContext & { message?: string; readAt: Date; maxAge: number }) {
    super(context.message ?? `The snapshot value${where(context)} is older than snapshot.maxAge.`, {
      hint: 'Restore access to the store (the manager keeps trying), or raise snapshot.maxAge if older values are acceptable.',
      ...context,
    })
    this.readAt = context.readAt
    this.maxAge = context.maxAge
  }
}

/** Invalid input or configuration: a bad key, a malformed file, an unknown provider type, bad options. */
export class ValidationError extends PolysecretError {
  static override readonly [BRAND] = 'VALIDATION'
  override readonly code = 'VALIDATION'
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context)
  }
}

/**
 * An optional library a feature needs is not installed (certificates need `@peculiar/x509` and
 * `reflect-metadata`, the `bcrypt` template helper needs `bcryptjs`). `packages` lists what to install.
 */
export class MissingDependencyError extends PolysecretError {
  static override readonly [BRAND] = 'MISSING_DEPENDENCY'
  override readonly code = 'MISSING_DEPENDENCY'
  readonly packages: readonly string[]
  constructor(context: ErrorContext & { feature: string; packages: readonly string[] }) {
    super(`${context.feature} needs ${context.packages.join(' and ')}, which could not be loaded.`, {
      hint: `Install ${context.packages.length > 1 ? 'them' : 'it'} next to @polysecret/core: npm i ${context.packages.join(' ')}`,
      ...context,
    })
    this.packages = context.packages
  }
}

/** One schema problem: which key, why, and which provider served the value. Never the value. */
export interface ConfigIssue {
  readonly key: string
  /** Path inside the value for nested schemas, e.g. `["DATABASE", "port"]`. */
  readonly path: readonly (string | number)[]
  /** What is wrong. For a secret key only the rule and what it expects, never the schema's own words. */
  readonly message: string
  /** The schema's rule that failed (`invalid_type`, `min_length`, `too_small` …), when it names one. */
  readonly rule?: string | undefined
  readonly provider?: string | undefined
}

/** Every problem found while loading a schema, reported at once. */
export class ConfigValidationError extends PolysecretError {
  static override readonly [BRAND] = 'CONFIG_INVALID'
  override readonly code = 'CONFIG_INVALID'
  readonly issues: readonly ConfigIssue[]
  constructor(issues: readonly ConfigIssue[], context: Pick<ErrorContext, 'cause'> = {}) {
    super(
      `Configuration is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${formatIssues(issues)}`,
      {
        hint: '\nFix the values in their providers (or the schema) and restart.',
        cause: context.cause,
      },
    )
    this.issues = issues
  }
}

/** Formats issues one per line: `✖ KEY: message (provider "x")`. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((i) => {
      const path = i.path.length > 1 ? ` → at ${i.path.join('.')}` : ''
      return `  ✖ ${i.key}: ${i.message}${path}${i.provider ? ` (provider "${i.provider}")` : ''}`
    })
    .join('\n')
}

/** One provider's answer during a chained read, as reported in errors and metadata. */
export interface ProviderAttempt {
  readonly provider: string
  readonly outcome: 'not-found' | 'error' | 'skipped'
  /** The error code (`UNAVAILABLE`, `ACCESS_DENIED` …) when the outcome is an error or a skip. */
  readonly code?: string | undefined
  /** Why, in words; never a value. */
  readonly reason?: string | undefined
}

/** Several destinations of one write did not all succeed; `results` says which did. */
export class WriteError extends PolysecretError {
  static override readonly [BRAND] = 'WRITE_FAILED'
  override readonly code = 'WRITE_FAILED'
  readonly results: readonly WriteDestinationResult[]
  constructor(context: ErrorContext & { results: readonly WriteDestinationResult[] }) {
    const failed = context.results.filter((r) => !r.ok)
    const ok = context.results.filter((r) => r.ok)
    super(
      `Write of key "${context.key}" failed at ${failed.map((r) => `"${r.provider}" (${r.error?.code ?? 'error'})`).join(', ')}${ok.length ? `; it succeeded at ${ok.map((r) => `"${r.provider}"`).join(', ')}` : ''}.`,
      {
        hint: 'Retry the write for the failed destinations (to: [...]); successful ones already hold the new value.',
        ...context,
      },
    )
    this.results = context.results
  }
}

/** The outcome of a write at one destination. */
export interface WriteDestinationResult {
  readonly provider: string
  readonly ok: boolean
  /** The version written, when `ok`. */
  readonly version?: string | undefined
  readonly error?: PolysecretError | undefined
}

/**
 * Whether a value is a polysecret error — built by this copy of `@polysecret/core` or by any other
 * (the ESM and CommonJS builds, or another installed version), recognised by its brand.
 */
export function isPolysecretError(error: unknown): error is PolysecretError {
  return error instanceof PolysecretError
}

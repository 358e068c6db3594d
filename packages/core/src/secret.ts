import { timingSafeEqual } from 'node:crypto'

const REDACTED = '[REDACTED]'

/**
 * Recently seen secret values, so error scrubbing can remove them even when they look like nothing
 * in particular (a store's error message quoting a value). Bounded; values shorter than 6 characters
 * are left out because replacing them would shred ordinary words.
 */
const recentValues = new Set<string>()
const RECENT_LIMIT = 1000

/** Records a secret value for scrubbing (see {@link knownSecretValues}). */
export function rememberSecretValue(value: string): void {
  if (value.length < 6 || recentValues.has(value)) return
  recentValues.add(value)
  if (recentValues.size > RECENT_LIMIT) recentValues.delete(recentValues.values().next().value!)
  recentValuesVersion++
}

let recentValuesVersion = 0

/** Changes whenever the remembered values change, so scrubbing can cache what it derives from them. */
export function knownSecretValuesVersion(): number {
  return recentValuesVersion
}

/** The secret values scrubbing removes from error text, longest first. */
export function knownSecretValues(): string[] {
  return [...recentValues].sort((a, b) => b.length - a.length)
}
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/**
 * A secret value that cannot be printed by accident.
 *
 * `String(s)`, template literals, `JSON.stringify`, `util.inspect` and `console.log` all show
 * `[REDACTED]`; only {@link Secret.reveal} returns the value. The value lives in a private field, so it
 * is invisible to `Object.keys`, spreading, structured clone and the inspector's property listing.
 *
 * @example
 * ```ts
 * import { Secret } from '@polysecret/core'
 * const s = new Secret('hunter2')
 * console.log(`password: ${s}`) // password: [REDACTED]
 * connect({ password: s.reveal() })
 * ```
 */
export class Secret {
  readonly #value: string

  constructor(value: string) {
    if (typeof value !== 'string') throw new TypeError('A Secret holds a string.')
    this.#value = value
    rememberSecretValue(value)
  }

  /** The value. Call it at the point of use, and do not keep the result around. */
  reveal(): string {
    return this.#value
  }

  /** A new secret from a function of this one's value (e.g. parsing JSON), still wrapped. */
  map(fn: (value: string) => string): Secret {
    return new Secret(fn(this.#value))
  }

  /** Constant-time comparison with another secret or a plain value. */
  equals(other: Secret | string): boolean {
    const a = Buffer.from(this.#value)
    const b = Buffer.from(other instanceof Secret ? other.reveal() : other)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  /** Length of the value in characters — safe to show, useful to spot an empty secret. */
  get length(): number {
    return this.#value.length
  }

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [Symbol.toPrimitive](): string {
    return REDACTED
  }

  [inspectSymbol](): string {
    return `Secret(${REDACTED})`
  }

  static isSecret(value: unknown): value is Secret {
    return value instanceof Secret
  }
}

/** Reveals a secret, or returns a plain value unchanged. */
export function revealValue<T>(value: Secret | T): string | T {
  return value instanceof Secret ? value.reveal() : value
}

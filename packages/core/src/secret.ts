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
 * A `Secret` is not bytes: it has no `length` and is not iterable, and `Buffer.from(s)`,
 * `new Uint8Array(s)`, `Array.from(s)`, `[...s]` and `valueOf()` throw a `TypeError` pointing to
 * `reveal()`; `crypto.createHmac(alg, s)` is refused by Node itself. None of them can silently key
 * anything with zeros or with the text `[REDACTED]`. (`new TextEncoder().encode(s)` converts with
 * `String(s)` and encodes `[REDACTED]`, like any other string conversion.)
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

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [Symbol.toPrimitive](): string {
    return REDACTED
  }

  /**
   * Throws: a `Secret` is not a number or bytes. `Buffer.from(secret)` asks for `valueOf()` first, so
   * this is what turns a would-be HMAC key of `[REDACTED]` (or of zeros) into a clear error.
   */
  valueOf(): never {
    throw notBytes('valueOf()')
  }

  [inspectSymbol](): string {
    return `Secret(${REDACTED})`
  }

  static isSecret(value: unknown): value is Secret {
    return value instanceof Secret
  }

  static {
    // A Secret is neither array-like (no `length`) nor iterable: `new Uint8Array(secret)`,
    // `Array.from(secret)` and `[...secret]` would otherwise give an empty or zero-filled result
    // silently. Iterating throws instead. Defined outside the class body so TypeScript does not call
    // Secret `Iterable` and still rejects those calls at compile time.
    Object.defineProperty(Secret.prototype, Symbol.iterator, {
      value: function iterate(): never {
        throw notBytes('iteration')
      },
      writable: false,
      enumerable: false,
      configurable: false,
    })
  }
}

function notBytes(use: string): TypeError {
  return new TypeError(
    `A Secret cannot be converted to bytes, a number or an array (${use}). Call secret.reveal() at the point of use, e.g. Buffer.from(secret.reveal()) or createHmac('sha256', secret.reveal()).`,
  )
}

/** Reveals a secret, or returns a plain value unchanged. */
export function revealValue<T>(value: Secret | T): string | T {
  return value instanceof Secret ? value.reveal() : value
}

import { timingSafeEqual } from 'node:crypto'

const REDACTED = '[REDACTED]'
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

import type { Live } from './live-config.js'
import { Secret } from './secret.js'

/**
 * A loaded config keeps secret fields as the plain values the schema asked for
 * (`config.DB_PASSWORD === 'hunter2'`), yet prints them masked. The masking lives on the object itself
 * as non-enumerable `toJSON` and `util.inspect.custom` methods, so the fields stay ordinary:
 * `Object.keys`, spreading, destructuring and `===` behave as on any object.
 *
 * What masks: `console.log`, `util.inspect`, `util.format('%o' / '%O' / '%j')`, `JSON.stringify`,
 * `String()` (`[object Object]`), and the same for an object or array a secret was parsed into.
 * What does not: copies — `{ ...config }`, `Object.entries`, `structuredClone`, `Object.assign` — are
 * plain objects holding the plain values, as they must be to be usable. {@link revealConfig} makes
 * such a copy on purpose.
 */

const MASK = '[REDACTED]'
const inspectCustom = Symbol.for('nodejs.util.inspect.custom')

/** Shown in place of a secret by `util.inspect`: `[REDACTED]`, unquoted, like `Secret`. */
const masked = { [inspectCustom]: () => MASK }

/** Objects this module masked, with the fields that are secrets (`'*'` = every field). */
const secretFieldsOf = new WeakMap<object, ReadonlySet<string> | '*'>()

const isContainer = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !(value instanceof Secret)

/**
 * Makes a loaded config print its secret fields masked. `secretKeys` are the top-level fields read as
 * secrets; an object or array such a field holds (a JSON secret parsed by the schema) masks every
 * value inside it. Returns the same object.
 */
export function maskSecrets<T>(config: T, secretKeys: readonly string[]): T {
  if (!isContainer(config) || secretKeys.length === 0) return config
  const fields = new Set(secretKeys)
  attach(config, fields)
  for (const key of fields) {
    const value = (config as Record<string, unknown>)[key]
    if (isContainer(value)) maskAll(value)
  }
  return config
}

function maskAll(value: object): void {
  if (secretFieldsOf.get(value) === '*') return
  attach(value, '*')
  for (const inner of Object.values(value)) if (isContainer(inner)) maskAll(inner)
}

function attach(target: object, fields: ReadonlySet<string> | '*'): void {
  if (!Object.isExtensible(target)) return
  secretFieldsOf.set(target, fields)
  const hidden = (name: PropertyKey, value: unknown) => {
    if (Object.hasOwn(target, name)) return // a config field of that name wins
    Object.defineProperty(target, name, { value, enumerable: false, writable: true, configurable: true })
  }
  hidden('toJSON', function toJSON(this: object) {
    return printable(this, fields, () => MASK)
  })
  // util.inspect formats whatever a custom inspector returns, at the depth and with the options it had.
  hidden(inspectCustom, function inspectMasked(this: object) {
    return printable(this, fields, () => masked)
  })
}

/** A copy for printing: secret fields replaced; nested masked objects print themselves. */
function printable(source: object, fields: ReadonlySet<string> | '*', mask: () => unknown): unknown {
  const isSecret = (key: string) => fields === '*' || fields.has(key)
  const copy = (key: string, value: unknown) => {
    if (value === undefined || value instanceof Secret) return value
    if (!isSecret(key)) return value
    return isContainer(value) ? value : mask()
  }
  if (Array.isArray(source)) return source.map((v, i) => copy(String(i), v))
  return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, copy(k, v)]))
}

/**
 * A deep, unmasked, plain copy of a config `load()` returned (or of `live.current`): for handing the
 * values on to code that serialises them, on purpose. `Secret` instances stay wrapped. Do not log it.
 *
 * @example
 * ```ts
 * import { revealConfig } from '@polysecret/core'
 * const config = await manager.load(schema)
 * console.log(config)                 // { DB_HOST: 'db', DB_PASSWORD: [REDACTED] }
 * worker.postMessage(revealConfig(config)) // plain values, no masking
 * ```
 */
export function revealConfig<T>(config: Live<T>): T
export function revealConfig<T>(config: T): T
export function revealConfig<T>(config: T): T {
  const live = isContainer(config) ? liveCurrent.get(config) : undefined
  return plainCopy(live ? live() : config) as T
}

/** Live configs (the proxies `load(schema, { watch: true })` returns) and how to read their current config. */
const liveCurrent = new WeakMap<object, () => unknown>()

/** @internal Lets {@link revealConfig} take a live config and copy its current config. */
export function registerLiveConfig(live: object, current: () => unknown): void {
  liveCurrent.set(live, current)
}

function plainCopy(value: unknown): unknown {
  if (!isContainer(value)) return value
  if (Array.isArray(value)) return value.map(plainCopy)
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value // Date, URL, class instances: as they are
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainCopy(v)]))
}

/** Whether a value is a config (or a part of one) that masks its secrets when printed. */
export function isMaskedConfig(value: unknown): boolean {
  return isContainer(value) && secretFieldsOf.has(value)
}

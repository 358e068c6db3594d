import { ValidationError } from './errors.js'

/**
 * How a flat polysecret key maps to a store's name and back, for providers whose stores name things
 * differently (Parameter Store paths, Secret Manager secret ids). Both functions see only the part
 * after the provider's `prefix`: the provider prepends the prefix to `toName`'s result and strips it
 * before calling `toKey`.
 *
 * @example
 * ```ts
 * // DB_PASSWORD ↔ db-password
 * const kebab: KeyMapping = {
 *   toName: (key) => key.toLowerCase().replaceAll('_', '-'),
 *   toKey: (name) => name.toUpperCase().replaceAll('-', '_'),
 * }
 * ```
 */
export interface KeyMapping {
  /** Key → store name relative to the prefix. */
  toName(key: string): string
  /** Store name relative to the prefix → key; `undefined` skips the name in `list`. */
  toKey(name: string): string | undefined
}

/** The key is the store name, unchanged. */
export const IDENTITY_KEY_MAPPING: KeyMapping = Object.freeze({
  toName: (key: string) => key,
  toKey: (name: string) => name,
})

/**
 * A provider's `keyMapping` option — a built-in mapping's name or a custom `{ toName, toKey }` —
 * resolved to a mapping; `undefined` when the option is neither (report it as an option problem).
 * An omitted option resolves to the built-in named `defaultName`.
 */
export function resolveKeyMapping(
  option: unknown,
  builtIns: Readonly<Record<string, KeyMapping>>,
  defaultName: string,
): KeyMapping | undefined {
  const name = option === undefined ? defaultName : option
  if (typeof name === 'string') return Object.hasOwn(builtIns, name) ? builtIns[name] : undefined
  const custom = option as Partial<KeyMapping> | null
  if (custom !== null && typeof custom.toName === 'function' && typeof custom.toKey === 'function') {
    return custom as KeyMapping
  }
  return undefined
}

/** A key as a store with whole-object values sees it: the name, and the field after `#`, if any. */
export interface FieldKey {
  /** The key as given (`db#password`). */
  readonly key: string
  /** The part before `#` (`db`). */
  readonly name: string
  /** The part after the first `#` (`password`), or `undefined`. */
  readonly field: string | undefined
}

/**
 * Splits `name#field`. Cloud secret and parameter names cannot contain `#`, so the first `#` is the
 * separator; a key that is empty or has an empty side is a `ValidationError`.
 */
export function splitFieldKey(key: string, provider: string): FieldKey {
  if (typeof key !== 'string' || key === '') {
    throw new ValidationError(`Key must be a non-empty string (provider "${provider}").`, { provider })
  }
  const hash = key.indexOf('#')
  const name = hash === -1 ? key : key.slice(0, hash)
  const field = hash === -1 ? undefined : key.slice(hash + 1)
  if (name === '' || field === '') {
    throw new ValidationError(`Key "${key}" is not "name" or "name#field" (provider "${provider}").`, {
      key,
      provider,
    })
  }
  return { key, name, field }
}

/**
 * Selects `field` of a JSON object held as text: strings as-is, anything else JSON-stringified, a
 * missing field `undefined`. Text that is not a JSON object is a `ValidationError` naming the key and
 * provider — never the text, which may be the secret.
 */
export function selectJsonField(
  text: string,
  field: string,
  key: string,
  provider: string,
): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValidationError(
      `The value of key "${key}" is not a JSON object, so field "${field}" cannot be selected (provider "${provider}").`,
      { key, provider, hint: 'Read the key without "#field", or store the value as a JSON object.' },
    )
  }
  const record = parsed as Record<string, unknown>
  if (!Object.hasOwn(record, field)) return undefined
  const selected = record[field]
  return typeof selected === 'string' ? selected : JSON.stringify(selected)
}

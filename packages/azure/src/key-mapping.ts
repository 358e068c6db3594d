import {
  IDENTITY_KEY_MAPPING,
  type KeyMapping,
  resolveKeyMapping,
  splitFieldKey,
  ValidationError,
} from '@polysecret/core'

/**
 * Built-in key mappings between flat keys and Key Vault secret names (which allow only letters,
 * digits and `-`, 1–127 characters, compared case-insensitively):
 * - `'kebab'` (default): lower-case with `-` for `_` (`DB_PASSWORD` ↔ `db-password`). Lossy on the way
 *   back: `list` maps every name to upper case with `_` for `-`, so `db-password`, `DB-PASSWORD` and a
 *   key written as `db-password` all list as `DB_PASSWORD` (Key Vault itself treats them as one name).
 * - `'identity'`: the key is the name, unchanged (`db-password` ↔ `db-password`); keys with `_` are
 *   then refused before any call.
 *
 * Or pass your own `{ toName, toKey }` (core's `KeyMapping`).
 */
export type KeyVaultKeyMappingName = 'kebab' | 'identity'

const KEBAB: KeyMapping = Object.freeze({
  toName: (key: string) => key.toLowerCase().replaceAll('_', '-'),
  toKey: (name: string) => name.toUpperCase().replaceAll('-', '_'),
})

const BUILT_INS = { kebab: KEBAB, identity: IDENTITY_KEY_MAPPING }

const NAME = /^[0-9a-zA-Z-]{1,127}$/

/** A key as Key Vault sees it: the secret name, and the JSON field after `#`, if any. */
export interface NameRef {
  readonly key: string
  readonly name: string
  readonly field: string | undefined
}

/** Keys ↔ Key Vault secret names for one provider: its prefix and mapping. */
export interface SecretNames {
  /** The secret name of `key` (`name#field` splits first); a key Key Vault cannot name is a ValidationError before any call. */
  ref(key: string): NameRef
  /** The key of a secret name; `undefined` for names outside the prefix or refused by the mapping. */
  key(name: string): string | undefined
}

/** Problems with the `prefix` / `keyMapping` options, for the factory's eager validation. */
export function secretNameIssues(prefix: unknown, mapping: unknown): string[] {
  const issues: string[] = []
  if (
    prefix !== undefined &&
    (typeof prefix !== 'string' || (prefix !== '' && !/^[0-9a-zA-Z-]+$/.test(prefix)))
  ) {
    issues.push('prefix may contain only letters, digits and "-" (Key Vault secret names allow nothing else)')
  }
  if (resolveKeyMapping(mapping, BUILT_INS, 'kebab') === undefined) {
    issues.push('keyMapping must be "kebab", "identity" or { toName(key), toKey(name) }')
  }
  return issues
}

/** Builds the key ↔ name functions of a provider (options already validated). */
export function secretNames(prefix: string, option: unknown, provider: string): SecretNames {
  const mapping = resolveKeyMapping(option, BUILT_INS, 'kebab') as KeyMapping
  const lowerPrefix = prefix.toLowerCase()
  return {
    ref(key) {
      const { name, field } = splitFieldKey(key, provider)
      const secret = `${prefix}${mapping.toName(name)}`
      if (!NAME.test(secret)) {
        throw new ValidationError(
          `Key "${key}" cannot be a Key Vault secret name ("${secret}" is not 1–127 letters, digits or "-") (provider "${provider}").`,
          {
            key,
            provider,
            hint: 'Rename the key, map it with the keyMapping option, or keep it in another provider.',
          },
        )
      }
      return { key, name: secret, field }
    },
    key(name) {
      // Key Vault names are case-insensitive, so the prefix is too.
      if (!name.toLowerCase().startsWith(lowerPrefix)) return undefined
      return mapping.toKey(name.slice(prefix.length))
    },
  }
}

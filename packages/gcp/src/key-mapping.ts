import {
  IDENTITY_KEY_MAPPING,
  type KeyMapping,
  resolveKeyMapping,
  splitFieldKey,
  ValidationError,
} from '@polysecret/core'

/**
 * Built-in key mappings between flat keys and Secret Manager secret ids / Parameter Manager parameter
 * ids (which allow letters, digits, `_` and `-`):
 * - `'identity'` (default): the key is the id after the prefix, unchanged (`DB_PASSWORD` ↔
 *   `DB_PASSWORD`). Round-trips every valid key, and matches what `gcloud` and Cloud Run show.
 * - `'kebab'`: lower-case with `-` for `_` (`DB_PASSWORD` ↔ `db-password`); `list` returns upper-case
 *   keys with `_`. For projects that name secrets in kebab-case.
 */
export type GcpKeyMappingName = 'identity' | 'kebab'

const KEBAB: KeyMapping = Object.freeze({
  toName: (key: string) => key.toLowerCase().replaceAll('_', '-'),
  toKey: (name: string) => name.toUpperCase().replaceAll('-', '_'),
})

const BUILT_INS = { identity: IDENTITY_KEY_MAPPING, kebab: KEBAB }

/** Secret ids: `[a-zA-Z0-9_-]{1,255}`; parameter ids: the same characters, at most 63 of them. */
const ID_CHARS = /^[a-zA-Z0-9_-]+$/

/** What a store's ids look like. */
export interface IdRules {
  /** `'secret'` or `'parameter'`, for messages. */
  readonly noun: string
  readonly maxLength: number
}

export const SECRET_IDS: IdRules = { noun: 'secret', maxLength: 255 }
export const PARAMETER_IDS: IdRules = { noun: 'parameter', maxLength: 63 }

/** A key as the store sees it: the resource id, and the field (path) after `#`, if any. */
export interface IdRef {
  readonly key: string
  readonly id: string
  readonly field: string | undefined
}

/** Keys ↔ resource ids for one provider: its prefix and mapping. */
export interface ResourceIds {
  /** The id of `key` (`name#field` splits first); a key the store cannot hold is a ValidationError before any call. */
  ref(key: string): IdRef
  /** The key of a resource id; `undefined` for ids outside the prefix or refused by the mapping. */
  key(id: string): string | undefined
}

/** Problems with the `prefix` / `keyMapping` options, for the factory's eager validation. */
export function keyMappingIssues(prefix: unknown, mapping: unknown, rules: IdRules): string[] {
  const issues: string[] = []
  if (prefix !== undefined && (typeof prefix !== 'string' || (prefix !== '' && !ID_CHARS.test(prefix)))) {
    issues.push(`prefix may contain only letters, digits, "_" and "-" (${rules.noun} ids allow nothing else)`)
  }
  if (resolveKeyMapping(mapping, BUILT_INS, 'identity') === undefined) {
    issues.push('keyMapping must be "identity", "kebab" or { toName(key), toKey(name) }')
  }
  return issues
}

/** Builds the key ↔ id functions of a provider (options already validated). */
export function resourceIds(prefix: string, option: unknown, rules: IdRules, provider: string): ResourceIds {
  const mapping = resolveKeyMapping(option, BUILT_INS, 'identity') as KeyMapping
  return {
    ref(key) {
      const { name, field } = splitFieldKey(key, provider)
      const id = `${prefix}${mapping.toName(name)}`
      if (!ID_CHARS.test(id) || id.length > rules.maxLength) {
        throw new ValidationError(
          `Key "${key}" cannot be a ${rules.noun} id ("${id}" is not 1–${rules.maxLength} letters, digits, "_" or "-") (provider "${provider}").`,
          {
            key,
            provider,
            hint: 'Rename the key, map it with the keyMapping option, or keep it in another provider.',
          },
        )
      }
      return { key, id, field }
    },
    key(id) {
      if (!id.startsWith(prefix)) return undefined
      return mapping.toKey(id.slice(prefix.length))
    },
  }
}

import {
  IDENTITY_KEY_MAPPING,
  type KeyMapping,
  resolveKeyMapping,
  splitFieldKey,
  ValidationError,
} from '@polysecret/core'

/** Built-in key mappings: only `'identity'` (the key is the store name); pass `{ toName, toKey }` for others. */
export type KubernetesKeyMappingName = 'identity'

const BUILT_INS = { identity: IDENTITY_KEY_MAPPING }

/** An object name: a DNS subdomain (RFC 1123), at most 253 characters. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
/** A Secret or ConfigMap data key: `[-._a-zA-Z0-9]+`, at most 253, not `.`/`..` or starting with `..`. */
const DATA_KEY = /^[-._a-zA-Z0-9]+$/

export function isObjectName(name: string): boolean {
  return name.length <= 253 && OBJECT_NAME.test(name)
}

export function isDataKey(key: string): boolean {
  return key.length <= 253 && DATA_KEY.test(key) && key !== '.' && !key.startsWith('..')
}

/** A key as the API server sees it: which object, which entry in its data, and the JSON field after `#`. */
export interface ObjectRef {
  readonly key: string
  readonly object: string
  readonly dataKey: string
  readonly field: string | undefined
}

/** Keys ↔ (object, data key) for one provider. */
export interface ObjectKeys {
  /** The object and data key of `key`; a key the API server cannot hold is a ValidationError before any call. */
  ref(key: string): ObjectRef
  /** The key of a data entry; `undefined` when the mapping refuses it (left out of `list`). */
  key(object: string, dataKey: string): string | undefined
}

/** Problems with the `name` / `keyMapping` options, for the factory's eager validation. */
export function keyMappingIssues(object: unknown, mapping: unknown): string[] {
  const issues: string[] = []
  if (object !== undefined && (typeof object !== 'string' || !isObjectName(object))) {
    issues.push('name must be an object name (a DNS subdomain: lower-case letters, digits, "-" and ".")')
  }
  if (resolveKeyMapping(mapping, BUILT_INS, 'identity') === undefined) {
    issues.push('keyMapping must be "identity" or { toName(key), toKey(name) }')
  }
  return issues
}

/**
 * Builds the key functions of a provider (options already validated). Without a fixed `object`, a
 * key is `object/dataKey` (object names cannot contain `/`, so the first `/` separates); with one, a
 * key is a data key of that object. `#field` selects a field of a JSON value in both forms.
 */
export function objectKeys(object: string | undefined, option: unknown, provider: string): ObjectKeys {
  const mapping = resolveKeyMapping(option, BUILT_INS, 'identity') as KeyMapping
  const invalid = (key: string, why: string) =>
    new ValidationError(`Key "${key}" ${why} (provider "${provider}").`, {
      key,
      provider,
      hint:
        object === undefined
          ? 'Keys are "object/key" (e.g. "db-credentials/password"), or set the name option to read keys of one object.'
          : `Keys are data keys of object "${object}" ([-._a-zA-Z0-9], at most 253 characters).`,
    })
  return {
    ref(key) {
      const { name, field } = splitFieldKey(key, provider)
      const stored = mapping.toName(name)
      if (object !== undefined) {
        if (!isDataKey(stored)) throw invalid(key, `is not a valid data key ("${stored}")`)
        return { key, object, dataKey: stored, field }
      }
      const slash = stored.indexOf('/')
      const target = slash === -1 ? '' : stored.slice(0, slash)
      const dataKey = slash === -1 ? '' : stored.slice(slash + 1)
      if (!isObjectName(target) || !isDataKey(dataKey)) {
        throw invalid(key, `is not "object/key" with a valid object name and data key ("${stored}")`)
      }
      return { key, object: target, dataKey, field }
    },
    key(target, dataKey) {
      return mapping.toKey(object === undefined ? `${target}/${dataKey}` : dataKey)
    },
  }
}

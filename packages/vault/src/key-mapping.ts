import { type KeyMapping, resolveKeyMapping, splitFieldKey, ValidationError } from '@polysecret/core'

/** Names of the built-in key mappings. */
export type VaultKeyMappingName = 'identity'

const BUILT_INS: Readonly<Record<VaultKeyMappingName, KeyMapping>> = {
  identity: { toName: (key) => key, toKey: (name) => name },
}

/** A key as Vault sees it: the secret's path under the mount and the field inside its data. */
export interface VaultKey {
  /** The key as given (`app/db#password`). */
  readonly key: string
  /** The path under the mount, prefix included (`app/db`). */
  readonly path: string
  /** The field inside the secret's data: the part after `#`, else the default field. */
  readonly field: string
  /** Whether the key named its field (`#password`); list reports such keys only for non-default fields. */
  readonly explicitField: boolean
}

/** How keys map to paths and fields, resolved once per provider. */
export interface VaultKeys {
  parse(key: string): VaultKey
  /** The key for a listed path and one of its fields; `undefined` when the mapping skips the path. */
  keyOf(path: string, field: string): string | undefined
  /** The path list walks for a key prefix: the folder part of the prefix (prefix option included). */
  readonly prefix: string
  readonly defaultField: string
}

const PATH_SEGMENT = /^[^/]+(\/[^/]+)*$/

/** Option problems of `keyMapping`, `prefix` and `defaultField`, for assertValidOptions. */
export function keyOptionIssues(o: Record<string, unknown>): string[] {
  const issues: string[] = []
  if (resolveKeyMapping(o.keyMapping, BUILT_INS, 'identity') === undefined) {
    issues.push(`keyMapping must be 'identity' or { toName(key), toKey(name) }`)
  }
  if (o.prefix !== undefined && (typeof o.prefix !== 'string' || !/^([^/#]+\/)*$/.test(o.prefix))) {
    issues.push('prefix must be a folder path ending in "/" (e.g. "myapp/"), without "#"')
  }
  if (o.defaultField !== undefined && (typeof o.defaultField !== 'string' || o.defaultField === '')) {
    issues.push('defaultField must be a non-empty string (the field a key without "#field" reads)')
  }
  return issues
}

/**
 * Keys are `path#field`: `app/db#password` reads field `password` of the secret at `app/db`. A key
 * without `#` reads the default field (`value`), so `FEATURE_FLAG` is the secret at path
 * `FEATURE_FLAG` holding `{ value: "on" }` — one key, one path, as `vault kv put FEATURE_FLAG value=on`
 * writes it.
 */
export function vaultKeys(
  options: { keyMapping?: unknown; prefix?: string | undefined; defaultField?: string | undefined },
  provider: string,
): VaultKeys {
  const mapping = resolveKeyMapping(options.keyMapping, BUILT_INS, 'identity')!
  const prefix = options.prefix ?? ''
  const defaultField = options.defaultField ?? 'value'
  return {
    prefix,
    defaultField,
    parse(key) {
      const split = splitFieldKey(key, provider)
      const path = `${prefix}${mapping.toName(split.name)}`
      if (!PATH_SEGMENT.test(path)) {
        throw new ValidationError(
          `Key "${key}" does not map to a Vault path (empty segments or a leading/trailing "/") (provider "${provider}").`,
          { key, provider, hint: 'Use keys like "app/db#password" or "API_TOKEN".' },
        )
      }
      return { key, path, field: split.field ?? defaultField, explicitField: split.field !== undefined }
    },
    keyOf(path, field) {
      if (!path.startsWith(prefix)) return undefined
      const name = mapping.toKey(path.slice(prefix.length))
      if (name === undefined) return undefined
      return field === defaultField ? name : `${name}#${field}`
    },
  }
}

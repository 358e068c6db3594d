/**
 * How a flat polysecret key maps to a Parameter Store name and back. Both functions see only the part
 * after the provider's `prefix`: the provider prepends the prefix to `toName`'s result and strips it
 * before calling `toKey`.
 *
 * @example
 * ```ts
 * import { parameterStore } from '@polysecret/aws'
 *
 * // DB__HOST ↔ /app/db/host
 * const ssm = parameterStore({
 *   prefix: '/app/',
 *   keyMapping: {
 *     toName: (key) => key.toLowerCase().replaceAll('__', '/'),
 *     toKey: (name) => name.replaceAll('/', '__').toUpperCase(),
 *   },
 * })
 * ```
 */
export interface KeyMapping {
  /** Key → parameter name relative to the prefix. */
  toName(key: string): string
  /** Parameter name relative to the prefix → key; `undefined` skips the parameter in `list`. */
  toKey(name: string): string | undefined
}

/**
 * Built-in mappings:
 * - `'path'`: the key is the name after the prefix, unchanged. `/` in a key is a hierarchy level
 *   (`db/host` ↔ `/app/db/host`); `.` stays a dot (`db.host` ↔ `/app/db.host`). Round-trips every key.
 * - `'dotted'`: `.` in a key is a hierarchy level (`db.host` ↔ `/app/db/host`). Keys may not contain `/`,
 *   and a prefix is required (SSM hierarchies start with `/`).
 */
export type KeyMappingName = 'path' | 'dotted'

const PATH: KeyMapping = Object.freeze({
  toName: (key: string) => key,
  toKey: (name: string) => name,
})

const DOTTED: KeyMapping = Object.freeze({
  toName: (key: string) => key.replaceAll('.', '/'),
  toKey: (name: string) => name.replaceAll('/', '.'),
})

/** Resolves a mapping option to a mapping (custom objects pass through). */
export function resolveKeyMapping(mapping: KeyMappingName | KeyMapping | undefined): KeyMapping | undefined {
  if (mapping === undefined || mapping === 'path') return PATH
  if (mapping === 'dotted') return DOTTED
  if (
    typeof mapping === 'object' &&
    typeof mapping.toName === 'function' &&
    typeof mapping.toKey === 'function'
  ) {
    return mapping
  }
  return undefined
}

/** Whether a mapping is one of the built-ins, whose `toName` of a key prefix is a name prefix. */
export function isBuiltInMapping(mapping: KeyMapping): boolean {
  return mapping === PATH || mapping === DOTTED
}

/** Whether a mapping is the built-in dotted one (which forbids `/` in keys). */
export function isDotted(mapping: KeyMapping): boolean {
  return mapping === DOTTED
}

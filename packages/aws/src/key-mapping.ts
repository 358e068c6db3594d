import {
  type KeyMapping as CoreKeyMapping,
  IDENTITY_KEY_MAPPING,
  resolveKeyMapping as resolveMapping,
  ValidationError,
} from '@polysecret/core'

/**
 * How a flat polysecret key maps to a Parameter Store name and back (core's `KeyMapping`). Both
 * functions see only the part after the provider's `prefix`.
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
export type KeyMapping = CoreKeyMapping

/**
 * Built-in mappings:
 * - `'path'`: the key is the name after the prefix, unchanged. `/` in a key is a hierarchy level
 *   (`db/host` ↔ `/app/db/host`); `.` stays a dot (`db.host` ↔ `/app/db.host`). Round-trips every key.
 * - `'dotted'`: `.` in a key is a hierarchy level (`db.host` ↔ `/app/db/host`). Keys may not contain `/`,
 *   and a prefix is required (SSM hierarchies start with `/`).
 */
export type KeyMappingName = 'path' | 'dotted'

const PATH: KeyMapping = IDENTITY_KEY_MAPPING

const DOTTED: KeyMapping = Object.freeze({
  toName: (key: string) => key.replaceAll('.', '/'),
  toKey: (name: string) => name.replaceAll('/', '.'),
})

/** Keys ↔ parameter names for one provider: its prefix and mapping. */
export interface ParameterNames {
  /**
   * Full parameter name of a key; throws ValidationError for a key the mapping cannot hold or a name
   * SSM would refuse ({@link parameterNameProblem}) — checked before any call, so one bad key cannot
   * fail a whole `GetParameters` batch. `'write'` adds the rules only PutParameter enforces.
   */
  name(key: string, purpose?: 'read' | 'write'): string
  /** Key of a full parameter name; `undefined` for names outside the prefix (or refused by the mapping). */
  key(parameterName: string): string | undefined
  /**
   * The GetParametersByPath `Path` covering every key starting with `keyPrefix`: the deepest complete
   * level of the name prefix for the built-in mappings (whose `toName` of a key prefix is a name
   * prefix), the provider prefix for a custom mapping.
   */
  path(keyPrefix: string): string
}

/** Problems with the `prefix` / `keyMapping` options, for the factory's eager validation. */
export function keyMappingIssues(prefix: unknown, mapping: unknown): string[] {
  const issues: string[] = []
  if (typeof prefix === 'string' && prefix !== '' && !/^\/(.*\/)?$/.test(prefix)) {
    issues.push(`prefix must start and end with "/" (got "${prefix}"), e.g. "/app/"`)
  }
  const resolved = resolveKeyMapping(mapping as KeyMappingName | KeyMapping | undefined)
  if (resolved === undefined)
    issues.push('keyMapping must be "path", "dotted" or { toName(key), toKey(name) }')
  else if (resolved === DOTTED && prefix === '')
    issues.push('keyMapping "dotted" needs a prefix such as "/app/"')
  return issues
}

/** Builds the name ↔ key functions of a provider (options already validated). */
export function parameterNames(
  prefix: string,
  option: KeyMappingName | KeyMapping | undefined,
  provider: string,
): ParameterNames {
  const mapping = resolveKeyMapping(option) as KeyMapping
  return {
    name(key, purpose = 'read') {
      if (typeof key !== 'string' || key === '') {
        throw new ValidationError(`Key must be a non-empty string (provider "${provider}").`, { provider })
      }
      if (mapping === DOTTED && key.includes('/')) {
        throw new ValidationError(`Key "${key}" contains "/", which keyMapping "dotted" does not allow.`, {
          key,
          provider,
          hint: 'Use "." for hierarchy levels, or keyMapping "path".',
        })
      }
      const name = `${prefix}${mapping.toName(key)}`
      const problem = parameterNameProblem(name, purpose)
      if (problem !== undefined) {
        throw new ValidationError(
          `Key "${key}" cannot be read or written as parameter "${name}" (provider "${provider}"): ${problem}.`,
          {
            key,
            provider,
            hint: 'Parameter Store names hold only letters, digits and . - _, with / between hierarchy levels. Rename the key, map it with keyMapping, or keep it in another provider.',
          },
        )
      }
      return name
    },
    key(parameterName) {
      if (!parameterName.startsWith(prefix)) return undefined
      return mapping.toKey(parameterName.slice(prefix.length))
    },
    path(keyPrefix) {
      const namePrefix =
        mapping === PATH || mapping === DOTTED ? `${prefix}${mapping.toName(keyPrefix)}` : prefix
      const level = namePrefix.slice(0, namePrefix.lastIndexOf('/') + 1)
      return level.length > 1 ? level.slice(0, -1) : '/'
    },
  }
}

/** Longest name GetParameter(s) accepts ("Length Constraints: Minimum length of 1. Maximum length of 2048."). */
const MAX_NAME_LENGTH = 2048
/** Levels a parameter hierarchy may have (PutParameter). */
const MAX_HIERARCHY_LEVELS = 15
/** PutParameter: "Parameter names can include only the following symbols and letters: a-zA-Z0-9_.-" and `/`. */
const NAME_CHARS = /^[a-zA-Z0-9_.\-/]+$/
/** A parameter ARN; reads accept one in place of a name (shared parameters). */
const PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]*:\d*:parameter(\/.*)$/

/**
 * Why SSM would refuse `name`, or `undefined`. The rules are the API reference's (PutParameter `Name`,
 * GetParameters `Names`): 1–2048 characters; no spaces ("If the specified name for a parameter contains
 * spaces between characters, the request fails with a ValidationException error"); only `a-zA-Z0-9_.-`
 * and `/`; a hierarchical name starts with `/` and has no empty level. A name breaking them can never
 * exist, and in a `GetParameters` batch it fails every name of the call.
 *
 * Writes add PutParameter's rules: no `aws`/`ssm` prefix (case-insensitive) and at most 15 levels.
 * Reads do not check the prefix: AWS's public parameters (`/aws/service/…`) are readable.
 */
export function parameterNameProblem(name: string, purpose: 'read' | 'write' = 'read'): string | undefined {
  if (name.length > MAX_NAME_LENGTH) return `the name is longer than ${MAX_NAME_LENGTH} characters`
  const arn = purpose === 'read' ? PARAMETER_ARN.exec(name) : null
  const bare = arn ? arn[1]! : name
  if (/\s/.test(bare)) return 'the name contains a space'
  if (!NAME_CHARS.test(bare)) return 'the name may contain only letters, digits, ".", "-", "_" and "/"'
  if (bare.includes('/') && !bare.startsWith('/'))
    return 'a name with "/" levels must start with "/" (a fully qualified name)'
  if (bare.includes('//') || bare.endsWith('/')) return 'the name has an empty hierarchy level'
  if (purpose === 'write') {
    const first = bare.replace(/^\//, '').toLowerCase()
    if (first.startsWith('aws') || first.startsWith('ssm'))
      return 'names starting with "aws" or "ssm" are reserved by AWS'
    if (bare.split('/').filter(Boolean).length > MAX_HIERARCHY_LEVELS)
      return `a hierarchy has at most ${MAX_HIERARCHY_LEVELS} levels`
  }
  return undefined
}

function resolveKeyMapping(mapping: KeyMappingName | KeyMapping | undefined): KeyMapping | undefined {
  return resolveMapping(mapping, { path: PATH, dotted: DOTTED }, 'path')
}

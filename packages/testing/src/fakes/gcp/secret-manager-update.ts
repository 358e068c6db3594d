import type { StoredSecret } from './secret-manager-state.js'
import { invalidArgument } from './status.js'

/**
 * UpdateSecret with a field mask: only the named fields change; a field that cannot change (name,
 * create_time, replication, etag) or does not exist is INVALID_ARGUMENT, as is an empty mask.
 */

const IMMUTABLE = new Set(['name', 'createTime', 'replication', 'etag'])
const MUTABLE = new Set([
  'labels',
  'annotations',
  'versionAliases',
  'topics',
  'expireTime',
  'ttl',
  'rotation',
  'versionDestroyTtl',
  'customerManagedEncryption',
  'tags',
])
const ALIAS = /^[a-zA-Z][a-zA-Z0-9_-]{0,62}$/

function camel(path: string): string {
  return path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
}

function checkAliases(
  secret: StoredSecret,
  aliases: Record<string, string | number>,
): Record<string, number> {
  const out: Record<string, number> = {}
  const entries = Object.entries(aliases)
  if (entries.length > 50)
    throw invalidArgument('No more than 50 version aliases can be assigned to a secret.')
  for (const [alias, raw] of entries) {
    if (!ALIAS.test(alias) || alias === 'latest' || alias === 'NEW')
      throw invalidArgument(
        `Invalid version alias "${alias}": it must start with a letter, hold at most 63 letters, numerals, '-' or '_', and not be 'latest' or 'NEW'.`,
      )
    const number = Number(raw)
    if (!secret.versions.has(number))
      throw invalidArgument(`Version alias "${alias}" names version ${raw}, which does not exist.`)
    out[alias] = number
  }
  return out
}

/** Applies `patch` to `secret` for the `paths` of the update mask (snake_case or camelCase). */
export function updateSecret(
  secret: StoredSecret,
  patch: Record<string, any>,
  paths: readonly string[],
): void {
  if (paths.length === 0) throw invalidArgument('update_mask is required and must name at least one field.')
  const fields = paths.map(camel)
  for (const field of fields) {
    if (IMMUTABLE.has(field)) throw invalidArgument(`Field "${field}" of a secret cannot be updated.`)
    if (!MUTABLE.has(field)) throw invalidArgument(`Invalid update_mask path "${field}".`)
  }
  for (const field of fields) {
    const value = patch[field]
    if (field === 'labels') secret.labels = { ...value }
    else if (field === 'annotations') secret.annotations = { ...value }
    else if (field === 'versionAliases') secret.aliases = checkAliases(secret, value ?? {})
    else if (value === undefined) delete secret.extra[field]
    else secret.extra[field] = value
  }
}

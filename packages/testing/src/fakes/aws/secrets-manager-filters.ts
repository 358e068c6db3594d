import { checkLength, validationError } from './json-protocol.js'
import type { StoredSecret } from './secrets-manager-state.js'

/**
 * ListSecrets / BatchGetSecretValue filters with the documented semantics: every filter must match
 * (AND), any value of a filter may match (OR), matching is by prefix — case-sensitive except for
 * `description` and `all` — and a value starting with `!` negates.
 */

/** A Secrets Manager `Filter` as it arrives on the wire. */
export interface WireFilter {
  Key?: string
  Values?: string[]
}

const KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
] as const
type FilterKey = (typeof KEYS)[number]

/** Validates filters against the model (key enum, 1–10 values of ≤ 512 characters). */
export function checkFilters(filters: readonly WireFilter[] | undefined): void {
  filters?.forEach((f, i) => {
    if (!KEYS.includes(f.Key as FilterKey)) {
      throw validationError(
        `1 validation error detected: Value '${String(f.Key)}' at 'filters.${i + 1}.member.key' failed to satisfy constraint: Member must satisfy enum value set: [${KEYS.join(', ')}]`,
      )
    }
    checkLength(f.Values ?? [], `filters.${i + 1}.member.values`, 1, 10)
    for (const v of f.Values ?? []) {
      if (v.length > 512 || !/^!?[a-zA-Z0-9 :_@/+=.\-!]*$/.test(v)) {
        throw validationError(
          `1 validation error detected: Value '${v}' at 'filters.${i + 1}.member.values' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$`,
        )
      }
    }
  })
}

function attributes(secret: StoredSecret, key: FilterKey): string[] {
  switch (key) {
    case 'name':
      return [secret.name]
    case 'description':
      return secret.description === undefined ? [] : [secret.description]
    case 'tag-key':
      return secret.tags.map((t) => t.Key)
    case 'tag-value':
      return secret.tags.map((t) => t.Value)
    case 'primary-region':
    case 'owning-service':
      // The fake has no replicas and no managed secrets: nothing to match.
      return []
    case 'all':
      return [
        ...attributes(secret, 'name'),
        ...attributes(secret, 'description'),
        ...attributes(secret, 'tag-key'),
        ...attributes(secret, 'tag-value'),
      ]
  }
}

function matchesValue(secret: StoredSecret, key: FilterKey, raw: string): boolean {
  const negate = raw.startsWith('!')
  const value = negate ? raw.slice(1) : raw
  const caseless = key === 'description' || key === 'all'
  const norm = (s: string) => (caseless ? s.toLowerCase() : s)
  let candidates = attributes(secret, key).map(norm)
  let words = [norm(value)]
  if (key === 'all') {
    // "Breaks the filter value string into words and then searches all attributes for matches."
    words = words[0]!.split(/\s+/).filter(Boolean)
    candidates = candidates.flatMap((c) => [c, ...c.split(/[^a-z0-9]+/).filter(Boolean)])
  }
  const hit = words.every((w) => candidates.some((c) => c.startsWith(w)))
  return negate ? !hit : hit
}

/** Whether `secret` passes every filter. */
export function matchesFilters(secret: StoredSecret, filters: readonly WireFilter[] | undefined): boolean {
  return (filters ?? []).every((f) =>
    (f.Values ?? []).some((v) => matchesValue(secret, f.Key as FilterKey, v)),
  )
}

/** Orders secrets as ListSecrets does with `SortBy` (default created-date) and `SortOrder` (default asc). */
export function sortSecrets(
  secrets: StoredSecret[],
  sortBy = 'created-date',
  sortOrder = 'asc',
): StoredSecret[] {
  const key = (s: StoredSecret): string | number => {
    switch (sortBy) {
      case 'name':
        return s.name
      case 'last-changed-date':
        return s.lastChangedDate
      case 'last-accessed-date':
        return s.lastAccessedDate ?? 0
      default:
        return s.createdDate
    }
  }
  // Stable sort keeps creation order among equal keys (same-millisecond creates).
  const sorted = [...secrets].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    return ka < kb ? -1 : ka > kb ? 1 : 0
  })
  return sortOrder === 'desc' ? sorted.reverse() : sorted
}

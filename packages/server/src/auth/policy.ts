import picomatch from 'picomatch'

/**
 * What a caller may do: each grant names key globs and verbs. Verbs follow the HTTP surface, one per
 * kind of access, so a grant reads like an RBAC rule: `{ keys: ['app/*'], verbs: ['read', 'list'] }`.
 */

/** `read`: GET one key and batchGet; `list`: GET /v1/keys; `versions`: list versions; `write`: PUT; `delete`: DELETE. */
export type Verb = 'read' | 'list' | 'versions' | 'write' | 'delete'

export const VERBS: readonly Verb[] = ['read', 'list', 'versions', 'write', 'delete']

/** One permission: these verbs on keys matching any of these globs. */
export interface Grant {
  /** Key globs (picomatch syntax: `*` stays inside one `/` segment, `**` crosses them). `['**']` is every key. */
  readonly keys: readonly string[]
  readonly verbs: readonly Verb[]
}

/** A grant with its globs compiled once. */
export interface CompiledGrant {
  readonly verbs: ReadonlySet<Verb>
  readonly matches: (key: string) => boolean
}

export function compileGrants(grants: readonly Grant[]): CompiledGrant[] {
  return grants.map((g) => ({
    verbs: new Set(g.verbs),
    // dot: keys such as `.env/x` are keys like any other, not hidden files.
    matches: picomatch([...g.keys], { dot: true }),
  }))
}

/** Whether any grant allows `verb` on `key`. */
export function allows(grants: readonly CompiledGrant[], verb: Verb, key: string): boolean {
  return grants.some((g) => g.verbs.has(verb) && g.matches(key))
}

/**
 * Whether a listing under `prefix` may show `key`: the caller needs `list` on the key itself, so a
 * listing never reveals names outside the caller's globs.
 */
export function mayList(grants: readonly CompiledGrant[], key: string): boolean {
  return allows(grants, 'list', key)
}

/** Problems with a grant list, for option validation (empty when fine). */
export function grantIssues(where: string, grants: unknown): string[] {
  if (!Array.isArray(grants) || grants.length === 0)
    return [`${where} needs at least one grant { keys, verbs }`]
  const issues: string[] = []
  for (const [i, g] of grants.entries()) {
    const at = `${where}[${i}]`
    if (typeof g !== 'object' || g === null) {
      issues.push(`${at} must be an object { keys, verbs }`)
      continue
    }
    const { keys, verbs } = g as { keys?: unknown; verbs?: unknown }
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string' && k !== ''))
      issues.push(`${at}.keys must be a non-empty array of key globs`)
    if (!Array.isArray(verbs) || verbs.length === 0 || !verbs.every((v) => VERBS.includes(v as Verb)))
      issues.push(`${at}.verbs must be a non-empty array of ${VERBS.join(', ')}`)
  }
  return issues
}

/**
 * Vault ACL policies, reduced to what decides a secret-engine request: path patterns (a trailing `*`
 * is a prefix glob, `+` matches one path segment) and capabilities. As in Vault, an exact path beats a
 * glob, a longer glob beats a shorter one, and `deny` on the winning rule takes everything away.
 */

export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny'

/** One `path "…" { capabilities = [...] }` stanza. */
export interface PolicyRule {
  readonly path: string
  readonly capabilities: readonly Capability[]
}

const CAPABILITIES = new Set<string>(['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'])

export function checkRules(name: string, rules: readonly PolicyRule[]): readonly PolicyRule[] {
  if (!/^[\w.-]+$/.test(name))
    throw new TypeError(`policy name must be letters, digits, "_", "-" or ".", got "${name}"`)
  if (name === 'root') throw new TypeError('the "root" policy is built in and cannot be redefined')
  for (const rule of rules) {
    if (typeof rule.path !== 'string' || rule.path === '')
      throw new TypeError(`policy "${name}": every rule needs a path`)
    for (const c of rule.capabilities)
      if (!CAPABILITIES.has(c))
        throw new TypeError(
          `policy "${name}": unknown capability "${c}" (use ${[...CAPABILITIES].join(', ')})`,
        )
  }
  return rules.map((r) => ({ path: r.path.replace(/^\/+/, ''), capabilities: [...r.capabilities] }))
}

function matches(pattern: string, path: string): { exact: boolean; weight: number } | undefined {
  const glob = pattern.endsWith('*')
  const body = glob ? pattern.slice(0, -1) : pattern
  const patternParts = body.split('/')
  const pathParts = path.split('/')
  if (!glob && patternParts.length !== pathParts.length) return undefined
  if (glob && pathParts.length < patternParts.length) return undefined
  for (let i = 0; i < patternParts.length; i++) {
    const p = patternParts[i]!
    const s = pathParts[i]!
    const last = i === patternParts.length - 1
    if (p === '+') continue
    if (glob && last ? !s.startsWith(p) : s !== p) return undefined
  }
  return { exact: !glob && !pattern.includes('+'), weight: body.length }
}

/** The capabilities `policies` grant on `path` (no leading slash, mount included). */
export function capabilitiesOn(policies: Iterable<readonly PolicyRule[]>, path: string): Set<Capability> {
  let best: { exact: boolean; weight: number; caps: Set<Capability> } | undefined
  for (const rules of policies) {
    for (const rule of rules) {
      const m = matches(rule.path, path)
      if (!m) continue
      const better = !best || (m.exact && !best.exact) || (m.exact === best.exact && m.weight > best.weight)
      if (better) best = { ...m, caps: new Set(rule.capabilities) }
      else if (best && m.exact === best.exact && m.weight === best.weight)
        for (const c of rule.capabilities) best.caps.add(c)
    }
  }
  if (!best || best.caps.has('deny')) return new Set()
  return best.caps
}

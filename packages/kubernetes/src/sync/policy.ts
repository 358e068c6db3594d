import picomatch from 'picomatch'

/**
 * The distribution policy: which source keys may reach which namespaces. Checked for every planned
 * (Secret, namespace) pair before anything is written; one refused pair refuses the whole pass.
 */

/** One allowance: keys matching `keys` (globs) may reach namespaces matching `namespaces` (globs). */
export interface DistributionRule {
  readonly keys: readonly string[]
  readonly namespaces: readonly string[]
}

export interface DistributionPolicy {
  /**
   * Namespaces no key may reach (globs), whatever `allow` says.
   * @default ['kube-system', 'kube-public', 'kube-node-lease']
   */
  readonly deny?: readonly string[]
  /**
   * When given, a key may reach a namespace only if some rule names both. Without it, every key may
   * reach every namespace not denied.
   */
  readonly allow?: readonly DistributionRule[]
}

/** The namespaces of the control plane, where an application Secret has no business. */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const

const globList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '')

export function policyIssues(policy: unknown): string[] {
  if (policy === undefined) return []
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy))
    return ['policy must be { deny?, allow? }']
  const p = policy as Record<string, unknown>
  const issues: string[] = []
  if (p.deny !== undefined && !globList(p.deny)) issues.push('policy.deny must be a list of namespace globs')
  if (p.allow !== undefined && !Array.isArray(p.allow))
    issues.push('policy.allow must be a list of { keys, namespaces }')
  for (const [i, rule] of (Array.isArray(p.allow) ? p.allow : []).entries()) {
    const r = (rule ?? {}) as Record<string, unknown>
    if (!globList(r.keys)) issues.push(`policy.allow[${i}].keys must be a list of key globs`)
    if (!globList(r.namespaces))
      issues.push(`policy.allow[${i}].namespaces must be a list of namespace globs`)
  }
  return issues
}

/** Says whether a key may reach a namespace, and if not, why. */
export type PolicyCheck = (key: string, namespace: string) => string | undefined

export function compilePolicy(policy: DistributionPolicy | undefined): PolicyCheck {
  const denied = picomatch([...(policy?.deny ?? SYSTEM_NAMESPACES)])
  const rules = policy?.allow?.map((r) => ({
    keys: picomatch([...r.keys]),
    namespaces: picomatch([...r.namespaces]),
  }))
  return (key, namespace) => {
    if (denied(namespace)) return `namespace "${namespace}" is denied by the policy`
    if (rules && !rules.some((r) => r.keys(key) && r.namespaces(namespace)))
      return `no policy.allow rule lets key "${key}" reach namespace "${namespace}"`
    return undefined
  }
}

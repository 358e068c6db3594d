import picomatch from 'picomatch'

/**
 * Which namespaces a sync reaches: a Kubernetes `LabelSelector` (`matchLabels` and `matchExpressions`,
 * as in a Deployment's or a NetworkPolicy's `namespaceSelector`) and namespace name patterns (globs,
 * `!glob` excludes). Both given: a namespace must match both. The label part is also sent to the API
 * server as a `labelSelector`, so only matching namespaces travel; it is evaluated here as well, for
 * watch events and dry runs, with the same semantics (apimachinery `LabelSelectorAsSelector`).
 */

/** One `matchExpressions` requirement. `values` must be non-empty for In/NotIn and absent for (Does)Exist(s). */
export interface LabelSelectorRequirement {
  readonly key: string
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  readonly values?: readonly string[]
}

/** A label selector as Kubernetes writes it. `{}` matches every namespace. */
export interface NamespaceSelector {
  readonly matchLabels?: Readonly<Record<string, string>>
  readonly matchExpressions?: readonly LabelSelectorRequirement[]
}

/** A namespace as the sync sees it: its name, labels, and whether it is being deleted. */
export interface NamespaceInfo {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly terminating: boolean
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist']

/** A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/')
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined
  const name = slash >= 0 ? key.slice(slash + 1) : key
  if (prefix !== undefined && !(prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) return false
  return name.length <= 63 && LABEL_NAME.test(name)
}

export function isLabelValue(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && LABEL_VALUE.test(value)
}

/** Every problem of a selector, with its path (`namespaceSelector.matchExpressions[0].values`). */
export function selectorIssues(selector: unknown, path = 'namespaceSelector'): string[] {
  if (selector === null || typeof selector !== 'object' || Array.isArray(selector))
    return [`${path} must be { matchLabels?, matchExpressions? }`]
  const s = selector as Record<string, unknown>
  const issues: string[] = []
  for (const field of Object.keys(s))
    if (field !== 'matchLabels' && field !== 'matchExpressions')
      issues.push(`${path}.${field} is not a selector field (matchLabels, matchExpressions)`)
  const labels = s.matchLabels
  if (labels !== undefined) {
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels))
      issues.push(`${path}.matchLabels must map label keys to values`)
    else
      for (const [k, v] of Object.entries(labels)) {
        if (!isLabelKey(k)) issues.push(`${path}.matchLabels: "${k}" is not a label key`)
        if (!isLabelValue(v)) issues.push(`${path}.matchLabels.${k} is not a label value`)
      }
  }
  const expressions = s.matchExpressions
  if (expressions !== undefined && !Array.isArray(expressions))
    issues.push(`${path}.matchExpressions must be a list`)
  for (const [i, raw] of (Array.isArray(expressions) ? expressions : []).entries()) {
    const at = `${path}.matchExpressions[${i}]`
    const e = (raw ?? {}) as Record<string, unknown>
    if (typeof e.key !== 'string' || !isLabelKey(e.key)) issues.push(`${at}.key must be a label key`)
    if (!OPERATORS.includes(e.operator as string)) {
      issues.push(`${at}.operator must be one of ${OPERATORS.join(', ')}`)
      continue
    }
    const values = e.values
    const set = e.operator === 'In' || e.operator === 'NotIn'
    if (set && (!Array.isArray(values) || values.length === 0))
      issues.push(`${at}.values must be non-empty when operator is ${String(e.operator)}`)
    else if (!set && values !== undefined && !(Array.isArray(values) && values.length === 0))
      issues.push(`${at}.values must be empty when operator is ${String(e.operator)}`)
    else if (set && !(values as unknown[]).every(isLabelValue))
      issues.push(`${at}.values must all be label values`)
  }
  return issues
}

/** Whether `labels` satisfy the selector (every matchLabels pair and every expression). */
export function matchesLabels(
  selector: NamespaceSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key)
    const value = labels[e.key]
    const ok =
      e.operator === 'Exists'
        ? has
        : e.operator === 'DoesNotExist'
          ? !has
          : e.operator === 'In'
            ? has && (e.values ?? []).includes(value as string)
            : !has || !(e.values ?? []).includes(value as string)
    if (!ok) return false
  }
  return true
}

/** The selector as a `labelSelector` query string (the API server's own syntax). */
export function toLabelSelector(selector: NamespaceSelector | undefined): string | undefined {
  if (!selector) return undefined
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`)
  for (const e of selector.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',')
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`)
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`)
    else if (e.operator === 'Exists') parts.push(e.key)
    else parts.push(`!${e.key}`)
  }
  return parts.length ? parts.join(',') : undefined
}

/** Name patterns: a namespace matches when it matches an including glob and no `!glob`. */
export function namePatterns(patterns: readonly string[] | undefined): (name: string) => boolean {
  if (patterns === undefined) return () => true
  const include = patterns.filter((p) => !p.startsWith('!'))
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1))
  const yes = include.length ? picomatch(include) : () => true
  const no = exclude.length ? picomatch(exclude) : () => false
  return (name) => yes(name) && !no(name)
}

/** The whole namespace predicate of a sync: labels, names, and never a terminating namespace. */
export function namespaceMatcher(
  selector: NamespaceSelector | undefined,
  patterns: readonly string[] | undefined,
): (ns: NamespaceInfo) => boolean {
  const names = namePatterns(patterns)
  return (ns) => !ns.terminating && names(ns.name) && (!selector || matchesLabels(selector, ns.labels))
}

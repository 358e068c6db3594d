import { AccessDeniedError, ValidationError } from '@polysecret/core'
import { connectionIssues } from '../connection.js'
import { isDataKey, isObjectName } from '../key-mapping.js'
import { SECRET_TYPES, sourceKeys } from './formats.js'
import { compilePolicy, policyIssues } from './policy.js'
import { isLabelKey, isLabelValue, selectorIssues } from './selector.js'
import type { NamespaceSyncSpec, SyncedSecret } from './spec.js'

/**
 * Eager checks of a namespace sync spec, every problem at once (with its path, never a value), and
 * the policy's verdict on namespaces the spec names literally — refused before any connection.
 */

const REQUIRED_INPUTS: Readonly<Record<string, readonly string[]>> = {
  dockerconfigjson: ['registry', 'username', 'password'],
  'argocd-repository': ['url', 'username', 'password'],
  'git-credentials': ['url', 'username', 'password'],
}
const OPTIONAL_INPUTS: Readonly<Record<string, readonly string[]>> = {
  dockerconfigjson: ['email'],
  'argocd-repository': ['project', 'repoType'],
  'git-credentials': [],
}
const COMMON = ['name', 'format', 'labels', 'annotations', 'immutable']

function refIssue(ref: unknown, at: string): string | undefined {
  if (typeof ref === 'string') return ref === '' ? `${at} must name a source key` : undefined
  const r = ref as Record<string, unknown> | null
  if (r && typeof r === 'object' && Object.keys(r).length === 1) {
    if (typeof r.key === 'string' && r.key !== '') return undefined
    if (typeof r.value === 'string') return undefined
  }
  return `${at} must be a source key ("DB_PASSWORD"), { key } or { value: "literal" }`
}

function mapIssues(map: unknown, at: string, check: (k: string) => boolean, what: string): string[] {
  if (map === undefined) return []
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return [`${at} must be an object`]
  const issues: string[] = []
  for (const [k, v] of Object.entries(map)) {
    if (!check(k)) issues.push(`${at}: "${k}" is not ${what}`)
    if (typeof v !== 'string') issues.push(`${at}.${k} must be a string`)
  }
  return issues
}

function secretIssues(raw: unknown, at: string): string[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [`${at} must be an object`]
  const s = raw as Record<string, unknown>
  const issues: string[] = []
  if (typeof s.name !== 'string' || !isObjectName(s.name))
    issues.push(`${at}.name must be a Secret name (a DNS subdomain: lower-case letters, digits, "-" and ".")`)
  const format = (s.format ?? 'opaque') as string
  if (!(format in SECRET_TYPES)) {
    issues.push(`${at}.format must be one of ${Object.keys(SECRET_TYPES).join(', ')}`)
    return issues
  }
  issues.push(...mapIssues(s.labels, `${at}.labels`, isLabelKey, 'a label key'))
  for (const [k, v] of Object.entries((s.labels as object | undefined) ?? {}))
    if (!isLabelValue(v)) issues.push(`${at}.labels.${k} is not a label value (at most 63 of [-_.A-Za-z0-9])`)
  issues.push(
    ...mapIssues(s.annotations, `${at}.annotations`, (k) => isLabelKey(k.toLowerCase()), 'an annotation key'),
  )
  if (s.immutable !== undefined && typeof s.immutable !== 'boolean')
    issues.push(`${at}.immutable must be true or false`)
  const inputs = REQUIRED_INPUTS[format]
  if (inputs) {
    const known = [...COMMON, ...inputs, ...(OPTIONAL_INPUTS[format] ?? [])]
    for (const field of Object.keys(s))
      if (!known.includes(field)) issues.push(`${at}.${field} is not a ${format} field (${known.join(', ')})`)
    for (const field of inputs) {
      const problem =
        s[field] === undefined
          ? `${at}.${field} is required for ${format}`
          : refIssue(s[field], `${at}.${field}`)
      if (problem) issues.push(problem)
    }
    for (const field of ['email', 'project'])
      if (s[field] !== undefined) {
        const problem = refIssue(s[field], `${at}.${field}`)
        if (problem) issues.push(problem)
      }
    if (s.repoType !== undefined && s.repoType !== 'git' && s.repoType !== 'helm')
      issues.push(`${at}.repoType must be "git" or "helm"`)
    return issues
  }
  for (const field of Object.keys(s))
    if (![...COMMON, 'data'].includes(field))
      issues.push(`${at}.${field} is not a field of a ${format} Secret (data, ${COMMON.join(', ')})`)
  const data = s.data
  if (data === null || typeof data !== 'object' || Array.isArray(data) || Object.keys(data).length === 0)
    return [...issues, `${at}.data must map Secret data keys to source keys`]
  for (const [k, ref] of Object.entries(data)) {
    if (!isDataKey(k)) issues.push(`${at}.data: "${k}" is not a Secret data key ([-._a-zA-Z0-9]+)`)
    const problem = refIssue(ref, `${at}.data.${k}`)
    if (problem) issues.push(problem)
  }
  if (format === 'tls')
    for (const k of ['tls.crt', 'tls.key'])
      if (!(k in data)) issues.push(`${at}.data["${k}"] is required for tls`)
  if (format === 'basic-auth' && !('username' in data) && !('password' in data))
    issues.push(`${at}.data needs username or password for basic-auth`)
  return issues
}

const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0

export function specIssues(spec: NamespaceSyncSpec): string[] {
  const o = (spec ?? {}) as unknown as Record<string, unknown>
  const issues: string[] = []
  if (!isLabelValue(o.name) || o.name === '')
    issues.push('name must be a label value: 1–63 of [-_.A-Za-z0-9], starting and ending alphanumeric')
  if (o.namespaceSelector === undefined && o.namespaces === undefined)
    issues.push('give namespaceSelector and/or namespaces (use namespaceSelector: {} for every namespace)')
  if (o.namespaceSelector !== undefined) issues.push(...selectorIssues(o.namespaceSelector))
  if (
    o.namespaces !== undefined &&
    !(
      Array.isArray(o.namespaces) &&
      o.namespaces.every((n) => typeof n === 'string' && n.replace(/^!/, '') !== '')
    )
  )
    issues.push('namespaces must be a list of namespace name globs ("team-*", "!team-legacy")')
  if (!Array.isArray(o.secrets) || o.secrets.length === 0)
    issues.push('secrets must list at least one Secret')
  const names = new Set<string>()
  for (const [i, s] of (Array.isArray(o.secrets) ? o.secrets : []).entries()) {
    issues.push(...secretIssues(s, `secrets[${i}]`))
    const name = (s as { name?: unknown })?.name
    if (typeof name === 'string' && names.has(name))
      issues.push(`secrets[${i}].name "${name}" is listed twice`)
    if (typeof name === 'string') names.add(name)
  }
  issues.push(...policyIssues(o.policy))
  for (const f of ['onAudit', 'onError', 'now'])
    if (o[f] !== undefined && typeof o[f] !== 'function') issues.push(`${f} must be a function`)
  if (o.sourceInterval !== undefined && !positive(o.sourceInterval))
    issues.push('sourceInterval must be a positive number of ms')
  if (o.resyncInterval !== undefined && !positive(o.resyncInterval))
    issues.push('resyncInterval must be a positive number of ms')
  if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && (o.concurrency as number) > 0))
    issues.push('concurrency must be a positive whole number')
  const retry = o.retry as Record<string, unknown> | undefined
  if (retry !== undefined)
    for (const f of ['baseDelay', 'maxDelay'])
      if (retry[f] !== undefined && !positive(retry[f]))
        issues.push(`retry.${f} must be a positive number of ms`)
  issues.push(...connectionIssues(o))
  return issues
}

/** Throws every problem of the spec at once, then refuses literal namespaces the policy denies. */
export function checkSpec(spec: NamespaceSyncSpec): void {
  const issues = specIssues(spec)
  if (issues.length)
    throw new ValidationError(
      `Invalid namespace sync${typeof spec?.name === 'string' ? ` "${spec.name}"` : ''}:\n${issues.map((i) => `  ✖ ${i}`).join('\n')}`,
      { hint: '\nFix the sync spec (docs/sync.md lists every field).' },
    )
  const policy = compilePolicy(spec.policy)
  const literal = (spec.namespaces ?? []).filter((n) => /^[a-z0-9-]+$/.test(n))
  for (const namespace of literal)
    for (const secret of spec.secrets as readonly SyncedSecret[])
      for (const key of sourceKeys(secret)) {
        const why = policy(key, namespace)
        if (why)
          throw new AccessDeniedError({
            key,
            message: `Sync "${spec.name}" names namespace "${namespace}" for Secret "${secret.name}": ${why}.`,
            hint: 'Remove the namespace from the sync, or change the policy (policy.deny always wins).',
          })
      }
}

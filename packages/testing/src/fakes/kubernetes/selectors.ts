import type { KubeObject, ResourceInfo } from './resources.js'
import { badRequest } from './status.js'

/**
 * `labelSelector` and `fieldSelector` as the API server parses them (apimachinery `labels.Parse` and
 * `fields.ParseSelector`): label requirements `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k>n`, `k<n`; field requirements `f=v`, `f==v`, `f!=v` on the fields a resource
 * supports. A requirement that does not parse is a 400, as on a cluster.
 */

export type Predicate = (obj: KubeObject) => boolean

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** Splits on commas outside parentheses. */
function requirements(selector: string): string[] {
  const out: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) {
      out.push(selector.slice(start, i))
      start = i + 1
    }
  }
  out.push(selector.slice(start))
  return out.map((r) => r.trim())
}

function checkKey(key: string, whole: string): void {
  if (!LABEL_KEY.test(key) || key.length > 317)
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${whole}"`)
}

function checkValue(value: string, whole: string): void {
  if (!LABEL_VALUE.test(value) || value.length > 63)
    throw badRequest(`unable to parse requirement: invalid label value "${value}" in "${whole}"`)
}

function labelRequirement(req: string): (labels: Record<string, string>) => boolean {
  if (req.startsWith('!')) {
    const key = req.slice(1).trim()
    checkKey(key, req)
    return (labels) => !(key in labels)
  }
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(req)
  if (set) {
    const [, key, op, list] = set as unknown as [string, string, string, string]
    checkKey(key, req)
    const values = list.split(',').map((v) => v.trim())
    for (const v of values) checkValue(v, req)
    return op === 'in'
      ? (labels) => key in labels && values.includes(labels[key]!)
      : (labels) => !(key in labels) || !values.includes(labels[key]!)
  }
  const cmp = /^([^=!<>\s]+)\s*(==|=|!=|<|>)\s*(.*)$/.exec(req)
  if (cmp) {
    const [, key, op, value] = cmp as unknown as [string, string, string, string]
    checkKey(key, req)
    if (op === '<' || op === '>') {
      const bound = Number(value)
      if (!/^-?\d+$/.test(value))
        throw badRequest(
          `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer in "${req}"`,
        )
      return (labels) => {
        const v = labels[key]
        if (v === undefined || !/^-?\d+$/.test(v)) return false
        return op === '<' ? Number(v) < bound : Number(v) > bound
      }
    }
    checkValue(value, req)
    return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value
  }
  checkKey(req, req)
  return (labels) => req in labels
}

/** Parses a `labelSelector`; the empty selector matches everything. */
export function parseLabelSelector(selector: string | undefined): Predicate {
  if (!selector?.trim()) return () => true
  const tests = requirements(selector).map((r) => {
    if (!r) throw badRequest(`unable to parse requirement: empty requirement in "${selector}"`)
    return labelRequirement(r)
  })
  return (obj) => {
    const labels = obj.metadata.labels ?? {}
    return tests.every((t) => t(labels))
  }
}

function fieldValue(info: ResourceInfo, field: string): ((obj: KubeObject) => string) | undefined {
  if (field === 'metadata.name') return (o) => o.metadata.name
  if (field === 'metadata.namespace' && info.namespaced) return (o) => o.metadata.namespace ?? ''
  return info.fields[field]
}

/** Parses a `fieldSelector` for `info`'s resource; an unsupported field is a 400. */
export function parseFieldSelector(info: ResourceInfo, selector: string | undefined): Predicate {
  if (!selector?.trim()) return () => true
  const tests = requirements(selector).map((req) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(req)
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${req}'`)
    const [, field, op, value] = m as unknown as [string, string, string, string]
    const read = fieldValue(info, field)
    if (!read) throw badRequest(`field label not supported: ${field}`)
    return op === '!=' ? (o: KubeObject) => read(o) !== value : (o: KubeObject) => read(o) === value
  })
  return (obj) => tests.every((t) => t(obj))
}

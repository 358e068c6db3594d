import { canonical, type KubeObject } from './resources.js'
import { invalid, type StatusCause } from './status.js'

/**
 * The API server's validation of Secrets, ConfigMaps and Namespaces (`pkg/apis/core/validation`):
 * names, keys, the 1 MiB data limit, typed Secrets, and what an update may not change. Every problem
 * becomes one cause of a 422 `Invalid` Status; secret contents are never echoed.
 */

/** The largest `data` (+ `binaryData`) of one Secret or ConfigMap: 1 MiB (`core.MaxSecretSize`). */
export const MAX_OBJECT_DATA_BYTES = 1024 * 1024

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/
const REDACTED = '<secret contents redacted>'
/** A qualified name: an optional DNS-subdomain prefix and `/`, then up to 63 of `[-A-Za-z0-9_.]` (alphanumeric ends). */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

const required = (field: string): StatusCause => ({
  reason: 'FieldValueRequired',
  message: 'Required value',
  field,
})
const badValue = (field: string, value: string, why: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
  field,
})
const forbiddenField = (field: string, why: string): StatusCause => ({
  reason: 'FieldValueForbidden',
  message: `Forbidden: ${why}`,
  field,
})

function nameCauses(obj: KubeObject, label: boolean): StatusCause[] {
  const name = obj.metadata.name
  if (!name)
    return [{ ...required('metadata.name'), message: 'Required value: name or generateName is required' }]
  if (label) {
    if (name.length <= 63 && DNS_LABEL.test(name)) return []
    return [
      badValue(
        'metadata.name',
        name,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ),
    ]
  }
  if (name.length <= 253 && DNS_SUBDOMAIN.test(name)) return []
  return [
    badValue(
      'metadata.name',
      name,
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ),
  ]
}

function keyCauses(map: unknown, path: string): StatusCause[] {
  const out: StatusCause[] = []
  for (const key of Object.keys((map as Record<string, unknown> | undefined) ?? {})) {
    if (key.length <= 253 && CONFIG_KEY.test(key) && key !== '.' && key !== '..' && !key.startsWith('..'))
      continue
    out.push(
      badValue(
        `${path}[${key}]`,
        key,
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      ),
    )
  }
  return out
}

function base64Bytes(map: unknown): number {
  let total = 0
  for (const v of Object.values((map as Record<string, string> | undefined) ?? {}))
    total += Buffer.from(v, 'base64').length
  return total
}

function tooLong(field: string): StatusCause {
  return {
    reason: 'FieldValueTooLong',
    message: `Too long: may not be more than ${MAX_OBJECT_DATA_BYTES} bytes`,
    field,
  }
}

function secretTypeCauses(obj: KubeObject): StatusCause[] {
  const data = (obj.data as Record<string, string> | undefined) ?? {}
  const has = (k: string) => k in data
  const jsonKey = (k: string): StatusCause[] => {
    if (!has(k)) return [required(`data[${k}]`)]
    try {
      const parsed: unknown = JSON.parse(Buffer.from(data[k]!, 'base64').toString('utf8'))
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return []
    } catch {
      // reported below
    }
    return [badValue(`data[${k}]`, REDACTED, 'invalid character looking for beginning of value')]
  }
  switch (obj.type ?? 'Opaque') {
    case 'kubernetes.io/dockerconfigjson':
      return jsonKey('.dockerconfigjson')
    case 'kubernetes.io/dockercfg':
      return jsonKey('.dockercfg')
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password')
        ? []
        : [required('data[username]'), required('data[password]')]
    case 'kubernetes.io/ssh-auth':
      return data['ssh-privatekey'] ? [] : [required('data[ssh-privatekey]')]
    case 'kubernetes.io/tls':
      return [
        ...(has('tls.crt') ? [] : [required('data[tls.crt]')]),
        ...(has('tls.key') ? [] : [required('data[tls.key]')]),
      ]
    case 'kubernetes.io/service-account-token':
      return obj.metadata.annotations?.['kubernetes.io/service-account.name']
        ? []
        : [required('metadata.annotations[kubernetes.io/service-account.name]')]
    default:
      return []
  }
}

function qualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/')
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined
  const name = slash >= 0 ? key.slice(slash + 1) : key
  if (prefix !== undefined && !(prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) return false
  return name.length <= 63 && LABEL_NAME.test(name)
}

/** `metadata.labels` as `ValidateLabels` checks them: qualified-name keys, values of at most 63 characters. */
function labelCauses(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = []
  for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) {
    if (!qualifiedName(key))
      out.push(
        badValue(
          'metadata.labels',
          key,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
      )
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))
      out.push(
        badValue(
          'metadata.labels',
          String(value),
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      )
  }
  for (const key of Object.keys(obj.metadata.annotations ?? {}))
    if (!qualifiedName(key.toLowerCase()))
      out.push(badValue('metadata.annotations', key, 'name part must consist of alphanumeric characters'))
  return out
}

/** Validates an object about to be stored (after `stringData` was merged); throws 422 on any problem. */
export function validateObject(obj: KubeObject): void {
  const causes: StatusCause[] = [...nameCauses(obj, obj.kind === 'Namespace'), ...labelCauses(obj)]
  if (obj.kind === 'Secret') {
    causes.push(...keyCauses(obj.data, 'data'))
    if (base64Bytes(obj.data) > MAX_OBJECT_DATA_BYTES) causes.push(tooLong('data'))
    causes.push(...secretTypeCauses(obj))
  } else if (obj.kind === 'ConfigMap') {
    causes.push(...keyCauses(obj.data, 'data'), ...keyCauses(obj.binaryData, 'binaryData'))
    const data = (obj.data as Record<string, string> | undefined) ?? {}
    for (const key of Object.keys((obj.binaryData as object | undefined) ?? {}))
      if (key in data) causes.push(badValue(`data[${key}]`, key, 'duplicate of key present in binaryData'))
    let size = base64Bytes(obj.binaryData)
    for (const v of Object.values(data)) size += Buffer.byteLength(v)
    if (size > MAX_OBJECT_DATA_BYTES) causes.push(tooLong(''))
  }
  if (causes.length) throw invalid(obj.kind, obj.metadata.name ?? '', causes)
}

const same = (a: unknown, b: unknown) => canonical(a ?? {}) === canonical(b ?? {})

/** What an update may not change: a Secret's type, anything in an immutable object's data. */
export function validateUpdate(old: KubeObject, next: KubeObject): void {
  const causes: StatusCause[] = []
  if (old.kind === 'Secret' && (old.type ?? 'Opaque') !== (next.type ?? 'Opaque'))
    causes.push(badValue('type', String(next.type ?? 'Opaque'), 'field is immutable'))
  if (old.immutable === true) {
    const why = 'field is immutable when `immutable` is set'
    if (next.immutable !== true) causes.push(forbiddenField('immutable', why))
    if (!same(old.data, next.data)) causes.push(forbiddenField('data', why))
    if (old.kind === 'ConfigMap' && !same(old.binaryData, next.binaryData))
      causes.push(forbiddenField('binaryData', why))
  }
  if (causes.length) throw invalid(old.kind, old.metadata.name, causes)
}

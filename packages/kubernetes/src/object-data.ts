import { type Entry, IntegrityError, selectJsonField, ValidationError } from '@polysecret/core'
import type { ObjectRef } from './key-mapping.js'

/** Secrets and ConfigMaps are each limited to 1 MiB of data by the API server's validation. */
export const MAX_OBJECT_BYTES = 1024 * 1024

/** Which core/v1 resource a provider stores keys in. */
export type ObjectKind = 'Secret' | 'ConfigMap'

/** The parts of a V1Secret / V1ConfigMap this package reads and writes. */
export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata?: {
    name?: string
    namespace?: string
    resourceVersion?: string
    labels?: Record<string, string>
    [field: string]: unknown
  }
  /** Secret: base64 values. ConfigMap: UTF-8 text values. */
  data?: Record<string, string>
  /** ConfigMap only: base64 values that are not UTF-8 text. */
  binaryData?: Record<string, string>
  /** Secret only: `Opaque`, `kubernetes.io/tls`, … */
  type?: string
  immutable?: boolean
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** The decoded entries of an object: every data key with its bytes (or text, for ConfigMap `data`). */
export function objectEntries(
  obj: KubeObject,
  kind: ObjectKind,
  provider: string,
  keyFor: (dataKey: string) => string,
): Map<string, string | Uint8Array> {
  const out = new Map<string, string | Uint8Array>()
  const bad = (dataKey: string, why: string) =>
    new IntegrityError({
      key: keyFor(dataKey),
      provider,
      message: `The ${kind} "${obj.metadata?.name ?? '?'}" returned by the API server has ${why} for key "${keyFor(dataKey)}" (provider "${provider}").`,
      hint: 'The endpoint is not behaving like a Kubernetes API server: check the kubeconfig server URL.',
    })
  const base64Map = (map: unknown) => {
    if (map === undefined || map === null) return
    if (typeof map !== 'object' || Array.isArray(map)) throw bad('(data)', 'a data field that is not a map')
    for (const [dataKey, text] of Object.entries(map as Record<string, unknown>)) {
      if (typeof text !== 'string' || !BASE64.test(text) || text.length % 4 !== 0) {
        throw bad(dataKey, 'a value that is not base64')
      }
      out.set(dataKey, new Uint8Array(Buffer.from(text, 'base64')))
    }
  }
  if (kind === 'Secret') {
    base64Map(obj.data)
  } else {
    const data = obj.data as unknown
    if (data !== undefined && data !== null) {
      if (typeof data !== 'object' || Array.isArray(data))
        throw bad('(data)', 'a data field that is not a map')
      for (const [dataKey, text] of Object.entries(data as Record<string, unknown>)) {
        if (typeof text !== 'string') throw bad(dataKey, 'a value that is not text')
        out.set(dataKey, text)
      }
    }
    base64Map(obj.binaryData)
  }
  let size = 0
  for (const [dataKey, value] of out) size += byteLength(value) + (kind === 'ConfigMap' ? dataKey.length : 0)
  if (size > MAX_OBJECT_BYTES) {
    throw new IntegrityError({
      key: keyFor([...out.keys()][0] ?? ''),
      provider,
      message: `The ${kind} "${obj.metadata?.name ?? '?'}" holds ${size} bytes, more than the API server's 1 MiB limit (provider "${provider}").`,
      hint: 'The endpoint is not behaving like a Kubernetes API server: check the kubeconfig server URL.',
    })
  }
  return out
}

/** One entry of an object as an Entry: UTF-8 text when it is text, bytes (marked binary) when not. */
export function toEntry(
  obj: KubeObject,
  kind: ObjectKind,
  raw: string | Uint8Array,
  ref: ObjectRef,
  provider: string,
): Entry | undefined {
  let value: string | Uint8Array = raw
  let binary = false
  if (typeof raw !== 'string') {
    try {
      value = utf8.decode(raw)
    } catch {
      binary = true
    }
  }
  if (ref.field !== undefined) {
    const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8')
    const selected = selectJsonField(text, ref.field, ref.key, provider)
    if (selected === undefined) return undefined
    value = selected
    binary = false
  }
  const version = obj.metadata?.resourceVersion
  return {
    value,
    ...(version !== undefined && { version }),
    labels: [],
    metadata: {
      object: ref.object,
      ...(obj.metadata?.namespace !== undefined && { namespace: obj.metadata.namespace }),
      ...(kind === 'Secret' && obj.type !== undefined && { type: obj.type }),
      ...(binary && { encoding: 'binary' }),
    },
    // A Secret holds secret material whatever its key is called; a ConfigMap holds parameters.
    ...(kind === 'Secret' && { sensitive: true }),
  }
}

function byteLength(value: string | Uint8Array): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length
}

/**
 * The object with `dataKey` set to `value` (or removed, for `undefined`), refusing more than the
 * API server's 1 MiB before any call. Secrets store base64 in `data`; ConfigMaps store text in `data`
 * and bytes in `binaryData` (a key lives in one of the two).
 */
export function withValue(
  obj: KubeObject,
  kind: ObjectKind,
  dataKey: string,
  value: string | Uint8Array | undefined,
  key: string,
  provider: string,
): KubeObject {
  const data = { ...obj.data }
  const binaryData = { ...obj.binaryData }
  delete data[dataKey]
  delete binaryData[dataKey]
  if (value !== undefined) {
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
      throw new ValidationError(
        `The value for key "${key}" must be a string or bytes (provider "${provider}").`,
        {
          key,
          provider,
        },
      )
    }
    if (kind === 'Secret') data[dataKey] = Buffer.from(value).toString('base64')
    else if (typeof value === 'string') data[dataKey] = value
    else binaryData[dataKey] = Buffer.from(value).toString('base64')
  }
  let size = 0
  for (const [k, v] of Object.entries(data)) {
    size += kind === 'Secret' ? Buffer.byteLength(v, 'base64') : Buffer.byteLength(v, 'utf8') + k.length
  }
  for (const [k, v] of Object.entries(binaryData)) size += Buffer.byteLength(v, 'base64') + k.length
  if (size > MAX_OBJECT_BYTES) {
    throw new ValidationError(
      `Writing key "${key}" would make ${kind} "${obj.metadata?.name ?? '?'}" ${size} bytes; the API server stores at most 1 MiB per object (provider "${provider}").`,
      { key, provider, hint: 'Split the values across several objects, or store large values elsewhere.' },
    )
  }
  const next: KubeObject = { ...obj, data }
  if (kind === 'ConfigMap') next.binaryData = binaryData
  return next
}

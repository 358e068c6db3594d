import { createHash } from 'node:crypto'
import type { RenderedSecret } from './formats.js'
import type { SyncedSecret } from './spec.js'

/**
 * What marks a Secret as written by a sync, and the Secret a sync wants in one namespace. Ownership is
 * the pair of labels `app.kubernetes.io/managed-by: polysecret` and `polysecret.dev/sync: <name>`: an
 * object without both is never changed or deleted. Annotations say where the data came from (source
 * keys and their versions) and carry a checksum of the data, so a reader can tell copies apart
 * without reading values.
 */

export const MANAGED_BY = 'app.kubernetes.io/managed-by'
export const MANAGER = 'polysecret'
export const SYNC_LABEL = 'polysecret.dev/sync'
export const SOURCE_KEYS = 'polysecret.dev/source-keys'
export const SOURCE_VERSIONS = 'polysecret.dev/source-versions'
export const CHECKSUM = 'polysecret.dev/checksum'

/** A Secret as this module reads and writes it (the parts of V1Secret it uses). */
export interface SecretObject {
  apiVersion?: string
  kind?: string
  metadata: {
    name: string
    namespace?: string
    uid?: string
    resourceVersion?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    [field: string]: unknown
  }
  type?: string
  data?: Record<string, string>
  immutable?: boolean
}

/** The `labelSelector` of every Secret one sync owns. */
export const ownerSelector = (sync: string) => `${MANAGED_BY}=${MANAGER},${SYNC_LABEL}=${sync}`

export function isOwnedBy(obj: SecretObject, sync: string): boolean {
  const labels = obj.metadata.labels ?? {}
  return labels[MANAGED_BY] === MANAGER && labels[SYNC_LABEL] === sync
}

/** `sha256:<hex>` of the type and data (keys sorted). */
export function checksum(type: string, data: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256').update(type).update('\0')
  for (const key of Object.keys(data).sort()) hash.update(key).update('\0').update(data[key]!).update('\0')
  return `sha256:${hash.digest('hex')}`
}

/** Everything about one Secret a pass wants, for every namespace alike. */
export interface DesiredSecret {
  readonly name: string
  readonly type: string
  /** base64, as on the wire. */
  readonly data: Readonly<Record<string, string>>
  readonly labels: Readonly<Record<string, string>>
  readonly annotations: Readonly<Record<string, string>>
  readonly immutable: boolean
  readonly keys: readonly string[]
}

export function desiredSecret(
  sync: string,
  spec: SyncedSecret,
  rendered: RenderedSecret,
  keys: readonly string[],
  versions: Readonly<Record<string, string | undefined>>,
): DesiredSecret {
  const data = Object.fromEntries(
    Object.entries(rendered.data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
  )
  const known = Object.fromEntries(Object.entries(versions).filter(([, v]) => v !== undefined))
  return {
    name: spec.name,
    type: rendered.type,
    data,
    labels: { ...spec.labels, ...rendered.labels, [MANAGED_BY]: MANAGER, [SYNC_LABEL]: sync },
    annotations: {
      ...spec.annotations,
      [SOURCE_KEYS]: keys.join(','),
      ...(Object.keys(known).length > 0 && { [SOURCE_VERSIONS]: JSON.stringify(known) }),
      [CHECKSUM]: checksum(rendered.type, data),
    },
    immutable: spec.immutable === true,
    keys,
  }
}

/** The object to create in `namespace`. */
export function toObject(desired: DesiredSecret, namespace: string): SecretObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: desired.name,
      namespace,
      labels: { ...desired.labels },
      annotations: { ...desired.annotations },
    },
    type: desired.type,
    data: { ...desired.data },
    ...(desired.immutable && { immutable: true }),
  }
}

/**
 * The current object updated to `desired`: our labels and annotations set, other tools' left alone,
 * the data replaced, `resourceVersion` kept so a concurrent change makes the API server answer 409.
 */
export function updatedObject(current: SecretObject, desired: DesiredSecret): SecretObject {
  return {
    ...current,
    metadata: {
      ...current.metadata,
      labels: { ...current.metadata.labels, ...desired.labels },
      annotations: { ...current.metadata.annotations, ...desired.annotations },
    },
    type: desired.type,
    data: { ...desired.data },
    ...(desired.immutable && { immutable: true }),
  }
}

/** How a data key differs: values are never shown, only that they differ. */
export type DataChange = 'added' | 'changed' | 'removed'

/** A masked diff of one Secret: type, data keys and our metadata — no value, no checksum. */
export interface MaskedDiff {
  readonly type?: { readonly from: string | undefined; readonly to: string | undefined }
  readonly data: Readonly<Record<string, DataChange>>
  /** Labels and annotations we set whose value differs (names only). */
  readonly metadata: readonly string[]
  readonly immutable?: { readonly from: boolean; readonly to: boolean }
}

export function maskedDiff(
  current: SecretObject | undefined,
  desired: DesiredSecret | undefined,
): MaskedDiff {
  const before = current?.data ?? {}
  const after = desired?.data ?? {}
  const data: Record<string, DataChange> = {}
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)].sort())) {
    if (!(key in before)) data[key] = 'added'
    else if (!(key in after)) data[key] = 'removed'
    else if (before[key] !== after[key]) data[key] = 'changed'
  }
  const metadata: string[] = []
  if (current && desired) {
    for (const [k, v] of Object.entries(desired.labels))
      if (current.metadata.labels?.[k] !== v) metadata.push(`label ${k}`)
    for (const [k, v] of Object.entries(desired.annotations))
      if (current.metadata.annotations?.[k] !== v) metadata.push(`annotation ${k}`)
  }
  const typeFrom = current ? (current.type ?? 'Opaque') : undefined
  const wasImmutable = current?.immutable === true
  return {
    ...(typeFrom !== desired?.type && { type: { from: typeFrom, to: desired?.type } }),
    data,
    metadata,
    ...(current &&
      desired &&
      wasImmutable !== desired.immutable && {
        immutable: { from: wasImmutable, to: desired.immutable },
      }),
  }
}

/** Whether the current object already is what we want. */
export function isCurrent(current: SecretObject, desired: DesiredSecret): boolean {
  const d = maskedDiff(current, desired)
  return !d.type && !d.immutable && Object.keys(d.data).length === 0 && d.metadata.length === 0
}

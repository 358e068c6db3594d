import { assertValidOptions, type KeyMapping, type Provider } from '@polysecret/core'
import { connectionIssues, type KubernetesClientOptions } from './connection.js'
import { type KubernetesKeyMappingName, keyMappingIssues, objectKeys } from './key-mapping.js'
import type { ObjectApi } from './object-api.js'
import { objectStore } from './object-store.js'

/** Options of {@link kubernetesSecrets} and {@link configMaps} that do not concern the connection. */
export interface KubernetesObjectSettings {
  /** The namespace holding the objects. */
  readonly namespace: string
  /**
   * Keep every key in this one object: keys are then its data keys (`DB_PASSWORD`). Without it, a key
   * is `object/dataKey` (`db-credentials/password`).
   */
  readonly name?: string
  /**
   * Instance name, unique within a manager; appears in errors and events.
   * @default 'kubernetes-secrets' / 'kubernetes-configmaps'
   */
  readonly providerName?: string
  /**
   * Only objects carrying these labels are listed and watched, and objects the provider creates get
   * them (e.g. `{ 'app.kubernetes.io/managed-by': 'polysecret' }`).
   */
  readonly labels?: Readonly<Record<string, string>>
  /**
   * How keys map to store names (`object/dataKey`, or the data key with `name` set): `'identity'` or
   * your own `{ toName, toKey }`.
   * @default 'identity'
   */
  readonly keyMapping?: KubernetesKeyMappingName | KeyMapping
}

/** Settings plus either connection options or your own `KubeConfig` (`client`). */
export type KubernetesObjectOptions = KubernetesObjectSettings & KubernetesClientOptions

/** A Secrets or ConfigMaps provider: reads, batch reads, list, writes, deletes and a push watch. */
export type KubernetesObjectProvider<T extends string> = Provider &
  Required<Pick<Provider, 'getMany' | 'list' | 'set' | 'delete' | 'subscribe' | 'close'>> & {
    readonly type: T
  }

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** Validates the options of either factory eagerly and builds the provider. */
export function makeObjectProvider<T extends string>(
  type: T,
  api: ObjectApi,
  options: KubernetesObjectOptions,
): KubernetesObjectProvider<T> {
  const o = (options ?? {}) as unknown as Record<string, unknown>
  const name = typeof o.providerName === 'string' && o.providerName.trim() !== '' ? o.providerName : type
  const issues: string[] = []
  if (typeof o.namespace !== 'string' || o.namespace.length > 63 || !NAMESPACE.test(o.namespace)) {
    issues.push('namespace must be a namespace name (lower-case letters, digits and "-", at most 63)')
  }
  if (o.providerName !== undefined && (typeof o.providerName !== 'string' || o.providerName.trim() === '')) {
    issues.push('providerName must be a non-empty string')
  }
  const labels = o.labels
  if (labels !== undefined) {
    const ok =
      labels !== null &&
      typeof labels === 'object' &&
      Object.entries(labels).every(
        ([k, v]) => k !== '' && typeof v === 'string' && LABEL_VALUE.test(v) && v.length <= 63,
      )
    if (!ok) issues.push('labels must map label names to label values (at most 63 of [-_.A-Za-z0-9])')
  }
  issues.push(...keyMappingIssues(o.name, o.keyMapping), ...connectionIssues(o))
  assertValidOptions(issues, type, name)
  const object = options.name
  return objectStore(api, {
    type,
    name,
    namespace: options.namespace,
    labels: options.labels,
    keys: objectKeys(object, options.keyMapping, name),
    object,
    connection: options,
  }) as unknown as KubernetesObjectProvider<T>
}

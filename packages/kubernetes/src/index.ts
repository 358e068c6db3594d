export type { ConfigMapsProvider } from './config-maps.js'
export { configMaps } from './config-maps.js'
export type {
  InClusterOptions,
  KubernetesClientOption,
  KubernetesClientOptions,
  KubernetesConnectionOptions,
} from './connection.js'
export type { KubernetesErrorContext, KubernetesStatus } from './errors.js'
export { toPolysecretError } from './errors.js'
export { SERVICE_ACCOUNT_DIR } from './in-cluster.js'
export type { KubernetesKeyMappingName } from './key-mapping.js'
export type { MountedFilesOptions, MountedFilesProvider } from './mounted-files.js'
export { mountedFiles } from './mounted-files.js'
export { MAX_OBJECT_BYTES } from './object-data.js'
export type {
  KubernetesObjectOptions,
  KubernetesObjectProvider,
  KubernetesObjectSettings,
} from './options.js'
export type { KubernetesSecretsProvider } from './secrets.js'
export { kubernetesSecrets } from './secrets.js'

export type { ChangeOutcome, SyncChange } from './sync/apply.js'
export type { RunningNamespaceSync } from './sync/continuous.js'
export { formatSyncResult } from './sync/diff-text.js'
export { ARGOCD_SECRET_TYPE, SECRET_TYPES } from './sync/formats.js'
export type { NamespaceSyncTarget } from './sync/namespace-sync.js'
export { namespaceSync } from './sync/namespace-sync.js'
export type { DataChange, MaskedDiff } from './sync/owned.js'
export {
  CHECKSUM as SYNC_CHECKSUM_ANNOTATION,
  MANAGED_BY as MANAGED_BY_LABEL,
  SOURCE_KEYS as SYNC_SOURCE_KEYS_ANNOTATION,
  SOURCE_VERSIONS as SYNC_SOURCE_VERSIONS_ANNOTATION,
  SYNC_LABEL,
} from './sync/owned.js'
export type { NamespaceSyncResult, SyncIssue } from './sync/pass.js'
export type { DistributionPolicy, DistributionRule } from './sync/policy.js'
export { SYSTEM_NAMESPACES } from './sync/policy.js'
export type { LabelSelectorRequirement, NamespaceSelector } from './sync/selector.js'
export type {
  ArgoCdRepositorySecret,
  BasicAuthSecret,
  DockerConfigSecret,
  GitCredentialSecret,
  NamespaceSyncSettings,
  NamespaceSyncSpec,
  OpaqueSecret,
  SecretFormat,
  SyncAuditEvent,
  SyncedSecret,
  SyncRetryOptions,
  TlsSecret,
  ValueRef,
} from './sync/spec.js'
export type { LatencySummary, NamespaceSyncStats } from './sync/stats.js'

import { configMaps as makeConfigMaps } from './config-maps.js'
import { mountedFiles as makeMountedFiles } from './mounted-files.js'
import { kubernetesSecrets as makeSecrets } from './secrets.js'
import { namespaceSync as makeNamespaceSync } from './sync/namespace-sync.js'

/**
 * Provider types for declarative configs (`createManager({ secrets: [{ type: 'kubernetes-secrets', … }] })`):
 * core imports this package on demand when a config names one of these types.
 */
export const polysecretProviders = {
  'kubernetes-secrets': (options: Record<string, unknown>) => makeSecrets(options as never),
  'kubernetes-configmaps': (options: Record<string, unknown>) => makeConfigMaps(options as never),
  'kubernetes-mounted-files': (options: Record<string, unknown>) => makeMountedFiles(options as never),
} as const

/**
 * Sync target types for plain specs (`manager.sync({ type: 'kubernetes-namespaces', … })`, `polysecret
 * sync`): core imports this package on demand when a spec names one of these types.
 */
export const polysecretSyncTargets = {
  'kubernetes-namespaces': (spec: Record<string, unknown>) => makeNamespaceSync(spec as never),
} as const

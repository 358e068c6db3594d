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

import { configMaps as makeConfigMaps } from './config-maps.js'
import { mountedFiles as makeMountedFiles } from './mounted-files.js'
import { kubernetesSecrets as makeSecrets } from './secrets.js'

/**
 * Provider types for declarative configs (`createManager({ secrets: [{ type: 'kubernetes-secrets', … }] })`):
 * core imports this package on demand when a config names one of these types.
 */
export const polysecretProviders = {
  'kubernetes-secrets': (options: Record<string, unknown>) => makeSecrets(options as never),
  'kubernetes-configmaps': (options: Record<string, unknown>) => makeConfigMaps(options as never),
  'kubernetes-mounted-files': (options: Record<string, unknown>) => makeMountedFiles(options as never),
} as const

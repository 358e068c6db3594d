export type { GcpErrorContext } from './errors.js'
export { GrpcStatus, grpcStatusName, toPolysecretError } from './errors.js'
export type { GcpKeyMappingName } from './key-mapping.js'
export type { GcpClientOption, GcpClientOptions, GcpConnectionOptions, GcpTransport } from './lazy-client.js'
export type {
  ParameterManagerOptions,
  ParameterManagerProvider,
  ParameterManagerSettings,
} from './parameter-manager.js'
export { parameterManager } from './parameter-manager.js'
export type { ParameterFormat } from './parameter-payload.js'
export type { ParameterVersionInfo } from './parameter-versions.js'
export type { SecretManagerOptions, SecretManagerProvider, SecretManagerSettings } from './secret-manager.js'
export { secretManager } from './secret-manager.js'
export type { SecretVersionInfo, SecretVersionState } from './secret-versions.js'

import { parameterManager as makeParameterManager } from './parameter-manager.js'
import { secretManager as makeSecretManager } from './secret-manager.js'

/**
 * Provider types for declarative configs (`createManager({ secrets: [{ type: 'gcp-secret-manager', … }] })`):
 * core imports this package on demand when a config names one of these types.
 */
export const polysecretProviders = {
  'gcp-secret-manager': (options: Record<string, unknown>) => makeSecretManager(options as never),
  'gcp-parameter-manager': (options: Record<string, unknown>) => makeParameterManager(options as never),
} as const

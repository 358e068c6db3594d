export type { AwsErrorContext } from './errors.js'
export { awsErrorName, toPolysecretError } from './errors.js'
export type { KeyMapping, KeyMappingName } from './key-mapping.js'
export type {
  AwsClientOption,
  AwsClientOptions,
  AwsConnectionOptions,
  AwsCredentials,
  AwsCredentialsInput,
} from './lazy-client.js'
export type {
  ParameterStoreOptions,
  ParameterStoreProvider,
  ParameterStoreSettings,
  PrefixEntry,
} from './parameter-store.js'
export { parameterStore } from './parameter-store.js'
export type {
  SecretsManagerOptions,
  SecretsManagerProvider,
  SecretsManagerSettings,
} from './secrets-manager.js'
export { secretsManager } from './secrets-manager.js'

import { parameterStore as makeParameterStore } from './parameter-store.js'
import { secretsManager as makeSecretsManager } from './secrets-manager.js'

/**
 * Provider types for declarative configs (`createManager({ secrets: [{ type: 'aws-secrets-manager', … }] })`):
 * core imports this package on demand when a config names one of these types.
 */
export const polysecretProviders = {
  'aws-secrets-manager': (options: Record<string, unknown>) => makeSecretsManager(options as never),
  'aws-ssm': (options: Record<string, unknown>) => makeParameterStore(options as never),
} as const

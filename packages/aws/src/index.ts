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

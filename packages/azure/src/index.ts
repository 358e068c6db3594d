export {
  APP_CONFIGURATION_CAPABILITIES,
  type AppConfigurationProvider,
  appConfiguration,
} from './app-config.js'
export type {
  AppConfigurationConnection,
  AppConfigurationOptions,
  AppConfigurationSettings,
} from './app-config-options.js'
export {
  FEATURE_FLAG_CONTENT_TYPE,
  FEATURE_FLAG_PREFIX,
  KEY_VAULT_REF_CONTENT_TYPE,
  type KeyVaultReferenceOption,
} from './app-config-references.js'
export type { AzureClientOptions, AzureTokenCredential } from './connection.js'
export {
  type AzureErrorContext,
  SecretDisabledError,
  SecretExpiredError,
  toPolysecretError,
} from './errors.js'
export type { KeyVaultKeyMappingName } from './key-mapping.js'
export { KEY_VAULT_CAPABILITIES, type KeyVaultOptions, type KeyVaultProvider, keyVault } from './key-vault.js'
export type { ExpiredPolicy, KeyVaultVersionInfo } from './key-vault-secret.js'

import { appConfiguration as makeAppConfiguration } from './app-config.js'
import { keyVault as makeKeyVault } from './key-vault.js'

/**
 * Provider types for declarative configs (`createManager({ secrets: [{ type: 'azure-key-vault', vaultUrl }] })`):
 * core imports this package on demand when a config names one of these types.
 */
export const polysecretProviders = {
  'azure-key-vault': (options: Record<string, unknown>) => makeKeyVault(options as never),
  'azure-app-configuration': (options: Record<string, unknown>) => makeAppConfiguration(options as never),
} as const

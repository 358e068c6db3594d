export type { AppRoleAuth, KubernetesAuth, VaultAuth } from './auth.js'
export { SERVICE_ACCOUNT_TOKEN_PATH } from './auth.js'
export type { VaultErrorContext } from './errors.js'
export { toPolysecretError } from './errors.js'
export type { VaultKeyMappingName } from './key-mapping.js'
export type { VaultClient } from './kv-engine.js'
export type { VaultKvOptions } from './options.js'
export type { VaultKvProvider } from './vault-kv.js'
export { vaultKv } from './vault-kv.js'

import { vaultKv as makeVaultKv } from './vault-kv.js'

/**
 * Provider types for declarative configs (`createManager({ secrets: [{ type: 'vault-kv', … }] })`):
 * core imports this package on demand when a config names one of these types.
 */
export const polysecretProviders = {
  'vault-kv': (options: Record<string, unknown>) => makeVaultKv(options as never),
} as const

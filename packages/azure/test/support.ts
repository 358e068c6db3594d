import { type AppConfigFake, type KeyVaultFake, startFake } from '@polysecret/testing'
import {
  type AppConfigurationSettings,
  appConfiguration,
  type KeyVaultOptions,
  keyVault,
} from '../src/index.js'

/** A Key Vault fake, seeded by secret name. */
export function startKeyVault(secrets: Record<string, string> = {}): Promise<KeyVaultFake> {
  return startFake('azure-key-vault', { secrets })
}

/** An App Configuration fake, seeded by setting key (null label). */
export function startAppConfig(settings: Record<string, string> = {}): Promise<AppConfigFake> {
  return startFake('azure-app-configuration', {
    settings: Object.entries(settings).map(([key, value]) => ({ key, value })),
  })
}

/** The provider on the official SecretClient over TLS, pointed at the fake with its credential. */
export function kvFor(fake: KeyVaultFake, settings: Omit<KeyVaultOptions, 'vaultUrl'> = {}) {
  return keyVault({
    vaultUrl: fake.vaultUrl,
    credential: fake.credential,
    clientOptions: fake.clientOptions as never,
    ...settings,
  })
}

/** The provider on the official AppConfigurationClient, by connection string (HMAC) or bearer token. */
export function acFor(
  fake: AppConfigFake,
  settings: AppConfigurationSettings = {},
  auth: 'hmac' | 'aad' = 'hmac',
) {
  const connection =
    auth === 'hmac'
      ? { connectionString: fake.connectionString }
      : { endpoint: fake.endpoint, credential: fake.credential }
  return appConfiguration({ ...connection, clientOptions: fake.clientOptions as never, ...settings })
}

import { type Entry, NotFoundError, ValidationError } from '@polysecret/core'
import type { AzureClientOptions, AzureTokenCredential } from './connection.js'
import { type KeyVaultProvider, keyVault } from './key-vault.js'

/** The content type App Configuration gives a Key Vault reference (before `;charset=…`). */
export const KEY_VAULT_REF_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.keyvaultref+json'
/** The content type of a feature flag. */
export const FEATURE_FLAG_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.ff+json'
/** Feature flags live under this key prefix. */
export const FEATURE_FLAG_PREFIX = '.appconfig.featureflag/'

/**
 * How an App Configuration provider resolves Key Vault references: through `keyVault()` providers
 * (matched by vault URL), or with a credential for any vault a reference names (a `keyVault()` provider
 * per vault is made on first use).
 */
export type KeyVaultReferenceOption =
  | KeyVaultProvider
  | readonly KeyVaultProvider[]
  | {
      /** For vaults references name. @default DefaultAzureCredential, loaded on first use */
      readonly credential?: AzureTokenCredential
      /** `SecretClient` options for those vaults. */
      readonly clientOptions?: AzureClientOptions
    }

/** Whether a setting's content type marks it as a Key Vault reference. */
export function isKeyVaultReference(contentType: string | undefined): boolean {
  return contentType?.toLowerCase().startsWith(KEY_VAULT_REF_CONTENT_TYPE) === true
}

/** A parsed reference: vault URL, secret name and optional version. Names of things, never a value. */
export interface SecretReference {
  readonly vaultUrl: string
  readonly name: string
  readonly version: string | undefined
}

/** Parses `{"uri":"https://<vault>/secrets/<name>[/<version>]"}`; anything else is a ValidationError naming the key. */
export function parseReference(value: string | undefined, key: string, provider: string): SecretReference {
  const bad = () =>
    new ValidationError(
      `Key "${key}" is a Key Vault reference whose value is not {"uri": "https://<vault>/secrets/<name>[/<version>]"} (provider "${provider}").`,
      { key, provider, hint: 'Fix the reference in App Configuration (az appconfig kv set-keyvault).' },
    )
  let uri: unknown
  try {
    uri = (JSON.parse(value ?? '') as { uri?: unknown } | null)?.uri
  } catch {
    throw bad()
  }
  if (typeof uri !== 'string') throw bad()
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw bad()
  }
  const parts = url.pathname.split('/').filter(Boolean)
  if (url.protocol !== 'https:' || parts[0] !== 'secrets' || parts.length < 2 || parts.length > 3) throw bad()
  return { vaultUrl: url.origin, name: decodeURIComponent(parts[1]!), version: parts[2] }
}

/** Resolves references for one App Configuration provider. */
export interface ReferenceResolver {
  /** The referenced secret's entry, reported under `key`; NotFoundError when the secret does not exist. */
  resolve(ref: SecretReference, key: string, signal?: AbortSignal): Promise<Entry>
  close(): Promise<void>
}

/** Builds the resolver for the `keyVault` option (undefined: references are refused with a clear error). */
export function referenceResolver(
  option: KeyVaultReferenceOption | undefined,
  provider: string,
): ReferenceResolver {
  const isProvider = (x: unknown): x is KeyVaultProvider =>
    typeof (x as KeyVaultProvider).getByName === 'function'
  const given: readonly KeyVaultProvider[] =
    option === undefined
      ? []
      : isProvider(option)
        ? [option]
        : Array.isArray(option)
          ? (option as KeyVaultProvider[])
          : []
  const byVault = new Map<string, KeyVaultProvider>()
  for (const kv of given) byVault.set(origin(kv.vaultUrl), kv)
  const made = new Set<KeyVaultProvider>()
  const settings =
    option !== undefined && !isProvider(option) && !Array.isArray(option)
      ? (option as { credential?: AzureTokenCredential; clientOptions?: AzureClientOptions })
      : undefined

  const providerFor = (ref: SecretReference, key: string): KeyVaultProvider => {
    const found = byVault.get(origin(ref.vaultUrl))
    if (found) return found
    if (settings === undefined) {
      throw new ValidationError(
        `Key "${key}" is a Key Vault reference to ${ref.vaultUrl}, and provider "${provider}" has no way to read that vault.`,
        {
          key,
          provider,
          hint:
            option === undefined
              ? 'Pass keyVault: keyVault({ vaultUrl }) (or keyVault: { credential }) to appConfiguration() to resolve references.'
              : `Add a keyVault() provider for ${ref.vaultUrl} to the keyVault option.`,
        },
      )
    }
    const kv = keyVault({
      vaultUrl: ref.vaultUrl,
      name: `${provider}/${new URL(ref.vaultUrl).host}`,
      keyMapping: 'identity',
      ...(settings.credential && { credential: settings.credential }),
      ...(settings.clientOptions && { clientOptions: settings.clientOptions }),
    })
    byVault.set(origin(ref.vaultUrl), kv)
    made.add(kv)
    return kv
  }

  return {
    async resolve(ref, key, signal) {
      const kv = providerFor(ref, key)
      const entry = await kv.getByName(ref.name, {
        key,
        ...(ref.version !== undefined && { version: ref.version }),
        ...(signal && { signal }),
      })
      if (entry === undefined) {
        throw new NotFoundError({
          key,
          provider,
          message: `Key "${key}" references Key Vault secret "${ref.name}"${ref.version ? ` version ${ref.version}` : ''} in ${ref.vaultUrl}, which does not exist (provider "${provider}").`,
          hint: 'Create the secret in Key Vault, or fix the reference in App Configuration.',
        })
      }
      return entry
    },
    async close() {
      await Promise.all([...made].map((kv) => kv.close()))
    },
  }
}

function origin(url: string): string {
  return new URL(url).origin.toLowerCase()
}

import type { AppConfigurationClient } from '@azure/app-configuration'
import { IDENTITY_KEY_MAPPING, type KeyMapping, resolveKeyMapping } from '@polysecret/core'
import { isValidKeyFilter } from './app-config-filter.js'
import type { KeyVaultReferenceOption } from './app-config-references.js'
import {
  type AzureClientOptions,
  type AzureTokenCredential,
  connectionIssues,
  isServiceUrl,
} from './connection.js'

/** Options of {@link appConfiguration} that do not concern the connection. */
export interface AppConfigurationSettings {
  /**
   * Instance name, unique within a manager; appears in errors and events.
   * @default 'azure-app-configuration'
   */
  readonly name?: string
  /**
   * The label (or labels, in order of preference) to read: with `['prod', null]` a key is read from the
   * `prod` label and, where it has none, from the null label (no label) — the first label that has the
   * key wins. Writes, deletes and rollbacks go to the first label. `null` is the null label.
   * @default null
   */
  readonly label?: string | null | readonly (string | null)[]
  /**
   * Prepended to every key, and stripped from the keys `list` reports: with `trimPrefix: 'myapp:'`,
   * key `DB_HOST` is setting `myapp:DB_HOST` (the official provider's `trimKeyPrefixes`).
   * @default ''
   */
  readonly trimPrefix?: string
  /**
   * The settings this provider serves, in App Configuration's filter syntax (`app:*`, `a,b`, up to 5
   * alternatives): `list`, `getMany` and change detection select with it, and a key outside it reads as
   * missing. Feature flags (`.appconfig.featureflag/…`) are left out of `list` unless the filter names them.
   * @default `${trimPrefix}*`
   */
  readonly keyFilter?: string
  /** How keys map to setting keys after `trimPrefix`: identity, or your own `{ toName, toKey }`. @default identity */
  readonly keyMapping?: KeyMapping
  /**
   * Resolves Key Vault references (`application/vnd.microsoft.appconfig.keyvaultref+json`): `keyVault()`
   * providers matched by vault URL, or `{ credential?, clientOptions? }` to read any vault a reference
   * names. Without it, reading a reference is a ValidationError that says so.
   */
  readonly keyVault?: KeyVaultReferenceOption
  /**
   * Change detection for `watch` (`changeToken`): a sentinel key (the official provider's
   * `refreshOptions.watchedSettings`) is one GET per poll — bump it after a batch of changes; without
   * one, the selection's page etags are checked with one HEAD request per page of 100 settings.
   * @default undefined (page etags)
   */
  readonly sentinel?: string | { readonly key: string; readonly label?: string | null }
}

/** Connect with a connection string (HMAC access key), an endpoint and a credential, or a client. */
export interface AppConfigurationConnection {
  /** `https://<store>.azconfig.io`; authenticates with `credential` (default DefaultAzureCredential). */
  readonly endpoint?: string
  /** `Endpoint=…;Id=…;Secret=…` (an access key). Kept in a closure, never readable from the provider. */
  readonly connectionString?: string
  /** For `endpoint`. @default DefaultAzureCredential, loaded on first use */
  readonly credential?: AzureTokenCredential
  /** `AppConfigurationClient` options. Retries are off by default: the manager retries. */
  readonly clientOptions?: AzureClientOptions
  /** An `AppConfigurationClient` you created (and own). */
  readonly client?: AppConfigurationClient
}

/** Options of {@link appConfiguration}. */
export type AppConfigurationOptions = AppConfigurationSettings & AppConfigurationConnection

/** Every problem with the options, for one ValidationError. */
export function appConfigurationIssues(options: AppConfigurationOptions): string[] {
  const o = options as Record<string, unknown>
  const issues = connectionIssues(o, 'getConfigurationSetting', 'AppConfigurationClient')
  const ways = ['endpoint', 'connectionString', 'client'].filter((k) => o[k] !== undefined)
  if (ways.length !== 1) issues.push('pass exactly one of endpoint, connectionString or client')
  if (o.endpoint !== undefined && !isServiceUrl(o.endpoint))
    issues.push('endpoint must be a URL such as "https://my-store.azconfig.io"')
  if (
    o.connectionString !== undefined &&
    (typeof o.connectionString !== 'string' || !/Endpoint=/i.test(o.connectionString))
  ) {
    issues.push('connectionString must be "Endpoint=…;Id=…;Secret=…"')
  }
  if (o.connectionString !== undefined && o.credential !== undefined)
    issues.push('credential goes with endpoint, not connectionString')
  const labels = o.label === undefined ? [null] : Array.isArray(o.label) ? o.label : [o.label]
  if (
    labels.length === 0 ||
    !labels.every((l) => l === null || (typeof l === 'string' && l !== '' && !/[*,\\]/.test(l)))
  ) {
    issues.push(
      'label must be a label, null (no label) or a non-empty array of them, without "*", "," or "\\"',
    )
  }
  if (labels.length > 5)
    issues.push('label takes at most 5 labels (App Configuration filters allow 5 alternatives)')
  if (o.trimPrefix !== undefined && typeof o.trimPrefix !== 'string')
    issues.push('trimPrefix must be a string')
  if (o.keyFilter !== undefined && (typeof o.keyFilter !== 'string' || !isValidKeyFilter(o.keyFilter))) {
    issues.push(
      'keyFilter must be an App Configuration key filter ("app:*", "a,b"; "*" only at the end, at most 5 alternatives)',
    )
  }
  if (
    o.keyMapping !== undefined &&
    resolveKeyMapping(o.keyMapping, { identity: IDENTITY_KEY_MAPPING }, 'identity') === undefined
  ) {
    issues.push('keyMapping must be "identity" or { toName(key), toKey(name) }')
  }
  const kv = o.keyVault as Record<string, unknown> | null | undefined
  if (kv !== undefined && (kv === null || typeof kv !== 'object')) {
    issues.push(
      'keyVault must be a keyVault() provider, an array of them, or { credential?, clientOptions? }',
    )
  }
  const s = o.sentinel as { key?: unknown } | string | undefined
  if (
    s !== undefined &&
    !(typeof s === 'string' && s !== '') &&
    !(typeof s === 'object' && s !== null && typeof s.key === 'string' && s.key !== '')
  ) {
    issues.push('sentinel must be a setting key, or { key, label? }')
  }
  return issues
}

/** The labels to read, in order of preference. */
export function labelsOf(option: AppConfigurationSettings['label']): readonly (string | null)[] {
  return option === undefined ? [null] : Array.isArray(option) ? option : [option as string | null]
}

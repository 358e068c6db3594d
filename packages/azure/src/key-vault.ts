import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets'
import {
  assertValidOptions,
  type Capabilities,
  ConflictError,
  type DeleteOptions,
  type Entry,
  type GetOptions,
  type Health,
  type KeyInfo,
  type KeyMapping,
  lazyClient,
  NotFoundError,
  type Provider,
  type SetOptions,
  ValidationError,
} from '@polysecret/core'
import { withChallengeGate } from './challenge-gate.js'
import {
  type AzureClientOptions,
  type AzureTokenCredential,
  clientOptionsWithDefaults,
  connectionIssues,
  credentialOrDefault,
  delay,
  isServiceUrl,
} from './connection.js'
import { innerCode, statusOf, toPolysecretError } from './errors.js'
import { type KeyVaultKeyMappingName, type NameRef, secretNameIssues, secretNames } from './key-mapping.js'
import {
  type ExpiredPolicy,
  type KeyVaultVersionInfo,
  secretText,
  secretToEntry,
  toVersionInfos,
} from './key-vault-secret.js'

type Sdk = typeof import('@azure/keyvault-secrets')

const TYPE = 'azure-key-vault'

/**
 * Everything but `batch`: Key Vault has no batch read, so the manager reads many keys with one
 * GetSecret each, `concurrency` (the ConfigManager option) at a time, and retries each key on its own.
 * `rollback` writes the old version's value (with its content type and tags) as a new version.
 */
export const KEY_VAULT_CAPABILITIES: Capabilities = Object.freeze({
  list: true,
  write: true,
  delete: true,
  versions: true,
  batch: false,
  watch: true,
  rollback: true,
})

/** Options of {@link keyVault}. */
export interface KeyVaultOptions {
  /** The vault, e.g. `https://my-vault.vault.azure.net`. */
  readonly vaultUrl: string
  /**
   * Instance name, unique within a manager; appears in errors and events.
   * @default 'azure-key-vault'
   */
  readonly name?: string
  /**
   * Prepended to every secret name, and stripped from names `list` returns: with `prefix: 'prod-'`,
   * key `DB_PASSWORD` is secret `prod-db-password`. Letters, digits and `-` only.
   * @default ''
   */
  readonly prefix?: string
  /**
   * How keys map to secret names: `'kebab'` (`DB_PASSWORD` ↔ `db-password`), `'identity'` or your own
   * `{ toName, toKey }`. See {@link KeyVaultKeyMappingName} for how `list` maps names back.
   * @default 'kebab'
   */
  readonly keyMapping?: KeyVaultKeyMappingName | KeyMapping
  /**
   * A secret past its `expiresOn` or before its `notBefore`: `'error'` refuses the read with
   * `SecretExpiredError`; `'serve'` returns it (Key Vault itself does), with both dates in `metadata`.
   * @default 'error'
   */
  readonly expired?: ExpiredPolicy
  /**
   * Let `delete(key, { force: true })` purge the secret (soft-delete, then PurgeDeletedSecret: gone
   * for good, needs the purge permission). Off, a forced delete is refused and deletes stay
   * recoverable for the vault's retention period.
   * @default false
   */
  readonly purge?: boolean
  /** The clock for the expiry check (ms since the epoch). @default Date.now */
  readonly now?: () => number
  /**
   * The credential. When omitted, `@azure/identity`'s `DefaultAzureCredential` (workload identity,
   * managed identity, environment, Azure CLI …) is imported and created on first use. Kept in a
   * closure: never readable from the provider object.
   */
  readonly credential?: AzureTokenCredential
  /** `SecretClient` options (`tlsOptions`, `proxyOptions`, `retryOptions` …). Retries are off by default: the manager retries. */
  readonly clientOptions?: AzureClientOptions
  /** A `SecretClient` you created (and own) instead of credential / clientOptions. */
  readonly client?: SecretClient
}

/** The Azure Key Vault provider: every optional method of `Provider` but `getMany`. */
export interface KeyVaultProvider extends Provider {
  readonly type: 'azure-key-vault'
  /** The vault this provider reads (`https://…vault.azure.net`, no trailing `/`). */
  readonly vaultUrl: string
  /**
   * Reads a secret by its Key Vault name (no prefix or key mapping), as an App Configuration Key Vault
   * reference names it; reported under `key`. `undefined` when it does not exist.
   */
  getByName(name: string, opts?: GetOptions & { key?: string }): Promise<Entry | undefined>
  list(prefix?: string): AsyncIterable<KeyInfo>
  /** SetSecret: a new version. `ifVersion` and `createOnly` are check-then-write (Key Vault has no precondition). */
  set(key: string, value: string | Uint8Array, opts?: SetOptions): Promise<KeyVaultVersionInfo>
  /** Soft delete (recoverable); with `force` and the `purge` option, purged. Idempotent. */
  delete(key: string, opts?: DeleteOptions): Promise<void>
  /** Every version, newest (current) first. */
  versions(key: string): Promise<KeyVaultVersionInfo[]>
  /** Writes `version`'s value, content type and tags as a new current version. */
  rollback(key: string, version: string): Promise<KeyVaultVersionInfo>
  close(): Promise<void>
}

/**
 * A provider backed by Azure Key Vault secrets, on `@azure/keyvault-secrets`.
 *
 * Keys map to secret names (see `keyMapping`); `name#field` selects one field of a JSON secret. Reads
 * return the current version unless `version` (a Key Vault version id) is given; a disabled secret is
 * a `SecretDisabledError`, an expired one a `SecretExpiredError`. The client (and, without a
 * `credential`, `@azure/identity`) is imported on first use.
 *
 * @example
 * ```ts
 * import { keyVault } from '@polysecret/azure'
 *
 * const kv = keyVault({ vaultUrl: 'https://my-vault.vault.azure.net' }) // DefaultAzureCredential
 * const entry = await kv.get('DB_PASSWORD') // secret "db-password"
 * ```
 */
export function keyVault(options: KeyVaultOptions): KeyVaultProvider {
  const o = (options ?? {}) as unknown as Record<string, unknown>
  const name = (o.name as string | undefined) ?? TYPE
  const issues = connectionIssues(o, 'getSecret', 'SecretClient')
  if (!isServiceUrl(o.vaultUrl))
    issues.push('vaultUrl must be the vault URL, e.g. "https://my-vault.vault.azure.net"')
  issues.push(...secretNameIssues(o.prefix, o.keyMapping))
  if (o.expired !== undefined && o.expired !== 'error' && o.expired !== 'serve')
    issues.push('expired must be "error" or "serve"')
  if (o.now !== undefined && typeof o.now !== 'function')
    issues.push('now must be a function returning ms since the epoch')
  assertValidOptions(issues, TYPE, name)
  const vaultUrl = options.vaultUrl.replace(/\/+$/, '')
  const names = secretNames(options.prefix ?? '', options.keyMapping, name)
  const check = { provider: name, expired: options.expired ?? 'error', now: options.now ?? Date.now }

  const sdk = lazyClient<Sdk, SecretClient>({
    provider: name,
    pkg: '@azure/keyvault-secrets',
    requiredBy: '@polysecret/azure',
    load: () => import('@azure/keyvault-secrets'),
    client: options.client,
    create: async (m) =>
      new m.SecretClient(
        vaultUrl,
        (await credentialOrDefault(options.credential)) as never,
        withChallengeGate(clientOptionsWithDefaults(options.clientOptions)),
      ),
    dispose: () => undefined, // SecretClient holds no resources of its own to release
  })
  const client = async () => (await sdk.connect()).client
  const fail = (error: unknown, key?: string) => toPolysecretError(error, { key, provider: name })
  const whole = (key: string): NameRef => {
    const r = names.ref(key)
    if (r.field !== undefined) {
      throw new ValidationError(`Cannot write a single JSON field ("${key}"); write the whole secret.`, {
        key,
        provider: name,
      })
    }
    return r
  }

  async function read(r: NameRef, opts: GetOptions = {}): Promise<Entry | undefined> {
    if (opts.label !== undefined) {
      throw new ValidationError(
        `Key Vault has no labels; read key "${r.key}" by version instead (provider "${name}").`,
        {
          key: r.key,
          provider: name,
        },
      )
    }
    try {
      const secret = await (await client()).getSecret(r.name, {
        ...(opts.version !== undefined && { version: opts.version }),
        ...(opts.signal && { abortSignal: opts.signal }),
      })
      return secretToEntry(secret, r, check)
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      throw fail(error, r.key)
    }
  }

  /** The version `get` returns now, for check-then-write and for `versions()`' `current`. */
  async function currentVersion(r: NameRef): Promise<string | undefined> {
    try {
      return (await (await client()).getSecret(r.name)).properties.version
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      if (innerCode(error) !== 'SecretDisabled') throw error
      // The current version is disabled: it is still the newest one.
      return toVersionInfos(r.key, await allVersions(r.name))[0]?.version
    }
  }

  async function allVersions(secret: string): Promise<SecretProperties[]> {
    const out: SecretProperties[] = []
    try {
      for await (const p of (await client()).listPropertiesOfSecretVersions(secret)) out.push(p)
    } catch (error) {
      if (statusOf(error) === 404) return []
      throw error
    }
    return out
  }

  async function write(
    r: NameRef,
    value: string,
    extra: { contentType?: string; tags?: Record<string, string> },
  ) {
    try {
      const secret = await (await client()).setSecret(r.name, value, extra)
      const p = secret.properties
      return toVersionInfos(r.key, [p])[0] as KeyVaultVersionInfo
    } catch (error) {
      if (innerCode(error) === 'ObjectIsDeletedButRecoverable') {
        throw new ConflictError({
          key: r.key,
          provider: name,
          cause: error,
          message: `Secret "${r.name}" for key "${r.key}" is deleted but recoverable, so it cannot be written (provider "${name}").`,
          hint: 'Recover it (az keyvault secret recover) or purge it (delete with force and the purge option) first.',
        })
      }
      throw error
    }
  }

  return {
    name,
    type: TYPE,
    vaultUrl,
    capabilities: KEY_VAULT_CAPABILITIES,

    async get(key, opts) {
      return read(names.ref(key), opts)
    },

    async getByName(secret, opts = {}) {
      return read({ key: opts.key ?? secret, name: secret, field: undefined }, opts)
    },

    async *list(keyPrefix = '') {
      let iterator: AsyncIterator<SecretProperties>
      try {
        iterator = (await client()).listPropertiesOfSecrets()[Symbol.asyncIterator]()
      } catch (error) {
        throw fail(error)
      }
      while (true) {
        let next: IteratorResult<SecretProperties>
        try {
          next = await iterator.next()
        } catch (error) {
          throw fail(error)
        }
        if (next.done) return
        const p = next.value
        // Secrets backing Key Vault certificates are managed by the certificate, not configuration.
        if (p.managed === true || typeof p.name !== 'string') continue
        const key = names.key(p.name)
        if (key === undefined || !key.startsWith(keyPrefix)) continue
        const updatedAt = p.updatedOn ?? p.createdOn
        yield { key, ...(updatedAt !== undefined && { updatedAt }) }
      }
    },

    async set(key, value, opts = {}) {
      const r = whole(key)
      const text = secretText(value, key, name)
      try {
        if (opts.createOnly || opts.ifVersion !== undefined) {
          const current = await currentVersion(r)
          if (opts.createOnly && current !== undefined) {
            throw new ConflictError({
              key,
              provider: name,
              currentVersion: current,
              message: `Key "${key}" already exists (provider "${name}").`,
            })
          }
          if (opts.ifVersion !== undefined && current !== opts.ifVersion) {
            throw new ConflictError({
              key,
              provider: name,
              currentVersion: current,
              message: `Version conflict on key "${key}" (provider "${name}"): expected ${opts.ifVersion}, current is ${current ?? 'none (missing)'}.`,
            })
          }
        }
        return await write(r, text, {})
      } catch (error) {
        throw fail(error, key)
      }
    },

    async delete(key, opts = {}) {
      const r = whole(key)
      if (opts.force && options.purge !== true) {
        throw new ValidationError(`Purging key "${key}" needs the purge option (provider "${name}").`, {
          key,
          provider: name,
          hint: 'Pass purge: true to keyVault() to allow delete(key, { force: true }) to purge; without it deletes stay recoverable.',
        })
      }
      try {
        const kv = await client()
        if (opts.ifVersion !== undefined) {
          const current = await currentVersion(r)
          if (current !== undefined && current !== opts.ifVersion) {
            throw new ConflictError({
              key,
              provider: name,
              currentVersion: current,
              message: `Version conflict on key "${key}" (provider "${name}"): expected ${opts.ifVersion}, current is ${current}.`,
            })
          }
        }
        let poller: Awaited<ReturnType<SecretClient['beginDeleteSecret']>> | undefined
        try {
          poller = await kv.beginDeleteSecret(r.name, opts.signal ? { abortSignal: opts.signal } : {})
        } catch (error) {
          // Already deleted (or never there): idempotent — but a forced delete still purges a deleted one.
          if (statusOf(error) !== 404) throw error
        }
        if (!opts.force) return
        // Purge only once the deletion has finished: until then Key Vault answers 409.
        while (poller !== undefined && !poller.isDone()) {
          await poller.poll()
          if (!poller.isDone()) await delay(PURGE_POLL_MS)
        }
        await kv.purgeDeletedSecret(r.name).catch((error: unknown) => {
          if (statusOf(error) !== 404) throw error
        })
      } catch (error) {
        throw fail(error, key)
      }
    },

    async versions(key) {
      const r = names.ref(key)
      try {
        const [all, current] = await Promise.all([allVersions(r.name), currentVersion(r)])
        return toVersionInfos(key, all, current)
      } catch (error) {
        throw fail(error, key)
      }
    },

    async rollback(key, version) {
      const r = whole(key)
      try {
        const old = await (await client()).getSecret(r.name, { version }).catch((error: unknown) => {
          if (statusOf(error) === 404) {
            throw new NotFoundError({
              key,
              provider: name,
              message: `Key "${key}" has no version ${version} to roll back to (provider "${name}").`,
            })
          }
          throw error
        })
        const text = secretText(old.value ?? '', key, name)
        const { contentType, tags } = old.properties
        return await write(r, text, { ...(contentType && { contentType }), ...(tags && { tags }) })
      } catch (error) {
        throw fail(error, key)
      }
    },

    async health(opts = {}): Promise<Health> {
      const started = performance.now()
      try {
        const pages = (await client())
          .listPropertiesOfSecrets(opts.signal ? { abortSignal: opts.signal } : {})
          .byPage({ maxPageSize: 1 })
        await pages.next()
        return { ok: true, latencyMs: Math.round(performance.now() - started) }
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), message: fail(error).message }
      }
    },

    close: () => sdk.close(),
  } satisfies KeyVaultProvider
}

/** Between polls of a deletion before a purge (Key Vault deletes in a few seconds). */
const PURGE_POLL_MS = 1000

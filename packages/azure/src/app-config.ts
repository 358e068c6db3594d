import type { AppConfigurationClient, ConfigurationSetting } from '@azure/app-configuration'
import {
  assertValidOptions,
  type BatchResult,
  type Capabilities,
  ConflictError,
  type Entry,
  type Health,
  IDENTITY_KEY_MAPPING,
  type KeyInfo,
  type KeyMapping,
  lazyClient,
  NotFoundError,
  type Provider,
  ReadOnlyError,
  resolveKeyMapping,
  ValidationError,
  type VersionInfo,
} from '@polysecret/core'
import { notAKeyValue, settingText, settingToEntry, settingVersion } from './app-config-entry.js'
import { escapeFilter, labelFilter, matchesKeyFilter } from './app-config-filter.js'
import { type AppConfigurationOptions, appConfigurationIssues, labelsOf } from './app-config-options.js'
import { FEATURE_FLAG_PREFIX, isKeyVaultReference, referenceResolver } from './app-config-references.js'
import { clientOptionsWithDefaults, credentialOrDefault } from './connection.js'
import { statusOf, toPolysecretError } from './errors.js'

type Sdk = typeof import('@azure/app-configuration')
type Label = string | null

const TYPE = 'azure-app-configuration'

/**
 * Everything: `batch` reads many keys with one listing (one page per 100 settings) and resolves their
 * Key Vault references in parallel; `versions` are the store's revisions (kept 7 days on the Free
 * tier, 30 on Standard); `rollback` re-writes a revision's value and content type as the current one.
 */
export const APP_CONFIGURATION_CAPABILITIES: Capabilities = Object.freeze({
  list: true,
  write: true,
  delete: true,
  versions: true,
  batch: true,
  watch: true,
  rollback: true,
})

/** The Azure App Configuration provider. */
export interface AppConfigurationProvider extends Provider {
  readonly type: 'azure-app-configuration'
  getMany(keys: readonly string[], opts?: { signal?: AbortSignal }): Promise<BatchResult>
  list(prefix?: string): AsyncIterable<KeyInfo>
  /** To the first label; `ifVersion` is the setting's etag (If-Match), `createOnly` is If-None-Match: *. */
  set(
    key: string,
    value: string | Uint8Array,
    opts?: import('@polysecret/core').SetOptions,
  ): Promise<VersionInfo>
  delete(key: string, opts?: import('@polysecret/core').DeleteOptions): Promise<void>
  /** Revisions under the label that serves the key, newest first. */
  versions(key: string): Promise<VersionInfo[]>
  rollback(key: string, version: string): Promise<VersionInfo>
  /** The sentinel's etag, or the selection's page etags. */
  changeToken(opts?: { signal?: AbortSignal }): Promise<string | undefined>
  close(): Promise<void>
}

/**
 * A provider backed by Azure App Configuration, on `@azure/app-configuration`: settings by key and
 * label with label fallback, Key Vault references resolved (and served as secrets), etag writes,
 * revisions, and change detection for `watch` by a sentinel key or page etags.
 *
 * @example
 * ```ts
 * import { appConfiguration, keyVault } from '@polysecret/azure'
 *
 * const config = appConfiguration({
 *   endpoint: 'https://my-store.azconfig.io', // DefaultAzureCredential
 *   label: ['prod', null],
 *   trimPrefix: 'myapp:',
 *   keyVault: keyVault({ vaultUrl: 'https://my-vault.vault.azure.net' }),
 * })
 * ```
 */
export function appConfiguration(options: AppConfigurationOptions): AppConfigurationProvider {
  const o = options ?? ({} as AppConfigurationOptions)
  const name = o.name ?? TYPE
  assertValidOptions(appConfigurationIssues(o), TYPE, name)
  const labels = labelsOf(o.label)
  const trimPrefix = o.trimPrefix ?? ''
  const keyFilter = o.keyFilter ?? `${escapeFilter(trimPrefix)}*`
  const mapping = resolveKeyMapping(
    o.keyMapping,
    { identity: IDENTITY_KEY_MAPPING },
    'identity',
  ) as KeyMapping
  const references = referenceResolver(o.keyVault, name)
  const sentinel = typeof o.sentinel === 'string' ? { key: o.sentinel, label: null } : o.sentinel

  const sdk = lazyClient<Sdk, AppConfigurationClient>({
    provider: name,
    pkg: '@azure/app-configuration',
    requiredBy: '@polysecret/azure',
    load: () => import('@azure/app-configuration'),
    client: o.client,
    create: async (m) => {
      const clientOptions = clientOptionsWithDefaults(o.clientOptions)
      if (o.connectionString !== undefined)
        return new m.AppConfigurationClient(o.connectionString, clientOptions)
      const credential = await credentialOrDefault(o.credential)
      return new m.AppConfigurationClient(o.endpoint as string, credential as never, clientOptions)
    },
    dispose: () => undefined, // the client holds no resources of its own to release
  })
  const client = async () => (await sdk.connect()).client
  const fail = (error: unknown, key?: string) => toPolysecretError(error, { key, provider: name })
  const signalOf = (signal: AbortSignal | undefined) => (signal ? { abortSignal: signal } : {})
  const id = (key: string, label: Label) => ({ key, ...(label !== null && { label }) })

  const storeKey = (key: string): string => {
    if (typeof key !== 'string' || key === '') {
      throw new ValidationError(`Key must be a non-empty string (provider "${name}").`, { provider: name })
    }
    const sk = `${trimPrefix}${mapping.toName(key)}`
    if (sk === '.' || sk === '..' || sk.includes('%')) {
      throw new ValidationError(
        `Key "${key}" cannot be an App Configuration key ("${sk}": not ".", "..", or with "%") (provider "${name}").`,
        {
          key,
          provider: name,
        },
      )
    }
    return sk
  }
  const keyOf = (sk: string) =>
    sk.startsWith(trimPrefix) ? mapping.toKey(sk.slice(trimPrefix.length)) : undefined
  /** The preferred setting per key: the first label (in `wanted` order) that has it. */
  const preferred = (settings: Iterable<ConfigurationSetting>, wanted: readonly Label[]) => {
    const best = new Map<string, { setting: ConfigurationSetting; rank: number }>()
    for (const s of settings) {
      const rank = wanted.indexOf(s.label ?? null)
      if (rank === -1) continue
      const had = best.get(s.key)
      if (had === undefined || rank < had.rank) best.set(s.key, { setting: s, rank })
    }
    return new Map([...best].map(([k, v]) => [k, v.setting]))
  }
  const listAll = async (keys: string, wanted: readonly Label[], signal?: AbortSignal) => {
    const out: ConfigurationSetting[] = []
    const pages = (await client()).listConfigurationSettings({
      keyFilter: keys,
      labelFilter: labelFilter(wanted),
      ...signalOf(signal),
    })
    for await (const s of pages) out.push(s)
    return out
  }
  const readSetting = async (sk: string, wanted: readonly Label[], signal?: AbortSignal) => {
    if (wanted.length > 1) return preferred(await listAll(escapeFilter(sk), wanted, signal), wanted).get(sk)
    let setting: ConfigurationSetting
    try {
      setting = await (await client()).getConfigurationSetting(id(sk, wanted[0] ?? null), signalOf(signal))
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      throw error
    }
    // The service always echoes the key. A body without it (an HTML page from a proxy, which the SDK
    // does not refuse) would otherwise read as a setting with no value: `''` served as the value.
    if (setting.key !== sk) throw notAKeyValue(sk, name)
    return setting
  }
  const revisions = async (sk: string, wanted: readonly Label[]) => {
    const out: ConfigurationSetting[] = []
    const pages = (await client()).listRevisions({
      keyFilter: escapeFilter(sk),
      labelFilter: labelFilter(wanted),
    })
    for await (const r of pages) out.push(r)
    const time = (s: ConfigurationSetting) => s.lastModified?.getTime() ?? 0
    return out.sort((a, b) => time(b) - time(a))
  }
  const toEntry = (setting: ConfigurationSetting, key: string, signal?: AbortSignal) =>
    settingToEntry(setting, key, { provider: name, references, signal })
  /** Writes `fields` over `current` (If-Match its etag) or as a new setting (If-None-Match: *). */
  const put = async (
    key: string,
    sk: string,
    label: Label,
    current: ConfigurationSetting | undefined,
    fields: Partial<ConfigurationSetting>,
  ) => {
    if (current?.isReadOnly) {
      throw new ReadOnlyError({
        key,
        provider: name,
        message: `Key "${key}" is locked (read-only) in App Configuration (provider "${name}").`,
        hint: 'Unlock it (az appconfig kv unlock) to write it.',
      })
    }
    const setting = { ...id(sk, label), ...fields }
    const kv = await client()
    try {
      return current === undefined
        ? await kv.addConfigurationSetting(setting)
        : await kv.setConfigurationSetting({ ...setting, etag: current.etag }, { onlyIfUnchanged: true })
    } catch (error) {
      if (statusOf(error) !== 412) throw error
      const what = current === undefined ? 'already exists' : 'changed while it was being written'
      throw new ConflictError({
        key,
        provider: name,
        cause: error,
        message: `Key "${key}" ${what} (Azure 412) (provider "${name}").`,
      })
    }
  }

  return {
    name,
    type: TYPE,
    capabilities: APP_CONFIGURATION_CAPABILITIES,

    async get(key, opts = {}) {
      const sk = storeKey(key)
      if (!matchesKeyFilter(keyFilter, sk)) return undefined
      const wanted = opts.label !== undefined ? [opts.label] : labels
      try {
        if (opts.version !== undefined) {
          const revision = (await revisions(sk, wanted)).find((r) => r.etag === opts.version)
          return revision === undefined ? undefined : await toEntry(revision, key, opts.signal)
        }
        const setting = await readSetting(sk, wanted, opts.signal)
        return setting === undefined ? undefined : await toEntry(setting, key, opts.signal)
      } catch (error) {
        throw fail(error, key)
      }
    },

    async getMany(keys, opts = {}) {
      const entries = new Map<string, Entry>()
      const errors = new Map<string, Error>()
      const wanted = new Map<string, string>()
      for (const key of keys) {
        try {
          const sk = storeKey(key)
          if (matchesKeyFilter(keyFilter, sk)) wanted.set(key, sk)
        } catch (error) {
          errors.set(key, fail(error, key))
        }
      }
      if (wanted.size === 0) return { entries, errors }
      // A few keys: exactly those (a filter takes five alternatives); more: the whole selection, one page per 100.
      const names = [...new Set(wanted.values())]
      const filter = names.length <= 5 ? names.map(escapeFilter).join(',') : keyFilter
      let found: Map<string, ConfigurationSetting>
      try {
        found = preferred(await listAll(filter, labels, opts.signal), labels)
      } catch (error) {
        throw fail(error)
      }
      await Promise.all(
        [...wanted].map(async ([key, sk]) => {
          const setting = found.get(sk)
          if (setting === undefined) return
          try {
            entries.set(key, await toEntry(setting, key, opts.signal))
          } catch (error) {
            errors.set(key, fail(error, key))
          }
        }),
      )
      return { entries, errors }
    },

    async *list(prefix = '') {
      let found: Map<string, ConfigurationSetting>
      try {
        found = preferred(await listAll(keyFilter, labels), labels)
      } catch (error) {
        throw fail(error)
      }
      for (const [sk, setting] of found) {
        if (sk.startsWith(FEATURE_FLAG_PREFIX) && !trimPrefix.startsWith(FEATURE_FLAG_PREFIX)) continue
        const key = keyOf(sk)
        if (key === undefined || !key.startsWith(prefix)) continue
        yield {
          key,
          ...(setting.etag && { version: setting.etag }),
          ...(setting.lastModified && { updatedAt: setting.lastModified }),
        }
      }
    },

    async set(key, value, opts = {}) {
      const sk = storeKey(key)
      const text = settingText(value, sk, key, name)
      const label = labels[0] ?? null
      try {
        const current = opts.createOnly ? undefined : await readSetting(sk, [label], opts.signal)
        if (current !== undefined && isKeyVaultReference(current.contentType)) {
          throw new ValidationError(
            `Key "${key}" is a Key Vault reference; write the secret in Key Vault instead (provider "${name}").`,
            {
              key,
              provider: name,
              hint: 'Writing here would replace the reference with the value in plain text.',
            },
          )
        }
        if (opts.ifVersion !== undefined && current?.etag !== opts.ifVersion) {
          throw new ConflictError({
            key,
            provider: name,
            currentVersion: current?.etag,
            message: `Version conflict on key "${key}" (provider "${name}"): expected ${opts.ifVersion}, current is ${current?.etag ?? 'none (missing)'}.`,
          })
        }
        const fields = {
          value: text,
          ...(current?.contentType && { contentType: current.contentType }),
          ...(current?.tags && { tags: current.tags }),
        }
        return settingVersion(key, await put(key, sk, label, current, fields))
      } catch (error) {
        throw fail(error, key)
      }
    },

    async delete(key, opts = {}) {
      const sk = storeKey(key)
      const label = labels[0] ?? null
      try {
        const pinned = opts.ifVersion !== undefined
        await (await client()).deleteConfigurationSetting(
          { ...id(sk, label), ...(pinned && { etag: opts.ifVersion }) },
          { onlyIfUnchanged: pinned, ...signalOf(opts.signal) },
        )
      } catch (error) {
        if (statusOf(error) === 404) return
        throw fail(error, key)
      }
    },

    async versions(key) {
      const sk = storeKey(key)
      try {
        const current = await readSetting(sk, labels)
        const label = current === undefined ? (labels[0] ?? null) : (current.label ?? null)
        return (await revisions(sk, [label])).map((r) => settingVersion(key, r, r.etag === current?.etag))
      } catch (error) {
        throw fail(error, key)
      }
    },

    async rollback(key, version) {
      const sk = storeKey(key)
      try {
        const revision = (await revisions(sk, labels)).find((r) => r.etag === version)
        if (revision === undefined) {
          throw new NotFoundError({
            key,
            provider: name,
            message: `Key "${key}" has no revision ${version} to roll back to (provider "${name}").`,
          })
        }
        const label = revision.label ?? null
        const current = await readSetting(sk, [label])
        const fields = {
          value: revision.value ?? '',
          ...(revision.contentType && { contentType: revision.contentType }),
          ...(revision.tags && { tags: revision.tags }),
        }
        return settingVersion(key, await put(key, sk, label, current, fields))
      } catch (error) {
        throw fail(error, key)
      }
    },

    async changeToken(opts = {}) {
      try {
        const kv = await client()
        if (sentinel !== undefined) {
          const setting = await readSetting(sentinel.key, [sentinel.label ?? null], opts.signal)
          return `sentinel:${setting?.etag ?? 'absent'}`
        }
        const etags: string[] = []
        for await (const page of kv
          .checkConfigurationSettings({
            keyFilter,
            labelFilter: labelFilter(labels),
            ...signalOf(opts.signal),
          })
          .byPage()) {
          if (typeof page.etag !== 'string') return undefined // cannot tell: the watcher re-reads the keys
          etags.push(page.etag)
        }
        return `pages:${etags.join(',')}`
      } catch (error) {
        throw fail(error)
      }
    },

    async health(opts = {}): Promise<Health> {
      const started = performance.now()
      try {
        const kv = await client()
        await kv
          .checkConfigurationSettings({
            keyFilter,
            labelFilter: labelFilter(labels),
            ...signalOf(opts.signal),
          })
          .byPage()
          .next()
        return { ok: true, latencyMs: Math.round(performance.now() - started) }
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), message: fail(error).message }
      }
    },

    async close() {
      await references.close()
      await sdk.close()
    },
  } satisfies AppConfigurationProvider
}

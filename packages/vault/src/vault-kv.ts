import {
  assertValidOptions,
  type BatchResult,
  type Capabilities,
  ConflictError,
  type Entry,
  type KeyInfo,
  mapLimit,
  NotFoundError,
  type Provider,
  ValidationError,
  type VersionInfo,
} from '@polysecret/core'
import { type CallContext, connect } from './connection.js'
import { type VaultKey, vaultKeys } from './key-mapping.js'
import type { KvEngine, KvRecord } from './kv-engine.js'
import { optionIssues, type VaultKvOptions } from './options.js'

/** A Vault KV provider; `versions` and `rollback` exist unless `version: 1` (see `capabilities`). */
export type VaultKvProvider = Provider &
  Required<Pick<Provider, 'getMany' | 'list' | 'set' | 'delete' | 'close'>> & {
    readonly type: 'vault-kv'
    /** Logins made so far (AppRole / Kubernetes auth). */
    readonly logins: number
  }

/** Plain writes retry a check-and-set race this many times before reporting the conflict. */
const WRITE_ATTEMPTS = 3

/**
 * HashiCorp Vault's KV secrets engine (v1 or v2) on `node-vault`, loaded on first use. A key is
 * `path#field` (`app/db#password`); a key without `#` is the `value` field of the secret at that path.
 *
 * @example
 * ```ts
 * import { vaultKv } from '@polysecret/vault'
 * const vault = vaultKv({
 *   endpoint: 'https://vault.example.com:8200',
 *   mount: 'secret',
 *   auth: { kubernetes: { role: 'my-app' } },
 * })
 * ```
 */
export function vaultKv(options: VaultKvOptions): VaultKvProvider {
  const o = (options ?? {}) as unknown as Record<string, unknown>
  const name =
    typeof o.providerName === 'string' && o.providerName.trim() !== '' ? o.providerName : 'vault-kv'
  assertValidOptions(optionIssues(o), 'vault-kv', name)
  const keys = vaultKeys(options, name)
  const connection = connect(options, name)
  const concurrency = options.concurrency ?? 16
  // KV v1 keeps no versions; with 'auto' the flags are those of v2 until first use proves otherwise.
  const versioned = options.version !== 1
  const capabilities: Capabilities = {
    list: true,
    write: true,
    delete: true,
    versions: versioned,
    batch: true,
    watch: versioned,
    rollback: versioned,
  }
  const at = (key: string) => ` (key "${key}", provider "${name}")`

  const entryOf = (k: VaultKey, record: KvRecord | undefined): Entry | undefined => {
    if (record === undefined || !Object.hasOwn(record.data, k.field)) return undefined
    const raw = record.data[k.field]
    const value = typeof raw === 'string' ? raw : JSON.stringify(raw)
    return {
      value,
      ...(record.version !== undefined && { version: record.version }),
      ...(record.updatedAt && { updatedAt: record.updatedAt }),
      // Vault holds secret material whatever a key is called.
      sensitive: true,
    }
  }

  const versionedEngine = async (ctx: CallContext): Promise<KvEngine> => {
    const engine = await connection.engine(ctx)
    if (engine.version === 1) {
      throw new ValidationError(
        `Mount "${options.mount}" is KV v1, which keeps no versions${at(ctx.key ?? '')}.`,
        {
          key: ctx.key,
          provider: name,
          hint: 'Set version: 1 so the provider reports no versions capability, or use a KV v2 mount.',
        },
      )
    }
    return engine
  }

  /** Read-modify-write of one field with check-and-set, retried on a concurrent write. */
  const writeField = async (
    k: VaultKey,
    change: (data: Record<string, unknown>) => Record<string, unknown> | undefined,
    ctx: CallContext,
    expected?: { ifVersion?: string | undefined; createOnly?: boolean | undefined },
  ) => {
    const engine = await connection.engine(ctx)
    for (let attempt = 1; ; attempt++) {
      const current = await engine.read(k.path)
      if (expected?.createOnly && current !== undefined && Object.hasOwn(current.data, k.field)) {
        throw new ConflictError({
          key: k.key,
          provider: name,
          currentVersion: current.version,
          message: `Key "${k.key}" already exists${at(k.key)}.`,
        })
      }
      if (
        expected?.ifVersion !== undefined &&
        (current?.version === undefined || current.version !== expected.ifVersion)
      ) {
        throw new ConflictError({
          key: k.key,
          provider: name,
          currentVersion: current?.version,
          message: `Key "${k.key}" is not at version ${expected.ifVersion}${at(k.key)}.`,
        })
      }
      const data = change({ ...(current?.data ?? {}) })
      if (data === undefined) return { engine, current, written: undefined }
      const cas = engine.version === 2 ? Number(current?.version ?? 0) : undefined
      try {
        return { engine, current, written: await engine.write(k.path, data, cas) }
      } catch (error) {
        const retry =
          error instanceof ConflictError && expected?.ifVersion === undefined && !expected?.createOnly
        if (!retry || attempt >= WRITE_ATTEMPTS) throw error
      }
    }
  }

  const provider: VaultKvProvider = {
    name,
    type: 'vault-kv',
    capabilities,
    ...(options.writable !== undefined && { writable: options.writable }),
    get logins() {
      return connection.logins()
    },

    async get(key, opts) {
      const k = keys.parse(key)
      const ctx = { key, signal: opts?.signal }
      const engine = opts?.version === undefined ? await connection.engine(ctx) : await versionedEngine(ctx)
      if (opts?.version !== undefined && !/^[1-9][0-9]*$/.test(opts.version)) return undefined
      return entryOf(k, await engine.read(k.path, opts?.version))
    },

    async getMany(list, opts) {
      const entries = new Map<string, Entry>()
      const errors = new Map<string, Error>()
      const byPath = new Map<string, VaultKey[]>()
      for (const key of list) {
        try {
          const k = keys.parse(key)
          byPath.set(k.path, [...(byPath.get(k.path) ?? []), k])
        } catch (error) {
          errors.set(key, error as Error)
        }
      }
      // One read per path, whatever number of fields the keys select from it.
      await mapLimit([...byPath.values()], concurrency, async (group) => {
        try {
          const engine = await connection.engine({ key: group[0]!.key, signal: opts?.signal })
          const record = await engine.read(group[0]!.path)
          for (const k of group) {
            const entry = entryOf(k, record)
            if (entry !== undefined) entries.set(k.key, entry)
          }
        } catch (error) {
          for (const k of group) errors.set(k.key, error as Error)
        }
      })
      return { entries, errors } satisfies BatchResult
    },

    async *list(prefix = '') {
      const engine = await connection.engine({})
      const full = `${keys.prefix}${prefix}`
      const start = full.slice(0, full.lastIndexOf('/') + 1)
      const folders = [start]
      while (folders.length > 0) {
        const folder = folders.shift()!
        for (const entry of await engine.list(folder.replace(/\/$/, ''))) {
          const path = `${folder}${entry}`
          if (!path.startsWith(full) && !full.startsWith(path)) continue
          if (entry.endsWith('/')) folders.push(path)
          else {
            const key = keys.keyOf(path, keys.defaultField)
            if (key?.startsWith(prefix)) yield { key } satisfies KeyInfo
          }
        }
      }
    },

    async set(key, value, opts) {
      const k = keys.parse(key)
      const text = typeof value === 'string' ? value : decodeText(value, key, name)
      const ctx = { key, signal: opts?.signal }
      const { written } = await writeField(k, (data) => ({ ...data, [k.field]: text }), ctx, opts)
      return {
        key,
        version: written?.version ?? '',
        ...(written?.updatedAt && { createdAt: written.updatedAt }),
        current: true,
        labels: [],
      }
    },

    async delete(key, opts) {
      const k = keys.parse(key)
      const ctx = { key, signal: opts?.signal }
      const engine = await connection.engine(ctx)
      const current = await engine.read(k.path)
      if (opts?.ifVersion !== undefined && current?.version !== opts.ifVersion) {
        throw new ConflictError({
          key,
          provider: name,
          currentVersion: current?.version,
          message: `Key "${key}" is not at version ${opts.ifVersion}${at(key)}.`,
        })
      }
      if (current === undefined || !Object.hasOwn(current.data, k.field)) return
      const others = Object.keys(current.data).filter((f) => f !== k.field)
      if (others.length > 0) {
        // Other fields stay: the secret gets a new version without this field.
        await writeField(
          k,
          (data) => {
            if (!Object.hasOwn(data, k.field)) return undefined
            delete data[k.field]
            return data
          },
          ctx,
        )
        return
      }
      // force destroys every version and the metadata; otherwise the latest version is soft-deleted.
      if (opts?.force) await engine.destroy(k.path)
      else await engine.remove(k.path)
    },

    async versions(key) {
      const k = keys.parse(key)
      const engine = await versionedEngine({ key })
      const metadata = await engine.metadata(k.path)
      if (metadata === undefined) return []
      return metadata.versions
        .filter((v) => !v.gone)
        .sort((a, b) => Number(b.version) - Number(a.version))
        .map(
          (v): VersionInfo => ({
            key,
            version: v.version,
            ...(v.createdAt && { createdAt: v.createdAt }),
            current: v.version === metadata.currentVersion,
            labels: [],
          }),
        )
    },

    async rollback(key, version) {
      const k = keys.parse(key)
      const ctx = { key }
      const engine = await versionedEngine(ctx)
      const old = /^[1-9][0-9]*$/.test(version) ? await engine.read(k.path, version) : undefined
      if (old === undefined) {
        throw new NotFoundError({
          key,
          provider: name,
          message: `Version ${version} of key "${key}" does not exist or was deleted${at(key)}.`,
        })
      }
      // Vault's own rollback: that version's data (every field of the path) becomes the new current version.
      const { written } = await writeField(k, () => ({ ...old.data }), ctx)
      return {
        key,
        version: written!.version!,
        ...(written?.updatedAt && { createdAt: written.updatedAt }),
        current: true,
        labels: [],
      }
    },

    async health(opts) {
      const started = performance.now()
      try {
        const { credentialsExpireAt } = await connection.check(opts?.signal)
        return {
          ok: true,
          latencyMs: Math.round(performance.now() - started),
          ...(credentialsExpireAt ? { credentialsExpireAt } : {}),
        }
      } catch (error) {
        return { ok: false, message: (error as Error).message }
      }
    },

    close: () => connection.close(),
  }
  if (!versioned) {
    // A KV v1 mount keeps no versions: the methods exist exactly for the declared capabilities.
    delete provider.versions
    delete provider.rollback
  }
  return provider
}

function decodeText(value: Uint8Array, key: string, provider: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(value)
  } catch {
    throw new ValidationError(
      `Vault KV stores text; the value for key "${key}" is not UTF-8 (provider "${provider}").`,
      {
        key,
        provider,
        hint: 'Encode binary values as base64 before writing them.',
      },
    )
  }
}

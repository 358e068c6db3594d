import type { SecretManagerServiceClient } from '@google-cloud/secret-manager'
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
  type Provider,
  type SetOptions,
  ValidationError,
  withSignal,
} from '@polysecret/core'
import { callOptions, lastSegment, toDate } from './call.js'
import { crc32c } from './crc32c.js'
import { isAlreadyExists, isFailedPrecondition, isNotFound, toPolysecretError } from './errors.js'
import {
  type GcpKeyMappingName,
  type IdRef,
  keyMappingIssues,
  resourceIds,
  SECRET_IDS,
} from './key-mapping.js'
import {
  clientConstructorOptions,
  type GcpClientOptions,
  type GcpConnectionOptions,
  validateConnection,
} from './lazy-client.js'
import { accessToEntry, valueBytes } from './secret-payload.js'
import {
  checkCurrent,
  listVersions,
  newestEnabled,
  rollbackTo,
  type SecretVersionInfo,
  secretMeta,
  type VersionContext,
  versionInfos,
} from './secret-versions.js'

type Sdk = typeof import('@google-cloud/secret-manager')

const TYPE = 'gcp-secret-manager'

/**
 * Everything but `batch`: Secret Manager has no batch read, so the manager reads many keys with one
 * AccessSecretVersion each, `concurrency` (the ConfigManager option, default 100) at a time — over gRPC
 * all on one HTTP/2 connection — and retries each key on its own.
 */
export const CAPABILITIES: Capabilities = Object.freeze({
  list: true,
  write: true,
  delete: true,
  versions: true,
  batch: false,
  watch: true,
  rollback: true,
})

/** Options of {@link secretManager} that do not concern the connection. */
export interface SecretManagerSettings {
  /**
   * Instance name, unique within a manager; appears in errors and events.
   * @default 'gcp-secret-manager'
   */
  readonly name?: string
  /**
   * The Google Cloud project (id or number) holding the secrets. When omitted, the client detects it
   * from Application Default Credentials (`GOOGLE_CLOUD_PROJECT`, the credentials file, the metadata
   * server) on first use.
   */
  readonly projectId?: string
  /**
   * Prepended to every secret id, and stripped from ids that `list` returns: with `prefix: 'prod-'`,
   * key `DB_PASSWORD` is secret `prod-DB_PASSWORD`. Letters, digits, `_` and `-` only.
   * @default ''
   */
  readonly prefix?: string
  /**
   * How keys map to secret ids: `'identity'` (`DB_PASSWORD` ↔ `DB_PASSWORD`), `'kebab'`
   * (`DB_PASSWORD` ↔ `db-password`) or your own `{ toName, toKey }`.
   * @default 'identity'
   */
  readonly keyMapping?: GcpKeyMappingName | KeyMapping
  /**
   * Replication of secrets this provider creates on first write: automatic, or user-managed in the
   * given locations.
   * @default { automatic: {} }
   */
  readonly replication?:
    | { automatic: Record<string, never> }
    | { userManaged: { replicas: { location: string }[] } }
}

/** Options of {@link secretManager}: settings plus either connection options or your own `client`. */
export type SecretManagerOptions = SecretManagerSettings & GcpClientOptions<SecretManagerServiceClient>

/** The Google Cloud Secret Manager provider: every optional method of `Provider` is present. */
export interface SecretManagerProvider extends Provider {
  readonly type: 'gcp-secret-manager'
  /** Keys (without the prefix) of secrets whose key starts with `prefix`. */
  list(prefix?: string): AsyncIterable<KeyInfo>
  /** AddSecretVersion (CreateSecret on first write). `ifVersion` is check-then-write. */
  set(key: string, value: string | Uint8Array, opts?: SetOptions): Promise<SecretVersionInfo>
  /** DeleteSecret (every version). Idempotent; `ifVersion` also pins the secret's etag. */
  delete(key: string, opts?: DeleteOptions): Promise<void>
  /** Every version with state and aliases, newest first; `current` marks the one `get` returns. */
  versions(key: string): Promise<SecretVersionInfo[]>
  /** Disables every enabled version newer than `version` (enabling it if needed). */
  rollback(key: string, version: string): Promise<SecretVersionInfo>
  /** Closes the client the provider created (never one you passed). */
  close(): Promise<void>
}

/**
 * A provider backed by Google Cloud Secret Manager, over gRPC (default) or REST.
 *
 * Keys map to secret ids (see `keyMapping`); `name#field` selects one field of a JSON secret. Reads
 * return the newest enabled version unless `version` (a version number) or `label` (a version alias)
 * is given. The client is imported on first use, so importing this package costs nothing at startup.
 *
 * @example
 * ```ts
 * import { secretManager } from '@polysecret/gcp'
 *
 * const sm = secretManager({ projectId: 'my-project', prefix: 'prod-' })
 * const entry = await sm.get('db#password') // field "password" of secret "prod-db"
 * ```
 */
export function secretManager(options: SecretManagerOptions = {}): SecretManagerProvider {
  const name = options.name ?? TYPE
  const prefix = options.prefix ?? ''
  const issues = validateConnection(options, 'accessSecretVersion', TYPE)
  issues.push(...keyMappingIssues(options.prefix, options.keyMapping, SECRET_IDS))
  assertValidOptions(issues, TYPE, name)
  const ids = resourceIds(prefix, options.keyMapping, SECRET_IDS, name)
  const replication = options.replication ?? { automatic: {} }

  const sdk = lazyClient<Sdk, SecretManagerServiceClient>({
    provider: name,
    pkg: '@google-cloud/secret-manager',
    requiredBy: '@polysecret/gcp',
    load: () => import('@google-cloud/secret-manager'),
    client: options.client,
    create: (m) =>
      new m.SecretManagerServiceClient(clientConstructorOptions(options as GcpConnectionOptions) as never),
    // Initialising up front: the client's methods would also throw a failed initialisation (no
    // credentials, say) as an unhandled rejection, which can end the process.
    ready: (client) => client.initialize(),
    dispose: (client) => client.close(),
  })
  let project: Promise<string> | undefined
  const connect = async () => {
    const { client } = await sdk.connect()
    project ??= options.projectId !== undefined ? Promise.resolve(options.projectId) : client.getProjectId()
    try {
      return { client, project: await project }
    } catch (error) {
      project = undefined // detection failed: try again on the next call
      throw error
    }
  }
  const fail = (error: unknown, key?: string) => toPolysecretError(error, { key, provider: name })
  const writable = (key: string): IdRef => {
    const r = ids.ref(key)
    if (r.field !== undefined) {
      throw new ValidationError(`Cannot write a single JSON field ("${key}"); write the whole secret.`, {
        key,
        provider: name,
      })
    }
    return r
  }
  const context = async (r: IdRef, signal?: AbortSignal): Promise<VersionContext> => {
    const { client, project } = await connect()
    return { client, secret: `projects/${project}/secrets/${r.id}`, key: r.key, provider: name, signal }
  }

  async function read(r: IdRef, opts: GetOptions = {}): Promise<Entry | undefined> {
    const ctx = await context(r, opts.signal)
    const pinned = opts.version ?? opts.label
    const access = async (version: string) => {
      const call = ctx.client.accessSecretVersion(
        { name: `${ctx.secret}/versions/${version}` },
        callOptions(),
      )
      const [out] = await withSignal(call, opts.signal)
      return accessToEntry(out, r, name)
    }
    try {
      return await access(pinned ?? 'latest')
    } catch (error) {
      if (isNotFound(error)) return undefined
      // A disabled or destroyed version cannot be read. Pinned: it reads as missing. `latest`: after a
      // rollback the newest version is disabled, so the newest enabled one is the current value.
      if (!isFailedPrecondition(error)) throw error
      if (pinned !== undefined) return undefined
      const current = newestEnabled(await listVersions(ctx))
      return current === undefined ? undefined : await access(String(current.number))
    }
  }

  return {
    name,
    type: TYPE,
    capabilities: CAPABILITIES,

    async get(key, opts = {}) {
      const r = ids.ref(key)
      try {
        return await read(r, opts)
      } catch (error) {
        throw fail(error, key)
      }
    },

    async *list(keyPrefix = '') {
      let pages: AsyncIterable<{ name?: string | null; createTime?: unknown }>
      try {
        const { client, project } = await connect()
        pages = client.listSecretsAsync({ parent: `projects/${project}`, pageSize: 100 }, callOptions())
      } catch (error) {
        throw fail(error)
      }
      const iterator = pages[Symbol.asyncIterator]()
      while (true) {
        let next: IteratorResult<{ name?: string | null; createTime?: unknown }>
        try {
          next = await iterator.next()
        } catch (error) {
          throw fail(error)
        }
        if (next.done) return
        const id = lastSegment(next.value.name)
        const key = id === undefined ? undefined : ids.key(id)
        if (key === undefined || !key.startsWith(keyPrefix)) continue
        const updatedAt = toDate(next.value.createTime)
        yield { key, ...(updatedAt !== undefined && { updatedAt }) }
      }
    },

    async set(key, value, opts = {}) {
      const r = writable(key)
      const data = valueBytes(value, key, name)
      try {
        const ctx = await context(r, opts.signal)
        const { client } = ctx
        const add = async (): Promise<SecretVersionInfo> => {
          const payload = { data, dataCrc32c: crc32c(data) }
          const call = client.addSecretVersion({ parent: ctx.secret, payload }, callOptions())
          const [v] = await withSignal(call, opts.signal)
          const createdAt = toDate(v.createTime)
          const version = lastSegment(v.name) ?? ''
          return {
            key,
            version,
            ...(createdAt && { createdAt }),
            current: true,
            labels: [],
            state: 'ENABLED',
          }
        }
        const create = async () => {
          const { project } = await connect()
          const secret = {
            replication,
            ...(opts.description !== undefined && { annotations: { description: opts.description } }),
          }
          const call = client.createSecret(
            { parent: `projects/${project}`, secretId: r.id, secret },
            callOptions(),
          )
          await withSignal(call, opts.signal)
        }
        if (opts.createOnly) {
          try {
            await create()
          } catch (error) {
            if (!isAlreadyExists(error)) throw error
            // A secret without versions (a create whose first write failed) has no value yet: write it.
            if ((await listVersions(ctx))?.length) {
              throw new ConflictError({
                key,
                provider: name,
                cause: error,
                message: `Key "${key}" already exists (provider "${name}").`,
              })
            }
          }
          return await add()
        }
        if (opts.ifVersion !== undefined) await checkCurrent(ctx, opts.ifVersion)
        try {
          return await add()
        } catch (error) {
          if (!isNotFound(error) || opts.ifVersion !== undefined) throw error
          try {
            await create()
          } catch (raced) {
            if (!isAlreadyExists(raced)) throw raced
          }
          return await add()
        }
      } catch (error) {
        throw fail(error, key)
      }
    },

    async delete(key, opts = {}) {
      const r = writable(key)
      try {
        const ctx = await context(r, opts.signal)
        let etag: string | undefined
        if (opts.ifVersion !== undefined) {
          // The etag pins the secret as checked: a change to it between check and delete fails the delete.
          etag = (await secretMeta(ctx))?.etag
          await checkCurrent(ctx, opts.ifVersion)
        }
        const call = ctx.client.deleteSecret({ name: ctx.secret, ...(etag && { etag }) }, callOptions())
        await withSignal(call, opts.signal)
      } catch (error) {
        if (isNotFound(error)) return // idempotent
        throw fail(error, key)
      }
    },

    async versions(key) {
      // `name#field` lists the versions of the whole secret: a field has no versions of its own.
      const r = ids.ref(key)
      try {
        return await versionInfos(await context(r))
      } catch (error) {
        throw fail(error, key)
      }
    },

    async rollback(key, version) {
      const r = writable(key)
      try {
        return await rollbackTo(await context(r), version)
      } catch (error) {
        throw fail(error, key)
      }
    },

    async health(opts = {}): Promise<Health> {
      const started = performance.now()
      try {
        const { client, project } = await connect()
        const request = { parent: `projects/${project}`, pageSize: 1 }
        await withSignal(client.listSecrets(request, { ...callOptions(), autoPaginate: false }), opts.signal)
        return { ok: true, latencyMs: Math.round(performance.now() - started) }
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), message: fail(error).message }
      }
    },

    async close() {
      project = options.projectId !== undefined ? undefined : project
      await sdk.close()
    },
  } satisfies SecretManagerProvider
}

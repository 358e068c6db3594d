import { randomUUID } from 'node:crypto'
import type { ListSecretsResponse, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import {
  ALL_CAPABILITIES,
  type BatchResult,
  ConflictError,
  type DeleteOptions,
  type GetOptions,
  type Health,
  type KeyInfo,
  lazyClient,
  NotFoundError,
  type Provider,
  type SetOptions,
  ValidationError,
  type VersionInfo,
} from '@polysecret/core'
import { awsErrorName, isNotFound, toPolysecretError } from './errors.js'
import {
  type AwsClientOptions,
  type AwsConnectionOptions,
  assertValid,
  clientConfig,
  validateConnection,
} from './lazy-client.js'
import {
  currentVersionId,
  isScheduledForDeletion,
  isStageMismatch,
  parseSecretKey,
  payloadToEntry,
  type SecretPayload,
  type SecretRef,
} from './secret-payload.js'
import { batchReader } from './secrets-manager-batch.js'
import { fromAwsTags, toAwsTags } from './tags.js'

type Sdk = typeof import('@aws-sdk/client-secrets-manager')

const PKG = '@aws-sdk/client-secrets-manager'

/** Options of {@link secretsManager} that do not concern the connection. */
export interface SecretsManagerSettings {
  /**
   * Instance name, unique within a manager; appears in errors and events.
   * @default 'aws-secrets-manager'
   */
  readonly name?: string
  /**
   * Prepended to every key to form the secret name, and stripped from names that `list` returns:
   * with `prefix: 'prod/'`, key `DB_PASS` is secret `prod/DB_PASS`.
   * @default ''
   */
  readonly prefix?: string
  /**
   * Days a deleted secret stays recoverable (7–30) before AWS removes it; per-call
   * `delete(key, { recoveryWindowDays })` overrides it.
   * @default 30
   */
  readonly recoveryWindowDays?: number
  /**
   * Delete immediately (`ForceDeleteWithoutRecovery`) instead of scheduling; per-call
   * `delete(key, { force })` overrides it.
   * @default false
   */
  readonly forceDelete?: boolean
  /**
   * Use `BatchGetSecretValue` for `getMany`. When `false`, or when the identity may not call it (or the
   * endpoint does not know it), `getMany` makes one `GetSecretValue` per secret instead.
   * @default true
   */
  readonly batch?: boolean
  /**
   * Most requests in flight at once for `getMany` (batch chunks, or single reads when not batching).
   * @default 10
   */
  readonly concurrency?: number
}

/** Options of {@link secretsManager}: settings plus either connection options or your own `client`. */
export type SecretsManagerOptions = SecretsManagerSettings & AwsClientOptions<SecretsManagerClient>

/** The AWS Secrets Manager provider: every optional method of `Provider` is present. */
export interface SecretsManagerProvider extends Provider {
  readonly type: 'aws-secrets-manager'
  /** BatchGetSecretValue, 20 ids per call; falls back to GetSecretValue per secret when refused. */
  getMany(keys: readonly string[], opts?: { signal?: AbortSignal }): Promise<BatchResult>
  /** Keys (without the provider prefix) of live secrets whose key starts with `prefix`. */
  list(prefix?: string): AsyncIterable<KeyInfo>
  /** PutSecretValue (CreateSecret when missing). `ifVersion` is check-then-write. */
  set(key: string, value: string | Uint8Array, opts?: SetOptions): Promise<VersionInfo>
  /** DeleteSecret with a recovery window, or immediately with `force`. Idempotent. */
  delete(key: string, opts?: DeleteOptions): Promise<void>
  /** Every version, newest first; `current` marks AWSCURRENT. Empty for a missing key. */
  versions(key: string): Promise<VersionInfo[]>
  /** Moves AWSCURRENT to `version` (AWS moves AWSPREVIOUS to the version that had it). */
  rollback(key: string, version: string): Promise<VersionInfo>
  /** Destroys the SDK client the provider created (never one you passed). */
  close(): Promise<void>
}

/**
 * A provider backed by AWS Secrets Manager.
 *
 * Keys are secret names (after `prefix`); `name#field` selects one field of a JSON secret. Reads return
 * the `AWSCURRENT` version unless `version` (a VersionId) or `label` (a staging label such as
 * `AWSPREVIOUS`) is given. The SDK is imported on first use, so a provider that is never called costs
 * nothing at startup.
 *
 * @example
 * ```ts
 * import { secretsManager } from '@polysecret/aws'
 *
 * const sm = secretsManager({ region: 'eu-west-1', prefix: 'prod/' })
 * const entry = await sm.get('db#password') // field "password" of secret "prod/db"
 * ```
 */
export function secretsManager(options: SecretsManagerOptions = {}): SecretsManagerProvider {
  const name = options.name ?? 'aws-secrets-manager'
  const prefix = options.prefix ?? ''
  const defaultWindow = options.recoveryWindowDays ?? 30
  const concurrency = options.concurrency ?? 10
  const issues = validateConnection(options, 'aws-secrets-manager')
  if (!validWindow(defaultWindow)) issues.push('recoveryWindowDays must be an integer from 7 to 30')
  assertValid(issues, 'aws-secrets-manager', name)

  const sdkClient = lazyClient<Sdk, SecretsManagerClient>({
    provider: name,
    pkg: PKG,
    requiredBy: '@polysecret/aws',
    load: () => import('@aws-sdk/client-secrets-manager'),
    client: options.client,
    create: (sdk) => new sdk.SecretsManagerClient(clientConfig(options as AwsConnectionOptions)),
    dispose: (client) => client.destroy(),
  })
  const connect = sdkClient.connect
  const fail = (error: unknown, key?: string) => toPolysecretError(error, { key, provider: name })
  const ref = (key: string) => parseSecretKey(key, prefix, name)
  const writable = (key: string): SecretRef => {
    const r = ref(key)
    if (r.field !== undefined) {
      throw new ValidationError(`Cannot write a single JSON field ("${key}"); write the whole secret.`, {
        key,
        provider: name,
      })
    }
    return r
  }

  /** GetSecretValue; `undefined` when the secret (or version) does not exist or is scheduled for deletion. */
  async function fetchSecret(r: SecretRef, opts: GetOptions = {}): Promise<SecretPayload | undefined> {
    const { sdk, client } = await connect()
    try {
      const input = { SecretId: r.secretId, VersionId: opts.version, VersionStage: opts.label }
      return await client.send(new sdk.GetSecretValueCommand(input), { abortSignal: opts.signal })
    } catch (error) {
      if (isNotFound(error) || isScheduledForDeletion(error) || isStageMismatch(error)) return undefined
      throw error
    }
  }

  /** The AWSCURRENT version id and all stages, via DescribeSecret; `undefined` when the secret is gone. */
  async function describe(r: SecretRef, signal?: AbortSignal) {
    const { sdk, client } = await connect()
    try {
      const out = await client.send(new sdk.DescribeSecretCommand({ SecretId: r.secretId }), {
        abortSignal: signal,
      })
      if (out.DeletedDate !== undefined) return undefined
      return { current: currentVersionId(out.VersionIdsToStages), stages: out.VersionIdsToStages ?? {} }
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async function checkVersion(r: SecretRef, expected: string, signal?: AbortSignal): Promise<void> {
    const current = (await describe(r, signal))?.current
    if (current !== expected) {
      throw new ConflictError({
        key: r.key,
        provider: name,
        currentVersion: current,
        message: `Version conflict on key "${r.key}" (provider "${name}"): expected ${expected}, current is ${current ?? 'none (missing)'}.`,
      })
    }
  }

  const getMany = batchReader({
    provider: name,
    concurrency,
    batch: options.batch ?? true,
    connect,
    parse: ref,
    fetch: fetchSecret,
  })

  return {
    name,
    type: 'aws-secrets-manager',
    capabilities: { ...ALL_CAPABILITIES, tags: true },

    async get(key, opts = {}) {
      const r = ref(key)
      try {
        const out = await fetchSecret(r, opts)
        return out && payloadToEntry(out, r, name)
      } catch (error) {
        throw fail(error, key)
      }
    },

    getMany,

    async *list(keyPrefix = '') {
      const full = `${prefix}${keyPrefix}`
      // The name filter matches word prefixes, so it narrows the listing; the exact check is ours.
      const filters = /^[\w/+=.@-]+$/.test(full) ? [{ Key: 'name' as const, Values: [full] }] : undefined
      let token: string | undefined
      do {
        let out: ListSecretsResponse
        try {
          const { sdk, client } = await connect()
          out = await client.send(
            new sdk.ListSecretsCommand({ Filters: filters, NextToken: token, MaxResults: 100 }),
          )
        } catch (error) {
          throw fail(error)
        }
        for (const s of out.SecretList ?? []) {
          if (s.Name === undefined || !s.Name.startsWith(full) || s.DeletedDate !== undefined) continue
          const version = currentVersionId(s.SecretVersionsToStages)
          const updatedAt = s.LastChangedDate ?? s.CreatedDate
          yield {
            key: s.Name.slice(prefix.length),
            ...(version !== undefined && { version }),
            ...(updatedAt !== undefined && { updatedAt }),
          }
        }
        token = out.NextToken
      } while (token)
    },

    async set(key, value, opts = {}) {
      const r = writable(key)
      const token = opts.requestToken ?? randomUUID()
      const body = typeof value === 'string' ? { SecretString: value } : { SecretBinary: value }
      try {
        const { sdk, client } = await connect()
        const signal = { abortSignal: opts.signal }
        const create = async () => {
          const input = {
            Name: r.secretId,
            ClientRequestToken: token,
            Description: opts.description,
            ...(opts.tags && { Tags: toAwsTags(opts.tags) }),
            ...body,
          }
          const out = await client.send(new sdk.CreateSecretCommand(input), signal)
          return info(key, out.VersionId, ['AWSCURRENT'])
        }
        const put = async () => {
          const input = { SecretId: r.secretId, ClientRequestToken: token, ...body }
          const out = await client.send(new sdk.PutSecretValueCommand(input), signal)
          // Tags belong to the secret, not the version: an existing secret takes them in a second call.
          if (opts.tags) {
            const tagInput = { SecretId: r.secretId, Tags: toAwsTags(opts.tags) }
            await client.send(new sdk.TagResourceCommand(tagInput), signal)
          }
          return info(key, out.VersionId, out.VersionStages ?? ['AWSCURRENT'])
        }
        const restoreAndPut = async () => {
          await client.send(new sdk.RestoreSecretCommand({ SecretId: r.secretId }), signal)
          return await put()
        }
        if (opts.createOnly) {
          try {
            return await create()
          } catch (error) {
            // A secret scheduled for deletion is missing to readers, so create-once may bring it back.
            if (isScheduledForDeletion(error)) return await restoreAndPut()
            if (awsErrorName(error) !== 'ResourceExistsException') throw error
            throw new ConflictError({
              key,
              provider: name,
              cause: error,
              message: `Key "${key}" already exists (provider "${name}").`,
            })
          }
        }
        // Secrets Manager has no conditional put: this is check-then-write, so a writer racing between the
        // DescribeSecret and the PutSecretValue can still win. The window is one round trip.
        if (opts.ifVersion !== undefined) await checkVersion(r, opts.ifVersion, opts.signal)
        try {
          return await put()
        } catch (error) {
          if (isScheduledForDeletion(error) && opts.ifVersion === undefined) return await restoreAndPut()
          if (!isNotFound(error) || opts.ifVersion !== undefined) throw error
          try {
            return await create()
          } catch (raced) {
            if (awsErrorName(raced) === 'ResourceExistsException') return await put()
            throw raced
          }
        }
      } catch (error) {
        throw fail(error, key)
      }
    },

    async delete(key, opts = {}) {
      const r = writable(key)
      const force = opts.force ?? options.forceDelete ?? false
      const days = opts.recoveryWindowDays ?? defaultWindow
      if (!force && !validWindow(days)) {
        throw new ValidationError(`recoveryWindowDays must be an integer from 7 to 30 (got ${days}).`, {
          key,
          provider: name,
        })
      }
      try {
        if (opts.ifVersion !== undefined) await checkVersion(r, opts.ifVersion, opts.signal)
        const { sdk, client } = await connect()
        const input = force
          ? { SecretId: r.secretId, ForceDeleteWithoutRecovery: true }
          : { SecretId: r.secretId, RecoveryWindowInDays: days }
        await client.send(new sdk.DeleteSecretCommand(input), { abortSignal: opts.signal })
      } catch (error) {
        // Idempotent: deleting a missing (or already scheduled) secret is done.
        if (isNotFound(error) || isScheduledForDeletion(error)) return
        throw fail(error, key)
      }
    },

    async tags(key, opts = {}) {
      const r = writable(key)
      try {
        const { sdk, client } = await connect()
        const out = await client.send(new sdk.DescribeSecretCommand({ SecretId: r.secretId }), {
          abortSignal: opts.signal,
        })
        return out.DeletedDate === undefined ? fromAwsTags(out.Tags) : undefined
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw fail(error, key)
      }
    },

    async versions(key) {
      // `name#field` lists the versions of the whole secret: a field has no versions of its own.
      const r = ref(key)
      const out: VersionInfo[] = []
      try {
        const { sdk, client } = await connect()
        let token: string | undefined
        do {
          const input = { SecretId: r.secretId, IncludeDeprecated: true, MaxResults: 100, NextToken: token }
          const page = await client.send(new sdk.ListSecretVersionIdsCommand(input))
          for (const v of page.Versions ?? []) {
            if (v.VersionId === undefined) continue
            const labels = v.VersionStages ?? []
            out.push({
              key,
              version: v.VersionId,
              ...(v.CreatedDate !== undefined && { createdAt: v.CreatedDate }),
              current: labels.includes('AWSCURRENT'),
              labels,
            })
          }
          token = page.NextToken
        } while (token)
      } catch (error) {
        if (isNotFound(error)) return []
        throw fail(error, key)
      }
      // Newest first. Versions written within one millisecond tie on CreatedDate: the later in AWS's
      // listing (which is in creation order) wins.
      const time = (v: VersionInfo) => v.createdAt?.getTime() ?? 0
      return out
        .map((v, i) => ({ v, i }))
        .sort((a, b) => time(b.v) - time(a.v) || b.i - a.i)
        .map(({ v }) => v)
    },

    async rollback(key, version) {
      const r = writable(key)
      try {
        const state = await describe(r)
        if (state === undefined) throw new NotFoundError({ key, provider: name })
        const others = (state.stages[version] ?? []).filter((s) => s !== 'AWSCURRENT' && s !== 'AWSPREVIOUS')
        if (state.current === version) return info(key, version, state.stages[version] ?? ['AWSCURRENT'])
        const { sdk, client } = await connect()
        const input = {
          SecretId: r.secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: version,
          RemoveFromVersionId: state.current,
        }
        await client.send(new sdk.UpdateSecretVersionStageCommand(input))
        // AWS moves AWSPREVIOUS onto the version that lost AWSCURRENT.
        return info(key, version, ['AWSCURRENT', ...others])
      } catch (error) {
        throw fail(error, key)
      }
    },

    async health(opts = {}): Promise<Health> {
      const started = performance.now()
      try {
        const { sdk, client } = await connect()
        await client.send(new sdk.ListSecretsCommand({ MaxResults: 1 }), { abortSignal: opts.signal })
        return { ok: true, latencyMs: Math.round(performance.now() - started) }
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), message: fail(error).message }
      }
    },

    async close() {
      await sdkClient.close()
    },
  } satisfies SecretsManagerProvider
}

function validWindow(days: unknown): boolean {
  return Number.isInteger(days) && (days as number) >= 7 && (days as number) <= 30
}

function info(key: string, version: string | undefined, labels: string[]): VersionInfo {
  return { key, version: version ?? '', current: true, labels }
}

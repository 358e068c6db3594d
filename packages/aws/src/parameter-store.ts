import type { Parameter, ParameterType, SSMClient } from '@aws-sdk/client-ssm'
import {
  ALL_CAPABILITIES,
  type BatchResult,
  type Capabilities,
  ConflictError,
  type DeleteOptions,
  type Entry,
  type GetOptions,
  type Health,
  type KeyInfo,
  lazyClient,
  type Provider,
  type SetOptions,
  ValidationError,
  type VersionInfo,
} from '@polysecret/core'
import { awsErrorName, isNotFound, toPolysecretError } from './errors.js'
import { type KeyMapping, type KeyMappingName, keyMappingIssues, parameterNames } from './key-mapping.js'
import {
  type AwsClientOptions,
  type AwsConnectionOptions,
  assertValid,
  clientConfig,
  validateConnection,
} from './lazy-client.js'
import { batchReader } from './parameter-store-batch.js'
import { checkShape, type FieldType } from './response-shape.js'

type Sdk = typeof import('@aws-sdk/client-ssm')

const PKG = '@aws-sdk/client-ssm'
/** GetParametersByPath returns at most 10 parameters per page. */
const PAGE_SIZE = 10

/** Options of {@link parameterStore} that do not concern the connection. */
export interface ParameterStoreSettings {
  /**
   * Instance name, unique within a manager; appears in errors and events.
   * @default 'aws-ssm'
   */
  readonly name?: string
  /**
   * Hierarchy the keys live under; must start and end with `/`. With `prefix: '/app/'`, key `DB_HOST`
   * is parameter `/app/DB_HOST`. Without a prefix the key is the parameter name, verbatim.
   * @default ''
   */
  readonly prefix?: string
  /**
   * Read SecureString values decrypted (`WithDecryption`); needs `kms:Decrypt` on the parameter's key.
   * When `false`, SecureString reads return the ciphertext.
   * @default true
   */
  readonly decrypt?: boolean
  /**
   * Write keys the manager classifies as secrets (`kind: 'secret'`) as `SecureString`; others as `String`.
   * @default true
   */
  readonly secureStringForSecrets?: boolean
  /**
   * KMS key for new SecureString values (id, ARN or alias). When omitted AWS uses `alias/aws/ssm`.
   * @default undefined
   */
  readonly kmsKeyId?: string
  /**
   * How keys map to parameter names: `'path'` (`db/host` ↔ `/app/db/host`, dots kept), `'dotted'`
   * (`db.host` ↔ `/app/db/host`), or your own `{ toName, toKey }`. See the docs page for the rule.
   * @default 'path'
   */
  readonly keyMapping?: KeyMappingName | KeyMapping
  /**
   * Most `GetParameters` calls in flight at once for `getMany`.
   * @default 10
   */
  readonly concurrency?: number
}

/** Options of {@link parameterStore}: settings plus either connection options or your own `client`. */
export type ParameterStoreOptions = ParameterStoreSettings & AwsClientOptions<SSMClient>

/** One parameter read by prefix: its key and entry. */
export interface PrefixEntry {
  /** The key (provider prefix stripped, mapping applied). */
  readonly key: string
  /** The parameter's latest version. */
  readonly entry: Entry
}

/** The SSM Parameter Store provider. Rollback is not native: the manager re-writes an old value. */
export interface ParameterStoreProvider extends Provider {
  readonly type: 'aws-ssm'
  /** GetParameters, 10 names per call, calls in parallel. */
  getMany(keys: readonly string[], opts?: { signal?: AbortSignal }): Promise<BatchResult>
  /** Keys starting with `prefix` (GetParametersByPath, recursive, values not decrypted). */
  list(prefix?: string): AsyncIterable<KeyInfo>
  /** Reads every parameter whose key starts with `prefix`, values included (GetParametersByPath). */
  getByPrefix(prefix?: string): AsyncIterable<PrefixEntry>
  /** PutParameter (SecureString for `kind: 'secret'`). `ifVersion` is check-then-write. */
  set(key: string, value: string | Uint8Array, opts?: SetOptions): Promise<VersionInfo>
  /** DeleteParameter, immediately. Idempotent. */
  delete(key: string, opts?: DeleteOptions): Promise<void>
  /** GetParameterHistory, newest first, with labels. Empty for a missing key. */
  versions(key: string): Promise<VersionInfo[]>
  /** Destroys the SDK client the provider created (never one you passed). */
  close(): Promise<void>
}

const CAPABILITIES: Capabilities = { ...ALL_CAPABILITIES, rollback: false }

/**
 * Parameter Store's default throughput: 40 transactions per second per account and Region, shared by
 * GetParameter, GetParameters and GetParametersByPath (AWS Systems Manager endpoints and quotas). One
 * process going faster only earns ThrottlingExceptions, so the manager paces this provider to it.
 * With higher throughput enabled on the account, raise it: `limits: { 'aws-ssm': { rate: 1000 } }`,
 * or drop it: `limits: { 'aws-ssm': false }`.
 */
const DEFAULT_THROUGHPUT = Object.freeze({ rate: 40, burst: 40 })

/**
 * A provider backed by AWS Systems Manager Parameter Store.
 *
 * Reads return the latest version unless `version` (a version number) or `label` is given. SecureString
 * values are decrypted by default; StringList values stay the comma-separated string (with
 * `metadata.type === 'StringList'`). The SDK is imported on first use.
 *
 * @example
 * ```ts
 * import { parameterStore } from '@polysecret/aws'
 *
 * const ssm = parameterStore({ region: 'eu-west-1', prefix: '/app/' })
 * const entry = await ssm.get('DB_HOST') // parameter /app/DB_HOST
 * ```
 */
export function parameterStore(options: ParameterStoreOptions = {}): ParameterStoreProvider {
  const name = options.name ?? 'aws-ssm'
  const prefix = options.prefix ?? ''
  const decrypt = options.decrypt ?? true
  const secure = options.secureStringForSecrets ?? true
  const concurrency = options.concurrency ?? 10
  const issues = validateConnection(options, 'aws-ssm')
  issues.push(...keyMappingIssues(prefix, options.keyMapping))
  assertValid(issues, 'aws-ssm', name)
  const names = parameterNames(prefix, options.keyMapping, name)

  const sdkClient = lazyClient<Sdk, SSMClient>({
    provider: name,
    pkg: PKG,
    requiredBy: '@polysecret/aws',
    load: () => import('@aws-sdk/client-ssm'),
    client: options.client,
    create: (sdk) => new sdk.SSMClient(clientConfig(options as AwsConnectionOptions)),
    dispose: (client) => client.destroy(),
  })
  const connect = sdkClient.connect
  const fail = (error: unknown, key?: string) => toPolysecretError(error, { key, provider: name })

  /** The version and type of the latest version, or `undefined` when the parameter does not exist. */
  async function current(key: string, signal?: AbortSignal): Promise<Parameter | undefined> {
    const { sdk, client } = await connect()
    try {
      const input = { Name: names.name(key), WithDecryption: false }
      return (await client.send(new sdk.GetParameterCommand(input), { abortSignal: signal })).Parameter
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async function checkVersion(
    key: string,
    expected: string,
    signal?: AbortSignal,
  ): Promise<Parameter | undefined> {
    const latest = await current(key, signal)
    const version = latest?.Version !== undefined ? String(latest.Version) : undefined
    if (version !== expected) {
      throw new ConflictError({
        key,
        provider: name,
        currentVersion: version,
        message: `Version conflict on key "${key}" (provider "${name}"): expected ${expected}, current is ${version ?? 'none (missing)'}.`,
      })
    }
    return latest
  }

  /** Pages through GetParametersByPath for every parameter whose key starts with `keyPrefix`. */
  async function* byPath(keyPrefix: string, withDecryption: boolean): AsyncGenerator<[string, Parameter]> {
    const path = names.path(keyPrefix)
    let token: string | undefined
    do {
      let page: Awaited<ReturnType<typeof fetchPage>>
      try {
        page = await fetchPage(path, withDecryption, token)
      } catch (error) {
        throw fail(error)
      }
      for (const p of page.Parameters ?? []) {
        const key = p.Name !== undefined ? names.key(p.Name) : undefined
        if (key?.startsWith(keyPrefix)) yield [key, p]
      }
      token = page.NextToken
    } while (token)
  }

  async function fetchPage(path: string, withDecryption: boolean, token: string | undefined) {
    const { sdk, client } = await connect()
    const input = {
      Path: path,
      Recursive: true,
      WithDecryption: withDecryption,
      MaxResults: PAGE_SIZE,
      NextToken: token,
    }
    return client.send(new sdk.GetParametersByPathCommand(input))
  }

  return {
    name,
    type: 'aws-ssm',
    capabilities: CAPABILITIES,
    limits: DEFAULT_THROUGHPUT,

    async get(key, opts: GetOptions = {}) {
      const base = names.name(key)
      if (opts.version !== undefined && opts.label !== undefined) {
        throw new ValidationError(`Pass version or label, not both (key "${key}", provider "${name}").`, {
          key,
          provider: name,
        })
      }
      const selector = opts.version ?? opts.label
      try {
        const { sdk, client } = await connect()
        const input = { Name: selector !== undefined ? `${base}:${selector}` : base, WithDecryption: decrypt }
        const out = await client.send(new sdk.GetParameterCommand(input), { abortSignal: opts.signal })
        checkShape(
          out,
          { Parameter: 'record' },
          { service: 'Parameter Store', subject: `key "${key}"`, key, provider: name },
        )
        return out.Parameter === undefined ? undefined : toEntry(out.Parameter, opts.label)
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw fail(error, key)
      }
    },

    getMany: batchReader({ names, connect, decrypt, concurrency, fail, toEntry }),

    async *list(keyPrefix = '') {
      for await (const [key, p] of byPath(keyPrefix, false)) {
        yield {
          key,
          ...(p.Version !== undefined && { version: String(p.Version) }),
          ...(p.LastModifiedDate !== undefined && { updatedAt: p.LastModifiedDate }),
        }
      }
    },

    async *getByPrefix(keyPrefix = '') {
      for await (const [key, p] of byPath(keyPrefix, decrypt)) yield { key, entry: toEntry(p) }
    },

    async set(key, value, opts = {}) {
      const parameter = names.name(key, 'write')
      if (typeof value !== 'string') {
        throw new ValidationError(
          `Parameter Store holds text only; encode binary values (e.g. base64) first (key "${key}").`,
          {
            key,
            provider: name,
          },
        )
      }
      try {
        // Parameter Store has no conditional put: this is check-then-write, so a writer racing between
        // the GetParameter and the PutParameter can still win. The window is one round trip.
        if (opts.ifVersion !== undefined) await checkVersion(key, opts.ifVersion, opts.signal)
        const { sdk, client } = await connect()
        const put = (type: ParameterType | undefined) => {
          const input = {
            Name: parameter,
            Value: value,
            Type: type,
            Overwrite: !opts.createOnly,
            Description: opts.description,
            ...(type === 'SecureString' && options.kmsKeyId !== undefined && { KeyId: options.kmsKeyId }),
          }
          return client.send(new sdk.PutParameterCommand(input), { abortSignal: opts.signal })
        }
        const type = typeFor(opts)
        let out: Awaited<ReturnType<typeof put>>
        try {
          out = await put(type)
        } catch (error) {
          // Without a type, an overwrite keeps the parameter's type; a new parameter needs one.
          if (type !== undefined || !isTypeRequired(error)) throw error
          out = await put('String')
        }
        return { key, version: String(out.Version ?? ''), current: true, labels: [] }
      } catch (error) {
        if (awsErrorName(error) === 'ParameterAlreadyExists') {
          throw new ConflictError({
            key,
            provider: name,
            cause: error,
            message: `Key "${key}" already exists (provider "${name}").`,
          })
        }
        throw fail(error, key)
      }
    },

    async delete(key, opts = {}) {
      const parameter = names.name(key)
      try {
        if (opts.ifVersion !== undefined) await checkVersion(key, opts.ifVersion, opts.signal)
        const { sdk, client } = await connect()
        await client.send(new sdk.DeleteParameterCommand({ Name: parameter }), { abortSignal: opts.signal })
      } catch (error) {
        // Idempotent: deleting a missing parameter is done.
        if (isNotFound(error)) return
        throw fail(error, key)
      }
    },

    async versions(key) {
      const parameter = names.name(key)
      const out: VersionInfo[] = []
      try {
        const { sdk, client } = await connect()
        let token: string | undefined
        do {
          const input = { Name: parameter, WithDecryption: false, MaxResults: 50, NextToken: token }
          const page = await client.send(new sdk.GetParameterHistoryCommand(input))
          for (const v of page.Parameters ?? []) {
            if (v.Version === undefined) continue
            out.push({
              key,
              version: String(v.Version),
              ...(v.LastModifiedDate !== undefined && { createdAt: v.LastModifiedDate }),
              current: false,
              labels: v.Labels ?? [],
            })
          }
          token = page.NextToken
        } while (token)
      } catch (error) {
        if (isNotFound(error)) return []
        throw fail(error, key)
      }
      out.sort((a, b) => Number(b.version) - Number(a.version))
      return out.map((v, i) => (i === 0 ? { ...v, current: true } : v))
    },

    async health(opts = {}): Promise<Health> {
      const started = performance.now()
      try {
        const { sdk, client } = await connect()
        const path = prefix.length > 1 ? prefix.slice(0, -1) : '/'
        await client.send(
          new sdk.GetParametersByPathCommand({ Path: path, MaxResults: 1, WithDecryption: false }),
          { abortSignal: opts.signal },
        )
        return { ok: true, latencyMs: Math.round(performance.now() - started) }
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), message: fail(error).message }
      }
    },

    async close() {
      await sdkClient.close()
    },
  } satisfies ParameterStoreProvider

  /**
   * SecureString for secrets, String for parameters. When the manager did not say (`kind` unset), the
   * type is left out so an overwrite keeps the parameter's type — a plain write never downgrades a
   * SecureString — and a new parameter becomes String.
   */
  function typeFor(opts: SetOptions): ParameterType | undefined {
    if (opts.kind === 'secret') return secure ? 'SecureString' : 'String'
    if (opts.kind === 'parameter' || opts.createOnly) return 'String'
    return undefined
  }
}

/** Whether PutParameter refused a new parameter for lack of a `Type`. */
function isTypeRequired(error: unknown): boolean {
  const e = error as { name?: string; message?: string }
  return e?.name === 'ValidationException' && /type/i.test(e.message ?? '')
}

const PARAMETER_FIELDS: Readonly<Record<string, FieldType>> = {
  Name: 'text',
  Value: 'text',
  Type: 'text',
  DataType: 'text',
  ARN: 'text',
  Selector: 'text',
  Version: 'number',
  LastModifiedDate: 'date',
}

/** A parameter as an entry; `label` is the label it was read by, if any. */
export function toEntry(p: Parameter, label?: string): Entry {
  checkShape(p, PARAMETER_FIELDS, { service: 'Parameter Store', subject: `parameter "${String(p.Name)}"` })
  const metadata: Record<string, string> = {}
  if (p.Type !== undefined) metadata.type = p.Type
  if (p.DataType !== undefined) metadata.dataType = p.DataType
  if (p.ARN !== undefined) metadata.arn = p.ARN
  const selected =
    label ?? (p.Selector?.startsWith(':') && !/^:\d+$/.test(p.Selector) ? p.Selector.slice(1) : undefined)
  return {
    value: p.Value ?? '',
    ...(p.Version !== undefined && { version: String(p.Version) }),
    ...(p.LastModifiedDate !== undefined && { updatedAt: p.LastModifiedDate }),
    labels: selected !== undefined ? [selected] : [],
    metadata,
  }
}

import type { ParameterManagerClient } from '@google-cloud/parametermanager'
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
  mapLimit,
  type Provider,
  type SetOptions,
  ValidationError,
  withSignal,
} from '@polysecret/core'
import { callOptions, lastSegment, toDate } from './call.js'
import { isAlreadyExists, isFailedPrecondition, isNotFound, toPolysecretError } from './errors.js'
import {
  type GcpKeyMappingName,
  type IdRef,
  keyMappingIssues,
  PARAMETER_IDS,
  resourceIds,
} from './key-mapping.js'
import {
  clientConstructorOptions,
  type GcpClientOptions,
  type GcpConnectionOptions,
  validateConnection,
} from './lazy-client.js'
import {
  bytesOf,
  type FetchedVersion,
  hasSecretReferences,
  type ParameterFormat,
  parameterBytes,
  versionToEntry,
} from './parameter-payload.js'
import {
  assertCurrent,
  currentVersion,
  listParameterVersions,
  nextVersionId,
  type ParameterContext,
  type ParameterVersionInfo,
  rollbackParameter,
  toVersionInfos,
} from './parameter-versions.js'
import { CAPABILITIES as SECRET_MANAGER_CAPABILITIES } from './secret-manager.js'

type Sdk = typeof import('@google-cloud/parametermanager')

const TYPE = 'gcp-parameter-manager'
const FORMATS = new Set(['UNFORMATTED', 'JSON', 'YAML'])

/** Options of {@link parameterManager} that do not concern the connection. */
export interface ParameterManagerSettings {
  /** Instance name, unique within a manager. @default 'gcp-parameter-manager' */
  readonly name?: string
  /** The project holding the parameters; detected from Application Default Credentials when omitted. */
  readonly projectId?: string
  /**
   * `'global'` or a region (`'europe-west1'`). For a region the client talks to the regional endpoint
   * `parametermanager.<region>.rep.googleapis.com` unless `clientOptions.apiEndpoint` says otherwise.
   * @default 'global'
   */
  readonly location?: string
  /**
   * Read values through RenderParameterVersion, which replaces `__REF__(//secretmanager…)` references
   * in JSON and YAML parameters with the secret values (the caller needs
   * `secretmanager.versions.access` on them). `false` reads the stored payload with the references.
   * @default true
   */
  readonly render?: boolean
  /** Prepended to every parameter id and stripped by `list`. @default '' */
  readonly prefix?: string
  /** How keys map to parameter ids, as for `secretManager`. @default 'identity' */
  readonly keyMapping?: GcpKeyMappingName | KeyMapping
  /** Format of parameters this provider creates on first write. @default 'UNFORMATTED' */
  readonly format?: ParameterFormat
}

/** Options of {@link parameterManager}: settings plus either connection options or your own `client`. */
export type ParameterManagerOptions = ParameterManagerSettings & GcpClientOptions<ParameterManagerClient>

/** The Google Cloud Parameter Manager provider. */
export interface ParameterManagerProvider extends Provider {
  readonly type: 'gcp-parameter-manager'
  list(prefix?: string): AsyncIterable<KeyInfo>
  /** CreateParameterVersion `v<n+1>` (CreateParameter with `format` on first write). */
  set(key: string, value: string | Uint8Array, opts?: SetOptions): Promise<ParameterVersionInfo>
  /** Deletes every version, then the parameter. Idempotent. */
  delete(key: string, opts?: DeleteOptions): Promise<void>
  versions(key: string): Promise<ParameterVersionInfo[]>
  /** Disables every enabled version newer than `version` (enabling it if needed). */
  rollback(key: string, version: string): Promise<ParameterVersionInfo>
  close(): Promise<void>
}

/** As Secret Manager's: no batch read, so the manager reads key by key, in parallel. */
const CAPABILITIES: Capabilities = SECRET_MANAGER_CAPABILITIES

/**
 * A provider backed by Google Cloud Parameter Manager, over gRPC (default) or REST. Reads return the
 * newest enabled version, rendered (secret references resolved) unless `render: false`; `name#a.b`
 * selects a field path of a JSON or YAML parameter; `version` reads a version id.
 *
 * @example
 * ```ts
 * import { parameterManager } from '@polysecret/gcp'
 *
 * const pm = parameterManager({ projectId: 'my-project' })
 * const entry = await pm.get('app-config#db.host')
 * ```
 */
export function parameterManager(options: ParameterManagerOptions = {}): ParameterManagerProvider {
  const name = options.name ?? TYPE
  const location = options.location ?? 'global'
  const render = options.render ?? true
  const format = options.format ?? 'UNFORMATTED'
  const issues = validateConnection(options, 'renderParameterVersion', TYPE)
  issues.push(...keyMappingIssues(options.prefix, options.keyMapping, PARAMETER_IDS))
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(location))
    issues.push('location must be "global" or a region such as "europe-west1"')
  if (!FORMATS.has(format)) issues.push('format must be "UNFORMATTED", "JSON" or "YAML"')
  if (typeof render !== 'boolean') issues.push('render must be true or false')
  assertValidOptions(issues, TYPE, name)
  const ids = resourceIds(options.prefix ?? '', options.keyMapping, PARAMETER_IDS, name)

  const sdk = lazyClient<Sdk, ParameterManagerClient>({
    provider: name,
    pkg: '@google-cloud/parametermanager',
    requiredBy: '@polysecret/gcp',
    load: () => import('@google-cloud/parametermanager'),
    client: options.client,
    create: (m) => {
      const config = clientConstructorOptions(options as GcpConnectionOptions)
      if (location !== 'global' && config.apiEndpoint === undefined) {
        config.apiEndpoint = `parametermanager.${location}.rep.googleapis.com`
      }
      return new m.ParameterManagerClient(config as never)
    },
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
      return { client, parent: `projects/${await project}/locations/${location}` }
    } catch (error) {
      project = undefined
      throw error
    }
  }
  const fail = (error: unknown, key?: string) => toPolysecretError(error, { key, provider: name })
  const context = async (r: IdRef, signal?: AbortSignal): Promise<ParameterContext> => {
    const { client, parent } = await connect()
    return { client, parameter: `${parent}/parameters/${r.id}`, key: r.key, provider: name, signal }
  }
  const writable = (key: string): IdRef => {
    const r = ids.ref(key)
    if (r.field !== undefined) {
      throw new ValidationError(`Cannot write a single field ("${key}"); write the whole parameter.`, {
        key,
        provider: name,
      })
    }
    return r
  }

  /** Render (or get) one version; `undefined` when it is missing or disabled. */
  async function fetchVersion(ctx: ParameterContext, version: string): Promise<FetchedVersion | undefined> {
    const versionName = `${ctx.parameter}/versions/${version}`
    try {
      if (render) {
        const [out] = await withSignal(
          ctx.client.renderParameterVersion({ name: versionName }, callOptions()),
          ctx.signal,
        )
        const raw = bytesOf(out.payload?.data)
        return {
          name: out.parameterVersion || versionName,
          data: bytesOf(out.renderedPayload) ?? raw ?? new Uint8Array(0),
          rawWithReferences: hasSecretReferences(raw) ? raw : undefined,
        }
      }
      const [out] = await withSignal(
        ctx.client.getParameterVersion({ name: versionName }, callOptions()),
        ctx.signal,
      )
      if (out.disabled) return undefined
      return {
        name: out.name || versionName,
        data: bytesOf(out.payload?.data) ?? new Uint8Array(0),
        createdAt: out.createTime,
      }
    } catch (error) {
      // Rendering a disabled version fails: to a reader asking for it, it is not there.
      if (isNotFound(error) || isFailedPrecondition(error)) return undefined
      throw error
    }
  }

  async function read(r: IdRef, opts: GetOptions = {}): Promise<Entry | undefined> {
    const ctx = await context(r, opts.signal)
    let version = opts.version ?? opts.label
    let createdAt: Date | undefined
    if (version === undefined) {
      // Parameter Manager has no "latest": the newest enabled version is found by listing.
      const current = currentVersion(await listParameterVersions(ctx))
      if (current === undefined) return undefined
      version = current.id
      createdAt = current.createdAt
    }
    const fetched = await fetchVersion(ctx, version)
    if (fetched === undefined) return undefined
    return versionToEntry({ ...fetched, createdAt: fetched.createdAt ?? dateToTimestamp(createdAt) }, r, name)
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
      let iterator: AsyncIterator<{ name?: string | null; updateTime?: unknown; createTime?: unknown }>
      try {
        const { client, parent } = await connect()
        iterator = client
          .listParametersAsync({ parent, pageSize: 1000 }, callOptions())
          [Symbol.asyncIterator]()
      } catch (error) {
        throw fail(error)
      }
      while (true) {
        let next: IteratorResult<{ name?: string | null; updateTime?: unknown; createTime?: unknown }>
        try {
          next = await iterator.next()
        } catch (error) {
          throw fail(error)
        }
        if (next.done) return
        const id = lastSegment(next.value.name)
        const key = id === undefined ? undefined : ids.key(id)
        if (key === undefined || !key.startsWith(keyPrefix)) continue
        const updatedAt = toDate(next.value.updateTime ?? next.value.createTime)
        yield { key, ...(updatedAt !== undefined && { updatedAt }) }
      }
    },

    async set(key, value, opts = {}) {
      const r = writable(key)
      const data = parameterBytes(value, key, name)
      try {
        const ctx = await context(r, opts.signal)
        const { client, parent } = await connect()
        const createParameter = async () => {
          const parameter = { format }
          const call = client.createParameter({ parent, parameterId: r.id, parameter }, callOptions())
          await withSignal(call, opts.signal)
        }
        let versions = await listParameterVersions(ctx)
        if (opts.createOnly && versions !== undefined && versions.length > 0) {
          throw new ConflictError({
            key,
            provider: name,
            message: `Key "${key}" already exists (provider "${name}").`,
          })
        }
        if (opts.ifVersion !== undefined) assertCurrent(ctx, versions, opts.ifVersion)
        if (versions === undefined) {
          try {
            await createParameter()
          } catch (error) {
            if (!isAlreadyExists(error)) throw error
            versions = await listParameterVersions(ctx)
          }
        }
        const parameterVersionId = nextVersionId(versions)
        const request = { parent: ctx.parameter, parameterVersionId, parameterVersion: { payload: { data } } }
        try {
          const [v] = await withSignal(client.createParameterVersion(request, callOptions()), opts.signal)
          const createdAt = toDate(v.createTime)
          return {
            key,
            version: parameterVersionId,
            ...(createdAt && { createdAt }),
            current: true,
            labels: [],
            disabled: false,
          }
        } catch (error) {
          // Version ids are deterministic: a writer that raced us from the same state took this id.
          if (!isAlreadyExists(error)) throw error
          throw new ConflictError({
            key,
            provider: name,
            cause: error,
            message: `Another writer added version ${parameterVersionId} of key "${key}" first (provider "${name}").`,
          })
        }
      } catch (error) {
        throw fail(error, key)
      }
    },

    async delete(key, opts = {}) {
      const r = writable(key)
      try {
        const ctx = await context(r, opts.signal)
        const versions = await listParameterVersions(ctx)
        if (versions === undefined) return
        if (opts.ifVersion !== undefined) assertCurrent(ctx, versions, opts.ifVersion)
        // A parameter with versions cannot be deleted: versions go first.
        await mapLimit(versions, 10, async (v) => {
          try {
            await withSignal(ctx.client.deleteParameterVersion({ name: v.name }, callOptions()), opts.signal)
          } catch (error) {
            if (!isNotFound(error)) throw error
          }
        })
        await withSignal(ctx.client.deleteParameter({ name: ctx.parameter }, callOptions()), opts.signal)
      } catch (error) {
        if (isNotFound(error)) return
        throw fail(error, key)
      }
    },

    async versions(key) {
      const r = ids.ref(key)
      try {
        return toVersionInfos(key, await listParameterVersions(await context(r)))
      } catch (error) {
        throw fail(error, key)
      }
    },

    async rollback(key, version) {
      const r = writable(key)
      try {
        return await rollbackParameter(await context(r), version)
      } catch (error) {
        throw fail(error, key)
      }
    },

    async health(opts = {}): Promise<Health> {
      const started = performance.now()
      try {
        const { client, parent } = await connect()
        const call = client.listParameters({ parent, pageSize: 1 }, { ...callOptions(), autoPaginate: false })
        await withSignal(call, opts.signal)
        return { ok: true, latencyMs: Math.round(performance.now() - started) }
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), message: fail(error).message }
      }
    },

    async close() {
      await sdk.close()
    },
  } satisfies ParameterManagerProvider
}

function dateToTimestamp(date: Date | undefined) {
  return date === undefined
    ? undefined
    : { seconds: Math.floor(date.getTime() / 1000), nanos: (date.getTime() % 1000) * 1e6 }
}

import { type CacheOptions, ReadCache, resolveCacheSettings } from './cache.js'
import { asPolysecretError, type FallbackOptions, makeFallbackPredicate } from './chain.js'
import { type Classification, type ClassifyOptions, createClassifier } from './classify.js'
import { type CreateManagerOptions, createManager, type ManagerConfig } from './create-manager.js'
import { NotFoundError, type PolysecretError, ValidationError } from './errors.js'
import { type AccessListener, makeEmitter } from './events.js'
import { type AuditOption, auditListener } from './gate/audit.js'
import { ProviderGate } from './gate/gate.js'
import { checkLimitsOption, type LimitsOption } from './gate/limits.js'
import type { ManagerStats } from './gate/stats.js'
import { ATTR, type Telemetry, type TelemetryOption } from './gate/telemetry.js'
import { REAL_TIMERS, type Timers } from './gate/timers.js'
import { type GenerateOptions, type GenerateReport, generateWithManager } from './generation/run.js'
import type { GenerationSpec } from './generation/spec.js'
import { checkedHealth, type ProviderHealth } from './health.js'
import { assertKey } from './keys.js'
import { type Live, LiveConfig, liveView } from './live-config.js'
import type { DeleteOptions, KeyInfo, Kind, Provider, VersionInfo } from './provider.js'
import { ReadEngine } from './read-engine.js'
import { type ValueWithMetadata, withMetadata } from './read-metadata.js'
import type { ReadOptions } from './read-record.js'
import { type RetryOptions, type RetrySettings, resolveRetrySettings } from './retry.js'
import { type AnySchema, type Infer, objectKeys, validateAll } from './schema.js'
import type { Secret } from './secret.js'
import type { SnapshotOptions } from './snapshot/options.js'
import { Snapshot } from './snapshot/snapshot.js'
import {
  type RunningSync,
  resolveSyncTarget,
  type SyncRunOptions,
  type SyncSpecData,
  type SyncTarget,
} from './sync.js'
import {
  listVersions,
  type RotateOptions,
  type RotateResult,
  rollbackValue,
  rotateValue,
} from './versions.js'
import { type ChangeListener, startWatch, type Watcher, type WatchOptions } from './watch.js'
import {
  deleteValue,
  type WriteContext,
  type WriteOptions,
  type WriteResult,
  type WriteTarget,
  writeValue,
} from './writes.js'

export type { ValueWithMetadata }

export interface ConfigManagerOptions {
  /** Ordered fallback chain for secrets: the first provider that has the key answers. */
  secrets?: readonly Provider[]
  /** Ordered fallback chain for parameters. */
  parameters?: readonly Provider[]
  /** Classification rules (overrides, patterns, extra words). */
  classify?: ClassifyOptions
  /** Cache settings, or `false` to disable caching. */
  cache?: CacheOptions | false
  /** Which errors move a read on to the next provider. @default { on: ['unavailable', 'throttled', 'unsupported'] } */
  fallback?: FallbackOptions
  /** Retry policy per provider call, or a number of retries, or `false`. @default { retries: 2 } */
  retry?: RetryOptions | number | false
  /** Access events (never values): one listener or several. */
  onAccess?: AccessListener | readonly AccessListener[]
  /** Enable writes (set, delete, rollback, rotate). Off by default. @default false */
  allowWrites?: boolean
  /** Most provider calls in flight for one `getMany`/`load` against a store without native batching. @default 100 */
  concurrency?: number
  /**
   * Opt-in offline start: an encrypted last-known-good snapshot of what the manager read, served
   * (marked `stale: true, staleReason: 'snapshot'`) when every store holding a key is unreachable and
   * the cache has nothing. See docs/snapshot.md.
   */
  snapshot?: SnapshotOptions
  /**
   * Per-provider limits, by provider name: `rate` (calls/s, token bucket), `burst` and `concurrency`,
   * shared by reads, background refreshes and writes. Calls over the limit wait in order, at most
   * until `retry.deadline`, then fail with `ThrottledError`. A provider package may declare its
   * store's quota as defaults; `false` drops them. See docs/operations.md.
   * @example { 'aws-ssm': { rate: 20, burst: 40 }, 'aws-secrets-manager': { concurrency: 10 } }
   */
  limits?: LimitsOption
  /**
   * OpenTelemetry spans and metrics through `@opentelemetry/api` (an optional peer, loaded only when
   * this is set): `true` for the global providers, or `{ tracerProvider, meterProvider }`. @default false
   */
  telemetry?: TelemetryOption
  /** An audit line per access and write (never a value): a pino logger, or `{ logger, caller }`. */
  audit?: AuditOption
  /** Clock and timers for limits, backoff and retries — virtual time for tests and simulations. @default real time */
  timers?: Timers
}

/** `getMany` answer: values for keys that resolved, an error per key that did not. */
export interface ManyResult {
  readonly values: Record<string, Secret | string>
  readonly errors: Record<string, PolysecretError>
}

export type { ProviderHealth }

/** A key as `list` reports it, with where it lives. */
export interface ListedKey extends KeyInfo {
  readonly kind: Kind
  readonly provider: string
}

type GetOptions = ReadOptions & {
  /** Return `undefined` instead of throwing `NotFoundError` when the key exists nowhere. */
  optional?: boolean
}

/**
 * One API for configuration and secrets in every store. Each key is classified as a secret or a
 * parameter, read through that kind's chain of providers, cached, and returned — secrets wrapped in
 * `Secret`, parameters as strings.
 *
 * @example
 * ```ts
 * import { ConfigManager, env, dotenv } from '@polysecret/core'
 * const config = new ConfigManager({ secrets: [env()], parameters: [env(), dotenv({ path: '.env' })] })
 * const password = await config.getSecret('DB_PASSWORD') // Secret — prints as [REDACTED]
 * const host = await config.getParameter('DB_HOST')       // string
 * ```
 */
export class ConfigManager {
  readonly #engine: ReadEngine
  readonly #classify: ReturnType<typeof createClassifier>
  readonly #providers: readonly Provider[]
  readonly #secrets: readonly Provider[]
  readonly #parameters: readonly Provider[]
  readonly #writes: WriteContext
  readonly #concurrency: number
  readonly #gate: ProviderGate
  readonly #telemetry: Telemetry | undefined
  readonly #retry: RetrySettings
  /** Watchers and live configs to stop on close(). */
  readonly #watchers = new Set<{ close(): void }>()
  readonly #snapshot: Snapshot | undefined

  constructor(options: ConfigManagerOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw new ValidationError('ConfigManager options must be an object.')
    this.#secrets = checkChain('secrets', options.secrets)
    this.#parameters = checkChain('parameters', options.parameters)
    this.#providers = [...new Set([...this.#secrets, ...this.#parameters])]
    // Two instances of one type may share a name (env() in both chains); different stores may not,
    // since `to:` targets, events and errors name providers.
    const types = new Map<string, string>()
    for (const p of this.#providers) {
      const seen = types.get(p.name)
      if (seen !== undefined && seen !== p.type) {
        throw new ValidationError(
          `Two different providers are both named "${p.name}" (${seen} and ${p.type}).`,
          { hint: 'Give each provider a unique name option.' },
        )
      }
      types.set(p.name, p.type)
    }
    const concurrency = options.concurrency ?? 100
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new ValidationError(`concurrency must be a positive integer, got ${String(concurrency)}.`)
    this.#concurrency = concurrency
    this.#classify = createClassifier(options.classify)
    const listeners = options.onAccess === undefined ? [] : [options.onAccess].flat()
    const emit = makeEmitter(options.audit ? [...listeners, auditListener(options.audit)] : listeners)
    const retry = resolveRetrySettings(options.retry)
    this.#retry = retry
    const limits = checkLimitsOption(options.limits, new Set(types.keys()))
    this.#gate = new ProviderGate({
      limits,
      timers: options.timers ?? REAL_TIMERS,
      backoff: retry,
      telemetry: options.telemetry || undefined,
    })
    this.#gate.register(this.#providers)
    this.#telemetry = this.#gate.telemetry
    this.#snapshot =
      options.snapshot === undefined
        ? undefined
        : new Snapshot(
            options.snapshot,
            chainsIdentity(this.#secrets, this.#parameters),
            async (keys, kind) => {
              await this.#engine.readMany(keys, { fresh: true, kind })
            },
          )
    this.#engine = new ReadEngine({
      secrets: this.#secrets,
      parameters: this.#parameters,
      classify: this.#classify,
      cache: new ReadCache(resolveCacheSettings(options.cache)),
      chain: {
        retry,
        fallback: makeFallbackPredicate(options.fallback),
        concurrency,
        gate: this.#gate,
      },
      emit,
      snapshot: this.#snapshot,
    })
    this.#writes = { engine: this.#engine, allowWrites: options.allowWrites === true, emit }
  }

  /**
   * Builds a manager from plain data or a JSON/YAML config file path — the same as
   * {@link createManager}; with no argument, from the `POLYSECRET_*` environment variables.
   */
  static fromConfig(config?: ManagerConfig | string, extra?: CreateManagerOptions): Promise<ConfigManager> {
    return createManager(config, extra)
  }

  /** Whether a key is a secret or a parameter, and the rule that decided. Pass the value when known. */
  classify(key: string, value?: string): Classification {
    assertKey(key)
    return this.#classify(key, value)
  }

  /** Reads a key: a `Secret` for secrets, a string for parameters. Throws `NotFoundError` if no provider has it. */
  get(key: string, opts?: ReadOptions & { optional?: false }): Promise<Secret | string>
  get(key: string, opts: GetOptions & { optional: true }): Promise<Secret | string | undefined>
  get(key: string, opts?: GetOptions): Promise<Secret | string | undefined> {
    // Hot path first: a fresh cache hit is one map lookup and the same resolved promise every time.
    if (typeof key === 'string' && key !== '' && opts?.version === undefined && opts?.label === undefined) {
      const hit = this.#engine.fastHit(key, opts)
      if (hit) return hit
    }
    const read = this.#engine.read(key, opts).then((r) => r.value)
    return opts?.optional
      ? read.catch((e) => (e instanceof NotFoundError ? undefined : Promise.reject(e)))
      : read
  }

  /** Reads a key as a secret, whatever its name says. */
  async getSecret(key: string, opts: Omit<ReadOptions, 'kind'> = {}): Promise<Secret> {
    return (await this.#engine.read(key, { ...opts, kind: 'secret' })).value as Secret
  }

  /** Reads a key as a parameter, whatever its name says. */
  async getParameter(key: string, opts: Omit<ReadOptions, 'kind'> = {}): Promise<string> {
    return (await this.#engine.read(key, { ...opts, kind: 'parameter' })).value as string
  }

  /** Reads a key and says how: kind, provider, version, cache state, staleness, providers tried. */
  async getWithMetadata(key: string, opts: ReadOptions = {}): Promise<ValueWithMetadata> {
    return withMetadata(await this.#engine.read(key, opts))
  }

  /**
   * Reads many keys in parallel (bounded), with native batches where a provider has them. Never throws
   * for a single key: values for what resolved, an error per key for what did not.
   */
  async getMany(keys: readonly string[], opts: ReadOptions = {}): Promise<ManyResult> {
    if (!Array.isArray(keys)) throw new ValidationError('getMany needs an array of keys.')
    const { results, errors } = await this.#engine.readMany(keys, opts)
    return {
      values: Object.fromEntries([...results].map(([k, r]) => [k, r.value])),
      errors: Object.fromEntries(errors),
    }
  }

  /**
   * `getMany` with each value's metadata (provider, version, cache state) — what an audited caller such
   * as the HTTP sidecar needs per key, with the same native batching and per-key errors.
   */
  async getManyWithMetadata(
    keys: readonly string[],
    opts: ReadOptions = {},
  ): Promise<{ values: Record<string, ValueWithMetadata>; errors: Record<string, PolysecretError> }> {
    if (!Array.isArray(keys)) throw new ValidationError('getManyWithMetadata needs an array of keys.')
    const { results, errors } = await this.#engine.readMany(keys, opts)
    return {
      values: Object.fromEntries([...results].map(([k, r]) => [k, withMetadata(r)])),
      errors: Object.fromEntries(errors),
    }
  }

  /** Every key under a prefix with its value, each read as the kind of the chain that listed it. */
  async getByPrefix(prefix: string, opts: ReadOptions = {}): Promise<ManyResult> {
    const listed = await this.list(prefix)
    // A parameter whose name says so too is read by name, so its value is checked as on get() (a URL
    // with a password comes back as a Secret); other keys are read as the kind their chain listed.
    const byName = (k: ListedKey) => k.kind === 'parameter' && this.#classify(k.key).kind === 'parameter'
    const keys = (pick: (k: ListedKey) => boolean) => listed.filter(pick).map((k) => k.key)
    const reads = await Promise.all([
      this.getMany(
        keys((k) => k.kind === 'parameter' && !byName(k)),
        { ...opts, kind: 'parameter' },
      ),
      this.getMany(keys(byName), { ...opts, kind: undefined }),
      this.getMany(
        keys((k) => k.kind === 'secret'),
        { ...opts, kind: 'secret' },
      ),
    ])
    return {
      values: Object.assign({}, ...reads.map((r) => r.values)),
      errors: Object.assign({}, ...reads.map((r) => r.errors)),
    }
  }

  /** Keys known to the providers that can list, deduplicated (the first provider of a chain wins). */
  async list(prefix = ''): Promise<ListedKey[]> {
    if (typeof prefix !== 'string') throw new ValidationError('list prefix must be a string.')
    const seen = new Map<string, ListedKey>()
    // One store may sit in both chains, as one instance or as two of the same type and name (env()
    // twice): it is listed once, and its keys take the kind their names give them.
    const store = (p: Provider) => `${p.type}\u0000${p.name}`
    const parameterStores = new Set(this.#parameters.map(store))
    const inBothChains = new Set(this.#secrets.map(store).filter((s) => parameterStores.has(s)))
    const listed = new Set<string>()
    for (const [chainKind, chain] of [
      ['secret', this.#secrets],
      ['parameter', this.#parameters],
    ] as const) {
      for (const provider of chain) {
        if (!provider.capabilities.list || !provider.list || listed.has(store(provider))) continue
        listed.add(store(provider))
        try {
          // One listing counts as one call, however many pages the store answers with.
          const infos = await this.#gate.call(provider, 'list', () => collect(provider.list!(prefix)), {
            retry: false,
          })
          for (const info of infos) {
            const kind = inBothChains.has(store(provider)) ? this.#classify(info.key).kind : chainKind
            if (!seen.has(info.key)) seen.set(info.key, { ...info, kind, provider: provider.name })
          }
        } catch (error) {
          // A listing of a secrets store may fail with text that quotes a value: sealed.
          const secret = chainKind === 'secret' || inBothChains.has(store(provider))
          throw asPolysecretError(error, undefined, provider.name, secret)
        }
      }
    }
    return [...seen.values()].sort((a, b) => a.key.localeCompare(b.key))
  }

  /**
   * Reads every top-level key of an object schema through the manager (classified, routed, cached,
   * in parallel), coerces strings where the schema wants numbers, booleans or JSON, and validates.
   * Every problem is reported at once in one `ConfigValidationError` (key, reason, provider — never a
   * value). With `{ watch: true }` returns a `LiveConfig` that follows changes.
   *
   * Fields are what the schema makes of them (`z.string()` gives the plain string), but the returned
   * object prints its secret fields as `[REDACTED]` (`console.log`, `util.inspect`, `JSON.stringify`);
   * `revealConfig(config)` gives an unmasked plain copy on purpose.
   */
  load<S extends AnySchema>(schema: S): Promise<Infer<S>>
  load<S extends AnySchema>(schema: S, opts: { watch: true } & WatchOptions): Promise<Live<Infer<S>>>
  load<S extends AnySchema>(schema: S, opts?: { watch?: false }): Promise<Infer<S>>
  async load<S extends AnySchema>(
    schema: S,
    opts: { watch?: boolean } & WatchOptions = {},
  ): Promise<Infer<S> | Live<Infer<S>>> {
    const keys = objectKeys(schema)
    const loadOnce = async (fresh: boolean) => {
      const { results, errors } = await this.#engine.readMany(keys, { fresh })
      return validateAll(schema, keys, results, errors)
    }
    const initial = await loadOnce(false)
    this.#snapshot?.flushSoon() // a successful load is worth keeping at once, not at the next interval
    if (!opts.watch) return initial
    const live = new LiveConfig<Infer<S>>(initial)
    const watcher = await this.watch(keys, (key) => void live.refresh([key], () => loadOnce(true)), {
      unwatchable: 'ignore',
      ...opts,
      onError: (error) => live.reportError(error),
    })
    if (opts.onError) live.onError(opts.onError)
    live.attach(watcher)
    // close() stops the live config itself, so a reload already running when it is called stays silent.
    this.#watchers.delete(watcher)
    this.#watchers.add(live)
    return liveView(live)
  }

  /** Writes a value (writes must be enabled). Goes to the first writable provider of the key's chain unless `to` says otherwise. */
  set(key: string, value: string | Secret, opts?: WriteOptions): Promise<WriteResult> {
    return this.#traced('polysecret.set', key, () => writeValue(this.#writes, key, value, opts))
  }

  /** Deletes a key (writes must be enabled). */
  delete(key: string, opts?: DeleteOptions & { to?: WriteTarget; kind?: Kind }) {
    return this.#traced('polysecret.delete', key, () => deleteValue(this.#writes, key, opts))
  }

  /** Versions of a key in the provider that serves it (or the one named), newest first. */
  versions(key: string, opts?: { provider?: string }): Promise<VersionInfo[]> {
    return listVersions(this.#writes, key, opts)
  }

  /** Makes an old version current: natively where the store can, else by writing it as a new version. */
  rollback(key: string, version: string, opts?: { provider?: string }): Promise<VersionInfo> {
    return this.#traced('polysecret.rollback', key, () => rollbackValue(this.#writes, key, version, opts))
  }

  /** Writes a new version (given or generated) and returns the old and new version ids. */
  rotate(key: string, opts: RotateOptions): Promise<RotateResult> {
    return this.#traced('polysecret.rotate', key, () => rotateValue(this.#writes, key, opts))
  }

  /**
   * Generates values from a spec (an object, or YAML/JSON text) — passwords, keys, certificates — renders
   * them through templates into keys and writes them to the spec's destinations, create-once: a key
   * that exists is kept unless `overwrite`. Writes must be enabled. See docs/generate.md.
   *
   * @example
   * ```ts
   * const report = await manager.generate({
   *   generators: { password: { type: 'password', length: 32 } },
   *   keys: { DB_PASSWORD: '{{ .gen.password }}', DB_PASSWORD_HASH: '{{ .gen.password | bcrypt }}' },
   *   to: ['aws-sm'],
   * })
   * ```
   */
  generate(spec: GenerationSpec | string, opts?: GenerateOptions): Promise<GenerateReport> {
    return generateWithManager(this, spec, opts)
  }

  /** Polls keys (or every key under a prefix) and calls the listener when a version changes. */
  async watch(
    keysOrPrefix: string | readonly string[],
    listener: ChangeListener,
    opts: WatchOptions = {},
  ): Promise<Watcher> {
    // The watcher's fresh reads keep the cache current, so a change needs no invalidation here.
    const watcher = await startWatch(
      this.#engine,
      async (prefix) => (await this.list(prefix)).map((k) => k.key),
      keysOrPrefix,
      listener,
      opts,
      this.#writes.emit,
    )
    this.#watchers.add(watcher)
    return watcher
  }

  /**
   * Distributes keys into another system through a sync target — e.g. `namespaceSync({ … })` from
   * `@polysecret/kubernetes` — or a plain spec naming its `type` (`kubernetes-namespaces`), whose
   * package is then found in the application. One pass by default (its result says what changed);
   * `{ watch: true }` keeps following changes and returns the running sync, closed with the manager.
   * `{ dryRun: true }` plans without writing.
   */
  sync<R>(target: SyncTarget<R>, opts?: SyncRunOptions & { watch?: false }): Promise<R>
  sync<W extends RunningSync>(
    target: SyncTarget<unknown, W>,
    opts: SyncRunOptions & { watch: true },
  ): Promise<W>
  sync(spec: SyncSpecData, opts?: SyncRunOptions): Promise<unknown>
  async sync(spec: SyncTarget | SyncSpecData, opts: SyncRunOptions = {}): Promise<unknown> {
    const target = await resolveSyncTarget(spec, opts.resolveFrom)
    if (!opts.watch) return target.run(this, opts)
    const running = await target.start(this, opts)
    const entry = { close: () => void running.close() }
    this.#watchers.add(entry)
    const close = running.close.bind(running)
    return Object.assign(running, {
      close: async () => {
        this.#watchers.delete(entry)
        await close()
      },
    })
  }

  /** Drops cached values for a key, or for every key starting with the given prefix. Returns how many. */
  invalidate(keyOrPrefix: string): number {
    if (typeof keyOrPrefix !== 'string') throw new ValidationError('invalidate needs a key or prefix string.')
    return this.#engine.invalidate(keyOrPrefix)
  }

  /** Drops every cached value. */
  clear(): void {
    this.#engine.clear()
  }

  /** Each provider's health, checked in parallel, each within the per-attempt timeout. Never throws. */
  health(): Promise<ProviderHealth[]> {
    return checkedHealth(this.#gate, this.#providers, this.#concurrency, this.#retry.attemptTimeout)
  }

  /**
   * What the manager has done since it was built (or since {@link resetStats}): store calls per
   * provider and operation, errors, throttles, retries, bytes, latency, the limiter's state, and cache
   * hits, misses and stale serves. Plain JSON; never a value. See docs/operations.md for turning it
   * into a cost estimate.
   */
  stats(): ManagerStats {
    return this.#gate.snapshot()
  }

  /** Starts counting afresh for {@link stats} (telemetry's metrics keep counting). */
  resetStats(): void {
    this.#gate.stats.reset()
  }

  /** Runs a write-side operation in a span when telemetry is on. */
  #traced<T>(name: string, key: string, fn: () => Promise<T>): Promise<T> {
    return this.#telemetry ? this.#telemetry.span(name, { [ATTR.key]: String(key) }, fn) : fn()
  }

  /** Stops watchers, clears the cache and closes every provider. */
  async close(): Promise<void> {
    for (const watcher of this.#watchers) watcher.close()
    this.#watchers.clear()
    await this.#snapshot?.close()
    this.#engine.close()
    this.clear()
    // A provider's close may throw synchronously or reject; either way the others still close.
    await Promise.allSettled(this.#providers.map(async (p) => p.close?.()))
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** Providers by chain, for tools (the CLI, the sidecar) that show what a manager is made of. */
  get providers(): { readonly secrets: readonly Provider[]; readonly parameters: readonly Provider[] } {
    return { secrets: this.#secrets, parameters: this.#parameters }
  }
}

/** Which manager a snapshot belongs to: its chains' provider types and names, in order. */
function chainsIdentity(secrets: readonly Provider[], parameters: readonly Provider[]): string {
  const list = (chain: readonly Provider[]) => chain.map((p) => `${p.type}:${p.name}`).join(',')
  return `secrets[${list(secrets)}] parameters[${list(parameters)}]`
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}

function checkChain(name: string, chain: readonly Provider[] | undefined): readonly Provider[] {
  if (chain === undefined) return []
  if (!Array.isArray(chain)) throw new ValidationError(`${name} must be an array of providers.`)
  chain.forEach((p, i) => {
    if (!p || typeof p.get !== 'function' || typeof p.name !== 'string' || !p.capabilities) {
      throw new ValidationError(`${name}[${i}] is not a provider (it needs name, capabilities and get()).`, {
        hint: 'Create providers with their factory functions, e.g. env() or dotenv({ path }).',
      })
    }
  })
  return [...chain]
}

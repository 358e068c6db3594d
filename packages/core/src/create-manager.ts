import { existsSync, readFileSync } from 'node:fs'
import type { CacheOptions } from './cache.js'
import type { FallbackReason } from './chain.js'
import type { ClassifyOptions } from './classify.js'
import { ConfigManager, type ConfigManagerOptions } from './config-manager.js'
import { ValidationError } from './errors.js'
import type { LimitsOption } from './gate/limits.js'
import { loadYaml } from './lazy-modules.js'
import { localProviderTypes } from './local-provider-types.js'
import type { Provider } from './provider.js'
import { importFromApp, packageSearchDirs } from './provider-packages.js'
import { locateJsonError } from './providers/json-locate.js'
import type { RetryOptions } from './retry.js'
import { safeErrorName } from './scrub-error.js'
import { type SnapshotConfig, snapshotFromConfig } from './snapshot/options.js'

/** Builds a provider from its plain options (as written in a config file). */
export type ProviderFactory = (options: Record<string, unknown>) => Provider

/** A provider in a declarative config: its type and the factory's options. */
export interface ProviderConfig {
  /** Provider type, e.g. `"dotenv"`, `"encrypted-file"`, `"aws-secrets-manager"`. */
  type: string
  [option: string]: unknown
}

/** A manager described as plain data (JSON or YAML). */
export interface ManagerConfig {
  secrets?: ProviderConfig[]
  parameters?: ProviderConfig[]
  classify?: Omit<ClassifyOptions, 'secretPatterns' | 'parameterPatterns'> & {
    secretPatterns?: string[]
    parameterPatterns?: string[]
  }
  cache?: Omit<CacheOptions, 'now' | 'random' | 'timers'> | false
  fallback?: { on?: FallbackReason[] }
  retry?: Omit<RetryOptions, 'random'> | number | false
  allowWrites?: boolean
  concurrency?: number
  /** The offline snapshot; credentials by environment variable name (`keyEnv`, `passphraseEnv`). */
  snapshot?: SnapshotConfig
  /** Per-provider limits by provider name (see {@link ConfigManagerOptions.limits}). */
  limits?: LimitsOption
  /** `true` turns on OpenTelemetry spans and metrics through the global providers. */
  telemetry?: boolean
}

/** Options of {@link createManager} that are not part of the config data. */
export interface CreateManagerOptions
  extends Pick<ConfigManagerOptions, 'onAccess' | 'audit' | 'telemetry' | 'timers'> {
  /**
   * The application folder provider packages (`@polysecret/aws` …) are resolved from, as an `import`
   * in that folder would find them. Core never resolves them from its own location.
   * @default process.cwd(), then the folder of the main script
   */
  resolveFrom?: string
}

/**
 * Provider types that live in other packages. A package exports `polysecretProviders`, a map from type
 * to factory; it is imported only when a config names one of its types.
 */
const PACKAGE_OF_TYPE: Record<string, string> = {
  'aws-secrets-manager': '@polysecret/aws',
  'aws-ssm': '@polysecret/aws',
  'gcp-secret-manager': '@polysecret/gcp',
  'gcp-parameter-manager': '@polysecret/gcp',
  'azure-key-vault': '@polysecret/azure',
  'azure-app-configuration': '@polysecret/azure',
  'kubernetes-secrets': '@polysecret/kubernetes',
  'kubernetes-configmaps': '@polysecret/kubernetes',
  'kubernetes-mounted-files': '@polysecret/kubernetes',
  'vault-kv': '@polysecret/vault',
}

const registered = new Map<string, ProviderFactory>()

/**
 * Registers a provider type for declarative configs (for providers of your own). A type may be
 * registered once; registering it again with a different factory is an error.
 */
export function registerProviderType(type: string, factory: ProviderFactory): void {
  if (typeof type !== 'string' || !/^[a-z][a-z0-9-]*$/.test(type))
    throw new ValidationError(`Provider type "${String(type)}" must be lower-case kebab-case.`)
  if (typeof factory !== 'function')
    throw new ValidationError(`Provider type "${type}" needs a factory function.`)
  const existing = registered.get(type) ?? localProviderTypes[type]
  if (existing && existing !== factory)
    throw new ValidationError(`Provider type "${type}" is already registered.`)
  registered.set(type, factory)
}

async function factoryFor(type: string, where: string, from: string | undefined): Promise<ProviderFactory> {
  const local = localProviderTypes[type] ?? registered.get(type)
  if (local) return local
  const pkg = PACKAGE_OF_TYPE[type]
  if (!pkg) {
    const known = [...Object.keys(localProviderTypes), ...registered.keys(), ...Object.keys(PACKAGE_OF_TYPE)]
    throw new ValidationError(`Unknown provider type "${type}" at ${where}.`, {
      hint: `Known types: ${known.join(', ')}.`,
    })
  }
  const dirs = packageSearchDirs(from)
  const mod = (await importFromApp(pkg, dirs)) as
    | { polysecretProviders?: Record<string, ProviderFactory> }
    | undefined
  if (!mod) {
    throw new ValidationError(
      `Provider type "${type}" at ${where} needs the package ${pkg}, which is not installed in the application (looked in ${dirs.join(', ')}).`,
      {
        hint: `Install it in your app: npm install ${pkg} (or pass resolveFrom: the app's folder to createManager).`,
      },
    )
  }
  const factory = mod.polysecretProviders?.[type]
  if (!factory)
    throw new ValidationError(`Package ${pkg} does not provide type "${type}" (at ${where}).`, {
      hint: `Update ${pkg}.`,
    })
  return factory
}

async function buildChain(
  list: unknown,
  chainName: string,
  cache: Map<string, Provider>,
  from: string | undefined,
): Promise<Provider[]> {
  if (list === undefined) return []
  if (!Array.isArray(list)) throw new ValidationError(`"${chainName}" must be a list of providers.`)
  const providers: Provider[] = []
  for (const [i, item] of list.entries()) {
    const where = `${chainName}[${i}]`
    if (!item || typeof item !== 'object' || typeof (item as ProviderConfig).type !== 'string') {
      throw new ValidationError(`${where} needs a "type", e.g. { type: "dotenv", path: ".env" }.`)
    }
    const { type, ...options } = item as ProviderConfig
    // The same provider listed in both chains (same type and options) is one instance.
    const identity = JSON.stringify([type, options])
    let provider = cache.get(identity)
    if (!provider) {
      provider = (await factoryFor(type, where, from))(options)
      cache.set(identity, provider)
    }
    providers.push(provider)
  }
  return providers
}

/** Reads a config file (JSON or YAML by extension; YAML parses JSON too). Async: the YAML parser loads on first use. */
export async function readConfigFile(path: string): Promise<ManagerConfig> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ValidationError(
      `Cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
      { cause: error },
    )
  }
  const parsed = path.endsWith('.json') ? parseJsonConfig(text, path) : await parseYamlConfig(text, path)
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ValidationError(`Config file ${path} must hold an object (a mapping of options).`, {
      hint: 'See docs/api.md#declarative-config for the format.',
    })
  return parsed as ManagerConfig
}

/*
 * A config file may hold inline credentials (an access key, a passphrase). JSON.parse and yaml's
 * messages quote the text around a mistake, so parse errors here say where and what kind of mistake,
 * never what the text was.
 */
const SYNTAX_HINT =
  'Fix the syntax; values are never shown in this message. See docs/api.md#declarative-config.'

function parseJsonConfig(text: string, path: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  try {
    return JSON.parse(body)
  } catch {
    const where = locateJsonError(body)
    const at = where ? ` at line ${where.line}, column ${where.column}: ${where.reason}` : ''
    throw new ValidationError(`Config file ${path} is not valid JSON${at}.`, { hint: SYNTAX_HINT })
  }
}

async function parseYamlConfig(text: string, path: string): Promise<unknown> {
  const doc = (await loadYaml()).parseDocument(text, { prettyErrors: false })
  const error = doc.errors[0]
  if (error) {
    // yaml's own message may quote the offending text; its code and position never do.
    const before = text.slice(0, error.pos[0])
    const line = before.split('\n').length
    const column = error.pos[0] - (before.lastIndexOf('\n') + 1) + 1
    throw new ValidationError(
      `Config file ${path} is not valid YAML at line ${line}, column ${column} (${error.code}).`,
      { hint: SYNTAX_HINT },
    )
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 })
  } catch (error) {
    // e.g. an alias to an anchor that does not exist (a ReferenceError naming the alias)
    throw new ValidationError(
      `Config file ${path} is not valid YAML (${safeErrorName(error)} while resolving it: check aliases and tags).`,
      { hint: SYNTAX_HINT },
    )
  }
}

/**
 * The manager the `POLYSECRET_*` environment variables describe when no config is given:
 * - `POLYSECRET_CONFIG`: path of a JSON/YAML config file (then nothing else below applies);
 * - secrets: `env` (prefix `POLYSECRET_ENV_PREFIX`), then the encrypted file at `POLYSECRET_FILE`
 *   (default `.polysecret/secrets.enc`) when `POLYSECRET_PASSPHRASE` or `POLYSECRET_KEY` is set;
 * - parameters: `env`, then the dotenv file `POLYSECRET_ENV_FILE` (default `.env`) if it exists;
 * - `POLYSECRET_ALLOW_WRITES=true`, `POLYSECRET_CACHE_TTL` (ms).
 */
export async function configFromEnv(environment: NodeJS.ProcessEnv = process.env): Promise<ManagerConfig> {
  if (environment.POLYSECRET_CONFIG) return await readConfigFile(environment.POLYSECRET_CONFIG)
  const envProvider: ProviderConfig = {
    type: 'env',
    ...(environment.POLYSECRET_ENV_PREFIX ? { prefix: environment.POLYSECRET_ENV_PREFIX } : {}),
  }
  const secrets: ProviderConfig[] = [envProvider]
  if (environment.POLYSECRET_PASSPHRASE || environment.POLYSECRET_KEY) {
    secrets.push({
      type: 'encrypted-file',
      path: environment.POLYSECRET_FILE ?? '.polysecret/secrets.enc',
      ...(environment.POLYSECRET_KEY
        ? { key: environment.POLYSECRET_KEY }
        : { passphrase: environment.POLYSECRET_PASSPHRASE }),
    })
  }
  const parameters: ProviderConfig[] = [envProvider]
  const envFile = environment.POLYSECRET_ENV_FILE ?? '.env'
  if (environment.POLYSECRET_ENV_FILE || existsSync(envFile))
    parameters.push({ type: 'dotenv', path: envFile })
  const ttl = environment.POLYSECRET_CACHE_TTL
  return {
    secrets,
    parameters,
    allowWrites: environment.POLYSECRET_ALLOW_WRITES === 'true',
    ...(ttl !== undefined ? { cache: { ttl: Number(ttl) } } : {}),
  }
}

/**
 * Builds a manager from plain data — what a config file, the CLI or the sidecar has. Providers are
 * named by type; types from other packages are imported on demand from the application's
 * `node_modules` (see {@link CreateManagerOptions.resolveFrom}), and a missing package is an error that
 * says which one to install. With no argument, reads the `POLYSECRET_*` environment variables
 * (see {@link configFromEnv}).
 *
 * @example
 * ```ts
 * import { createManager } from '@polysecret/core'
 * const manager = await createManager({
 *   secrets: [{ type: 'aws-secrets-manager', region: 'eu-west-1' }, { type: 'encrypted-file', path: '.polysecret/secrets.enc' }],
 *   parameters: [{ type: 'env' }, { type: 'dotenv', path: '.env' }],
 * })
 * ```
 */
export async function createManager(
  config?: ManagerConfig | string,
  extra: CreateManagerOptions = {},
): Promise<ConfigManager> {
  const { resolveFrom, ...managerExtra } = extra
  const data =
    config === undefined
      ? await configFromEnv()
      : typeof config === 'string'
        ? await readConfigFile(config)
        : config
  if (!data || typeof data !== 'object')
    throw new ValidationError('createManager needs a config object or a config file path.')
  const instances = new Map<string, Provider>()
  const secrets = await buildChain(data.secrets, 'secrets', instances, resolveFrom)
  const parameters = await buildChain(data.parameters, 'parameters', instances, resolveFrom)
  const { secrets: _s, parameters: _p, snapshot: snapshotConfig, ...rest } = data
  if (rest.telemetry !== undefined && typeof rest.telemetry !== 'boolean')
    throw new ValidationError('telemetry in a config must be true or false.', {
      hint: 'Pass tracer and meter providers in code: createManager(config, { telemetry: { tracerProvider, meterProvider } }).',
    })
  const snapshot = snapshotFromConfig(snapshotConfig)
  return new ConfigManager({
    ...rest,
    ...managerExtra,
    secrets,
    parameters,
    ...(snapshot && { snapshot }),
  } as ConfigManagerOptions)
}

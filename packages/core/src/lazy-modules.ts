/**
 * Libraries loaded on first use rather than at `import '@polysecret/core'`. Importing core must stay
 * cheap (≤ 30 ms over bare node, see bench/core.ts): `yaml` alone costs ~80 ms and most services never
 * read YAML; `lru-cache` costs ~10 ms and is needed only once a manager is built, so a library that
 * imports core for `Secret` or the error classes pays for neither.
 *
 * Loaded with `import()` — the form bundlers (esbuild, webpack, rollup) follow, so a bundled app carries
 * both libraries. Each loader starts the import once and memoises it; the synchronous accessors serve
 * code that awaited the loader first.
 */

type Yaml = typeof import('yaml')
type LruCacheModule = typeof import('lru-cache')

let yamlModule: Yaml | undefined
let yamlLoading: Promise<Yaml> | undefined
let lruModule: LruCacheModule | undefined
let lruLoading: Promise<LruCacheModule> | undefined

/** Starts (once) loading `yaml`. */
export function loadYaml(): Promise<Yaml> {
  yamlLoading ??= import('yaml').then((module) => {
    yamlModule = module
    return module
  })
  return yamlLoading
}

/** The `yaml` library; only after {@link loadYaml} resolved. */
export function yaml(): Yaml {
  if (!yamlModule) throw new Error('polysecret: yaml used before loadYaml() resolved')
  return yamlModule
}

/** Starts (once) loading `lru-cache`. */
export function loadLruCache(): Promise<LruCacheModule> {
  lruLoading ??= import('lru-cache').then((module) => {
    lruModule = module
    return module
  })
  return lruLoading
}

/** The `lru-cache` library if it has loaded, else `undefined` (a manager built before that waits for it). */
export function loadedLruCache(): LruCacheModule | undefined {
  return lruModule
}

type OpenTelemetryApi = typeof import('@opentelemetry/api')
let otelLoading: Promise<OpenTelemetryApi> | undefined

/** Held in a variable so bundlers leave the import to run time (see {@link loadOpenTelemetry}). */
const OPENTELEMETRY_API = '@opentelemetry/api'

/**
 * Starts (once) loading `@opentelemetry/api`, an optional peer: only a manager built with
 * `telemetry` asks for it, so an application without OpenTelemetry never resolves it. Unlike `yaml`
 * and `lru-cache`, a bundler must not follow this import: an app without OpenTelemetry would fail to
 * bundle, and one with it must share the app's own copy of the API with its SDK, found at run time.
 */
export function loadOpenTelemetry(): Promise<OpenTelemetryApi> {
  otelLoading ??= import(OPENTELEMETRY_API) as Promise<OpenTelemetryApi>
  return otelLoading
}

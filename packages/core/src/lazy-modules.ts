import { createRequire } from 'node:module'

/**
 * Libraries loaded on first use rather than at `import '@polysecret/core'`. Importing core must stay
 * cheap (≤ 30 ms over bare node, see bench/core.ts): `yaml` alone costs ~80 ms and most services never
 * read YAML; `lru-cache` costs ~10 ms and is needed only once a manager is built, so a library that
 * imports core for `Secret` or the error classes pays for neither.
 */
const require = createRequire(import.meta.url)

type Yaml = typeof import('yaml')
type LruCacheModule = typeof import('lru-cache')
let yamlModule: Yaml | undefined
let lruModule: LruCacheModule | undefined

/** The `yaml` library, loaded on first use. */
export function yaml(): Yaml {
  yamlModule ??= require('yaml') as Yaml
  return yamlModule
}

/** The `lru-cache` library, loaded when the first cache is built. */
export function lruCache(): LruCacheModule {
  lruModule ??= require('lru-cache') as LruCacheModule
  return lruModule
}

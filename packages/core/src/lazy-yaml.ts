import { createRequire } from 'node:module'

type Yaml = typeof import('yaml')
let loaded: Yaml | undefined

/**
 * The `yaml` library, loaded on first use. It costs ~80 ms to import — more than the rest of core
 * together — and most services never read a YAML file, so importing core must not pay for it.
 */
export function yaml(): Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as Yaml
  return loaded
}

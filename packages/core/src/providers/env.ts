/** `env()` — keys from environment variables, read-only. */
import { ValidationError } from '../errors.js'
import { type Entry, type KeyInfo, type Provider, READ_ONLY } from '../provider.js'

/** Options for {@link env}. */
export interface EnvOptions {
  /**
   * Only variables starting with this prefix are visible, under their name without it: with
   * `prefix: 'APP_'`, key `DB_HOST` reads `APP_DB_HOST`.
   * @default ''
   */
  readonly prefix?: string
  /** Instance name. @default 'env' */
  readonly name?: string
  /**
   * The variables to read. Read live on every call, so changes to `process.env` show up.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/**
 * A read-only provider over environment variables (type `env`). An empty variable is a value (`''`),
 * an unset one is not found.
 *
 * @example
 * ```ts
 * import { env } from '@polysecret/core'
 * const fromEnv = env({ prefix: 'APP_' })
 * ```
 */
export function env(options: EnvOptions = {}) {
  if (typeof options !== 'object' || options === null)
    throw new ValidationError('env(): options must be an object.')
  const prefix = options.prefix ?? ''
  if (typeof prefix !== 'string') throw new ValidationError('env(): "prefix" must be a string.')
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw new ValidationError('env(): "name" must be a non-empty string.')
  }
  if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null)) {
    throw new ValidationError('env(): "env" must be an object of strings.')
  }
  const source = options.env ?? process.env
  const name = options.name ?? 'env'

  return {
    name,
    type: 'env',
    capabilities: Object.freeze({ ...READ_ONLY, list: true }),
    async get(key: string): Promise<Entry | undefined> {
      if (typeof key !== 'string' || key === '')
        throw new ValidationError('Key must be a non-empty string.', { provider: name })
      const value = Object.hasOwn(source, prefix + key) ? source[prefix + key] : undefined
      return typeof value === 'string' ? { value } : undefined
    },
    async *list(keyPrefix = ''): AsyncIterable<KeyInfo> {
      for (const [variable, value] of Object.entries(source)) {
        if (typeof value !== 'string' || !variable.startsWith(prefix)) continue
        const key = variable.slice(prefix.length)
        if (key !== '' && key.startsWith(keyPrefix)) yield { key }
      }
    },
    async health() {
      return { ok: true }
    },
  } satisfies Provider
}

/**
 * `memory()` — an in-process store with full write, version and rollback support. The reference
 * implementation of the provider contract: for tests, examples, and as a writable overlay.
 */
import { ValidationError } from '../errors.js'
import {
  ALL_CAPABILITIES,
  type BatchResult,
  type Entry,
  type GetOptions,
  type KeyInfo,
  type Provider,
  type SetOptions,
  type VersionInfo,
} from '../provider.js'
import {
  appendVersion,
  checkValue,
  checkWrite,
  deleteKey,
  emptyDocument,
  listKeys,
  listVersions,
  readEntries,
  readEntry,
  rollbackVersion,
} from './version-history.js'

/** Options for {@link memory}. */
export interface MemoryOptions {
  /** Instance name. @default 'memory' */
  readonly name?: string
  /**
   * Versions kept per key; older ones are dropped.
   * @default Infinity
   */
  readonly history?: number
  /**
   * Opt this provider in to the manager's writes even when the manager's `allowWrites` is off
   * (`Provider.writable`). The store can always be written directly.
   * @default false
   */
  readonly writable?: boolean
}

/**
 * An in-memory provider (type `memory`) with version history. Version ids are increasing integers as
 * strings (`"1"`, `"2"`, …), unique within the store; `rollback` writes the old value as a new version.
 *
 * @example
 * ```ts
 * import { memory } from '@polysecret/core'
 * const store = memory({ DB_PASSWORD: 'dev-password' })
 * ```
 */
export function memory(initial: Readonly<Record<string, string>> = {}, options: MemoryOptions = {}) {
  if (typeof initial !== 'object' || initial === null)
    throw new ValidationError('memory(): initial values must be an object.')
  const name = options.name ?? 'memory'
  if (typeof name !== 'string' || name === '')
    throw new ValidationError('memory(): "name" must be a non-empty string.')
  const keep = options.history ?? Number.POSITIVE_INFINITY
  if (!(keep >= 1) || (Number.isFinite(keep) && !Number.isInteger(keep))) {
    throw new ValidationError('memory(): "history" must be a whole number of at least 1.')
  }
  if (options.writable !== undefined && typeof options.writable !== 'boolean')
    throw new ValidationError('memory(): "writable" must be a boolean.')
  const doc = emptyDocument()
  for (const [key, value] of Object.entries(initial)) {
    if (typeof value !== 'string')
      throw new ValidationError(`memory(): initial value of "${key}" must be a string.`)
    appendVersion(doc, key, value, keep)
  }

  // Tags live beside the version history: they belong to the key, not to one version.
  const tags = new Map<string, Record<string, string>>()
  const checkKey = (key: string) => {
    if (typeof key !== 'string' || key === '')
      throw new ValidationError('Key must be a non-empty string.', { provider: name })
  }

  return {
    name,
    type: 'memory',
    ...(options.writable ? { writable: true } : {}),
    capabilities: { ...ALL_CAPABILITIES, tags: true },
    async get(key: string, opts?: GetOptions): Promise<Entry | undefined> {
      checkKey(key)
      return readEntry(doc, key, opts)
    },
    async getMany(keys: readonly string[]): Promise<BatchResult> {
      return readEntries(doc, keys)
    },
    async *list(prefix = ''): AsyncIterable<KeyInfo> {
      yield* listKeys(doc, prefix)
    },
    async set(key: string, value: string | Uint8Array, opts: SetOptions = {}): Promise<VersionInfo> {
      checkKey(key)
      checkValue(key, value, name)
      checkWrite(doc, key, opts, name)
      const info = appendVersion(doc, key, value, keep)
      if (opts.tags) tags.set(key, { ...tags.get(key), ...opts.tags })
      return info
    },
    async delete(key: string, opts: { ifVersion?: string } = {}): Promise<void> {
      checkKey(key)
      checkWrite(doc, key, opts, name)
      deleteKey(doc, key)
      tags.delete(key)
    },
    async tags(key: string): Promise<Record<string, string> | undefined> {
      checkKey(key)
      if (readEntry(doc, key) === undefined) return undefined
      return { ...tags.get(key) }
    },
    async versions(key: string): Promise<VersionInfo[]> {
      checkKey(key)
      return listVersions(doc, key)
    },
    async rollback(key: string, version: string): Promise<VersionInfo> {
      checkKey(key)
      return rollbackVersion(doc, key, version, keep, name)
    },
    async health() {
      return { ok: true, latencyMs: 0 }
    },
  } satisfies Provider
}

import { watch as watchDir } from 'node:fs'
import {
  assertValidOptions,
  type BatchResult,
  type Capabilities,
  type Entry,
  type Kind,
  type Provider,
  type ProviderChange,
  type Subscription,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { isDataKey } from './key-mapping.js'
import { changedKeys, currentGeneration, readVolume, type VolumeSnapshot } from './mounted-volume.js'
import { toEntry } from './object-data.js'

// This module must never import @kubernetes/client-node (not even through another module of this
// package that does): reading a mounted volume needs the file system only. test/lazy-load proves it.

const TYPE = 'kubernetes-mounted-files'

/** Read-only; `watch` through the kubelet's `..data` swap; `getMany` answers from one snapshot. */
export const MOUNTED_CAPABILITIES: Capabilities = Object.freeze({
  list: true,
  write: false,
  delete: false,
  versions: false,
  batch: true,
  watch: true,
})

/** Options of {@link mountedFiles}. */
export interface MountedFilesOptions {
  /** The volume's mount path, e.g. `/etc/secrets` (a Secret or ConfigMap volume, or a plain directory). */
  readonly dir: string
  /**
   * Instance name, unique within a manager; appears in errors and events.
   * @default 'kubernetes-mounted-files'
   */
  readonly name?: string
  /**
   * What the files hold: `'secret'` (a Secret volume: every value is served as a `Secret`, whatever
   * its key is called) or `'parameter'` (a ConfigMap volume: the manager's classification decides).
   * @default 'secret'
   */
  readonly kind?: Kind
}

/** The mounted-volume provider. */
export interface MountedFilesProvider extends Provider {
  readonly type: 'kubernetes-mounted-files'
  list(prefix?: string): AsyncIterable<{ key: string; version?: string }>
  getMany(keys: readonly string[]): Promise<BatchResult>
  subscribe(
    onChange: (change: ProviderChange) => void,
    opts: { onError(error: unknown): void },
  ): Promise<Subscription>
}

/**
 * A provider that reads a Secret or ConfigMap mounted as a volume: one file per key, read through
 * the kubelet's `..data` symlink so a read never mixes two updates. Needs no API access, no RBAC and
 * never loads `@kubernetes/client-node`. Watching reacts to the kubelet's atomic `..data` swap
 * (`fs.watch`), pushing only the keys whose bytes changed.
 *
 * Note that a volume mounted with `subPath` is never updated by the kubelet; mount the whole volume.
 *
 * @example
 * ```ts
 * import { mountedFiles } from '@polysecret/kubernetes'
 *
 * const volume = mountedFiles({ dir: '/etc/secrets' })
 * const entry = await volume.get('DB_PASSWORD') // /etc/secrets/..data/DB_PASSWORD
 * ```
 */
export function mountedFiles(options: MountedFilesOptions): MountedFilesProvider {
  const o = (options ?? {}) as unknown as Record<string, unknown>
  const name = (typeof o.name === 'string' ? o.name : undefined) ?? TYPE
  const issues: string[] = []
  if (typeof o.dir !== 'string' || o.dir === '')
    issues.push('dir must be the mount path of the volume (a non-empty string)')
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.trim() === ''))
    issues.push('name must be a non-empty string')
  if (o.kind !== undefined && o.kind !== 'secret' && o.kind !== 'parameter')
    issues.push('kind must be "secret" or "parameter"')
  assertValidOptions(issues, TYPE, name)
  const dir = options.dir
  const kind: Kind = options.kind ?? 'secret'

  let snapshot: VolumeSnapshot | undefined
  /** The volume as of now: the last snapshot while `..data` still points at it, else a fresh read. */
  const current = async (): Promise<VolumeSnapshot> => {
    try {
      const generation = await currentGeneration(dir)
      if (snapshot !== undefined && generation !== '' && snapshot.generation === generation) return snapshot
      snapshot = await readVolume(dir)
      return snapshot
    } catch (error) {
      throw new UnavailableError({
        provider: name,
        cause: error,
        message: `Cannot read the mounted volume (${(error as NodeJS.ErrnoException).code ?? 'error'}) (provider "${name}").`,
        hint: `Check that ${dir} is mounted and readable by this process.`,
      })
    }
  }
  const entryOf = (snap: VolumeSnapshot, key: string): Entry | undefined => {
    const hash = key.indexOf('#')
    const file = hash === -1 ? key : key.slice(0, hash)
    const field = hash === -1 ? undefined : key.slice(hash + 1)
    if (!isDataKey(file) || field === '') {
      throw new ValidationError(`Key "${key}" is not a file name of the volume (provider "${name}").`, {
        key,
        provider: name,
        hint: 'Keys are the data keys of the mounted Secret or ConfigMap ([-._a-zA-Z0-9], not starting with "..").',
      })
    }
    const bytes = snap.files.get(file)
    if (bytes === undefined) return undefined
    const ref = { key, object: dir, dataKey: file, field }
    const entry = toEntry(
      { metadata: { resourceVersion: snap.versions.get(file) } },
      'ConfigMap',
      bytes,
      ref,
      name,
    )
    if (entry === undefined) return undefined
    const { object: _dir, ...metadata } = entry.metadata ?? {}
    return { ...entry, metadata, ...(kind === 'secret' && { sensitive: true }) }
  }

  return {
    name,
    type: TYPE,
    capabilities: MOUNTED_CAPABILITIES,

    async get(key) {
      return entryOf(await current(), key)
    },

    async getMany(keys) {
      const snap = await current()
      const entries = new Map<string, Entry>()
      const errors = new Map<string, Error>()
      for (const key of keys) {
        try {
          const entry = entryOf(snap, key)
          if (entry !== undefined) entries.set(key, entry)
        } catch (error) {
          errors.set(key, error as Error)
        }
      }
      return { entries, errors }
    },

    async *list(prefix = '') {
      const snap = await current()
      for (const [key, version] of snap.versions) if (key.startsWith(prefix)) yield { key, version }
    },

    async subscribe(onChange, opts) {
      let last = await current()
      let closed = false
      let reading: Promise<void> = Promise.resolve()
      // Events come in bursts (the temporary link, the rename, the old directory's removal); each
      // one re-checks the `..data` target and reads the volume only when it moved.
      const check = () => {
        reading = reading.then(async () => {
          if (closed) return
          try {
            const generation = await currentGeneration(dir)
            if (generation === last.generation && generation !== '') return
            const next = await readVolume(dir)
            const keys = changedKeys(last, next)
            last = next
            snapshot = next
            if (keys.length > 0 && !closed) onChange({ keys })
          } catch (error) {
            if (!closed) opts.onError(error)
          }
        })
      }
      const watcher = watchDir(dir, { persistent: false }, check)
      watcher.on('error', (error) => closed || opts.onError(error))
      return {
        close() {
          closed = true
          watcher.close()
        },
      }
    },

    async health() {
      const started = performance.now()
      try {
        await current()
        return { ok: true, latencyMs: Math.round(performance.now() - started) }
      } catch (error) {
        return {
          ok: false,
          latencyMs: Math.round(performance.now() - started),
          message: (error as Error).message,
        }
      }
    },
  } satisfies MountedFilesProvider
}

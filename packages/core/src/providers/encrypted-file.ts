/**
 * `encryptedFile()` — the embedded secret store: one AES-256-GCM encrypted file holding every key with
 * its version history. Reads decrypt once per file change (the document is cached by inode, size and
 * mtime; the derived key by salt, so scrypt runs once); writes are locked across processes and atomic.
 * Credentials live only in this closure — never on the returned object, in errors or in `util.inspect`.
 */
import type { BigIntStats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { IntegrityError, ValidationError } from '../errors.js'
import { atomicWrite, removeStrayTemps, resolveWriteTarget } from '../fs/atomic-write.js'
import { fileError } from '../fs/file-errors.js'
import { type FileLockOptions, withFileLock } from '../fs/file-lock.js'
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
  type Credentials,
  decodeHeader,
  deriveKey,
  type Header,
  keyId,
  newHeader,
  type ScryptParams,
  seal,
  unseal,
  withFreshNonce,
} from './encrypted-file-format.js'
import {
  type CredentialOptions,
  credentialsOrEnvironment,
  parseCredentials,
  parseScrypt,
  wipe,
} from './encrypted-file-options.js'
import {
  appendVersion,
  checkValue,
  checkWrite,
  cloneDocument,
  deleteKey,
  emptyDocument,
  listKeys,
  listVersions,
  readEntries,
  readEntry,
  rollbackVersion,
  type StoredDocument,
} from './version-history.js'

/** Options for {@link encryptedFile}. Pass exactly one of `passphrase` or `key`. */
export interface EncryptedFileOptions extends CredentialOptions {
  /** Path of the store. A missing file reads as empty and is created (mode 0600) on the first write. */
  readonly path: string
  /**
   * Versions kept per key; older ones are dropped on the next write of that key.
   * @default 10
   */
  readonly history?: number
  /**
   * scrypt cost for new files and `rekey` (an existing file keeps the cost in its header).
   * @default { N: 32768, r: 8, p: 1 }
   */
  readonly scrypt?: Partial<ScryptParams>
  /**
   * Cross-process lock settings for writes.
   * @default { staleMs: 10_000, timeoutMs: 30_000 }
   */
  readonly lock?: Pick<FileLockOptions, 'staleMs' | 'timeoutMs'>
  /** Instance name. @default 'encrypted-file' */
  readonly name?: string
  /**
   * Opt this provider in to the manager's writes even when the manager's `allowWrites` is off
   * (`Provider.writable`). The store can always be written directly.
   * @default false
   */
  readonly writable?: boolean
}

/** The provider `encryptedFile()` returns: the contract plus `rekey`. */
export interface EncryptedFileProvider extends Provider {
  /**
   * Re-encrypts the file under new credentials (new salt, new nonce), atomically and under the lock.
   * The old passphrase or key stops working at once. A missing file just switches credentials.
   */
  rekey(next: CredentialOptions): Promise<void>
}

interface Loaded {
  readonly stamp: string
  /** `undefined` when the file does not exist yet. */
  readonly header: Header | undefined
  readonly doc: StoredDocument
}

const TYPE = 'encrypted-file'

function stampOf(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`
}

/**
 * An encrypted, versioned, writable local secret store (type `encrypted-file`).
 *
 * @example
 * ```ts
 * import { encryptedFile } from '@polysecret/core'
 * const vault = encryptedFile({ path: 'secrets.enc', key: process.env.POLYSECRET_KEY })
 * await vault.set('DB_PASSWORD', 'correct horse battery staple')
 * await vault.rekey({ passphrase: 'a long new passphrase' })
 * ```
 */
export function encryptedFile(options: EncryptedFileOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(
      'encryptedFile(): options must be an object with "path" and "passphrase" or "key".',
    )
  }
  const path = options.path
  if (typeof path !== 'string' || path.trim() === '')
    throw new ValidationError('encryptedFile(): "path" must be a non-empty string.')
  const name = options.name ?? TYPE
  if (typeof name !== 'string' || name === '')
    throw new ValidationError('encryptedFile(): "name" must be a non-empty string.')
  if (options.writable !== undefined && typeof options.writable !== 'boolean')
    throw new ValidationError('encryptedFile(): "writable" must be a boolean.')
  const history = options.history ?? 10
  if (!Number.isInteger(history) || history < 1)
    throw new ValidationError('encryptedFile(): "history" must be a whole number of at least 1.')
  const scryptParams = parseScrypt('encryptedFile()', options.scrypt)
  const lockOptions = { staleMs: options.lock?.staleMs, timeoutMs: options.lock?.timeoutMs, provider: name }
  let credentials: Credentials = parseCredentials('encryptedFile()', credentialsOrEnvironment(options))
  // Derived keys by kdf/cost/salt, as promises so concurrent first reads share one scrypt run.
  let keys = new Map<string, Promise<Buffer>>()
  let loaded: Loaded | undefined

  function keyFor(header: Header): Promise<Buffer> {
    const id = keyId(header)
    let key = keys.get(id)
    if (!key) {
      if (keys.size >= 4) keys.clear() // only ever a handful of salts: the file's, and one during rekey
      key = deriveKey(credentials, header, path)
      key.catch(() => keys.delete(id))
      keys.set(id, key)
    }
    return key
  }

  async function load(key?: string): Promise<Loaded> {
    let info: BigIntStats
    try {
      info = await stat(path, { bigint: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { stamp: 'missing', header: undefined, doc: emptyDocument() }
      throw fileError(error, { path, action: 'read', provider: name, key })
    }
    if (loaded?.stamp === stampOf(info)) return loaded
    let file: Buffer
    let stamp: string
    try {
      const handle = await open(path, 'r')
      try {
        stamp = stampOf(await handle.stat({ bigint: true }))
        file = await handle.readFile()
      } finally {
        await handle.close()
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return load(key)
      throw fileError(error, { path, action: 'read', provider: name, key })
    }
    try {
      const header = decodeHeader(file, path)
      const plaintext = unseal(await keyFor(header), header, file, path)
      const doc = parseDocument(plaintext)
      plaintext.fill(0)
      loaded = { stamp, header, doc }
      return loaded
    } catch (error) {
      if (error instanceof IntegrityError) throw withContext(error, key)
      throw error
    }
  }

  /** The same integrity error with this key and provider attached (its message already ends with the hint). */
  function withContext(error: IntegrityError, key: string | undefined): IntegrityError {
    const hint = error.hint ?? ''
    const message =
      hint && error.message.endsWith(` ${hint}`) ? error.message.slice(0, -hint.length - 1) : error.message
    return new IntegrityError({ message, hint: error.hint, key, provider: name })
  }

  function parseDocument(plaintext: Buffer): StoredDocument {
    let parsed: unknown
    try {
      parsed = JSON.parse(plaintext.toString('utf8'))
    } catch {
      parsed = undefined
    }
    const doc = parsed as Partial<StoredDocument> | undefined
    if (!doc || typeof doc.seq !== 'number' || typeof doc.keys !== 'object' || doc.keys === null) {
      // Authenticated but not our document: written by a buggy tool holding the right key.
      throw new IntegrityError({ message: `${path}: the decrypted content is not a polysecret document.` })
    }
    return { seq: doc.seq, keys: Object.assign(emptyDocument().keys, doc.keys) }
  }

  /** Encrypts and atomically replaces the file, then caches what was written. */
  async function persist(target: string, header: Header, doc: StoredDocument, key: Buffer): Promise<void> {
    const plaintext = Buffer.from(JSON.stringify({ format: 1, ...doc }), 'utf8')
    const sealedHeader = withFreshNonce(header)
    const file = seal(key, sealedHeader, plaintext)
    plaintext.fill(0)
    await removeStrayTemps(target)
    await atomicWrite(target, file, { mode: 0o600 })
    // The file is replaced: from here on nothing may throw (a rekey must still switch credentials).
    const info = await stat(path, { bigint: true }).catch(() => undefined)
    loaded = info ? { stamp: stampOf(info), header: sealedHeader, doc } : undefined
  }

  /**
   * The file writes replace and lock: the real path, so writers reaching the file through a symlink and
   * through its real path share one lock, and a write replaces the link's target rather than the link.
   */
  const writeTarget = () => resolveWriteTarget(path)

  /** Locked read-modify-write on a copy of the document. */
  async function modify<T>(key: string | undefined, change: (doc: StoredDocument) => T): Promise<T> {
    try {
      const target = await writeTarget()
      return await withFileLock(
        target,
        async () => {
          const current = await load(key)
          const doc = cloneDocument(current.doc)
          const result = change(doc)
          const header = current.header ?? newHeader(credentials, scryptParams)
          await persist(target, header, doc, await keyFor(header))
          return result
        },
        { ...lockOptions, key },
      )
    } catch (error) {
      throw fileError(error, { path, action: 'write', provider: name, key })
    }
  }

  const checkKey = (key: string) => {
    if (typeof key !== 'string' || key === '')
      throw new ValidationError('Key must be a non-empty string.', { provider: name })
  }

  return {
    name,
    type: TYPE,
    ...(options.writable ? { writable: true } : {}),
    capabilities: ALL_CAPABILITIES,
    async get(key: string, opts?: GetOptions): Promise<Entry | undefined> {
      checkKey(key)
      return readEntry((await load(key)).doc, key, opts)
    },
    async getMany(keys: readonly string[]): Promise<BatchResult> {
      const { doc } = await load()
      return readEntries(doc, keys)
    },
    async *list(prefix = ''): AsyncIterable<KeyInfo> {
      const { doc } = await load()
      yield* listKeys(doc, prefix)
    },
    async set(key: string, value: string | Uint8Array, opts: SetOptions = {}): Promise<VersionInfo> {
      checkKey(key)
      checkValue(key, value, name)
      return modify(key, (doc) => {
        checkWrite(doc, key, opts, name)
        return appendVersion(doc, key, value, history)
      })
    },
    async delete(key: string, opts: { ifVersion?: string } = {}): Promise<void> {
      checkKey(key)
      const { doc } = await load(key)
      if (opts.ifVersion === undefined && !Object.hasOwn(doc.keys, key)) return // nothing to do: skip the write
      await modify(key, (fresh) => {
        checkWrite(fresh, key, opts, name)
        deleteKey(fresh, key)
      })
    },
    async versions(key: string): Promise<VersionInfo[]> {
      checkKey(key)
      return listVersions((await load(key)).doc, key)
    },
    /** Writes the value of `version` again as the new current version (ids never go backwards). */
    async rollback(key: string, version: string): Promise<VersionInfo> {
      checkKey(key)
      return modify(key, (doc) => rollbackVersion(doc, key, version, history, name))
    },
    async rekey(next: CredentialOptions): Promise<void> {
      const fresh = parseCredentials('rekey()', next ?? {})
      try {
        const target = await writeTarget()
        await withFileLock(
          target,
          async () => {
            const current = await load()
            const derived = new Map<string, Promise<Buffer>>()
            if (current.header) {
              const header = newHeader(fresh, scryptParams)
              const key = await deriveKey(fresh, header, path)
              await persist(target, header, current.doc, key)
              derived.set(keyId(header), Promise.resolve(key))
            }
            // Switch credentials before the lock is released: a write queued behind this rekey must
            // never derive a key for the new header from the old credentials.
            const old = credentials
            credentials = fresh
            keys = derived
            wipe(old)
          },
          lockOptions,
        )
      } catch (error) {
        if (credentials !== fresh) wipe(fresh)
        throw fileError(error, { path, action: 'write', provider: name })
      }
    },
    async health() {
      const started = performance.now()
      try {
        const { header } = await load()
        return {
          ok: true,
          latencyMs: performance.now() - started,
          ...(header ? {} : { message: 'The file does not exist yet; it is created on the first write.' }),
        }
      } catch (error) {
        return { ok: false, latencyMs: performance.now() - started, message: (error as Error).message }
      }
    },
    /** Drops the cached document and derived keys from memory. The provider still works afterwards. */
    async close() {
      const pending = [...keys.values()]
      keys = new Map()
      loaded = undefined
      for (const key of await Promise.allSettled(pending)) if (key.status === 'fulfilled') key.value.fill(0)
    },
  } satisfies EncryptedFileProvider
}

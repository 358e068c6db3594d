/**
 * The snapshot file: the local encrypted store's envelope (encrypted-file-format.ts: AES-256-GCM, the
 * whole header authenticated, scrypt or HKDF keys), written with its atomic write (temp file, fsync,
 * rename, mode 0600) under its cross-process lock. Inside, a JSON document of its own, bound to the
 * manager that wrote it. A file that does not authenticate, or that is not this manager's snapshot,
 * is refused whole with an `IntegrityError`: no value of it is ever used.
 */
import type { BigIntStats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { IntegrityError } from '../errors.js'
import { atomicWrite, removeStrayTemps, resolveWriteTarget } from '../fs/atomic-write.js'
import { fileError } from '../fs/file-errors.js'
import { withFileLock } from '../fs/file-lock.js'
import type { Kind } from '../provider.js'
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
} from '../providers/encrypted-file-format.js'
import { revealValue, Secret } from '../secret.js'

const FORMAT = 'polysecret-snapshot'
const VERSION = 1

/** One value as the snapshot keeps it: what a read found, and when. */
export interface SnapshotEntry {
  /** The read engine's cache key (kind prefix + key, or an explicit reference). */
  readonly lookup: string
  /** The key as the provider knows it. */
  readonly key: string
  /** The kind the value was served as, and why. */
  readonly kind: Kind
  readonly reason: string
  readonly provider: string
  readonly version: string | undefined
  readonly updatedAt: Date | undefined
  readonly labels: readonly string[] | undefined
  /** When the manager last read this value from its store (ms since the epoch). */
  readonly readAt: number
  /** Secrets stay wrapped in memory; the text is revealed only to be encrypted. */
  readonly value: Secret | string
}

/** What a read of the file found. */
export interface SnapshotFile {
  /** `undefined` when there is no file. */
  readonly header: Header | undefined
  readonly entries: readonly SnapshotEntry[]
  /** Identity of the file as read (device, inode, size, times), to notice another writer. */
  readonly stamp: string
}

/** Where the file is and what opens it; the derived keys are cached by salt, so scrypt runs once. */
export class SnapshotFileAccess {
  readonly #keys = new Map<string, Promise<Buffer>>()
  constructor(
    readonly path: string,
    readonly credentials: Credentials,
    readonly scrypt: ScryptParams,
    /** Which manager the snapshot belongs to (its chains' provider types and names). */
    readonly manager: string,
  ) {}

  #keyFor(header: Header): Promise<Buffer> {
    const id = keyId(header)
    let key = this.#keys.get(id)
    if (!key) {
      if (this.#keys.size >= 4) this.#keys.clear()
      key = deriveKey(this.credentials, header, this.path)
      key.catch(() => this.#keys.delete(id))
      this.#keys.set(id, key)
    }
    return key
  }

  /** The file's stamp, or `'missing'`. */
  async stamp(): Promise<string> {
    try {
      return stampOf(await stat(this.path, { bigint: true }))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing'
      throw fileError(error, { path: this.path, action: 'read' })
    }
  }

  /** Reads and opens the file; a missing file is an empty snapshot. */
  async read(): Promise<SnapshotFile> {
    let file: Buffer
    let stamp: string
    try {
      const handle = await open(this.path, 'r')
      try {
        stamp = stampOf(await handle.stat({ bigint: true }))
        file = await handle.readFile()
      } finally {
        await handle.close()
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { header: undefined, entries: [], stamp: 'missing' }
      throw fileError(error, { path: this.path, action: 'read' })
    }
    const header = decodeHeader(file, this.path)
    const plaintext = unseal(await this.#keyFor(header), header, file, this.path)
    try {
      return { header, entries: this.#parse(plaintext), stamp }
    } finally {
      plaintext.fill(0)
    }
  }

  /** Encrypts the entries under the file's key (a fresh nonce each time) and replaces the file. */
  async write(
    header: Header | undefined,
    entries: Iterable<SnapshotEntry>,
    writtenAt: number,
  ): Promise<{ header: Header; stamp: string }> {
    const next = header ? withFreshNonce(header) : newHeader(this.credentials, this.scrypt)
    const document = {
      format: FORMAT,
      version: VERSION,
      manager: this.manager,
      writtenAt: new Date(writtenAt).toISOString(),
      entries: [...entries].map((e) => ({
        lookup: e.lookup,
        key: e.key,
        kind: e.kind,
        reason: e.reason,
        provider: e.provider,
        ...(e.version !== undefined && { version: e.version }),
        ...(e.updatedAt !== undefined && { updatedAt: e.updatedAt.toISOString() }),
        ...(e.labels !== undefined && e.labels.length > 0 && { labels: e.labels }),
        readAt: new Date(e.readAt).toISOString(),
        value: revealValue(e.value),
      })),
    }
    const plaintext = Buffer.from(JSON.stringify(document), 'utf8')
    const sealed = seal(await this.#keyFor(next), next, plaintext)
    plaintext.fill(0)
    try {
      const target = await resolveWriteTarget(this.path)
      await removeStrayTemps(target)
      await atomicWrite(target, sealed, { mode: 0o600 })
    } catch (error) {
      throw fileError(error, { path: this.path, action: 'write' })
    }
    return { header: next, stamp: await this.stamp() }
  }

  /** Runs a read-check-write under the file's cross-process lock. */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await withFileLock(await resolveWriteTarget(this.path), fn)
    } catch (error) {
      throw fileError(error, { path: this.path, action: 'lock' })
    }
  }

  #parse(plaintext: Buffer): SnapshotEntry[] {
    const notOurs = (problem: string) =>
      new IntegrityError({
        message: `${this.path}: ${problem}.`,
        hint: 'Delete the file (the manager writes a new one after its next successful read) or point snapshot.path elsewhere.',
      })
    let doc: unknown
    try {
      doc = JSON.parse(plaintext.toString('utf8'))
    } catch {
      throw notOurs('the decrypted content is not a polysecret snapshot')
    }
    const d = doc as Record<string, unknown> | null
    if (d && typeof d === 'object' && 'seq' in d && 'keys' in d)
      throw notOurs('this is a polysecret encrypted store (encryptedFile), not a snapshot')
    if (!d || typeof d !== 'object' || d.format !== FORMAT || !Array.isArray(d.entries))
      throw notOurs('the decrypted content is not a polysecret snapshot')
    if (d.version !== VERSION)
      throw notOurs(`snapshot version ${String(d.version)} is not supported (this build reads ${VERSION})`)
    if (d.manager !== this.manager) {
      throw notOurs(
        `the snapshot was written by another manager (providers ${String(d.manager)}), not this one (${this.manager})`,
      )
    }
    return d.entries.map((raw) => {
      const entry = parseEntry(raw)
      if (!entry) throw notOurs('a snapshot entry is malformed')
      return entry
    })
  }
}

function stampOf(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`
}

const text = (v: unknown): v is string => typeof v === 'string'

function date(v: unknown): Date | undefined | null {
  if (v === undefined) return undefined
  const d = text(v) ? new Date(v) : undefined
  return d && !Number.isNaN(d.getTime()) ? d : null
}

/** An entry of an authenticated document, or `undefined` when a field is missing or of the wrong type. */
function parseEntry(raw: unknown): SnapshotEntry | undefined {
  const e = raw as Record<string, unknown> | null
  if (!e || typeof e !== 'object') return undefined
  const { lookup, key, kind, reason, provider, version, labels, value } = e
  const readAt = date(e.readAt)
  const updatedAt = date(e.updatedAt)
  if (!text(lookup) || !text(key) || !text(reason) || !text(provider) || !text(value)) return undefined
  if ((kind !== 'secret' && kind !== 'parameter') || !readAt || updatedAt === null) return undefined
  if (version !== undefined && !text(version)) return undefined
  if (labels !== undefined && !(Array.isArray(labels) && labels.every(text))) return undefined
  return {
    lookup,
    key,
    kind,
    reason,
    provider,
    version,
    updatedAt,
    labels: labels as string[] | undefined,
    readAt: readAt.getTime(),
    value: kind === 'secret' ? new Secret(value) : value,
  }
}

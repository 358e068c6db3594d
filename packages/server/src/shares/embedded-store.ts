/**
 * `embeddedShareStore()` — shares in core's encrypted file store (`encryptedFile`), the default: one
 * AES-256-GCM file under the server's own key, so the disk holds the clients' ciphertext encrypted once
 * more. Reads are atomic through the provider's optimistic concurrency: `consume` reads a share's
 * version and writes (or deletes) only `ifVersion` it is still that version, under the provider's
 * cross-process file lock; a racer that loses gets a `ConflictError` and reads again — so two readers,
 * in one process or in two processes on one file, never both get a burn-after-reading share.
 */
import {
  ConflictError,
  type CredentialOptions,
  encryptedFile,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import type { ConsumedShare, NewShare, ShareStore } from './share-store.js'

/** Options for {@link embeddedShareStore}. Pass `key` or `passphrase`, or set `POLYSECRET_KEY` / `POLYSECRET_PASSPHRASE`. */
export interface EmbeddedShareStoreOptions extends CredentialOptions {
  /** Path of the encrypted file (created with mode 0600 on the first share). */
  readonly path: string
  /**
   * How often expired shares are deleted, in milliseconds (reads also refuse an expired share). 0 turns the
   * timer off (call `sweep` yourself).
   * @default 60_000
   */
  readonly sweepIntervalMs?: number
  /**
   * Most shares stored at once; creating one more is an `UnavailableError` (HTTP 503). Every write
   * rewrites the whole file, so the embedded store is for a modest number of live shares — use Redis
   * for more.
   * @default 1000
   */
  readonly maxShares?: number
  /** The clock for the periodic sweep (epoch milliseconds). @default Date.now */
  readonly now?: () => number
}

const PREFIX = 'share/'

/** What is stored per share (inside the encrypted file). */
interface StoredShare {
  /** ciphertext (base64url, from the client) */
  c: string
  /** expires at (epoch ms) */
  e: number
  /** reads left */
  r: number
}

function decode(value: string | Uint8Array): StoredShare {
  return JSON.parse(typeof value === 'string' ? value : Buffer.from(value).toString('utf8')) as StoredShare
}

/**
 * Shares in an encrypted file on the server's disk.
 *
 * @example
 * ```ts
 * import { createShareRoutes, embeddedShareStore } from '@polysecret/server/shares'
 * const shares = createShareRoutes({
 *   store: embeddedShareStore({ path: '.polysecret/shares.enc', key: process.env.POLYSECRET_SHARES_KEY }),
 * })
 * ```
 */
export function embeddedShareStore(options: EmbeddedShareStoreOptions): ShareStore {
  const { path, sweepIntervalMs = 60_000, maxShares = 1000, now = Date.now } = options
  if (!Number.isInteger(sweepIntervalMs) || sweepIntervalMs < 0) {
    throw new ValidationError('embeddedShareStore(): "sweepIntervalMs" must be a whole number ≥ 0.')
  }
  if (!Number.isInteger(maxShares) || maxShares < 1) {
    throw new ValidationError('embeddedShareStore(): "maxShares" must be a whole number ≥ 1.')
  }
  const file = encryptedFile({
    path,
    ...(options.key !== undefined ? { key: options.key } : {}),
    ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
    // Only the current version of a share is ever needed; older ones (a read count before a read)
    // would only be more bytes on disk.
    history: 1,
    name: 'shares',
  })

  async function ids(): Promise<string[]> {
    const out: string[] = []
    for await (const { key } of file.list(PREFIX)) out.push(key)
    return out
  }

  async function sweep(at: number): Promise<number> {
    let removed = 0
    for (const key of await ids()) {
      const entry = await file.get(key)
      if (!entry || decode(entry.value).e > at) continue
      try {
        await file.delete(key, { ifVersion: entry.version })
        removed++
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error // read or deleted meanwhile: nothing to sweep
      }
    }
    return removed
  }

  const timer =
    sweepIntervalMs > 0
      ? setInterval(() => {
          sweep(now()).catch(() => undefined) // a failed sweep is retried next tick; reads check expiry anyway
        }, sweepIntervalMs)
      : undefined
  timer?.unref()

  return {
    kind: 'embedded',
    async create(id: string, share: NewShare): Promise<void> {
      if ((await ids()).length >= maxShares) {
        throw new UnavailableError({
          provider: 'shares',
          message: `The share store is full (${maxShares} shares).`,
          hint: 'Wait for shares to be opened or expire, raise maxShares, or use redisShareStore for more.',
        })
      }
      const stored: StoredShare = { c: share.ciphertext, e: share.expiresAt, r: share.reads }
      await file.set(PREFIX + id, JSON.stringify(stored), { createOnly: true })
    },
    async consume(id: string, at: number): Promise<ConsumedShare | undefined> {
      // Each conflict means another writer of this share succeeded, so the loop ends after at most as
      // many rounds as there are racers; the bound only guards against a store that misbehaves.
      for (let round = 0; round < 10_000; round++) {
        const entry = await file.get(PREFIX + id)
        if (!entry) return undefined
        const share = decode(entry.value)
        const ifVersion = entry.version
        try {
          if (share.e <= at || share.r <= 1) {
            await file.delete(PREFIX + id, { ifVersion })
            if (share.e <= at) return undefined
            return { ciphertext: share.c, expiresAt: share.e, readsLeft: 0 }
          }
          const left: StoredShare = { ...share, r: share.r - 1 }
          await file.set(PREFIX + id, JSON.stringify(left), { ifVersion })
          return { ciphertext: share.c, expiresAt: share.e, readsLeft: left.r }
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error
        }
      }
      throw new UnavailableError({
        provider: 'shares',
        message: 'The share store kept changing under a read.',
      })
    },
    async delete(id: string): Promise<boolean> {
      const existed = (await file.get(PREFIX + id)) !== undefined
      await file.delete(PREFIX + id)
      return existed
    },
    sweep,
    async count(): Promise<number> {
      return (await ids()).length
    },
    async health() {
      const health = await file.health()
      return health.ok ? { ok: true } : { ok: false, message: health.message ?? 'unavailable' }
    },
    async close(): Promise<void> {
      if (timer) clearInterval(timer)
      await file.close()
    },
  }
}

/**
 * The contract between the share routes and where shares live. A store keeps opaque ciphertext (it
 * cannot read it: the key is only in the link) with an expiry and a read count, and makes `consume`
 * atomic: however many readers race, at most `reads` of them get the ciphertext, and the last read
 * deletes it. Two stores ship: `embeddedShareStore` (core's encrypted file, the default) and
 * `redisShareStore` (for several server replicas).
 */
import { randomBytes } from 'node:crypto'

/** What the routes hand a store to keep. */
export interface NewShare {
  /** The client's ciphertext (base64url), opaque to the server. */
  readonly ciphertext: string
  /** Epoch milliseconds after which the share is gone. */
  readonly expiresAt: number
  /** How many times it may be opened (burn after reading: 1). */
  readonly reads: number
}

/** What one successful `consume` returns. */
export interface ConsumedShare {
  readonly ciphertext: string
  readonly expiresAt: number
  /** Opens left after this one; 0 means the share was deleted by this read. */
  readonly readsLeft: number
}

/** Where shares live. Every method may be called concurrently, from several server processes. */
export interface ShareStore {
  /** A name for logs and `/ready`, e.g. `embedded` or `redis`. */
  readonly kind: string
  /** Stores a new share under `id` (the routes draw it with {@link newShareId}). */
  create(id: string, share: NewShare): Promise<void>
  /**
   * Atomically takes one read of share `id` as of `now`: returns it and decrements its read count,
   * deleting it on the last read; `undefined` when it does not exist, was used up, or has expired
   * (an expired share found here is deleted).
   */
  consume(id: string, now: number): Promise<ConsumedShare | undefined>
  /** Deletes a share unread. Returns whether it existed. */
  delete(id: string): Promise<boolean>
  /** Deletes every share expired as of `now`; returns how many. */
  sweep(now: number): Promise<number>
  /** How many shares are stored (expired ones not yet swept included). */
  count(): Promise<number>
  /** Checks that the store can be reached, for `/ready`. */
  health(): Promise<{ ok: boolean; message?: string }>
  /** Stops timers and closes connections the store opened itself. */
  close(): Promise<void>
}

/** A new share id: 128 random bits from the operating system's CSPRNG, base64url (22 characters). */
export function newShareId(): string {
  return randomBytes(16).toString('base64url')
}

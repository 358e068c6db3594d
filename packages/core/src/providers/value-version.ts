/**
 * Version ids for stores that have none of their own (plain files, environment): an HMAC of key and
 * value under a random key made once per process. The id changes when the value changes, so the manager
 * can watch for changes, but it cannot be used to confirm a guessed value (unlike a plain hash), and it
 * differs between processes, so it never leaks across them.
 */
import { createHmac, randomBytes } from 'node:crypto'

let processKey: Buffer | undefined

/** A 16-character opaque version id for `value` under `key`, stable within this process. */
export function valueVersion(key: string, value: string | Uint8Array): string {
  processKey ??= randomBytes(32)
  return createHmac('sha256', processKey)
    .update(key)
    .update('\0')
    .update(value)
    .digest('base64url')
    .slice(0, 16)
}

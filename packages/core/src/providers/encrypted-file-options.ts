/** Option checking for `encryptedFile()`: every mistake is a `ValidationError` that never shows a secret. */
import { ValidationError } from '../errors.js'
import { type Credentials, SCRYPT_LIMITS, type ScryptParams } from './encrypted-file-format.js'

/** Default scrypt cost: N = 2^15, r = 8, p = 1 — 32 MiB and ~0.1–0.2 s per unlock (see docs/local-store.md). */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ N: 2 ** 15, r: 8, p: 1 })

/** The credential fields shared by the factory and `rekey`. Exactly one of them. */
export interface CredentialOptions {
  /** A passphrase, stretched with scrypt (unicode is NFC-normalised first). */
  readonly passphrase?: string | Uint8Array
  /** A raw 32-byte key: a Buffer/Uint8Array, or 64 hex characters, or base64 (e.g. `process.env.POLYSECRET_KEY`). */
  readonly key?: string | Uint8Array
}

/** Turns `passphrase` / `key` into credentials held in private buffers (copied, so we can zero them). */
export function parseCredentials(where: string, options: CredentialOptions): Credentials {
  const { passphrase, key } = options
  if ((passphrase === undefined) === (key === undefined)) {
    throw new ValidationError(`${where}: pass exactly one of "passphrase" or "key".`)
  }
  if (passphrase !== undefined) {
    if (typeof passphrase === 'string') {
      if (passphrase === '') throw new ValidationError(`${where}: "passphrase" must not be empty.`)
      return { passphrase: Buffer.from(passphrase.normalize('NFC'), 'utf8') }
    }
    if (passphrase instanceof Uint8Array && passphrase.length > 0)
      return { passphrase: Buffer.from(passphrase) }
    throw new ValidationError(`${where}: "passphrase" must be a non-empty string or Uint8Array.`)
  }
  const raw = decodeKey(key)
  if (!raw) {
    throw new ValidationError(
      `${where}: "key" must be 32 bytes — a Buffer, 64 hex characters, or base64 (44 characters). Generate one with generateBytes({ bytes: 32 }).`,
    )
  }
  return { key: raw }
}

function decodeKey(key: unknown): Buffer | undefined {
  if (key instanceof Uint8Array) return key.length === 32 ? Buffer.from(key) : undefined
  if (typeof key !== 'string') return undefined
  const text = key.trim()
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    return bytes.length === 32 ? bytes : undefined
  }
  return undefined
}

/** Checks and completes the scrypt options. */
export function parseScrypt(where: string, value: Partial<ScryptParams> | undefined): ScryptParams {
  const params = { ...DEFAULT_SCRYPT, ...value }
  const log2N = Math.log2(params.N)
  if (!Number.isInteger(log2N) || log2N < SCRYPT_LIMITS.minLog2N || log2N > SCRYPT_LIMITS.maxLog2N) {
    throw new ValidationError(
      `${where}: scrypt.N must be a power of two from 2^${SCRYPT_LIMITS.minLog2N} to 2^${SCRYPT_LIMITS.maxLog2N}.`,
    )
  }
  if (!Number.isInteger(params.r) || params.r < 1 || params.r > SCRYPT_LIMITS.maxR) {
    throw new ValidationError(`${where}: scrypt.r must be a whole number from 1 to ${SCRYPT_LIMITS.maxR}.`)
  }
  if (!Number.isInteger(params.p) || params.p < 1 || params.p > SCRYPT_LIMITS.maxP) {
    throw new ValidationError(`${where}: scrypt.p must be a whole number from 1 to ${SCRYPT_LIMITS.maxP}.`)
  }
  return Object.freeze(params)
}

/** Zeroes credential buffers we own (best effort: JS strings passed in by the caller cannot be wiped). */
export function wipe(credentials: Credentials): void {
  if ('passphrase' in credentials) credentials.passphrase.fill(0)
  else credentials.key.fill(0)
}

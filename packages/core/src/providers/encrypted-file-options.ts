/** Option checking for `encryptedFile()`: every mistake is a `ValidationError` that never shows a secret. */
import { ValidationError } from '../errors.js'
import { type Credentials, SCRYPT_LIMITS, type ScryptParams, scryptWorkOk } from './encrypted-file-format.js'

/** Default scrypt cost: N = 2^15, r = 8, p = 1 — 32 MiB and ~0.1–0.2 s per unlock (see docs/local-store.md). */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ N: 2 ** 15, r: 8, p: 1 })

/** The credential fields shared by the factory and `rekey`. Exactly one of them. */
export interface CredentialOptions {
  /** A passphrase, stretched with scrypt (unicode is NFC-normalised first). */
  readonly passphrase?: string | Uint8Array
  /**
   * A raw 32-byte key: a Buffer/Uint8Array, or 64 hex characters (optionally `0x`-prefixed), or base64 /
   * base64url with or without padding (e.g. `process.env.POLYSECRET_KEY`). Surrounding whitespace is ignored.
   */
  readonly key?: string | Uint8Array
}

/**
 * The credentials the caller gave, or — when neither `passphrase` nor `key` is given — the ones in the
 * environment: `POLYSECRET_KEY` (a raw key) first, then `POLYSECRET_PASSPHRASE`.
 */
export function credentialsOrEnvironment(
  options: CredentialOptions,
  environment: NodeJS.ProcessEnv = process.env,
): CredentialOptions {
  if (options.passphrase !== undefined || options.key !== undefined) return options
  if (environment.POLYSECRET_KEY) return { key: environment.POLYSECRET_KEY }
  if (environment.POLYSECRET_PASSPHRASE) return { passphrase: environment.POLYSECRET_PASSPHRASE }
  return options
}

/**
 * Credentials as a config file gives them: never the secret itself in the file, but the name of the
 * environment variable holding it (`keyEnv`, `passphraseEnv`). Inline `key`/`passphrase` win; without
 * any of them the result is empty, and {@link credentialsOrEnvironment} reads `POLYSECRET_KEY` /
 * `POLYSECRET_PASSPHRASE`.
 */
export interface CredentialConfig extends CredentialOptions {
  /** Name of the environment variable holding a raw 32-byte key. */
  readonly keyEnv?: string
  /** Name of the environment variable holding a passphrase. */
  readonly passphraseEnv?: string
}

/** Resolves `keyEnv` / `passphraseEnv` to credentials; `what` names the thing in the error. */
export function credentialsFromConfig(
  what: string,
  config: CredentialConfig,
  environment: NodeJS.ProcessEnv = process.env,
): CredentialOptions {
  const { passphraseEnv, keyEnv, passphrase, key } = config
  if (passphrase !== undefined || key !== undefined)
    return { ...(passphrase !== undefined && { passphrase }), ...(key !== undefined && { key }) }
  if (keyEnv && environment[keyEnv]) return { key: environment[keyEnv] }
  if (passphraseEnv && environment[passphraseEnv]) return { passphrase: environment[passphraseEnv] }
  if (keyEnv || passphraseEnv) {
    throw new ValidationError(`${what} needs a passphrase or key.`, {
      hint: `Set ${[passphraseEnv, keyEnv].filter(Boolean).join(' or ')} in the environment.`,
    })
  }
  return {}
}

/** Turns `passphrase` / `key` into credentials held in private buffers (copied, so we can zero them). */
export function parseCredentials(where: string, options: CredentialOptions): Credentials {
  const { passphrase, key } = options
  if ((passphrase === undefined) === (key === undefined)) {
    throw new ValidationError(
      passphrase === undefined
        ? `${where}: needs a "passphrase" or a "key".`
        : `${where}: pass exactly one of "passphrase" or "key".`,
      passphrase === undefined
        ? { hint: 'Pass one, or set POLYSECRET_PASSPHRASE (or POLYSECRET_KEY, 32 bytes) in the environment.' }
        : {},
    )
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
  if (typeof raw === 'string') {
    throw new ValidationError(
      `${where}: "key" must be 32 bytes — a Buffer, 64 hex characters, or base64/base64url (43 or 44 characters) — but ${raw}. Generate one with generateBytes({ bytes: 32 }).`,
    )
  }
  return { key: raw }
}

/** The key's 32 bytes, or why it is not a key (a description of its shape, never its content). */
function decodeKey(key: unknown): Buffer | string {
  if (key instanceof Uint8Array) {
    return key.length === 32 ? Buffer.from(key) : `the ${key.constructor.name} given has ${key.length} bytes`
  }
  if (typeof key !== 'string') return `a ${key === null ? 'null' : typeof key} was given`
  const trimmed = key.trim()
  if (trimmed === '') return 'it is empty'
  // `0x…` hex (as printed by many tools) cannot be mistaken for base64 of 32 bytes: accept it.
  const text = /^0x[0-9a-fA-F]{64}$/.test(trimmed) ? trimmed.slice(2) : trimmed
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    if (bytes.length === 32) return bytes
  }
  if (/^[0-9a-fA-F]+$/.test(text)) return `it is ${text.length} hex characters, not 64`
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    return `it is base64 of ${bytes.length} bytes, not 32`
  }
  return `it is neither hex nor base64 (${text.length} characters)`
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
  if (!scryptWorkOk(params)) {
    // Readers refuse such a header (see decodeHeader), so never write one.
    throw new ValidationError(
      `${where}: scrypt cost too high: 128 · N · r · p must be at most 1 GiB (e.g. N = 2^20 with r = 8, p = 1).`,
    )
  }
  return Object.freeze(params)
}

/** Zeroes credential buffers we own (best effort: JS strings passed in by the caller cannot be wiped). */
export function wipe(credentials: Credentials): void {
  if ('passphrase' in credentials) credentials.passphrase.fill(0)
  else credentials.key.fill(0)
}

/**
 * The byte format of `encryptedFile()` — see docs/local-store.md for the full description.
 *
 * ```
 * offset size  field
 *  0      8    magic "POLYSEC\0"
 *  8      1    format version (1)
 *  9      1    kdf: 1 = scrypt(passphrase), 2 = HKDF-SHA256(raw 32-byte key)
 * 10      1    scrypt log2(N)   (0 for kdf 2)
 * 11      1    scrypt r         (0 for kdf 2)
 * 12      1    scrypt p         (0 for kdf 2)
 * 13     16    salt (random per file, new on rekey)
 * 29     12    nonce (random per write)
 * 41      n    AES-256-GCM ciphertext of the UTF-8 JSON document
 * 41+n   16    GCM tag
 * ```
 *
 * The whole 41-byte header is the GCM additional data, so changing any header byte (e.g. lowering the
 * scrypt cost or swapping the salt) fails authentication like changing the ciphertext does.
 */
import { createCipheriv, createDecipheriv, hkdf, randomBytes, scrypt } from 'node:crypto'
import { IntegrityError } from '../errors.js'

export const MAGIC = Buffer.from('POLYSEC\0', 'latin1')
export const FORMAT_VERSION = 1
export const HEADER_LENGTH = 41
export const TAG_LENGTH = 16
const KDF_SCRYPT = 1
const KDF_RAW_KEY = 2
const HKDF_INFO = Buffer.from('polysecret encrypted-file v1')

/**
 * scrypt cost bounds accepted from a file header (and for new files): a tampered header must not make us
 * allocate gigabytes or spin for minutes before authentication can fail. Besides the per-parameter
 * ranges, the total work `128 · N · r · p` (bytes of memory touched; scrypt's memory is `128 · N · r`)
 * is capped at 1 GiB — e.g. N = 2^20, r = 8, p = 1 (~1 GiB, several seconds) is the most allowed.
 */
export const SCRYPT_LIMITS = Object.freeze({
  minLog2N: 10,
  maxLog2N: 20,
  maxR: 32,
  maxP: 16,
  maxWork: 2 ** 30,
})

/** Whether `128 · N · r · p` is within {@link SCRYPT_LIMITS}.maxWork. */
export function scryptWorkOk(params: ScryptParams): boolean {
  return 128 * params.N * params.r * params.p <= SCRYPT_LIMITS.maxWork
}

/** scrypt parameters: `N` is the CPU/memory cost (a power of two), `r` the block size, `p` parallelism. */
export interface ScryptParams {
  readonly N: number
  readonly r: number
  readonly p: number
}

/** The parsed header. */
export interface Header {
  readonly kdf: 'scrypt' | 'raw-key'
  /** Present when `kdf` is `'scrypt'`. */
  readonly scrypt?: ScryptParams
  readonly salt: Buffer
  readonly nonce: Buffer
}

/** What unlocks a file: a passphrase (stretched with scrypt) or a raw 32-byte key. */
export type Credentials = { readonly passphrase: Buffer } | { readonly key: Buffer }

/** A header for a new file (or a rekey) under these credentials: fresh salt, fresh nonce. */
export function newHeader(credentials: Credentials, params: ScryptParams): Header {
  return 'passphrase' in credentials
    ? { kdf: 'scrypt', scrypt: params, salt: randomBytes(16), nonce: randomBytes(12) }
    : { kdf: 'raw-key', salt: randomBytes(16), nonce: randomBytes(12) }
}

function encodeHeader(header: Header): Buffer {
  const out = Buffer.alloc(HEADER_LENGTH)
  MAGIC.copy(out, 0)
  out[8] = FORMAT_VERSION
  out[9] = header.kdf === 'scrypt' ? KDF_SCRYPT : KDF_RAW_KEY
  if (header.scrypt) {
    out[10] = Math.log2(header.scrypt.N)
    out[11] = header.scrypt.r
    out[12] = header.scrypt.p
  }
  header.salt.copy(out, 13)
  header.nonce.copy(out, 29)
  return out
}

/** Parses and checks the header; every failure is an `IntegrityError` naming the file and the problem. */
export function decodeHeader(file: Buffer, path: string): Header {
  const fail = (problem: string): never => {
    throw new IntegrityError({ message: `${path}: ${problem}.` })
  }
  if (file.length === 0) fail('the file is empty — not a polysecret encrypted file, or it was truncated')
  if (file.length < MAGIC.length && MAGIC.subarray(0, file.length).equals(file)) fail('the file is truncated')
  if (file.length < MAGIC.length || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
    fail('not a polysecret encrypted file (unknown magic bytes)')
  }
  if (file.length < HEADER_LENGTH + TAG_LENGTH) fail('the file is truncated')
  const version = file[8]!
  if (version !== FORMAT_VERSION) {
    fail(
      `format version ${version} is not supported (this build reads version ${FORMAT_VERSION}); it was written by a newer polysecret, or the file was modified`,
    )
  }
  const salt = Buffer.from(file.subarray(13, 29))
  const nonce = Buffer.from(file.subarray(29, 41))
  if (file[9] === KDF_RAW_KEY) {
    if (file[10] !== 0 || file[11] !== 0 || file[12] !== 0)
      fail('invalid key-derivation parameters; the file was modified')
    return { kdf: 'raw-key', salt, nonce }
  }
  if (file[9] !== KDF_SCRYPT) fail('unknown key-derivation function; the file was modified')
  const log2N = file[10]!
  const r = file[11]!
  const p = file[12]!
  if (
    log2N < SCRYPT_LIMITS.minLog2N ||
    log2N > SCRYPT_LIMITS.maxLog2N ||
    r < 1 ||
    r > SCRYPT_LIMITS.maxR ||
    p < 1 ||
    p > SCRYPT_LIMITS.maxP ||
    !scryptWorkOk({ N: 2 ** log2N, r, p })
  ) {
    fail('scrypt parameters out of range; the file was modified')
  }
  return { kdf: 'scrypt', scrypt: { N: 2 ** log2N, r, p }, salt, nonce }
}

/** A stable id of what the key depends on (kdf, cost, salt), for caching derived keys. */
export function keyId(header: Header): string {
  const s = header.scrypt
  return `${header.kdf}:${s ? `${s.N}:${s.r}:${s.p}` : ''}:${header.salt.toString('hex')}`
}

/** Derives the 32-byte AES key for a header from the credentials. */
export async function deriveKey(credentials: Credentials, header: Header, path: string): Promise<Buffer> {
  if (header.kdf === 'scrypt' && !('passphrase' in credentials)) {
    throw new IntegrityError({
      message: `${path} is locked with a passphrase, but a raw key was given (or the file was modified).`,
      hint: 'Pass the passphrase instead of key.',
    })
  }
  if (header.kdf === 'raw-key' && !('key' in credentials)) {
    throw new IntegrityError({
      message: `${path} is locked with a raw key, but a passphrase was given (or the file was modified).`,
      hint: 'Pass key (e.g. from POLYSECRET_KEY) instead of passphrase.',
    })
  }
  if ('key' in credentials) {
    // HKDF with the per-file salt: each file (and each rekey) gets its own AES key from one master key.
    return new Promise((resolve, reject) =>
      hkdf('sha256', credentials.key, header.salt, HKDF_INFO, 32, (error, key) =>
        error ? reject(error) : resolve(Buffer.from(key)),
      ),
    )
  }
  const { N, r, p } = header.scrypt!
  const maxmem = 128 * r * (N + p + 2) + 2 ** 20
  return new Promise((resolve, reject) =>
    scrypt(credentials.passphrase, header.salt, 32, { N, r, p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
}

/** Encrypts `plaintext` under `key` with the header's nonce; returns the whole file. */
export function seal(key: Buffer, header: Header, plaintext: Buffer): Buffer {
  const head = encodeHeader(header)
  const cipher = createCipheriv('aes-256-gcm', key, header.nonce, { authTagLength: TAG_LENGTH })
  cipher.setAAD(head)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([head, body, cipher.getAuthTag()])
}

/**
 * Decrypts a whole file. Nothing is returned unless the tag verifies: GCM's `update` output is
 * collected and only released after `final()` succeeds, so no partial plaintext ever escapes.
 */
export function unseal(key: Buffer, header: Header, file: Buffer, path: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, header.nonce, { authTagLength: TAG_LENGTH })
  decipher.setAAD(file.subarray(0, HEADER_LENGTH))
  decipher.setAuthTag(file.subarray(file.length - TAG_LENGTH))
  const body = decipher.update(file.subarray(HEADER_LENGTH, file.length - TAG_LENGTH))
  try {
    return Buffer.concat([body, decipher.final()])
  } catch {
    body.fill(0)
    throw new IntegrityError({
      message: `Cannot decrypt ${path}: wrong passphrase or key, or the file was modified (AES-GCM cannot tell these apart).`,
    })
  }
}

/** A fresh nonce for the next write: GCM must never reuse a nonce under one key. */
export function withFreshNonce(header: Header): Header {
  return { ...header, nonce: randomBytes(12) }
}

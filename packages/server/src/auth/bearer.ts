import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import { ValidationError } from '@polysecret/core'

/**
 * Bearer tokens, kept only as hashes. A configured token is `sha256:<hex>` — enough for the long
 * random tokens `generateToken()` makes (GitHub and npm keep their tokens the same way) — or
 * `scrypt:<N>:<salt b64url>:<hash b64url>` for tokens a person chose. Every comparison is constant-time
 * and runs against every configured hash, so timing says nothing about which or how many matched.
 */

const SCRYPT_KEYLEN = 32
const SCRYPT_RE = /^scrypt:(\d+):([A-Za-z0-9_-]+):([A-Za-z0-9_-]+)$/
const SHA256_RE = /^sha256:([0-9a-f]{64})$/

/** A stored token hash, parsed. */
export type TokenHash =
  | { readonly algorithm: 'sha256'; readonly digest: Buffer }
  | { readonly algorithm: 'scrypt'; readonly n: number; readonly salt: Buffer; readonly digest: Buffer }

/** A new random token (32 bytes, base64url, prefixed so secret scanners recognise it). */
export function generateToken(): string {
  return `pst_${randomBytes(32).toString('base64url')}`
}

/**
 * The hash to put in the server's configuration for a token.
 * @example
 * ```ts
 * import { generateToken, hashToken } from '@polysecret/server'
 * const token = generateToken()        // give this to the client, once
 * const stored = hashToken(token)      // 'sha256:…' — this goes in the config
 * ```
 */
export function hashToken(
  token: string,
  options: { algorithm?: 'sha256' | 'scrypt'; n?: number } = {},
): string {
  if (typeof token !== 'string' || token.length < 16)
    throw new ValidationError('A bearer token must be a string of at least 16 characters.', {
      hint: 'Use generateToken() for a random token.',
    })
  if ((options.algorithm ?? 'sha256') === 'sha256')
    return `sha256:${createHash('sha256').update(token).digest('hex')}`
  const n = options.n ?? 2 ** 14
  const salt = randomBytes(16)
  const digest = scryptSync(token, salt, SCRYPT_KEYLEN, { N: n, maxmem: 256 * n * 8 })
  return `scrypt:${n}:${salt.toString('base64url')}:${digest.toString('base64url')}`
}

/** Parses a stored hash; `undefined` when it is not one of the two forms. */
export function parseTokenHash(text: unknown): TokenHash | undefined {
  if (typeof text !== 'string') return undefined
  const sha = SHA256_RE.exec(text)
  if (sha) return { algorithm: 'sha256', digest: Buffer.from(sha[1]!, 'hex') }
  const s = SCRYPT_RE.exec(text)
  if (!s) return undefined
  const n = Number(s[1])
  if (!Number.isInteger(Math.log2(n)) || n < 2) return undefined
  return {
    algorithm: 'scrypt',
    n,
    salt: Buffer.from(s[2]!, 'base64url'),
    digest: Buffer.from(s[3]!, 'base64url'),
  }
}

/** Whether `token` matches `hash`, compared in constant time. */
export function tokenMatches(token: string, hash: TokenHash): boolean {
  const candidate =
    hash.algorithm === 'sha256'
      ? createHash('sha256').update(token).digest()
      : scryptSync(token, hash.salt, hash.digest.length, { N: hash.n, maxmem: 256 * hash.n * 8 })
  return candidate.length === hash.digest.length && timingSafeEqual(candidate, hash.digest)
}

/**
 * Finds the entry whose hash matches. Every entry is checked (no early exit). scrypt entries cost a
 * key derivation each, so a verified token is remembered by its SHA-256 for the process's life —
 * the cache holds digests, never the token.
 */
export class BearerTokens<T extends { readonly hash: TokenHash }> {
  readonly #entries: readonly T[]
  readonly #verified = new Map<string, T>()
  readonly #hasScrypt: boolean

  constructor(entries: readonly T[]) {
    this.#entries = entries
    this.#hasScrypt = entries.some((e) => e.hash.algorithm === 'scrypt')
  }

  get size(): number {
    return this.#entries.length
  }

  find(token: string): T | undefined {
    const digest = createHash('sha256').update(token).digest('hex')
    const known = this.#verified.get(digest)
    if (known) return known
    let found: T | undefined
    for (const entry of this.#entries) if (tokenMatches(token, entry.hash) && !found) found = entry
    if (found && this.#hasScrypt) {
      if (this.#verified.size >= 1000) this.#verified.clear()
      this.#verified.set(digest, found)
    }
    return found
  }
}

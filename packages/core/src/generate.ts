/**
 * Value generators for rotation and `manager.generate(spec)`: passwords, strings, random bytes, UUIDs,
 * integers, AES/HMAC keys and key pairs, all from node:crypto's CSPRNG. Synchronous, so a rotation can
 * generate and write in one step (certificates, which need a library, live in `generation/x509.ts`).
 */
import { generateKeyPairSync, randomBytes, randomInt, randomUUID } from 'node:crypto'
import { ValidationError } from './errors.js'

const LOWER = 'abcdefghijklmnopqrstuvwxyz'
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const DIGITS = '0123456789'
/** Symbols that survive shells, URLs' user-info (after encoding), dotenv and YAML without quoting trouble: no quotes, backslash, backtick, space or `$`. */
const SYMBOLS = '!#%&()*+,-./:;<=>?@[]^_{|}~'
/** Characters easily confused when read aloud or typed from paper. */
const AMBIGUOUS = 'Il1O0o|'

const PASSWORD_OPTIONS = ['length', 'lower', 'upper', 'digits', 'symbols', 'exclude', 'excludeAmbiguous']
const BYTES_OPTIONS = ['bytes', 'encoding']
const KEY_PAIR_OPTIONS = ['type', 'modulusLength']

/**
 * Refuses options a generator does not know. A misspelt option used to be ignored silently — e.g.
 * `generateKeyPair({ keyType: 'rsa' })` returned an Ed25519 pair — which for key material is worse
 * than failing.
 */
function checkOptions(where: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(`${where}: options must be an object.`)
  }
  const unknown = Object.keys(options).filter((k) => !known.includes(k))
  if (unknown.length === 0) return
  const names = unknown.map((k) => `"${k}"`).join(', ')
  const guesses = unknown.flatMap((k) => {
    const near = known.find(
      (n) => k.toLowerCase().includes(n.toLowerCase()) || n.toLowerCase().includes(k.toLowerCase()),
    )
    return near ? [`"${near}" for "${k}"`] : []
  })
  throw new ValidationError(
    `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${names}. Valid options: ${known.join(', ')}.`,
    { hint: guesses.length ? `Did you mean ${guesses.join(', ')}?` : 'Remove or rename it.' },
  )
}

/** Options for {@link generatePassword}. */
export interface PasswordOptions {
  /** @default 32 */
  readonly length?: number
  /** Include a–z. @default true */
  readonly lower?: boolean
  /** Include A–Z. @default true */
  readonly upper?: boolean
  /** Include 0–9. @default true */
  readonly digits?: boolean
  /** Include symbols: `true` for the default set `!#%&()*+,-./:;<=>?@[]^_{|}~`, or a string of your own. @default true */
  readonly symbols?: boolean | string
  /** Characters never to use. @default '' */
  readonly exclude?: string
  /** Leave out look-alikes `I l 1 O 0 o |`. @default false */
  readonly excludeAmbiguous?: boolean
}

/**
 * A random password with at least one character of every enabled class. Each character is drawn with
 * `crypto.randomInt` (uniform, no modulo bias); one per class is placed first, then the whole password is
 * shuffled (Fisher–Yates with `randomInt`), so the guaranteed characters sit at random positions.
 *
 * @example
 * ```ts
 * import { generatePassword } from '@polysecret/core'
 * generatePassword({ length: 24, symbols: false })
 * ```
 */
export function generatePassword(options: PasswordOptions = {}): string {
  checkOptions('generatePassword()', options, PASSWORD_OPTIONS)
  const length = options.length ?? 32
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new ValidationError('generatePassword(): "length" must be a whole number from 1 to 4096.')
  }
  const removed = new Set([...(options.exclude ?? ''), ...(options.excludeAmbiguous ? AMBIGUOUS : '')])
  const symbols = options.symbols === undefined || options.symbols === true ? SYMBOLS : options.symbols || ''
  const enabled: Array<[string, string]> = []
  if (options.lower ?? true) enabled.push(['lower', LOWER])
  if (options.upper ?? true) enabled.push(['upper', UPPER])
  if (options.digits ?? true) enabled.push(['digits', DIGITS])
  if (symbols) enabled.push(['symbols', symbols])
  const classes = enabled.map(([label, chars]) => {
    const kept = [...new Set(chars)].filter((c) => !removed.has(c))
    if (kept.length === 0)
      throw new ValidationError(`generatePassword(): every "${label}" character is excluded.`)
    return kept
  })
  if (classes.length === 0)
    throw new ValidationError('generatePassword(): enable at least one character class.')
  if (length < classes.length) {
    throw new ValidationError(
      `generatePassword(): "length" must be at least ${classes.length}, one per enabled class.`,
    )
  }
  const all = [...new Set(classes.flat())]
  const out = classes.map((chars) => chars[randomInt(chars.length)]!)
  while (out.length < length) out.push(all[randomInt(all.length)]!)
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out.join('')
}

/** Options for {@link generateBytes}. */
export interface BytesOptions {
  /** Number of random bytes. @default 32 */
  readonly bytes?: number
  /** Text encoding of the bytes. @default 'base64' */
  readonly encoding?: 'base64' | 'base64url' | 'hex'
}

/**
 * Random bytes as text — e.g. an HMAC secret, or a `POLYSECRET_KEY` for `encryptedFile({ key })`.
 *
 * @example
 * ```ts
 * import { generateBytes } from '@polysecret/core'
 * generateBytes({ bytes: 32, encoding: 'hex' })
 * ```
 */
export function generateBytes(options: BytesOptions = {}): string {
  checkOptions('generateBytes()', options, BYTES_OPTIONS)
  const bytes = options.bytes ?? 32
  const encoding = options.encoding ?? 'base64'
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 65536) {
    throw new ValidationError('generateBytes(): "bytes" must be a whole number from 1 to 65536.')
  }
  if (!['base64', 'base64url', 'hex'].includes(encoding)) {
    throw new ValidationError('generateBytes(): "encoding" must be "base64", "base64url" or "hex".')
  }
  return randomBytes(bytes).toString(encoding)
}

/** Named alphabets for {@link generateString}. */
const CHARSETS = {
  alphanumeric: LOWER + UPPER + DIGITS,
  alpha: LOWER + UPPER,
  lower: LOWER,
  upper: UPPER,
  numeric: DIGITS,
  hex: '0123456789abcdef',
  base32: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  base64url: `${UPPER}${LOWER}${DIGITS}-_`,
} as const

/** Options for {@link generateString}. */
export interface StringOptions {
  /** @default 32 */
  readonly length?: number
  /** A named alphabet, or `chars` for your own. @default 'alphanumeric' */
  readonly charset?: keyof typeof CHARSETS
  /** Your own alphabet (duplicates are ignored); replaces `charset`. */
  readonly chars?: string
}

/**
 * A random string drawn uniformly from one alphabet — an API token, an identifier — with no
 * per-class guarantee (that is {@link generatePassword}).
 *
 * @example
 * ```ts
 * import { generateString } from '@polysecret/core'
 * generateString({ length: 40, charset: 'base32' })
 * ```
 */
export function generateString(options: StringOptions = {}): string {
  checkOptions('generateString()', options, ['length', 'charset', 'chars'])
  const length = options.length ?? 32
  if (!Number.isInteger(length) || length < 1 || length > 65536) {
    throw new ValidationError('generateString(): "length" must be a whole number from 1 to 65536.')
  }
  if (options.charset !== undefined && !Object.hasOwn(CHARSETS, options.charset)) {
    throw new ValidationError(
      `generateString(): "charset" must be one of ${Object.keys(CHARSETS).join(', ')}.`,
    )
  }
  const alphabet = [...new Set(options.chars ?? CHARSETS[options.charset ?? 'alphanumeric'])]
  if (alphabet.length < 2)
    throw new ValidationError('generateString(): "chars" must hold at least two different characters.')
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)]
  return out
}

/** Options for {@link generateInteger}. */
export interface IntegerOptions {
  /** Smallest value (inclusive). @default 0 */
  readonly min?: number
  /** Largest value (inclusive). @default 2147483647 */
  readonly max?: number
}

/** A uniformly random whole number from `min` to `max` inclusive (e.g. a port, a PIN), as text. */
export function generateInteger(options: IntegerOptions = {}): string {
  checkOptions('generateInteger()', options, ['min', 'max'])
  const min = options.min ?? 0
  const max = options.max ?? 2_147_483_647
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max <= min || max - min >= 2 ** 48) {
    throw new ValidationError(
      'generateInteger(): "min" and "max" must be whole numbers with min < max and a range below 2^48.',
    )
  }
  return String(randomInt(min, max + 1))
}

/** Options for {@link generateSymmetricKey}. */
export interface SymmetricKeyOptions {
  /** `aes` (128, 192 or 256 bits) or `hmac` (key as long as the hash's block: sha256 → 64 bytes). */
  readonly algorithm: 'aes' | 'hmac'
  /** AES key size. @default 256 */
  readonly bits?: 128 | 192 | 256
  /** HMAC hash; the key is one block of it (RFC 2104's recommended length). @default 'sha256' */
  readonly hash?: 'sha256' | 'sha384' | 'sha512'
  /** @default 'base64' */
  readonly encoding?: 'base64' | 'base64url' | 'hex'
}

const HMAC_BLOCK_BYTES = { sha256: 64, sha384: 128, sha512: 128 } as const

/** A random AES or HMAC key of the right size for its algorithm, as text. */
export function generateSymmetricKey(options: SymmetricKeyOptions): string {
  checkOptions('generateSymmetricKey()', options, ['algorithm', 'bits', 'hash', 'encoding'])
  const encoding = options.encoding ?? 'base64'
  if (options.algorithm === 'aes') {
    if (options.hash !== undefined)
      throw new ValidationError('generateSymmetricKey(): "hash" is for HMAC keys.')
    const bits = options.bits ?? 256
    if (![128, 192, 256].includes(bits))
      throw new ValidationError('generateSymmetricKey(): AES "bits" must be 128, 192 or 256.')
    return generateBytes({ bytes: bits / 8, encoding })
  }
  if (options.algorithm === 'hmac') {
    if (options.bits !== undefined)
      throw new ValidationError('generateSymmetricKey(): "bits" is for AES keys.')
    const hash = options.hash ?? 'sha256'
    if (!Object.hasOwn(HMAC_BLOCK_BYTES, hash))
      throw new ValidationError('generateSymmetricKey(): HMAC "hash" must be sha256, sha384 or sha512.')
    return generateBytes({ bytes: HMAC_BLOCK_BYTES[hash], encoding })
  }
  throw new ValidationError('generateSymmetricKey(): "algorithm" must be "aes" or "hmac".')
}

/** A random (version 4) UUID. */
export function generateUuid(): string {
  return randomUUID()
}

/** Key pair types {@link generateKeyPair} makes. */
export type KeyPairType = 'rsa' | 'ec-p256' | 'ec-p384' | 'ed25519'

/** Options for {@link generateKeyPair}. */
export interface KeyPairOptions {
  /** @default 'ed25519' */
  readonly type?: KeyPairType
  /** RSA modulus size in bits: 2048, 3072 or 4096. @default 2048 */
  readonly modulusLength?: number
}

/** A PEM key pair: private key in PKCS#8, public key in SPKI. */
export interface KeyPair {
  readonly privateKey: string
  readonly publicKey: string
}

/**
 * A new key pair as PEM. RSA takes tens to hundreds of milliseconds (it blocks the event loop that long);
 * the others are fast.
 *
 * @example
 * ```ts
 * import { generateKeyPair } from '@polysecret/core'
 * const { privateKey, publicKey } = generateKeyPair({ type: 'ec-p256' })
 * ```
 */
export function generateKeyPair(options: KeyPairOptions = {}): KeyPair {
  checkOptions('generateKeyPair()', options, KEY_PAIR_OPTIONS)
  const type = options.type ?? 'ed25519'
  if (options.modulusLength !== undefined && type !== 'rsa') {
    throw new ValidationError(
      `generateKeyPair(): "modulusLength" applies to type "rsa" only, but type is "${String(type)}".`,
      { hint: "Pass type: 'rsa' for an RSA key pair, or leave modulusLength out." },
    )
  }
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const
  switch (type) {
    case 'rsa': {
      const modulusLength = options.modulusLength ?? 2048
      if (![2048, 3072, 4096].includes(modulusLength)) {
        throw new ValidationError('generateKeyPair(): "modulusLength" must be 2048, 3072 or 4096.')
      }
      return generateKeyPairSync('rsa', { modulusLength, publicKeyEncoding, privateKeyEncoding })
    }
    case 'ec-p256':
    case 'ec-p384':
      return generateKeyPairSync('ec', {
        namedCurve: type === 'ec-p256' ? 'P-256' : 'P-384',
        publicKeyEncoding,
        privateKeyEncoding,
      })
    case 'ed25519':
      return generateKeyPairSync('ed25519', { publicKeyEncoding, privateKeyEncoding })
    default:
      throw new ValidationError('generateKeyPair(): "type" must be "rsa", "ec-p256", "ec-p384" or "ed25519".')
  }
}

/** The `type`s {@link generate} makes (synchronously). */
export const SYNC_TYPES = [
  'password',
  'string',
  'bytes',
  'uuid',
  'integer',
  'keypair',
  'aes-key',
  'hmac-key',
] as const

/** What to generate: the discriminated union `generate()` and `rotate({ generate })` take. */
export type GenerateSpec =
  | ({ readonly type: 'password' } & PasswordOptions)
  | ({ readonly type: 'bytes' } & BytesOptions)
  | { readonly type: 'uuid' }
  | ({ readonly type: 'string' } & StringOptions)
  | ({ readonly type: 'integer' } & IntegerOptions)
  | ({ readonly type: 'aes-key' } & Omit<SymmetricKeyOptions, 'algorithm' | 'hash'>)
  | ({ readonly type: 'hmac-key' } & Omit<SymmetricKeyOptions, 'algorithm' | 'bits'>)
  | ({ readonly type: 'keypair'; readonly keyType?: KeyPairType } & Pick<KeyPairOptions, 'modulusLength'>)

/**
 * Generates one value from a spec. For `keypair` it returns the private key PEM (derive the public key
 * with `crypto.createPublicKey`, or call {@link generateKeyPair} for both halves).
 *
 * @example
 * ```ts
 * import { generate } from '@polysecret/core'
 * generate({ type: 'password', length: 40, excludeAmbiguous: true })
 * ```
 */
export function generate(spec: GenerateSpec): string {
  const where = (type: string) => `generate({ type: '${type}' })`
  switch (spec?.type) {
    case 'password': {
      checkOptions(where('password'), spec, ['type', ...PASSWORD_OPTIONS])
      const { type: _, ...options } = spec
      return generatePassword(options)
    }
    case 'bytes': {
      checkOptions(where('bytes'), spec, ['type', ...BYTES_OPTIONS])
      const { type: _, ...options } = spec
      return generateBytes(options)
    }
    case 'uuid':
      checkOptions(where('uuid'), spec, ['type'])
      return generateUuid()
    case 'string':
    case 'integer':
    case 'aes-key':
    case 'hmac-key': {
      const { type, ...options } = spec
      if (type === 'string') return generateString(options as StringOptions)
      if (type === 'integer') return generateInteger(options as IntegerOptions)
      const algorithm = type === 'aes-key' ? 'aes' : 'hmac'
      checkOptions(where(type), options, algorithm === 'aes' ? ['bits', 'encoding'] : ['hash', 'encoding'])
      return generateSymmetricKey({ algorithm, ...options })
    }
    case 'keypair':
      // In a spec `type` says what to generate, so the key pair's own type is `keyType`.
      checkOptions(where('keypair'), spec, ['type', 'keyType', 'modulusLength'])
      return generateKeyPair({
        type: spec.keyType ?? 'ed25519',
        ...(spec.modulusLength !== undefined && { modulusLength: spec.modulusLength }),
      }).privateKey
    default:
      throw new ValidationError(
        `generate(): "type" must be one of ${SYNC_TYPES.map((t) => `"${t}"`).join(', ')}.`,
      )
  }
}

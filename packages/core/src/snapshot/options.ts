/**
 * Options of the offline snapshot (`ConfigManager({ snapshot })`), their checks and their declarative
 * form. Every mistake is a `ValidationError` that names the option and never shows a credential.
 */

import type { PolysecretError } from '../errors.js'
import { ValidationError } from '../errors.js'
import type { Credentials, ScryptParams } from '../providers/encrypted-file-format.js'
import {
  type CredentialConfig,
  type CredentialOptions,
  credentialsFromConfig,
  credentialsOrEnvironment,
  parseCredentials,
  parseScrypt,
} from '../providers/encrypted-file-options.js'

/**
 * An encrypted last-known-good copy of what the manager read, served when every store of a chain is
 * unreachable at start (see docs/snapshot.md). Pass exactly one of `key` or `passphrase`; without
 * either, `POLYSECRET_KEY` then `POLYSECRET_PASSPHRASE` are read from the environment, as
 * `encryptedFile()` does.
 *
 * @example
 * ```ts
 * import { ConfigManager } from '@polysecret/core'
 * import { secretsManager } from '@polysecret/aws'
 * const manager = new ConfigManager({
 *   secrets: [secretsManager({ region: 'eu-west-1' })],
 *   snapshot: { path: '/var/lib/my-service/secrets.snapshot', key: process.env.SNAPSHOT_KEY, maxAge: 86_400_000 },
 * })
 * ```
 */
export interface SnapshotOptions extends CredentialOptions {
  /** Where the snapshot lives (written atomically, mode 0600; the folder must exist). */
  readonly path: string
  /**
   * How old (since the manager last read it from its store) a snapshot value may be and still be
   * served, in milliseconds. Older values are refused with `SnapshotExpiredError`.
   * @default 86_400_000 (24 hours)
   */
  readonly maxAge?: number
  /**
   * The file is written at most once per this many milliseconds: a change (a new key, version or
   * value, a key gone) is written at the first moment allowed, so a busy refresh loop does not rewrite
   * the file constantly. Values only read again unchanged are written at most every
   * `clamp(maxAge / 10, writeInterval, 1 hour)`. A successful `load()` and `close()` write at once.
   * @default 30_000
   */
  readonly writeInterval?: number
  /**
   * While values are served from the snapshot, the stores are asked again in the background after
   * this many milliseconds, then after twice as long each time (jittered) up to 30 s.
   * @default 1_000
   */
  readonly retryInterval?: number
  /**
   * scrypt cost when a passphrase is used, as for `encryptedFile()`.
   * @default { N: 32768, r: 8, p: 1 }
   */
  readonly scrypt?: Partial<ScryptParams>
  /**
   * Hears snapshot problems that no read reports: a write that failed, or a file at `path` the
   * manager will not overwrite because it cannot open it (another key, modified, another manager's).
   * Never carries a value. Without it, such problems are emitted as a process warning.
   */
  readonly onError?: (error: PolysecretError) => void
  /** Wall clock in milliseconds, for tests. @default Date.now */
  readonly now?: () => number
}

/** The snapshot as a config file writes it: credentials by environment variable name. */
export type SnapshotConfig = Omit<SnapshotOptions, 'onError' | 'now'> & CredentialConfig

/** Resolved settings with every default applied. */
export interface SnapshotSettings {
  readonly path: string
  readonly credentials: Credentials
  readonly scrypt: ScryptParams
  readonly maxAge: number
  readonly writeInterval: number
  /** How often unchanged re-reads are written (see {@link SnapshotOptions.writeInterval}). */
  readonly confirmInterval: number
  readonly retryInterval: number
  readonly maxRetryInterval: number
  readonly onError: ((error: PolysecretError) => void) | undefined
  readonly now: () => number
}

const KNOWN = [
  'path',
  'key',
  'passphrase',
  'maxAge',
  'writeInterval',
  'retryInterval',
  'scrypt',
  'onError',
  'now',
] as const
const HOUR = 3_600_000

function duration(name: string, value: unknown, fallback: number, positive = false): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new ValidationError(
      `snapshot.${name} must be a ${positive ? 'positive' : 'non-negative'} number of milliseconds, got ${typeof value === 'number' ? value : typeof value}.`,
    )
  }
  return value
}

/** Checks the options eagerly (bad options fail the constructor, not the first outage). */
export function resolveSnapshotSettings(options: SnapshotOptions): SnapshotSettings {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new ValidationError('snapshot must be an object: { path, key | passphrase, maxAge? }.')
  const unknown = Object.keys(options).filter((k) => !(KNOWN as readonly string[]).includes(k))
  if (unknown.length > 0) {
    throw new ValidationError(
      `snapshot has unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}.`,
      {
        hint: `Known options: ${KNOWN.join(', ')}.`,
      },
    )
  }
  const { path } = options
  if (typeof path !== 'string' || path.trim() === '')
    throw new ValidationError(
      'snapshot.path must be a non-empty string (the file the snapshot is written to).',
    )
  if (options.onError !== undefined && typeof options.onError !== 'function')
    throw new ValidationError('snapshot.onError must be a function.')
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new ValidationError('snapshot.now must be a function returning milliseconds.')
  const maxAge = duration('maxAge', options.maxAge, 24 * HOUR, true)
  const writeInterval = duration('writeInterval', options.writeInterval, 30_000)
  const retryInterval = duration('retryInterval', options.retryInterval, 1_000, true)
  return {
    path,
    credentials: parseCredentials('snapshot', credentialsOrEnvironment(options)),
    scrypt: parseScrypt('snapshot', options.scrypt),
    maxAge,
    writeInterval,
    confirmInterval: Math.min(Math.max(maxAge / 10, writeInterval), HOUR),
    retryInterval,
    maxRetryInterval: Math.max(retryInterval, 30_000),
    onError: options.onError,
    now: options.now ?? Date.now,
  }
}

/** The snapshot of a declarative config: `keyEnv` / `passphraseEnv` resolved from the environment. */
export function snapshotFromConfig(config: unknown): SnapshotOptions | undefined {
  if (config === undefined) return undefined
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw new ValidationError('"snapshot" must be a mapping: { path, keyEnv | passphraseEnv, maxAge? }.')
  const { keyEnv, passphraseEnv, key, passphrase, ...rest } = config as SnapshotConfig
  for (const [name, value] of Object.entries({ keyEnv, passphraseEnv })) {
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      throw new ValidationError(`snapshot.${name} must be the name of an environment variable.`)
  }
  for (const name of ['onError', 'now'] as const) {
    if (name in rest)
      throw new ValidationError(`snapshot.${name} cannot be set in a config file; pass it in code.`)
  }
  const credentials = credentialsFromConfig(`snapshot "${String(rest.path)}"`, {
    keyEnv,
    passphraseEnv,
    key,
    passphrase,
  })
  return { ...rest, ...credentials }
}

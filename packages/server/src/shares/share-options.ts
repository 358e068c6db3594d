/** Options of `createShareRoutes()` and their checks; every mistake is a `ValidationError`. */
import { createHash } from 'node:crypto'
import { ValidationError } from '@polysecret/core'
import type { ShareStore } from './share-store.js'

/** What a share request did, for the server's audit log. Never holds ciphertext, key or plaintext. */
export interface ShareEvent {
  readonly action: 'create' | 'open' | 'delete' | 'sweep'
  readonly outcome: 'ok' | 'not_found' | 'invalid' | 'too_large' | 'unavailable'
  /**
   * The share's reference: the first 16 hex characters of SHA-256 of its id. It ties a share's create
   * and open lines together, but (unlike the id) it cannot be used to open or burn the share.
   */
  readonly share?: string
  /** Ciphertext size in bytes (create and open). */
  readonly bytes?: number
  /** Opens left (create and open). */
  readonly readsLeft?: number
  /** Shares removed (sweep). */
  readonly removed?: number
  /** The store kind, e.g. `embedded` or `redis`. */
  readonly store: string
}

/** Options for `createShareRoutes()`. */
export interface ShareRoutesOptions {
  /** Where shares live: `embeddedShareStore({ path, key })` or `redisShareStore({ url })`. */
  readonly store: ShareStore
  /**
   * Path of the API (`POST` to create, `GET /{id}` to open once, `DELETE /{id}`).
   * @default '/v1/shares'
   */
  readonly apiPath?: string
  /**
   * Path of the web page that creates and opens shares (its script and style are under it); `false`
   * serves no page.
   * @default '/share'
   */
  readonly pagePath?: string | false
  /**
   * Largest plaintext a share may hold, in bytes (UTF-8). Requests are refused (413) before they are
   * read past the matching ciphertext size.
   * @default 65_536
   */
  readonly maxBytes?: number
  /**
   * Lifetime of a share when the request names none, in seconds.
   * @default 86_400 (one day)
   */
  readonly defaultTtl?: number
  /**
   * Longest lifetime a request may ask for, in seconds.
   * @default 604_800 (seven days)
   */
  readonly maxTtl?: number
  /**
   * Most opens a share may allow (`reads`); the default for a request is 1 (burn after reading).
   * @default 10
   */
  readonly maxReads?: number
  /** Called for every share request, for the audit log (see {@link ShareEvent}). */
  readonly onEvent?: (event: ShareEvent) => void
  /** The clock (epoch milliseconds), for expiry. @default Date.now */
  readonly now?: () => number
}

/** The options with defaults applied. */
export type ResolvedShareOptions = Required<Omit<ShareRoutesOptions, 'onEvent'>> &
  Pick<ShareRoutesOptions, 'onEvent'>

function wholeNumber(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ValidationError(`createShareRoutes(): "${name}" must be a whole number ≥ ${min}.`)
  }
  return value
}

function routePath(name: string, value: string): string {
  if (typeof value !== 'string' || !/^\/[A-Za-z0-9/_.-]*[A-Za-z0-9_.-]$/.test(value)) {
    throw new ValidationError(
      `createShareRoutes(): "${name}" must be a path such as "/v1/shares" (starting with "/", no trailing "/").`,
    )
  }
  return value
}

/** Checks the options and fills in the defaults. */
export function resolveShareOptions(options: ShareRoutesOptions): ResolvedShareOptions {
  if (typeof options !== 'object' || options === null || typeof options.store?.consume !== 'function') {
    throw new ValidationError(
      'createShareRoutes(): pass { store }, e.g. embeddedShareStore({ path, key }) or redisShareStore({ url }).',
    )
  }
  const maxTtl = wholeNumber('maxTtl', options.maxTtl ?? 604_800, 1)
  const defaultTtl = wholeNumber('defaultTtl', options.defaultTtl ?? Math.min(86_400, maxTtl), 1)
  if (defaultTtl > maxTtl) {
    throw new ValidationError('createShareRoutes(): "defaultTtl" must not be longer than "maxTtl".')
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new ValidationError('createShareRoutes(): "onEvent" must be a function.')
  }
  const pagePath = options.pagePath ?? '/share'
  return {
    store: options.store,
    apiPath: routePath('apiPath', options.apiPath ?? '/v1/shares'),
    pagePath: pagePath === false ? false : routePath('pagePath', pagePath),
    maxBytes: wholeNumber('maxBytes', options.maxBytes ?? 65_536, 1),
    defaultTtl,
    maxTtl,
    maxReads: wholeNumber('maxReads', options.maxReads ?? 10, 1),
    onEvent: options.onEvent,
    now: options.now ?? Date.now,
  }
}

/** The reference of a share in logs: not the id itself, which would let a log reader burn the share. */
export function shareRef(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 16)
}

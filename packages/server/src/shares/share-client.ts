/**
 * Creating and opening shares from Node, in the same format as the web page (share-codec.ts): the
 * plaintext is encrypted here, only ciphertext goes over the wire, and the key is put in the link's
 * fragment. The link is returned as a `Secret` — whoever holds it can read the share.
 */
import { IntegrityError, NotFoundError, Secret, UnavailableError, ValidationError } from '@polysecret/core'
import {
  openSealedShare,
  parseShareFragment,
  ShareFormatError,
  sealShare,
  shareFragment,
} from './share-codec.js'

/** Options for {@link createShare}. */
export interface CreateShareOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8377`. */
  readonly server: string | URL
  /** Seconds until the share expires; the server's default (one day) when omitted. */
  readonly ttl?: number
  /** How many times it may be opened. @default 1 */
  readonly reads?: number
  /** @default '/v1/shares' */
  readonly apiPath?: string
  /** Path of the web page the link points at. @default '/share' */
  readonly pagePath?: string
  /** The fetch to use (a proxy-aware one, say). @default globalThis.fetch */
  readonly fetch?: typeof fetch
}

/** What {@link createShare} returns. */
export interface CreatedShare {
  /** The link to send: `<server><pagePath>#<id>.<key>`. Reveal it only to hand it over. */
  readonly link: Secret
  /** The share id (not secret on its own: without the key it opens nothing). */
  readonly id: string
  readonly expiresAt: Date
  readonly reads: number
}

/** Options for {@link openShare}. */
export interface OpenShareOptions {
  /** @default '/v1/shares' */
  readonly apiPath?: string
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch
}

async function serverError(response: Response, what: string): Promise<Error> {
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined
  const message = `${what}: the server answered ${response.status}${body?.error?.message ? ` — ${body.error.message}` : '.'}`
  if (response.status === 404) return new NotFoundError({ message })
  if (response.status === 400 || response.status === 413 || response.status === 415) {
    return new ValidationError(message)
  }
  return new UnavailableError({ message })
}

/**
 * Encrypts `plaintext` and stores the ciphertext on a polysecret server; returns the one-time link.
 *
 * @example
 * ```ts
 * import { createShare, openShare } from '@polysecret/server/shares'
 * const { link } = await createShare('s3cr3t', { server: 'http://127.0.0.1:8377', ttl: 3600 })
 * const value = await openShare(link) // a Secret; the share is now gone
 * ```
 */
export async function createShare(
  plaintext: string | Secret,
  options: CreateShareOptions,
): Promise<CreatedShare> {
  const text = plaintext instanceof Secret ? plaintext.reveal() : plaintext
  if (typeof text !== 'string')
    throw new ValidationError('createShare(): the plaintext must be a string or a Secret.')
  const doFetch = options.fetch ?? fetch
  const api = new URL(options.apiPath ?? '/v1/shares', options.server)
  const { ciphertext, key } = await sealShare(text)
  let response: Response
  try {
    response = await doFetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ciphertext, ttl: options.ttl, reads: options.reads }),
    })
  } catch (error) {
    throw new UnavailableError({ message: `Cannot reach the share server at ${api.origin}.`, cause: error })
  }
  if (response.status !== 201) throw await serverError(response, 'Creating the share failed')
  const created = (await response.json()) as { id: string; expiresAt: string; reads: number }
  const page = new URL(options.pagePath ?? '/share', options.server)
  page.hash = shareFragment(created.id, key)
  return {
    link: new Secret(page.href),
    id: created.id,
    expiresAt: new Date(created.expiresAt),
    reads: created.reads,
  }
}

/**
 * Opens a share link once: fetches the ciphertext (which burns that read on the server) and decrypts it
 * here with the key from the link's fragment. A used-up, expired or unknown share is a `NotFoundError`.
 */
export async function openShare(link: string | Secret, options: OpenShareOptions = {}): Promise<Secret> {
  const text = link instanceof Secret ? link.reveal() : link
  let url: URL
  let parts: { id: string; key: string }
  try {
    url = new URL(text)
    parts = parseShareFragment(url.hash)
  } catch (error) {
    throw new ValidationError(
      error instanceof ShareFormatError
        ? `openShare(): ${error.message}`
        : 'openShare(): the link is not a URL.',
    )
  }
  const api = new URL(`${options.apiPath ?? '/v1/shares'}/${parts.id}`, url.origin)
  let response: Response
  try {
    response = await (options.fetch ?? fetch)(api)
  } catch (error) {
    throw new UnavailableError({ message: `Cannot reach the share server at ${api.origin}.`, cause: error })
  }
  if (!response.ok) throw await serverError(response, 'Opening the share failed')
  const share = (await response.json()) as { ciphertext: string }
  try {
    return new Secret(await openSealedShare(share.ciphertext, parts.key))
  } catch (error) {
    throw new IntegrityError({ message: (error as Error).message })
  }
}

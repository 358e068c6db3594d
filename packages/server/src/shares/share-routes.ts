/**
 * `createShareRoutes()` — one-time secret sharing as a hono sub-app: the API under `apiPath` and the
 * web page under `pagePath`. The server never sees a share's key or plaintext: clients encrypt (see
 * share-codec.ts) and the link carries the key in its fragment. Mount it at the root of the server's
 * app — `app.route('/', createShareRoutes(options))` — its middleware is scoped to its own paths.
 */
import { PolysecretError, UnavailableError } from '@polysecret/core'
import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import { fromBase64Url, SHARE_FORMAT_VERSION, SHARE_ID_PATTERN, sealedLength } from './share-codec.js'
import {
  type ResolvedShareOptions,
  resolveShareOptions,
  type ShareEvent,
  type ShareRoutesOptions,
  shareRef,
} from './share-options.js'
import { addSharePage } from './share-page.js'
import { newShareId } from './share-store.js'

type Status = 400 | 404 | 413 | 415 | 500 | 503

function fail(c: Context, status: Status, code: string, message: string) {
  return c.json({ error: { code, message } }, status)
}

/** The longest JSON body a create request may send for `maxBytes` of plaintext. */
function maxBodyBytes(maxBytes: number): number {
  return Math.ceil((sealedLength(maxBytes) * 4) / 3) + 1024
}

/**
 * The share API and page as a hono app; mount it with `app.route('/', createShareRoutes(options))`.
 *
 * - `POST {apiPath}` `{ ciphertext, ttl?, reads? }` → 201 `{ id, expiresAt, reads }`
 * - `GET {apiPath}/{id}` → 200 `{ ciphertext, expiresAt, readsLeft }` once (`reads` times), then 404
 * - `DELETE {apiPath}/{id}` → 204, or 404
 * - `GET {pagePath}` → the page that creates a share, or opens the one in its `#id.key` fragment
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { createShareRoutes, embeddedShareStore } from '@polysecret/server/shares'
 * const app = new Hono()
 * app.route('/', createShareRoutes({ store: embeddedShareStore({ path: 'shares.enc', key: process.env.SHARES_KEY }) }))
 * ```
 */
export function createShareRoutes(options: ShareRoutesOptions): Hono {
  const config = resolveShareOptions(options)
  const { store, apiPath } = config
  const app = new Hono()
  const emit = (event: Omit<ShareEvent, 'store'>) => {
    try {
      config.onEvent?.({ ...event, store: store.kind })
    } catch {
      // an audit hook that throws must not turn a served share into an error (the read already burned it)
    }
  }
  const storeFailed = (c: Context, action: ShareEvent['action'], error: unknown, share?: string) => {
    emit({ action, outcome: 'unavailable', ...(share ? { share } : {}) })
    if (error instanceof UnavailableError) return fail(c, 503, error.code, error.message)
    const code = error instanceof PolysecretError ? error.code : 'INTERNAL'
    return fail(c, 500, code, 'The share store failed; see the server log.')
  }

  // API responses: never cached, no referrer, nothing sniffed, no framing.
  const apiHeaders = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  })
  for (const path of [apiPath, `${apiPath}/*`]) {
    app.use(path, apiHeaders, async (c, next) => {
      await next()
      c.header('Cache-Control', 'no-store')
    })
  }

  app.post(
    apiPath,
    bodyLimit({
      maxSize: maxBodyBytes(config.maxBytes),
      onError: (c) => {
        emit({ action: 'create', outcome: 'too_large' })
        return fail(c, 413, 'TOO_LARGE', `A share holds at most ${config.maxBytes} bytes of plaintext.`)
      },
    }),
    async (c) => {
      if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
        emit({ action: 'create', outcome: 'invalid' })
        return fail(c, 415, 'VALIDATION', 'Send the share as JSON (Content-Type: application/json).')
      }
      const parsed = await c.req.json().then(
        (body: unknown) => parseCreate(body, config),
        () => 'The body is not valid JSON.',
      )
      if (typeof parsed === 'string') {
        emit({ action: 'create', outcome: parsed.startsWith('TOO_LARGE') ? 'too_large' : 'invalid' })
        return parsed.startsWith('TOO_LARGE')
          ? fail(c, 413, 'TOO_LARGE', parsed.slice('TOO_LARGE '.length))
          : fail(c, 400, 'VALIDATION', parsed)
      }
      const id = newShareId()
      const expiresAt = config.now() + parsed.ttl * 1000
      try {
        await store.create(id, { ciphertext: parsed.ciphertext, expiresAt, reads: parsed.reads })
      } catch (error) {
        return storeFailed(c, 'create', error)
      }
      emit({
        action: 'create',
        outcome: 'ok',
        share: shareRef(id),
        bytes: parsed.bytes,
        readsLeft: parsed.reads,
      })
      c.header('Location', `${apiPath}/${id}`)
      return c.json({ id, expiresAt: new Date(expiresAt).toISOString(), reads: parsed.reads }, 201)
    },
  )

  app.get(`${apiPath}/:id`, async (c) => {
    const id = c.req.param('id')
    if (!SHARE_ID_PATTERN.test(id)) {
      emit({ action: 'open', outcome: 'invalid' })
      return fail(c, 400, 'VALIDATION', 'Not a share id (22 base64url characters).')
    }
    const share = shareRef(id)
    let found: Awaited<ReturnType<typeof store.consume>>
    try {
      found = await store.consume(id, config.now())
    } catch (error) {
      return storeFailed(c, 'open', error, share)
    }
    if (!found) {
      emit({ action: 'open', outcome: 'not_found', share })
      return fail(
        c,
        404,
        'NOT_FOUND',
        'No such share: it was already opened, it expired, or the link is wrong.',
      )
    }
    emit({
      action: 'open',
      outcome: 'ok',
      share,
      bytes: fromBase64Url(found.ciphertext)?.length ?? 0,
      readsLeft: found.readsLeft,
    })
    return c.json({
      ciphertext: found.ciphertext,
      expiresAt: new Date(found.expiresAt).toISOString(),
      readsLeft: found.readsLeft,
    })
  })

  app.delete(`${apiPath}/:id`, async (c) => {
    const id = c.req.param('id')
    if (!SHARE_ID_PATTERN.test(id))
      return fail(c, 400, 'VALIDATION', 'Not a share id (22 base64url characters).')
    const share = shareRef(id)
    let existed: boolean
    try {
      existed = await store.delete(id)
    } catch (error) {
      return storeFailed(c, 'delete', error, share)
    }
    emit({ action: 'delete', outcome: existed ? 'ok' : 'not_found', share })
    return existed ? c.body(null, 204) : fail(c, 404, 'NOT_FOUND', 'No such share.')
  })

  if (config.pagePath !== false) addSharePage(app, { ...config, pagePath: config.pagePath })
  return app
}

interface CreateRequest {
  ciphertext: string
  bytes: number
  ttl: number
  reads: number
}

/** The checked create request, or what is wrong with it (prefixed `TOO_LARGE` for a 413). */
function parseCreate(body: unknown, config: ResolvedShareOptions): CreateRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'The body must be a JSON object { ciphertext, ttl?, reads? }.'
  }
  const { ciphertext, ttl = config.defaultTtl, reads = 1 } = body as Record<string, unknown>
  const bytes = typeof ciphertext === 'string' ? fromBase64Url(ciphertext) : undefined
  if (!bytes || bytes.length < sealedLength(0) || bytes[0] !== SHARE_FORMAT_VERSION) {
    return '"ciphertext" must be a polysecret share ciphertext (base64url) made by the page or createShare(); the server never takes plaintext.'
  }
  if (bytes.length > sealedLength(config.maxBytes)) {
    return `TOO_LARGE A share holds at most ${config.maxBytes} bytes of plaintext.`
  }
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > config.maxTtl) {
    return `"ttl" must be a whole number of seconds from 1 to ${config.maxTtl}.`
  }
  if (typeof reads !== 'number' || !Number.isInteger(reads) || reads < 1 || reads > config.maxReads) {
    return `"reads" must be a whole number from 1 to ${config.maxReads}.`
  }
  return { ciphertext, bytes: bytes.length, ttl, reads } as CreateRequest
}

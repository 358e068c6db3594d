import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { type ConfigManager, ValidationError } from '@polysecret/core'
import type { Hono } from 'hono'
import { accessControl, createApp } from './app.js'
import { type AuditLog, createAuditLog } from './audit.js'
import { Authenticator } from './auth/authenticate.js'
import { createServerMetrics, type ServerMetrics } from './metrics.js'
import { openApiDocument } from './openapi.js'
import { isLoopback, type ServerOptions, validateServerOptions } from './options.js'
import { memoryRateLimitStore } from './rate-limit.js'
import { startRotation } from './rotation.js'
import { mountOpsRoutes } from './routes/ops.js'
import { mountSecretRoutes } from './routes/secrets.js'
import type { ServerContext, ServerEnv } from './server-context.js'
import { SERVER_VERSION } from './version.js'

/** A created server: not listening until `listen()`. */
export interface PolysecretServer {
  /** The hono app (`app.request(...)` answers without a socket). */
  readonly app: Hono<ServerEnv>
  readonly metrics: ServerMetrics
  readonly audit: AuditLog
  /** Starts listening on `host:port`; resolves with the bound address. */
  listen(): Promise<AddressInfo>
  /** The bound address, once listening. */
  address(): AddressInfo | undefined
  /** `http://host:port`, once listening. */
  readonly url: string
  /** TokenReviews sent so far. */
  readonly tokenReviews: number
  /** Stops accepting connections, waits for requests in flight, stops rotation watchers, flushes the audit log. */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export const DEFAULT_PORT = 7373

/**
 * An HTTP server over a `ConfigManager`. Listens on 127.0.0.1 unless told otherwise, and refuses any
 * other address unless `auth` is configured — a sidecar must not hand out secrets to the network.
 *
 * @example
 * ```ts
 * import { ConfigManager, env } from '@polysecret/core'
 * import { createServer, hashToken } from '@polysecret/server'
 *
 * const manager = new ConfigManager({ secrets: [env()], parameters: [env()] })
 * const server = await createServer(manager, {
 *   port: 7373,
 *   auth: { tokens: [{ name: 'billing', hash: process.env.BILLING_TOKEN_HASH!, grants: [{ keys: ['billing/**'], verbs: ['read'] }] }] },
 * })
 * await server.listen()
 * ```
 */
export async function createServer(
  manager: ConfigManager,
  options: ServerOptions = {},
): Promise<PolysecretServer> {
  validateServerOptions(options)
  const host = options.host ?? '127.0.0.1'
  if (!isLoopback(host) && options.auth === undefined)
    throw new ValidationError(`Refusing to listen on ${host} without authentication.`, {
      hint: 'Configure auth (tokens or kubernetes), or listen on 127.0.0.1 (the default).',
    })
  const now = options.now ?? Date.now
  const metrics = options.metrics ?? createServerMetrics()
  metrics.attach(manager)
  const audit = await createAuditLog(options.audit)
  const limits = {
    maxBodyBytes: options.limits?.maxBodyBytes ?? 65_536,
    requestTimeoutMs: options.limits?.requestTimeoutMs ?? 10_000,
  }
  // Authenticated callers get a budget by default; an unauthenticated loopback sidecar serves its one
  // app unthrottled unless a limit is configured.
  const rateLimit = options.rateLimit ?? (options.auth ? { rate: 100, burst: 200 } : false)
  const rate =
    rateLimit === false ? undefined : { limit: rateLimit, store: rateLimit.store ?? memoryRateLimitStore() }
  const authenticator = new Authenticator(options.auth, now)
  const ctx: ServerContext = {
    manager,
    audit,
    metrics,
    now,
    ...accessControl(authenticator, rate, { metrics, now }),
  }
  const app = createApp(ctx, limits)
  const extensions = options.extensions ?? []
  const allowWrites = options.allowWrites === true
  let document: unknown
  mountOpsRoutes(app, {
    manager,
    metrics,
    now,
    credentialsWarningMs: options.credentialsWarningMs ?? 15 * 60_000,
    openapi: () =>
      (document ??= openApiDocument({
        allowWrites,
        version: SERVER_VERSION,
        extensions: extensions.flatMap((e) => (e.openapi ? [e.openapi] : [])),
      })),
  })
  mountSecretRoutes(app, ctx, { allowWrites, maxBatchKeys: options.limits?.maxBatchKeys ?? 100 })
  for (const extension of extensions) extension.mount(app, ctx)

  const rotation = options.rotation?.length
    ? await startRotation(
        manager,
        options.rotation,
        (outcome) =>
          audit.record({
            requestId: 'rotation',
            who: undefined,
            operation: `rotation.${outcome.action}`,
            key: outcome.key,
            outcome: outcome.ok ? 'ok' : 'error',
            status: 0,
            latencyMs: 0,
            ...(outcome.error ? { errorCode: outcome.error } : {}),
          }),
        (error) =>
          audit.record({
            requestId: 'rotation',
            who: undefined,
            operation: 'rotation.watch',
            ...(error.key !== undefined ? { key: error.key } : {}),
            provider: error.provider,
            outcome: 'error',
            errorCode: error.code,
            status: 0,
            latencyMs: 0,
          }),
      )
    : undefined

  const http = createAdaptorServer({ fetch: app.fetch }) as Server
  // Slow-loris guards: headers within 10 s, a whole request within the timeout plus a margin.
  http.headersTimeout = 10_000
  http.requestTimeout = limits.requestTimeoutMs + 5_000
  let bound: AddressInfo | undefined
  let closed: Promise<void> | undefined
  const close = () =>
    (closed ??= (async () => {
      rotation?.close()
      if (bound) {
        await new Promise<void>((resolve) => {
          http.close(() => resolve())
          http.closeIdleConnections?.()
        })
      }
      await Promise.allSettled(extensions.map(async (e) => e.close?.()))
      await rate?.store.close?.()
      await audit.close()
    })())
  return {
    app,
    metrics,
    audit,
    get url() {
      if (!bound) return ''
      const h = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address
      return `http://${h}:${bound.port}`
    },
    get tokenReviews() {
      return authenticator.reviews
    },
    address: () => bound,
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        http.once('error', reject)
        http.listen(options.port ?? DEFAULT_PORT, host, () => {
          http.off('error', reject)
          bound = http.address() as AddressInfo
          resolve(bound)
        })
      }),
    close,
    [Symbol.asyncDispose]: close,
  }
}

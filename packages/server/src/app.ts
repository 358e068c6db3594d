import { getConnInfo } from '@hono/node-server/conninfo'
import { isPolysecretError } from '@polysecret/core'
import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { timeout } from 'hono/timeout'
import type { Authenticator } from './auth/authenticate.js'
import { allows } from './auth/policy.js'
import { errorAnswer, HttpProblem } from './http-errors.js'
import type { RateLimit, RateLimitStore } from './rate-limit.js'
import { resolveLimit } from './rate-limit.js'
import type { ServerContext, ServerEnv } from './server-context.js'

/**
 * The hono app's plumbing: request ids, size and time limits, metrics, error answers, and the
 * authenticate / rate-limit / authorize pieces the routes use. Routes live in routes/.
 */

export interface AppLimits {
  readonly maxBodyBytes: number
  readonly requestTimeoutMs: number
}

export function createApp(ctx: Pick<ServerContext, 'metrics'>, limits: AppLimits): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>()
  app.use(requestId())
  app.use(async (c, next) => {
    const started = performance.now()
    c.set('principal', undefined)
    c.set('grants', [])
    await next()
    // Route patterns, not paths: a key never becomes a label value.
    const route = c.req.routePath === '/*' ? 'unmatched' : c.req.routePath
    const labels = { method: c.req.method, route }
    ctx.metrics.requests.inc({ ...labels, status: String(c.res.status) })
    ctx.metrics.duration.observe(labels, (performance.now() - started) / 1000)
  })
  app.use(
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: () => {
        throw new HttpProblem(
          413,
          'TOO_LARGE',
          `The request body is larger than ${limits.maxBodyBytes} bytes.`,
        )
      },
    }),
  )
  app.use(
    timeout(
      limits.requestTimeoutMs,
      () =>
        new HttpProblem(
          504,
          'TIMEOUT',
          `The request took longer than ${limits.requestTimeoutMs} ms.`,
        ) as unknown as HTTPException,
    ),
  )
  app.onError((error, c) => {
    const id = c.get('requestId')
    if (error instanceof HttpProblem)
      return c.json(
        { error: { code: error.code, message: error.message, requestId: id } },
        error.status as 400,
        error.headers,
      )
    if (error instanceof HTTPException && !isPolysecretError(error)) {
      const res = error.getResponse()
      return c.json(
        { error: { code: 'HTTP_ERROR', message: res.statusText || 'Bad request.', requestId: id } },
        res.status as 400,
      )
    }
    const answer = errorAnswer(error, id)
    return c.json(answer.body, answer.status as 400, answer.headers)
  })
  app.notFound((c) =>
    c.json(
      {
        error: {
          code: 'ROUTE_NOT_FOUND',
          message: `No route ${c.req.method} ${c.req.path}; see /openapi.json.`,
        },
      },
      404,
    ),
  )
  return app
}

/** The authenticate and rate-limit middleware and the authorize checks, for the routes and extensions. */
export function accessControl(
  authenticator: Authenticator,
  rate: { limit: RateLimit; store: RateLimitStore } | undefined,
  ctx: Pick<ServerContext, 'metrics' | 'now'>,
): Pick<ServerContext, 'authenticate' | 'rateLimit' | 'authorize' | 'authorizes'> {
  const take = async (id: string, limit: RateLimit | undefined, kind: string) => {
    if (!rate) return
    const decision = await rate.store.take(id, resolveLimit(limit ?? rate.limit), ctx.now())
    if (decision.allowed) return
    ctx.metrics.rateLimited.inc({ principal_kind: kind })
    throw new HttpProblem(
      429,
      'RATE_LIMITED',
      'Too many requests for this caller; retry after the Retry-After delay.',
      {
        'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))),
      },
    )
  }
  const clientIp = (c: Parameters<MiddlewareHandler>[0]) => {
    try {
      return getConnInfo(c).remote.address ?? 'unknown'
    } catch {
      return 'unknown'
    }
  }
  const authenticate: MiddlewareHandler<ServerEnv> = async (c, next) => {
    let caller: Awaited<ReturnType<Authenticator['authenticate']>>
    try {
      caller = await authenticator.authenticate(c)
    } catch (error) {
      if (error instanceof HttpProblem) ctx.metrics.authFailures.inc({ reason: error.code.toLowerCase() })
      throw error
    }
    c.set('principal', caller.principal)
    c.set('grants', caller.grants)
    // Anonymous callers (no auth configured, loopback only) share one budget per address.
    const id =
      caller.principal.kind === 'anonymous'
        ? `ip:${clientIp(c)}`
        : `${caller.principal.kind}:${caller.principal.name}`
    await take(id, caller.rateLimit, caller.principal.kind)
    await next()
  }
  const rateLimit: MiddlewareHandler<ServerEnv> = async (c, next) => {
    await take(`ip:${clientIp(c)}`, undefined, 'address')
    await next()
  }
  return {
    authenticate,
    rateLimit,
    authorizes: allows,
    authorize(grants, verb, key) {
      if (!allows(grants, verb, key)) {
        ctx.metrics.authFailures.inc({ reason: 'forbidden' })
        throw new HttpProblem(403, 'FORBIDDEN', `Not allowed to ${verb} key "${key}".`)
      }
    },
  }
}

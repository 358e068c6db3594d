import type { ConfigManager, ProviderHealth } from '@polysecret/core'
import type { Hono } from 'hono'
import type { ServerMetrics } from '../metrics.js'
import type { ServerEnv } from '../server-context.js'

/**
 * Operations routes, unauthenticated so probes and scrapers need no token: `/health` (the process
 * answers), `/ready` (every provider checked, with latency and credential expiry), `/metrics`
 * (Prometheus text) and `/openapi.json`. None of them carries a key's value; `/metrics` and `/health`
 * carry no key names either.
 */

export interface ProviderReadiness {
  readonly provider: string
  readonly type: string
  readonly ok: boolean
  readonly latencyMs: number
  readonly message?: string
  /** When the provider's credentials stop working, if the provider can tell. */
  readonly credentialsExpireAt?: string
  /** `credentialsExpireAt` is within the warning window (or past). */
  readonly credentialsExpiringSoon?: boolean
}

export function mountOpsRoutes(
  app: Hono<ServerEnv>,
  o: {
    manager: ConfigManager
    metrics: ServerMetrics
    openapi: () => unknown
    credentialsWarningMs: number
    now: () => number
  },
): void {
  const started = new Date(o.now()).toISOString()
  app.get('/health', (c) => c.json({ status: 'ok', startedAt: started }))

  app.get('/ready', async (c) => {
    const checks = (await o.manager.health()).map((h) => readiness(h, o.now(), o.credentialsWarningMs))
    const ready = checks.every((h) => h.ok)
    const res = c.json(
      {
        status: ready ? 'ready' : 'unavailable',
        providers: checks,
        credentialsExpiringSoon: checks.filter((h) => h.credentialsExpiringSoon).map((h) => h.provider),
      },
      ready ? 200 : 503,
    )
    res.headers.set('cache-control', 'no-store')
    return res
  })

  app.get('/metrics', async (c) => {
    const text = await o.metrics.registry.metrics()
    return c.body(text, 200, { 'content-type': o.metrics.registry.contentType })
  })

  app.get('/openapi.json', (c) => c.json(o.openapi() as object))
}

/**
 * A provider's health as `/ready` reports it. A provider that can tell when its credentials expire
 * (a Vault token's TTL, temporary cloud credentials) says so in `credentialsExpireAt`; the server
 * flags it when that is within the warning window, so an operator renews before reads start failing.
 */
export function readiness(h: ProviderHealth, now: number, warningMs: number): ProviderReadiness {
  const raw = (h as ProviderHealth & { credentialsExpireAt?: Date | string | number }).credentialsExpireAt
  const expires = raw === undefined ? undefined : new Date(raw)
  const valid = expires !== undefined && !Number.isNaN(expires.getTime())
  return {
    provider: h.provider,
    type: h.type,
    ok: h.ok,
    latencyMs: Math.round((h.latencyMs ?? 0) * 100) / 100,
    ...(h.message !== undefined ? { message: h.message } : {}),
    ...(valid
      ? {
          credentialsExpireAt: expires.toISOString(),
          credentialsExpiringSoon: expires.getTime() - now <= warningMs,
        }
      : {}),
  }
}

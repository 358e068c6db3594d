import { ValidationError } from '@polysecret/core'
import type { Hono } from 'hono'
import type { AuditOptions } from './audit.js'
import { parseTokenHash } from './auth/bearer.js'
import type { KubernetesAuthOptions } from './auth/kubernetes.js'
import { type Grant, grantIssues } from './auth/policy.js'
import type { ServerMetrics } from './metrics.js'
import type { RateLimit, RateLimitStore } from './rate-limit.js'
import { rateLimitIssues } from './rate-limit.js'
import type { RotationRule } from './rotation.js'
import { rotationIssues } from './rotation.js'
import type { ServerContext, ServerEnv } from './server-context.js'

/** A bearer token the server accepts, by its hash, and what it may do. */
export interface TokenConfig {
  /** Shown in audit lines and metrics (`who`). */
  readonly name: string
  /** `sha256:<hex>` or `scrypt:<N>:<salt>:<hash>` from `hashToken()`; the token itself is never configured. */
  readonly hash: string
  readonly grants: readonly Grant[]
  /** This token's own budget instead of `rateLimit`. */
  readonly rateLimit?: RateLimit
}

/** Service accounts allowed in, by namespace and name (`'*'` for any name in the namespace). */
export interface ServiceAccountConfig {
  readonly namespace: string
  readonly name: string
  readonly grants: readonly Grant[]
  readonly rateLimit?: RateLimit
}

export interface AuthOptions {
  readonly tokens?: readonly TokenConfig[]
  readonly kubernetes?: KubernetesAuthOptions & { readonly serviceAccounts: readonly ServiceAccountConfig[] }
}

/** Size and time limits. */
export interface LimitOptions {
  /** Largest request body. @default 65_536 */
  readonly maxBodyBytes?: number
  /** A request still running after this is answered 504. @default 10_000 */
  readonly requestTimeoutMs?: number
  /** Most keys in one batchGet. @default 100 */
  readonly maxBatchKeys?: number
}

/**
 * A way to add routes (the one-time sharing API plugs in here): `mount` gets the app after the
 * server's request id, body limit, timeout and metrics middleware, and the server's context (auth,
 * audit, rate limit). Its OpenAPI paths join `/openapi.json`; `close` runs on `server.close()`.
 */
export interface ServerExtension {
  readonly name: string
  mount(app: Hono<ServerEnv>, context: ServerContext): void
  readonly openapi?: { readonly paths: Record<string, unknown>; readonly schemas?: Record<string, unknown> }
  close?(): Promise<void> | void
}

export interface ServerOptions {
  /** Address to listen on. Anything but loopback needs `auth`. @default '127.0.0.1' */
  readonly host?: string
  /** Port; 0 picks a free one. @default 7373 */
  readonly port?: number
  /** Bearer tokens and/or Kubernetes service accounts. Without it, only loopback callers, with every verb. */
  readonly auth?: AuthOptions
  /** Serve PUT and DELETE (the manager must allow writes too). @default false */
  readonly allowWrites?: boolean
  /**
   * Per-caller budget, or `false`. Tokens and service accounts may carry their own.
   * @default { rate: 100, burst: 200 } with `auth`; none without (a loopback sidecar serving its one app)
   */
  readonly rateLimit?: (RateLimit & { readonly store?: RateLimitStore }) | false
  readonly limits?: LimitOptions
  /** Audit log destination, or `false` for none. @default { destination: 'stdout' } */
  readonly audit?: AuditOptions | false
  /** Signal, webhook or command on a watched key's change. */
  readonly rotation?: readonly RotationRule[]
  /** `/ready` flags credentials expiring within this window. @default 900_000 (15 min) */
  readonly credentialsWarningMs?: number
  /** Metrics made with `createServerMetrics()`, when its `accessListener` feeds the manager. @default new ones */
  readonly metrics?: ServerMetrics
  /** Extra routes (e.g. one-time shares). */
  readonly extensions?: readonly ServerExtension[]
  /** Clock for rate limits and token-review caching (ms since the epoch). @default Date.now */
  readonly now?: () => number
}

/** Throws one `ValidationError` listing every problem with the options. */
export function validateServerOptions(o: ServerOptions): void {
  if (typeof o !== 'object' || o === null) throw new ValidationError('Server options must be an object.')
  const issues: string[] = []
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === ''))
    issues.push('host must be a host name or address')
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535))
    issues.push('port must be a whole number from 0 to 65535')
  if (o.auth !== undefined) {
    const tokens = o.auth.tokens ?? []
    if (!Array.isArray(tokens)) issues.push('auth.tokens must be an array')
    else
      tokens.forEach((t, i) => {
        if (typeof t?.name !== 'string' || t.name === '')
          issues.push(`auth.tokens[${i}].name must be a non-empty string`)
        if (!parseTokenHash(t?.hash))
          issues.push(
            `auth.tokens[${i}].hash must be "sha256:<64 hex>" or "scrypt:<N>:<salt>:<hash>" (from hashToken())`,
          )
        issues.push(...grantIssues(`auth.tokens[${i}].grants`, t?.grants))
        if (t?.rateLimit !== undefined)
          issues.push(...rateLimitIssues(`auth.tokens[${i}].rateLimit`, t.rateLimit))
      })
    const k = o.auth.kubernetes
    if (k !== undefined) {
      if (!Array.isArray(k.serviceAccounts) || k.serviceAccounts.length === 0)
        issues.push('auth.kubernetes.serviceAccounts must list the service accounts allowed in')
      else
        k.serviceAccounts.forEach((s, i) => {
          if (typeof s?.namespace !== 'string' || s.namespace === '')
            issues.push(`auth.kubernetes.serviceAccounts[${i}].namespace is missing`)
          if (typeof s?.name !== 'string' || s.name === '')
            issues.push(`auth.kubernetes.serviceAccounts[${i}].name is missing (or '*')`)
          issues.push(...grantIssues(`auth.kubernetes.serviceAccounts[${i}].grants`, s?.grants))
        })
    }
    if (tokens.length === 0 && k === undefined) issues.push('auth needs tokens or kubernetes')
  }
  if (o.rateLimit !== undefined && o.rateLimit !== false)
    issues.push(...rateLimitIssues('rateLimit', o.rateLimit))
  const l = o.limits ?? {}
  for (const f of ['maxBodyBytes', 'requestTimeoutMs', 'maxBatchKeys'] as const)
    if (l[f] !== undefined && !(Number.isInteger(l[f]) && (l[f] as number) > 0))
      issues.push(`limits.${f} must be a positive whole number`)
  if (o.rotation !== undefined) issues.push(...rotationIssues(o.rotation))
  if (
    o.credentialsWarningMs !== undefined &&
    !(Number.isInteger(o.credentialsWarningMs) && o.credentialsWarningMs >= 0)
  )
    issues.push('credentialsWarningMs must be a whole number of ms')
  if (issues.length)
    throw new ValidationError(`Invalid server options:\n${issues.map((i) => `  ✖ ${i}`).join('\n')}`, {
      hint: '\nSee docs/server.md for every option.',
    })
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i

/** Whether an address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ''))
}

import type { ConfigManager } from '@polysecret/core'
import type { MiddlewareHandler } from 'hono'
import type { AuditLog, Principal } from './audit.js'
import type { CompiledGrant, Verb } from './auth/policy.js'
import type { ServerMetrics } from './metrics.js'

/** Per-request values the server's middleware sets (hono `c.get(...)`). */
export interface ServerVariables {
  requestId: string
  principal: Principal | undefined
  grants: readonly CompiledGrant[]
}

export interface ServerEnv {
  Variables: ServerVariables
}

/** What an extension (e.g. one-time shares) gets to build its routes with the server's parts. */
export interface ServerContext {
  readonly manager: ConfigManager
  /** Middleware: authenticates the caller (401 otherwise), sets `principal` and `grants`, applies the rate limit. */
  readonly authenticate: MiddlewareHandler<ServerEnv>
  /** Middleware: applies the rate limit by principal, or by client address for unauthenticated routes. */
  readonly rateLimit: MiddlewareHandler<ServerEnv>
  /** Throws 403 unless the authenticated caller may `verb` `key`. */
  readonly authorize: (grants: readonly CompiledGrant[], verb: Verb, key: string) => void
  /** Whether the caller may `verb` `key` (for filtering listings and batches). */
  readonly authorizes: (grants: readonly CompiledGrant[], verb: Verb, key: string) => boolean
  readonly audit: AuditLog
  readonly metrics: ServerMetrics
  readonly now: () => number
}

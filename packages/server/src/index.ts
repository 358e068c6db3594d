/**
 * @polysecret/server — the HTTP sidecar: one audited, authenticated door to a ConfigManager's stores.
 *
 * @example
 * ```ts
 * import { ConfigManager, env } from '@polysecret/core'
 * import { createServer } from '@polysecret/server'
 * const server = await createServer(new ConfigManager({ secrets: [env()], parameters: [env()] }))
 * await server.listen() // http://127.0.0.1:7373/v1/secrets/DB_PASSWORD
 * ```
 * @packageDocumentation
 */

export type { AuditFileOptions, AuditLog, AuditOptions, AuditRecord, Principal } from './audit.js'
export { kubernetesContext } from './audit.js'
export { generateToken, hashToken } from './auth/bearer.js'
export type { KubernetesAuthOptions, ServiceAccountIdentity } from './auth/kubernetes.js'
export type { Grant, Verb } from './auth/policy.js'
export { VERBS } from './auth/policy.js'
export { createServer, DEFAULT_PORT, type PolysecretServer } from './create-server.js'
export { type ErrorBody, HttpProblem } from './http-errors.js'
export { createServerMetrics, type ManagerStats, type ServerMetrics } from './metrics.js'
export type {
  AuthOptions,
  LimitOptions,
  ServerExtension,
  ServerOptions,
  ServiceAccountConfig,
  TokenConfig,
} from './options.js'
export { isLoopback } from './options.js'
export type { RateDecision, RateLimit, RateLimitStore } from './rate-limit.js'
export { memoryRateLimitStore } from './rate-limit.js'
export type { RotationAction, RotationOutcome, RotationRule } from './rotation.js'
export type { ProviderReadiness } from './routes/ops.js'
export { loadServeOptions, type ServeOptions, serve } from './serve.js'
export type { ServerContext, ServerEnv, ServerVariables } from './server-context.js'

/**
 * The audit hook: one structured line per access and write — who (caller), what (operation, key,
 * kind, provider, version, outcome, error code), when, how long — written to a pino logger or
 * anything with `info(obj, msg)`. Built on the access events (`onAccess`), so it sees exactly what
 * they see, and never a value.
 */
import { ValidationError } from '../errors.js'
import type { AccessEvent, AccessListener } from '../events.js'

/** A pino logger, or anything with pino's `info(object, message)` (and optionally `warn`). */
export interface AuditLogger {
  info(object: object, message?: string): void
  warn?(object: object, message?: string): void
}

export interface AuditOptions {
  logger: AuditLogger
  /**
   * Who is asking: a fixed name (the service), or a function read at each access (e.g. the user of
   * the current request from an AsyncLocalStorage). Written as `caller` when defined.
   */
  caller?: string | (() => string | undefined)
}

/** `audit` option: a logger, or a logger with a caller identity. */
export type AuditOption = AuditLogger | AuditOptions

/** One audit line's fields. */
export interface AuditRecord {
  readonly audit: 'polysecret'
  readonly at: string
  readonly operation: AccessEvent['operation']
  readonly key: string
  readonly kind: AccessEvent['kind']
  readonly provider?: string
  readonly outcome: AccessEvent['outcome']
  readonly cache: AccessEvent['cache']
  readonly latencyMs: number
  readonly version?: string
  readonly errorCode?: string
  readonly caller?: string
}

/** Turns the `audit` option into an access listener; refused and failed operations log at `warn`. */
export function auditListener(option: AuditOption): AccessListener {
  const { logger, caller } = 'logger' in option ? option : { logger: option, caller: undefined }
  if (!logger || typeof logger.info !== 'function')
    throw new ValidationError('audit needs a logger with info(object, message) — a pino logger, for example.')
  if (caller !== undefined && typeof caller !== 'string' && typeof caller !== 'function')
    throw new ValidationError('audit.caller must be a string or a function returning one.')
  return (event) => {
    const who = typeof caller === 'function' ? caller() : caller
    const record: AuditRecord = {
      audit: 'polysecret',
      at: new Date().toISOString(),
      operation: event.operation,
      key: event.key,
      kind: event.kind,
      ...(event.provider !== undefined ? { provider: event.provider } : {}),
      outcome: event.outcome,
      cache: event.cache,
      latencyMs: Math.round(event.latencyMs * 100) / 100,
      ...(event.version !== undefined ? { version: event.version } : {}),
      ...(event.errorCode !== undefined ? { errorCode: event.errorCode } : {}),
      ...(who !== undefined ? { caller: String(who) } : {}),
    }
    const message = `polysecret ${event.operation} ${event.key}: ${event.outcome}`
    if (event.outcome === 'error' && typeof logger.warn === 'function') logger.warn(record, message)
    else logger.info(record, message)
  }
}

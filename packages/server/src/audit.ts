import type { Writable } from 'node:stream'
import { ValidationError } from '@polysecret/core'
import { type DestinationStream, type Logger, pino } from 'pino'

/**
 * The audit log: one pino JSON line per key access — who, which key, which provider, the outcome, the
 * latency and the request id — never a value. Lines go to stdout (the container way: the node's log
 * agent ships them), to a file rotated by pino-roll (size and/or time, keeping `keep` old files), or
 * to a stream of your own. When the server runs in a pod, every line carries the pod's namespace, name
 * and service account from the downward-API environment (`POD_NAMESPACE`, `POD_NAME`,
 * `POD_SERVICE_ACCOUNT`; the manifests in deploy/ set them).
 */

export interface AuditFileOptions {
  /** Log file path; pino-roll numbers the files before the extension (`audit.log` → `audit.1.log`, `audit.2.log` …). */
  readonly file: string
  /** Rotate when a file reaches this size (`'10m'`, `'1g'`, or a number of MB). @default '10m' */
  readonly size?: string | number
  /** Also rotate `'daily'`, `'hourly'`, or every N ms. @default none */
  readonly frequency?: 'daily' | 'hourly' | number
  /** Old files kept besides the current one. @default 10 */
  readonly keep?: number
}

export interface AuditOptions {
  /** `'stdout'`, a rotated file, or a writable stream. @default 'stdout' */
  readonly destination?: 'stdout' | AuditFileOptions | Writable
}

/** Who made a request, as the audit log and the rate limiter know them. */
export interface Principal {
  /** `token`: a configured bearer token; `serviceaccount`: a Kubernetes SA token; `anonymous`: no auth configured. */
  readonly kind: 'token' | 'serviceaccount' | 'anonymous'
  /** The token's name, `system:serviceaccount:<ns>:<name>`, or `anonymous`. */
  readonly name: string
  /** For service accounts: the pod the token is bound to, when the API server says. */
  readonly pod?: string | undefined
}

/** One audit line's fields (besides time, level and the pod context). */
export interface AuditRecord {
  readonly requestId: string
  readonly who: Principal | undefined
  readonly operation: string
  readonly key?: string
  readonly prefix?: string
  readonly provider?: string | undefined
  readonly outcome: string
  readonly status: number
  readonly latencyMs: number
  readonly cache?: string
  readonly errorCode?: string
  readonly clientIp?: string | undefined
}

export interface AuditLog {
  record(entry: AuditRecord): void
  /** Flushes and closes the destination (file or stdout buffer). */
  close(): Promise<void>
}

/** The pod context from the downward API, when there is one. */
export function kubernetesContext(env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
  const ctx = {
    ...(env.POD_NAMESPACE ? { namespace: env.POD_NAMESPACE } : {}),
    ...(env.POD_NAME ? { pod: env.POD_NAME } : {}),
    ...(env.POD_SERVICE_ACCOUNT ? { serviceAccount: env.POD_SERVICE_ACCOUNT } : {}),
  }
  return Object.keys(ctx).length ? ctx : undefined
}

export async function createAuditLog(options: AuditOptions | false | undefined): Promise<AuditLog> {
  if (options === false) return { record() {}, close: async () => {} }
  const destination = options?.destination ?? 'stdout'
  const stream = await openDestination(destination)
  const kubernetes = kubernetesContext()
  const logger: Logger = pino(
    {
      // No pid/hostname noise; the pod context says where a line came from.
      base: { service: 'polysecret-server', ...(kubernetes ? { kubernetes } : {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  )
  return {
    record(entry) {
      logger.info({ audit: true, ...entry }, 'access')
    },
    close: () =>
      new Promise<void>((resolve) => {
        logger.flush(() => {
          const s = stream as DestinationStream & { end?: () => void; once?: Writable['once']; fd?: number }
          // stdout is never closed; a file stream is ended once flushed.
          if (destination === 'stdout' || typeof s.end !== 'function') return resolve()
          if (typeof (destination as Writable).write === 'function') return resolve()
          s.once?.('close', () => resolve())
          s.end()
        })
      }),
  }
}

async function openDestination(
  destination: NonNullable<AuditOptions['destination']>,
): Promise<DestinationStream> {
  if (destination === 'stdout') return pino.destination({ fd: 1, sync: false })
  if (typeof (destination as Writable).write === 'function') return destination as Writable
  const file = destination as AuditFileOptions
  if (typeof file.file !== 'string' || file.file === '')
    throw new ValidationError('audit.destination.file must be a file path.', {
      hint: "Use audit: { destination: 'stdout' } or { file: '/var/log/polysecret/audit.log' }.",
    })
  // pino-roll is loaded only when a file is configured.
  const { default: roll } = (await import('pino-roll')) as { default: PinoRoll }
  return roll({
    file: file.file,
    size: file.size ?? '10m',
    ...(file.frequency !== undefined ? { frequency: file.frequency } : {}),
    limit: { count: file.keep ?? 10 },
    mkdir: true,
  })
}

type PinoRoll = (options: {
  file: string
  size?: string | number
  frequency?: string | number
  limit?: { count: number }
  mkdir?: boolean
}) => Promise<DestinationStream>

import { scrubBounded, scrubText } from './scrub.js'

/**
 * How much of an error survives as a `cause`:
 * - `'scrub'` (the default, for errors about parameters or built directly): message and string fields
 *   scrubbed of secret-looking content and cut to a few hundred characters; payload fields dropped.
 * - `'seal'` (errors about secret keys, and store errors whose key is unknown): nothing a store wrote
 *   survives — no message, no string field — only the error's class, an identifier-like `name` and
 *   `code`, HTTP status and fault side. A value the process has never seen (a short one, an encoded
 *   one, a prefix of one) cannot be scrubbed from text, so the text is not kept.
 * Errors polysecret built itself (a `PolysecretError` in the chain) keep their message, scrubbed:
 * their messages name keys and providers, and provider authors keep store text in `cause`.
 */
export type ScrubMode = 'scrub' | 'seal'

/** Copies made here, and how far they were scrubbed, so scrubbing twice costs nothing. */
const copies = new WeakMap<object, ScrubMode>()

/** Fields of SDK errors that carry request or response payloads; they never survive scrubbing. */
const DROPPED_FIELDS = new Set([
  '$response',
  'response',
  'request',
  'body',
  'config',
  'options',
  'headers',
  'data',
  'details',
  'SecretString',
  'SecretBinary',
  'Value',
  'errors',
  'cause',
])

/** Fields a sealed copy keeps: what went wrong, never what was sent or received. */
const SEALED_FIELDS = new Set([
  'code',
  'errno',
  'syscall',
  'status',
  'statusCode',
  '$fault',
  'retryable',
  // polysecret's own errors
  'key',
  'provider',
  'hint',
  'capability',
  'retryAfterMs',
  'currentVersion',
])

/** An error class name as SDKs and Node write them: `TypeError`, `ThrottlingException`, `AccessDenied`. */
const CLASS_NAME = /^[A-Z][A-Za-z]{1,63}$/
/** A machine code: `ECONNRESET`, `ERR_INVALID_ARG_TYPE`, or an SDK's PascalCase code. */
const CODE = /^(?:[A-Z][A-Z_]{1,63}|[A-Z][A-Za-z]{1,63})$/

const isPolysecret = (error: Error): boolean =>
  Array.isArray((error as { tried?: unknown }).tried) &&
  typeof (error as { code?: unknown }).code === 'string'

/**
 * Returns a scrubbed copy of an error for use as `cause`: same class (so `instanceof` still works),
 * `name` kept only when it reads like a class name, message and stack scrubbed (or, sealed, replaced
 * by what the structured fields say), payload fields dropped. Nested causes and the `errors` of an
 * `AggregateError` are copied the same way.
 */
export function scrubError(
  error: unknown,
  knownValues: readonly string[] = [],
  mode: ScrubMode = 'scrub',
): unknown {
  return copy(error, knownValues, mode, 0)
}

/** {@link scrubError} in `'seal'` mode: no text a store wrote survives. */
export function sealError(error: unknown, knownValues: readonly string[] = []): unknown {
  return copy(error, knownValues, 'seal', 0)
}

function copy(error: unknown, known: readonly string[], mode: ScrubMode, depth: number): unknown {
  if (error === undefined) return undefined
  if (!(error instanceof Error)) {
    return typeof error === 'string' && mode === 'scrub' ? scrubBounded(error, known) : '[non-error value]'
  }
  const done = copies.get(error)
  if (done === 'seal' || done === mode) return error
  const source = error as Error & Record<string, unknown>
  const out = Object.create(Object.getPrototypeOf(error)) as Error & Record<string, unknown>
  const trusted = isPolysecret(error)
  for (const field of Object.keys(error)) {
    if (DROPPED_FIELDS.has(field)) continue
    if (mode === 'seal' && !SEALED_FIELDS.has(field) && field !== '$metadata') continue
    const value = source[field]
    if (field === '$metadata') {
      const metadata = statusOf(value)
      if (metadata) out[field] = metadata
    } else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      out[field] = value
    } else if (typeof value === 'string') {
      const kept = keptString(field, value, known, mode, trusted)
      if (kept !== undefined) out[field] = kept
    }
  }
  const name = safeName(error.name, known)
  const message = trusted
    ? scrubBounded(error.message, known)
    : mode === 'seal'
      ? sealedMessage(name, out)
      : scrubBounded(error.message, known)
  define(out, 'name', name)
  define(out, 'message', message)
  define(out, 'stack', `${name}: ${message}\n${frames(error.stack, known)}`.trimEnd())
  if (depth < 5) {
    if (error.cause !== undefined) define(out, 'cause', copy(error.cause, known, mode, depth + 1))
    const inner = (error as { errors?: unknown }).errors
    if (Array.isArray(inner))
      define(
        out,
        'errors',
        inner.slice(0, 20).map((e) => copy(e, known, mode, depth + 1)),
      )
  }
  copies.set(out, mode)
  return out
}

function keptString(
  field: string,
  value: string,
  known: readonly string[],
  mode: ScrubMode,
  trusted: boolean,
): string | undefined {
  if (mode === 'scrub' || trusted) return scrubBounded(value, known, 200)
  if (field === 'code') return CODE.test(value) && scrubBounded(value, known) === value ? value : undefined
  if (field === '$fault') return value === 'client' || value === 'server' ? value : undefined
  if (field === 'syscall') return /^[a-z_]{1,32}$/.test(value) ? value : undefined
  return undefined
}

/** A name is kept only when it reads like an error class and quotes no known value. */
function safeName(name: unknown, known: readonly string[]): string {
  if (typeof name !== 'string' || !CLASS_NAME.test(name)) return 'Error'
  return scrubBounded(name, known) === name ? name : 'Error'
}

/** The HTTP facts of an AWS SDK `$metadata`; ids and attempts are not needed to act on a failure. */
function statusOf(metadata: unknown): Record<string, number> | undefined {
  if (!metadata || typeof metadata !== 'object') return undefined
  const status = (metadata as { httpStatusCode?: unknown }).httpStatusCode
  return typeof status === 'number' ? { httpStatusCode: status } : {}
}

/** What a sealed error still says: its class, code and status, in place of the store's words. */
function sealedMessage(name: string, fields: Record<string, unknown>): string {
  const status =
    (fields.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode ??
    fields.statusCode ??
    fields.status
  const parts = [
    typeof fields.code === 'string' && fields.code !== name ? fields.code : undefined,
    typeof status === 'number' ? `HTTP ${status}` : undefined,
  ].filter(Boolean)
  return `${name}${parts.length ? ` (${parts.join(', ')})` : ''}; the original message is not kept because it may quote a secret value`
}

/** The stack's frames only: the first lines repeat the message, which is handled on its own. */
function frames(stack: unknown, known: readonly string[]): string {
  if (typeof stack !== 'string') return ''
  const kept = stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 30)
    .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
    .join('\n')
  return scrubText(kept, known)
}

function define(target: object, field: string, value: unknown): void {
  Object.defineProperty(target, field, { value, enumerable: false, writable: true, configurable: true })
}

/** An error's `name` when it reads like a class name, else `'Error'` (a custom name may carry a value). */
export function safeErrorName(error: unknown, knownValues: readonly string[] = []): string {
  return safeName((error as { name?: unknown } | null | undefined)?.name, knownValues)
}

/**
 * Cleans, in place, an error polysecret is about to hand to a caller (a provider's own error or one
 * the manager built around a store failure): message and stack scrubbed and bounded, `name` checked,
 * `cause` scrubbed — sealed when the error concerns a secret, so no store text survives in it.
 */
export function cleanInPlace<E extends Error>(error: E, knownValues: readonly string[], mode: ScrubMode): E {
  const target = error as E & { cause?: unknown }
  const name = safeName(error.name, knownValues)
  const message = scrubBounded(error.message, knownValues, 1000)
  define(target, 'name', name)
  define(target, 'message', message)
  define(target, 'stack', `${name}: ${message}\n${frames(error.stack, knownValues)}`.trimEnd())
  if (target.cause !== undefined) define(target, 'cause', copy(target.cause, knownValues, mode, 0))
  return error
}

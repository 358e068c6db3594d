import { knownSecretValues } from './secret.js'

/**
 * Removes secret-looking content from text that is about to travel in an error (a store's error
 * message, a stack, a response body). Keys and provider names stay; values go. The patterns err on
 * the side of scrubbing: a scrubbed word in an error costs little, a leaked password costs a lot.
 */

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // PEM blocks (private keys, certificates with keys)
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, '[REDACTED PEM]'],
  // user-info in URLs: scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^@\s/]+@/gi, '$1:[REDACTED]@'],
  // JSON fields whose value is the secret
  [
    /("(?:SecretString|SecretBinary|Value|value|secret|password|token|data)"\s*:\s*)"(?:[^"\\]|\\.)*"/g,
    '$1"[REDACTED]"',
  ],
  // Authorization headers
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 [REDACTED]'],
  // key=value / key: value where the key names a secret
  [
    /\b([\w.-]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|credential|auth)[\w.-]*)(\s*[=:]\s*)(?!Bearer |Basic |\[REDACTED)("[^"]*"|'[^']*'|[^\s,;&"']+)/gi,
    '$1$2[REDACTED]',
  ],
  // well-known token formats (GitHub, Slack, AWS access keys, JWTs, Stripe)
  [
    /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[A-Z0-9]{16}|sk_(?:live|test)_[A-Za-z0-9]{16,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)/g,
    '[REDACTED]',
  ],
  // long opaque runs (base64/hex blobs) that are not identifiers a human would read
  [/\b[A-Za-z0-9+/_-]{40,}={0,2}/g, '[REDACTED]'],
]

/**
 * Scrubs secret-looking content from a piece of text: the given values, every secret value this
 * process has wrapped in a `Secret` recently, and the patterns above.
 */
export function scrubText(text: string, knownValues: readonly string[] = []): string {
  let out = text
  for (const known of [...knownValues, ...knownSecretValues()]) {
    if (known.length >= 4) out = out.split(known).join('[REDACTED]')
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}

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
])

/**
 * Returns a scrubbed copy of an error for use as `cause`: same class (so `instanceof` and `name` still
 * work), message and stack scrubbed, plain metadata fields (`code`, `$metadata`, `statusCode`, `$fault`)
 * kept, payload fields dropped. Nested causes are scrubbed too.
 */
export function scrubError(error: unknown, knownValues: readonly string[] = [], depth = 0): unknown {
  if (!(error instanceof Error)) {
    return typeof error === 'string'
      ? scrubText(error, knownValues)
      : error === undefined
        ? undefined
        : '[non-error value]'
  }
  if ((error as { __polysecretScrubbed?: boolean }).__polysecretScrubbed) return error
  const copy = Object.create(Object.getPrototypeOf(error)) as Error & Record<string, unknown>
  for (const field of Object.keys(error)) {
    if (DROPPED_FIELDS.has(field) || field === 'cause') continue
    const value = (error as unknown as Record<string, unknown>)[field]
    if (typeof value === 'string') copy[field] = scrubText(value, knownValues)
    else if (typeof value === 'number' || typeof value === 'boolean') copy[field] = value
    else if (field === '$metadata' && value && typeof value === 'object') copy[field] = value
  }
  Object.defineProperty(copy, 'name', {
    value: error.name,
    enumerable: false,
    writable: true,
    configurable: true,
  })
  Object.defineProperty(copy, 'message', {
    value: scrubText(error.message, knownValues),
    enumerable: false,
    writable: true,
    configurable: true,
  })
  Object.defineProperty(copy, 'stack', {
    value: error.stack ? scrubText(error.stack, knownValues) : undefined,
    enumerable: false,
    writable: true,
    configurable: true,
  })
  if (error.cause !== undefined && depth < 5) {
    Object.defineProperty(copy, 'cause', {
      value: scrubError(error.cause, knownValues, depth + 1),
      enumerable: false,
      writable: true,
      configurable: true,
    })
  }
  Object.defineProperty(copy, '__polysecretScrubbed', { value: true, enumerable: false })
  return copy
}

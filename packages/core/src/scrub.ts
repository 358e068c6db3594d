import { knownSecretValues, knownSecretValuesVersion } from './secret.js'

/**
 * Removes secret-looking content from text that is about to travel in an error (a store's error
 * message, a stack, a response body). Keys and provider names stay; values go. The patterns err on
 * the side of scrubbing: a scrubbed word in an error costs little, a leaked password costs a lot.
 *
 * Text scrubbing cannot remove a value it has never seen, so it is the second line of defence: errors
 * about secret keys do not keep a store's text at all (see `sealError` in scrub-error.ts).
 */

const REDACTED = '[REDACTED]'

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
    /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[A-Z0-9]{16}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)/g,
    REDACTED,
  ],
  // long opaque runs (base64/hex blobs) that are not identifiers a human would read
  [/\b[A-Za-z0-9+/_-]{40,}={0,2}/g, REDACTED],
]

/** Shortest prefix of a known value that counts as a quote of it (a store truncating the value). */
const MIN_PREFIX = 6

/**
 * The forms in which a value shows up in someone else's text: as is, JSON-escaped, URL-encoded,
 * base64 and base64url. Upper- and lower-cased forms are caught by matching case-insensitively.
 */
export function valueForms(value: string): string[] {
  const bytes = Buffer.from(value)
  const forms = new Set([
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    encodeURI(value),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
  ])
  return [...forms].filter((f) => f.length > 0)
}

/** Lower-cased forms of a set of values, found by their first six characters in one pass over a text. */
interface ValueIndex {
  readonly byHead: ReadonlyMap<string, readonly string[]>
  /** Forms shorter than six characters: quotes only where they stand as a word of their own. */
  readonly short: readonly string[]
}

function indexValues(values: readonly string[]): ValueIndex {
  const byHead = new Map<string, string[]>()
  const short: string[] = []
  for (const value of values) {
    for (const form of valueForms(value)) {
      const lower = form.toLowerCase()
      if (lower.length < MIN_PREFIX) short.push(lower)
      else {
        const head = lower.slice(0, MIN_PREFIX)
        byHead.set(head, [...(byHead.get(head) ?? []), lower])
      }
    }
  }
  return { byHead, short }
}

/** The index of the values `Secret` remembers, rebuilt only when they change. */
let remembered: { version: number; index: ValueIndex } | undefined
function rememberedIndex(): ValueIndex {
  const version = knownSecretValuesVersion()
  if (remembered?.version !== version) remembered = { version, index: indexValues(knownSecretValues()) }
  return remembered.index
}

const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c)

/** Spans of `text` that quote an indexed form (case-insensitively), in full or by a prefix of it. */
function quotedSpans(text: string, lower: string, index: ValueIndex, spans: [number, number][]): void {
  if (index.byHead.size > 0) {
    for (let at = 0; at + MIN_PREFIX <= lower.length; at++) {
      const forms = index.byHead.get(lower.slice(at, at + MIN_PREFIX))
      if (!forms) continue
      let longest = at + MIN_PREFIX
      for (const form of forms) {
        let end = at + MIN_PREFIX
        while (end < lower.length && end - at < form.length && lower[end] === form[end - at]) end++
        longest = Math.max(longest, end)
      }
      spans.push([at, longest])
    }
  }
  // A short value is only a quote when it stands alone: "PIN 123 rejected", not "HTTP/1.1 1234".
  for (const form of index.short) {
    for (let at = lower.indexOf(form); at >= 0; at = lower.indexOf(form, at + 1)) {
      const end = at + form.length
      if (!isWordChar(text[at - 1]) && !isWordChar(text[end])) spans.push([at, end])
    }
  }
}

/** Lower-cases text keeping every offset (a few characters lower-case to two code units: kept as they are). */
function foldCase(text: string): string {
  const lower = text.toLowerCase()
  if (lower.length === text.length) return lower
  let out = ''
  for (const c of text) {
    const l = c.toLowerCase()
    out += l.length === c.length ? l : c
  }
  return out
}

/** Replaces every quote of the values (any form, any case, or a prefix) with `[REDACTED]`. */
function removeValues(text: string, indexes: readonly ValueIndex[]): string {
  const spans: [number, number][] = []
  const lower = foldCase(text)
  for (const index of indexes) quotedSpans(text, lower, index, spans)
  if (spans.length === 0) return text
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1])
  let out = ''
  let cursor = 0
  for (const [start, end] of spans) {
    if (end <= cursor) continue
    out += text.slice(cursor, Math.max(start, cursor)) + (start >= cursor ? REDACTED : '')
    cursor = end
  }
  return out + text.slice(cursor)
}

/**
 * Scrubs secret-looking content from a piece of text: the given values, every secret value this
 * process has wrapped in a `Secret` recently, and the patterns above. A value is found in any case,
 * JSON-escaped, URL-encoded or base64-encoded, and by a prefix of six characters or more; a value
 * shorter than six characters only where it stands as a word of its own.
 */
export function scrubText(text: string, knownValues: readonly string[] = []): string {
  const given = knownValues.filter((v) => v.length > 0)
  const indexes = given.length ? [indexValues(given), rememberedIndex()] : [rememberedIndex()]
  let out = removeValues(text, indexes)
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}

/** Scrubs text and cuts it to at most `max` characters, so no payload travels whole in an error. */
export function scrubBounded(text: string, knownValues: readonly string[] = [], max = 300): string {
  const scrubbed = scrubText(text.length > max * 4 ? text.slice(0, max * 4) : text, knownValues)
  return scrubbed.length > max ? `${scrubbed.slice(0, max)}… [truncated]` : scrubbed
}

/** Whether text quotes any of the given values (any form, any case, or a prefix). */
export function quotesValue(text: string, values: readonly string[]): boolean {
  return removeValues(text, [indexValues(values.filter((v) => v.length > 0))]) !== text
}

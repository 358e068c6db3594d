import { ValidationError } from './errors.js'
import type { Kind } from './provider.js'

/**
 * Decides whether a key is a secret or a parameter.
 *
 * Precedence, first match wins (the `reason` of the result names the rule):
 * 1. `hint` passed by the caller (`get(key, { kind })`)               → `hint`
 * 2. per-key `overrides`, exact key or glob (`DB_*`)                  → `override:<pattern>`
 * 3. value heuristics, only when the value is known (writes, imports), only promote to secret
 *                                                                      → `value:<detector>`
 * 4. user `secretPatterns` / `parameterPatterns` (globs or RegExps)  → `pattern:<pattern>`
 * 5. defaults: a trailing parameter word (`URL`, `HOST`, `PORT` …)    → `default:parameter-suffix:<word>`
 *    `public` + `key`/`cert`                                           → `default:public-key`
 *    any secret word (`password`, `token`, `key` …)                    → `default:secret-word:<word>`
 *    otherwise                                                         → `default:no-secret-word`
 *
 * Matching is by word, not substring: keys are split on `_ - . /` and camelCase, so `monkey_count`
 * and `KEYCLOAK_URL` contain no secret word, while `apiKey` and `github.token` do.
 */
export interface ClassifyOptions {
  /** Exact keys or globs (`*`, `?`) mapped to a kind. Case-sensitive. Beats patterns and defaults. */
  overrides?: Record<string, Kind>
  /** Keys matching any of these (globs, case-insensitive, or RegExps) are secrets. */
  secretPatterns?: readonly (string | RegExp)[]
  /** Keys matching any of these are parameters. Checked after `secretPatterns`. */
  parameterPatterns?: readonly (string | RegExp)[]
  /** Use value heuristics when a value is known. @default true */
  valueHeuristics?: boolean
  /** Extra words that make a key a secret, added to the defaults. */
  secretWords?: readonly string[]
  /** Extra trailing words that make a key a parameter, added to the defaults. */
  parameterSuffixes?: readonly string[]
}

/** The outcome of classification and the rule that decided it. */
export interface Classification {
  readonly kind: Kind
  readonly reason: string
}

export const DEFAULT_SECRET_WORDS: readonly string[] = [
  'password',
  'passwd',
  'pass',
  'pwd',
  'passphrase',
  'passcode',
  'secret',
  'secrets',
  'token',
  'tokens',
  'key',
  'apikey',
  'privatekey',
  'credential',
  'credentials',
  'creds',
  'auth',
  'salt',
  'pepper',
  'pin',
  'otp',
  'signature',
  'connectionstring',
  'sas',
  'bearer',
  'hmac',
  'cookie',
]

export const DEFAULT_PARAMETER_SUFFIXES: readonly string[] = [
  'url',
  'uri',
  'host',
  'hostname',
  'port',
  'endpoint',
  'timeout',
  'region',
  'name',
  'id',
  'path',
  'file',
  'dir',
  'user',
  'username',
  'count',
  'size',
  'length',
  'ttl',
  'enabled',
  'mode',
  'type',
  'version',
  'format',
  'level',
  'domain',
  'arn',
  'expiry',
  'expires',
  'algorithm',
  'header',
  'prefix',
  'issuer',
  'audience',
  'scope',
  'location',
  'interval',
  'retries',
  'limit',
]

/** Value detectors: a value that looks like this is a secret whatever its key says. */
const VALUE_DETECTORS: ReadonlyArray<[string, RegExp]> = [
  ['pem-private-key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/],
  ['url-with-password', /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^@\s/]+@/i],
  ['github-token', /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b/],
  ['slack-token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ['aws-access-key-id', /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/],
  ['stripe-key', /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/],
  ['google-api-key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['npm-token', /\bnpm_[A-Za-z0-9]{36}\b/],
  ['jwt', /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/],
]

/** Splits a key into lower-case words on `_ - . /`, spaces and camelCase boundaries. */
export function splitWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-./:]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase())
}

function globToRegExp(glob: string, flags: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`, flags)
}

function toMatcher(pattern: string | RegExp, flags: string): [string, RegExp] {
  if (pattern instanceof RegExp) return [String(pattern), pattern]
  if (typeof pattern !== 'string' || pattern === '') {
    throw new ValidationError('Classification patterns must be non-empty strings or RegExps.')
  }
  return [pattern, globToRegExp(pattern, flags)]
}

/** Detects a value that is a secret by its shape; returns the detector name. */
export function detectSecretValue(value: string): string | undefined {
  for (const [name, pattern] of VALUE_DETECTORS) if (pattern.test(value)) return name
  return undefined
}

/** A classification function built from options; results for key-only calls are memoised. */
export type Classifier = (key: string, value?: string, hint?: Kind) => Classification

/** Builds a classifier. Options are validated eagerly. */
export function createClassifier(options: ClassifyOptions = {}): Classifier {
  const exactOverrides = new Map<string, Kind>()
  const globOverrides: [string, RegExp, Kind][] = []
  for (const [pattern, kind] of Object.entries(options.overrides ?? {})) {
    if (kind !== 'secret' && kind !== 'parameter') {
      throw new ValidationError(
        `Override "${pattern}" must map to "secret" or "parameter", got ${JSON.stringify(kind)}.`,
      )
    }
    if (/[*?]/.test(pattern)) globOverrides.push([pattern, globToRegExp(pattern, ''), kind])
    else exactOverrides.set(pattern, kind)
  }
  const patterns: [string, RegExp, Kind][] = [
    ...(options.secretPatterns ?? []).map((p) => [...toMatcher(p, 'i'), 'secret'] as [string, RegExp, Kind]),
    ...(options.parameterPatterns ?? []).map(
      (p) => [...toMatcher(p, 'i'), 'parameter'] as [string, RegExp, Kind],
    ),
  ]
  const secretWords = new Set([
    ...DEFAULT_SECRET_WORDS,
    ...(options.secretWords ?? []).map((w) => w.toLowerCase()),
  ])
  const parameterSuffixes = new Set([
    ...DEFAULT_PARAMETER_SUFFIXES,
    ...(options.parameterSuffixes ?? []).map((w) => w.toLowerCase()),
  ])
  const useValues = options.valueHeuristics !== false

  function byOverride(key: string): Classification | undefined {
    const exact = exactOverrides.get(key)
    if (exact) return { kind: exact, reason: `override:${key}` }
    for (const [name, re, kind] of globOverrides)
      if (re.test(key)) return { kind, reason: `override:${name}` }
    return undefined
  }

  function byPatternsAndDefaults(key: string): Classification {
    for (const [name, re, kind] of patterns) if (re.test(key)) return { kind, reason: `pattern:${name}` }
    const words = splitWords(key)
    const last = words[words.length - 1]
    if (last !== undefined && parameterSuffixes.has(last) && words.length > 1) {
      return { kind: 'parameter', reason: `default:parameter-suffix:${last}` }
    }
    if (words.includes('public') && (last === 'key' || last === 'cert' || last === 'certificate')) {
      return { kind: 'parameter', reason: 'default:public-key' }
    }
    for (const word of words)
      if (secretWords.has(word)) return { kind: 'secret', reason: `default:secret-word:${word}` }
    return { kind: 'parameter', reason: 'default:no-secret-word' }
  }

  // Classification runs on every uncached read; memoise the key-only answer (keys are a small set).
  const memo = new Map<string, Classification>()

  return function classify(key, value, hint) {
    if (hint === 'secret' || hint === 'parameter') return { kind: hint, reason: 'hint' }
    const override = byOverride(key)
    if (override) return override
    if (value !== undefined && useValues) {
      const detector = detectSecretValue(value)
      if (detector) return { kind: 'secret', reason: `value:${detector}` }
    }
    let result = memo.get(key)
    if (!result) {
      result = byPatternsAndDefaults(key)
      if (memo.size < 10_000) memo.set(key, result)
    }
    return result
  }
}

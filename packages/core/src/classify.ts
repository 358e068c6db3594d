import { ValidationError } from './errors.js'
import type { Kind } from './provider.js'
import { detectSecretValue } from './value-detectors.js'

export { detectSecretValue }

/**
 * Decides whether a key is a secret or a parameter.
 *
 * Precedence, first match wins (the `reason` of the result names the rule):
 * 1. `hint` passed by the caller (`get(key, { kind })`)               → `hint`
 * 2. per-key `overrides`, exact key or glob (`DB_*`)                  → `override:<pattern>`
 * 3. value heuristics, when the value is known (writes, and reads through the parameters chain);
 *    they only promote to secret                                      → `value:<detector>`
 * 4. user `secretPatterns` / `parameterPatterns` (globs or RegExps)  → `pattern:<pattern>`
 * 5. defaults: a trailing parameter word (`URL`, `HOST`, `PORT` …)    → `default:parameter-suffix:<word>`
 *    `public` + `key`/`cert`                                           → `default:public-key`
 *    any secret word (`password`, `token`, `key` …)                    → `default:secret-word:<word>`
 *    otherwise                                                         → `default:no-secret-word`
 *
 * Matching is by word, not substring: keys are split on every non-alphanumeric character (`_ - . / # :`)
 * and camelCase, trailing digits are dropped, and two adjacent words also count written together, so
 * `monkey_count` and `KEYCLOAK_URL` contain no secret word, while `apiKey`, `github.token`,
 * `app/db#password`, `DB_PASSWORD2` and `CONNECTION_STRING` do.
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
  // short forms and spellings people use
  'pw',
  'pswd',
  'passwords',
  'pgpassword',
  'pgpass',
  'cred',
  'apikeys',
  'privkey',
  'pat',
  'totp',
  'authorization',
  'keystore',
  'pfx',
  'connectionstrings',
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
  'ids',
  'names',
  'expiration',
  'lifetime',
  'seconds',
  'ms',
  'minutes',
  'hours',
  'days',
  'age',
  'policy',
  'pattern',
  'regex',
  'rounds',
  'bits',
  'provider',
  'method',
  'realm',
  'alias',
  'vault',
  'bucket',
  'table',
  'disabled',
  'required',
]

/** Splits a key into lower-case words on every character that is not a letter or digit (`_ - . / # :`,
 * spaces …) and on camelCase boundaries: `app/db#password` → `app db password`. */
export function splitWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => w.toLowerCase())
}

/**
 * The words classification looks at: trailing digits dropped (`PASSWORD2` → `password`, `TOKEN_2`
 * → `token`), words that are only digits left out, so a numbered key classifies like its base.
 */
export function keyWords(key: string): string[] {
  const words: string[] = []
  for (const word of splitWords(key)) {
    const base = word.replace(/\p{N}+$/u, '')
    if (base !== '') words.push(base)
  }
  return words
}

function globToRegExp(glob: string, flags: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`, flags)
}

function toMatcher(pattern: string | RegExp, flags: string): [string, RegExp] {
  if (pattern instanceof RegExp) {
    // A global or sticky RegExp keeps `lastIndex` between `test` calls, so the same key would match on
    // one call and not the next: match with a stateless copy.
    const stateless = /[gy]/.test(pattern.flags)
      ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
      : pattern
    return [String(pattern), stateless]
  }
  if (typeof pattern !== 'string' || pattern === '') {
    throw new ValidationError('Classification patterns must be non-empty strings or RegExps.')
  }
  return [pattern, globToRegExp(pattern, flags)]
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

  /** A trailing parameter word, or the last two words written together (`END_POINT`). */
  function parameterSuffix(words: readonly string[]): string | undefined {
    const last = words[words.length - 1]
    if (last !== undefined && words.length > 1 && parameterSuffixes.has(last)) return last
    const pair = words.length > 2 ? words[words.length - 2]! + last : undefined
    return pair !== undefined && parameterSuffixes.has(pair) ? pair : undefined
  }

  /** A secret word, else two adjacent words that make one (`CONNECTION_STRING`, `connectionString`). */
  function secretWord(words: readonly string[]): string | undefined {
    const single = words.find((w) => secretWords.has(w))
    if (single !== undefined) return single
    for (let i = 0; i + 1 < words.length; i++) {
      const pair = words[i]! + words[i + 1]
      if (secretWords.has(pair)) return pair
    }
    return undefined
  }

  function byPatternsAndDefaults(key: string): Classification {
    for (const [name, re, kind] of patterns) if (re.test(key)) return { kind, reason: `pattern:${name}` }
    const words = keyWords(key)
    const suffix = parameterSuffix(words)
    if (suffix !== undefined) return { kind: 'parameter', reason: `default:parameter-suffix:${suffix}` }
    const last = words[words.length - 1]
    if (words.includes('public') && (last === 'key' || last === 'cert' || last === 'certificate')) {
      return { kind: 'parameter', reason: 'default:public-key' }
    }
    const word = secretWord(words)
    if (word !== undefined) return { kind: 'secret', reason: `default:secret-word:${word}` }
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

/**
 * What an access event says when a read decided the kind from where or what it found rather than from
 * the key's name — so the user can classify the key explicitly. Names the key and the detector, never
 * the value.
 */
export function classificationWarning(key: string, reason: string): string | undefined {
  if (reason.startsWith('value:')) {
    return `"${key}" is named like a parameter but its value looks like a credential (${reason.slice(6)}), so it is served as a Secret. Classify it explicitly: classify.overrides { "${key}": "secret" } (or "parameter" if it is not one).`
  }
  if (reason === 'store:sensitive') {
    return `"${key}" is named like a parameter but its store says the value holds secret material (e.g. rendered secret references), so it is served as a Secret. Classify it explicitly: classify.overrides { "${key}": "secret" }.`
  }
  if (reason === 'found-in:secrets') {
    return `"${key}" is named like a parameter but only the secrets chain has it, so it is served as a Secret. Classify it explicitly: classify.overrides { "${key}": "secret" }, or read it with getSecret().`
  }
  return undefined
}

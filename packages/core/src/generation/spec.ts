/**
 * The generation spec: what to generate (named generators), how to render it into keys (templates),
 * and where to write it. Checked in full before anything is generated or written; every problem is
 * reported at once with its path, never with a value.
 */
import { readFile } from 'node:fs/promises'
import { ValidationError } from '../errors.js'
import { type GenerateSpec, type KeyPairType, SYNC_TYPES } from '../generate.js'
import { assertKey } from '../keys.js'
import { loadYaml } from '../lazy-modules.js'
import type { Kind } from '../provider.js'
import { parseTemplate, type TemplatePart } from './template.js'

/** A certificate's subject. At least `commonName` or `organization`. */
export interface CertificateSubject {
  readonly commonName?: string
  readonly organization?: string
  readonly organizationalUnit?: string
  readonly country?: string
  readonly state?: string
  readonly locality?: string
}

/** Where a certificate's issuer comes from: keys the manager reads, or another generator of the spec. */
export type CertificateAuthority =
  | { readonly cert: string; readonly key: string }
  | { readonly generator: string }

/** Fields a certificate and a CSR share. */
export interface CertificateRequestFields {
  readonly subject: CertificateSubject
  /** Subject alternative names: DNS names. */
  readonly dnsNames?: readonly string[]
  /** Subject alternative names: IP addresses. */
  readonly ipAddresses?: readonly string[]
  /** Subject alternative names: e-mail addresses. */
  readonly emails?: readonly string[]
  /** The new key's type. @default 'ec-p256' */
  readonly keyType?: KeyPairType
  /** RSA modulus size: 2048, 3072 or 4096. @default 2048 */
  readonly modulusLength?: number
}

/** An X.509 certificate with a new key: self-signed, or signed by `ca`. Outputs `cert`, `key`, `publicKey`, `ca`, `chain`. */
export interface CertificateGenerator extends CertificateRequestFields {
  readonly type: 'certificate'
  /** Validity from now. @default 365 */
  readonly days?: number
  /** Make a CA certificate (basicConstraints CA:TRUE, keyCertSign). @default false */
  readonly isCA?: boolean
  /** For a CA: how many intermediate CAs may follow it. */
  readonly pathLength?: number
  /** Extended key usages of a leaf certificate. @default ['server', 'client'] */
  readonly usages?: readonly ('server' | 'client')[]
  /** The issuer; without it the certificate is self-signed. */
  readonly ca?: CertificateAuthority
}

/** A PKCS#10 certificate signing request with a new key. Outputs `csr`, `key`, `publicKey`. */
export interface CsrGenerator extends CertificateRequestFields {
  readonly type: 'csr'
}

/** One generator of a spec. */
export type GeneratorSpec = GenerateSpec | CertificateGenerator | CsrGenerator

/** A key's template and how it is written. */
export interface KeyTemplateSpec {
  /** Text with `{{ .gen.NAME[.FIELD] | helper … }}` placeholders. */
  readonly template: string
  /** How the key is written. @default 'secret' */
  readonly kind?: Kind
}

/** A generation spec, as an object or parsed from YAML/JSON. */
export interface GenerationSpec {
  /** A name recorded in the keys' metadata (`polysecret:spec`). */
  readonly name?: string
  /** Named generators; each runs at most once per run, so every key rendering it sees the same value. */
  readonly generators: Readonly<Record<string, GeneratorSpec>>
  /** Keys to write, each a template (string) or `{ template, kind }`. */
  readonly keys: Readonly<Record<string, string | KeyTemplateSpec>>
  /** Provider names to write to; default: the first writable provider of each key's chain. */
  readonly to?: string | readonly string[]
  /** Regenerate and overwrite keys that exist. @default false */
  readonly overwrite?: boolean
  /** Alias of `overwrite`. */
  readonly force?: boolean
}

/** A key of a checked spec. */
export interface CheckedKey {
  readonly key: string
  readonly template: string
  readonly parts: readonly TemplatePart[]
  readonly kind: Kind
  /** Generators the template uses, with the CAs they are signed by. */
  readonly generators: readonly string[]
}

/** A spec after {@link checkSpec}: templates parsed, generator references resolved. */
export interface CheckedSpec {
  readonly name: string | undefined
  readonly generators: Readonly<Record<string, GeneratorSpec>>
  readonly keys: readonly CheckedKey[]
  readonly to: readonly string[] | undefined
  readonly overwrite: boolean
}

const GENERATOR_TYPES: readonly string[] = [...SYNC_TYPES, 'certificate', 'csr']
const SPEC_FIELDS = ['name', 'generators', 'keys', 'to', 'overwrite', 'force']
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Parses spec text: JSON when it starts with `{`, else YAML. */
export async function parseSpecText(text: string, source = 'spec'): Promise<unknown> {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text)
    } catch (error) {
      throw new ValidationError(`The generation ${source} is not valid JSON (${(error as Error).message}).`)
    }
  }
  const doc = (await loadYaml()).parseDocument(text, { prettyErrors: false })
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!
    throw new ValidationError(
      `The generation ${source} is not valid YAML (${first.code} at line ${first.linePos?.[0]?.line ?? '?'}).`,
    )
  }
  return doc.toJS()
}

/** Reads a spec file (`.json`, `.yaml`, `.yml`). */
export async function loadGenerationSpec(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new ValidationError(`Cannot read the generation spec file ${path}.`, {
      cause,
      hint: 'Check the path.',
    })
  }
  return parseSpecText(text, `spec file ${path}`)
}

/** Checks a spec and collects every problem; throws one `ValidationError` listing them all. */
export function checkSpec(input: unknown): CheckedSpec {
  const issues: string[] = []
  const issue = (path: string, message: string) => issues.push(`${message} → at ${path}`)
  if (!isObject(input))
    throw new ValidationError('A generation spec must be an object with "generators" and "keys".')
  for (const field of Object.keys(input))
    if (!SPEC_FIELDS.includes(field))
      issue(field, `unknown field "${field}" (valid: ${SPEC_FIELDS.join(', ')})`)
  if (
    input.name !== undefined &&
    (typeof input.name !== 'string' || input.name === '' || input.name.length > 128)
  )
    issue('name', 'must be a non-empty string of at most 128 characters')
  const generators = isObject(input.generators) ? input.generators : {}
  if (!isObject(input.generators)) issue('generators', 'must be an object of named generators')
  for (const [name, gen] of Object.entries(generators)) checkGenerator(name, gen, generators, issue)
  const to = checkTo(input.to, issue)
  for (const flag of ['overwrite', 'force'] as const)
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean') issue(flag, 'must be true or false')
  const keys: CheckedKey[] = []
  if (!isObject(input.keys) || Object.keys(input.keys).length === 0)
    issue('keys', 'must be an object with at least one key and its template')
  for (const [key, raw] of Object.entries(isObject(input.keys) ? input.keys : {})) {
    const checked = checkKey(key, raw, generators, issue)
    if (checked) keys.push(checked)
  }
  if (issues.length) {
    throw new ValidationError(`Invalid generation spec:\n${issues.map((i) => `  ✖ ${i}`).join('\n')}`, {
      hint: '\nFix the spec (see docs/generate.md).',
    })
  }
  return {
    name: input.name as string | undefined,
    generators: generators as Record<string, GeneratorSpec>,
    keys,
    to,
    overwrite: input.overwrite === true || input.force === true,
  }
}

type Issue = (path: string, message: string) => void

function checkTo(to: unknown, issue: Issue): string[] | undefined {
  if (to === undefined) return undefined
  const list = typeof to === 'string' ? [to] : to
  if (!Array.isArray(list) || list.length === 0 || list.some((n) => typeof n !== 'string' || n === '')) {
    issue('to', 'must be a provider name or a non-empty list of provider names')
    return undefined
  }
  return [...new Set(list as string[])]
}

function checkGenerator(name: string, gen: unknown, all: Record<string, unknown>, issue: Issue): void {
  const path = `generators.${name}`
  if (!/^[A-Za-z_][\w-]*$/.test(name))
    issue(path, 'a generator name is letters, digits, "_" and "-", starting with a letter')
  if (!isObject(gen) || typeof gen.type !== 'string' || !GENERATOR_TYPES.includes(gen.type)) {
    issue(`${path}.type`, `must be one of ${GENERATOR_TYPES.join(', ')}`)
    return
  }
  if (gen.type !== 'certificate' && gen.type !== 'csr') return // checked by generate() when it runs
  if (
    !isObject(gen.subject) ||
    (typeof gen.subject.commonName !== 'string' && typeof gen.subject.organization !== 'string')
  )
    issue(`${path}.subject`, 'needs at least commonName or organization')
  for (const list of ['dnsNames', 'ipAddresses', 'emails'] as const) {
    const v = gen[list]
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')))
      issue(`${path}.${list}`, 'must be a list of non-empty strings')
  }
  if (gen.type === 'csr') return
  if (
    gen.days !== undefined &&
    (!Number.isInteger(gen.days) || (gen.days as number) < 1 || (gen.days as number) > 36500)
  )
    issue(`${path}.days`, 'must be a whole number of days from 1 to 36500')
  if (gen.ca === undefined) return
  const ca = gen.ca
  if (isObject(ca) && typeof ca.generator === 'string') {
    const issuer = all[ca.generator]
    if (!isObject(issuer) || issuer.type !== 'certificate' || issuer.isCA !== true)
      issue(
        `${path}.ca.generator`,
        `"${ca.generator}" must name a certificate generator of this spec with isCA: true`,
      )
    else if (reachesItself(name, all))
      issue(`${path}.ca.generator`, 'certificates may not sign each other in a cycle')
  } else if (!isObject(ca) || typeof ca.cert !== 'string' || typeof ca.key !== 'string') {
    issue(`${path}.ca`, 'must be { cert: KEY, key: KEY } (keys the manager reads) or { generator: NAME }')
  }
}

/** Whether following `ca.generator` links from `start` comes back to it. */
function reachesItself(start: string, all: Record<string, unknown>): boolean {
  const seen = new Set<string>()
  let current: unknown = all[start]
  while (isObject(current) && isObject(current.ca) && typeof current.ca.generator === 'string') {
    const next = current.ca.generator
    if (next === start) return true
    if (seen.has(next)) return false
    seen.add(next)
    current = all[next]
  }
  return false
}

function checkKey(
  key: string,
  raw: unknown,
  generators: Record<string, unknown>,
  issue: Issue,
): CheckedKey | undefined {
  const path = `keys.${key}`
  try {
    assertKey(key)
  } catch (error) {
    issue(path, (error as Error).message)
    return undefined
  }
  if (key.includes('://'))
    issue(path, 'write to plain keys; choose stores with "to" instead of provider:// references')
  const spec = typeof raw === 'string' ? { template: raw } : raw
  if (!isObject(spec) || typeof spec.template !== 'string') {
    issue(path, 'must be a template string or { template, kind }')
    return undefined
  }
  if (spec.kind !== undefined && spec.kind !== 'secret' && spec.kind !== 'parameter')
    issue(`${path}.kind`, 'must be "secret" or "parameter"')
  const extra = Object.keys(spec).filter((f) => f !== 'template' && f !== 'kind')
  if (extra.length)
    issue(path, `unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (valid: template, kind)`)
  let parts: TemplatePart[]
  try {
    parts = parseTemplate(spec.template, generators)
  } catch (error) {
    issue(`${path}.template`, (error as Error).message)
    return undefined
  }
  const used = new Set<string>()
  for (const part of parts)
    if (part.type === 'expr' && part.ref) addWithIssuers(part.ref.generator, generators, used)
  return {
    key,
    template: spec.template,
    parts,
    kind: (spec.kind as Kind | undefined) ?? 'secret',
    generators: [...used].sort(),
  }
}

/** Adds a generator and the in-spec CAs that sign it: their values are part of what it produces. */
function addWithIssuers(name: string, generators: Record<string, unknown>, used: Set<string>): void {
  for (let current: string | undefined = name; current !== undefined && !used.has(current); ) {
    used.add(current)
    const gen: unknown = generators[current]
    current =
      isObject(gen) && isObject(gen.ca) && typeof gen.ca.generator === 'string' ? gen.ca.generator : undefined
  }
}

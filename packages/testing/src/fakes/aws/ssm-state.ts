import { createHash } from 'node:crypto'
import { AwsError, validationError } from './json-protocol.js'

/**
 * The data behind the SSM Parameter Store fake: parameters with numbered versions and labels, name
 * and selector rules (`/a/b`, `name:3`, `name:label`, ARNs), and the 100-version / 15-level limits.
 * Operations live in `ssm.ts`.
 */

/** The parameter types SSM knows. */
export type ParameterType = 'String' | 'StringList' | 'SecureString'
/** Parameter tiers. */
export type ParameterTier = 'Standard' | 'Advanced'

/** One version of a parameter. */
export interface ParameterVersion {
  readonly version: number
  readonly value: string
  readonly type: ParameterType
  readonly description?: string
  readonly allowedPattern?: string
  readonly keyId?: string
  readonly tier: ParameterTier
  readonly dataType: string
  labels: string[]
  /** Epoch ms. */
  readonly lastModifiedDate: number
}

/** One parameter: its versions, oldest first, and tags. */
export interface StoredParameter {
  readonly name: string
  readonly versions: ParameterVersion[]
  tags: { Key: string; Value: string }[]
}

/** How `seed()` describes one parameter: a String value, or the fields below. */
export type ParameterSeed =
  | string
  | {
      readonly value?: string
      /** Older values first; each becomes a version. Overrides `value`. */
      readonly values?: readonly string[]
      /** Default: `String`. */
      readonly type?: ParameterType
      readonly description?: string
      /** Labels to put on versions: `{ prod: 2 }`. */
      readonly labels?: Readonly<Record<string, number>>
    }

/** Versions SSM keeps per parameter. */
export const MAX_PARAMETER_VERSIONS = 100
/** Longest name PutParameter takes, counted with the ARN that precedes it. */
export const MAX_NAME_WITH_ARN = 1011
/** Levels a parameter hierarchy may have. */
export const MAX_HIERARCHY_LEVELS = 15

/** A name split from its `:version` / `:label` selector. */
export interface ParameterRef {
  readonly name: string
  readonly selector?: { readonly version: number } | { readonly label: string }
  /** The selector as AWS echoes it back (`:3`, `:prod`). */
  readonly selectorText?: string
}

const NAME_CHARS = /^[a-zA-Z0-9_.\-/]+$/

/** The in-memory Parameter Store. Exposed to tests as `fake.state`. */
export class SsmState {
  readonly #parameters = new Map<string, StoredParameter>()

  constructor(private readonly env: { now: () => number; region: string; accountId: string }) {}

  /** Current time of the fake (epoch ms). */
  now(): number {
    return this.env.now()
  }

  /** User recorded as LastModifiedUser. */
  get user(): string {
    return `arn:aws:iam::${this.env.accountId}:user/polysecret-fake`
  }

  /** The ARN of a parameter; names without a leading slash get one in the ARN. */
  arn(name: string): string {
    return `arn:aws:ssm:${this.env.region}:${this.env.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`
  }

  /** Every parameter, sorted by name. */
  all(): StoredParameter[] {
    return [...this.#parameters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** Parameter names, sorted. */
  names(): string[] {
    return this.all().map((p) => p.name)
  }

  /** A parameter by exact name. */
  get(name: string): StoredParameter | undefined {
    return this.#parameters.get(name)
  }

  /** The latest value of a parameter (or of the version a selector names); for test assertions. */
  value(nameWithSelector: string): string | undefined {
    const ref = this.parse(nameWithSelector)
    const param = this.get(ref.name)
    return param && this.resolve(param, ref)?.value
  }

  /**
   * What SSM does with a name before anything else: "The service removes any spaces specified for the
   * beginning or end of a parameter name. If the specified name for a parameter contains spaces between
   * characters, the request fails with a ValidationException error." (API reference, every Name member.)
   */
  normalize(name: string): string {
    const trimmed = name.replace(/^ +| +$/g, '')
    if (/\s/.test(trimmed)) {
      throw validationError(`Parameter name: can't contain spaces. Invalid name: ${trimmed}`)
    }
    return trimmed
  }

  /** Splits `name`, `name:3`, `name:label` or a parameter ARN into name and selector. */
  parse(input: string): ParameterRef {
    input = this.normalize(input)
    let rest = input
    const arnPrefix = /^arn:aws[a-z-]*:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(input)
    if (arnPrefix) {
      rest = arnPrefix[1]!
      // Only hierarchical names keep their slash; `parameter/foo` names the parameter `foo`.
      const [bare] = rest.split(':')
      if (!this.#parameters.has(bare!) && this.#parameters.has(bare!.slice(1))) rest = rest.slice(1)
    }
    const parts = rest.split(':')
    if (parts.length > 2) throw validationError(`Invalid parameter name or selector: ${input}`)
    const [name, sel] = parts as [string, string | undefined]
    if (sel === undefined) return { name }
    if (sel === '') throw validationError(`Invalid parameter selector: ${input}`)
    const selectorText = `:${sel}`
    return /^\d+$/.test(sel)
      ? { name, selector: { version: Number(sel) }, selectorText }
      : { name, selector: { label: sel }, selectorText }
  }

  /** The version a reference names: latest, `:version` or `:label`. Undefined when absent. */
  resolve(param: StoredParameter, ref: ParameterRef): ParameterVersion | undefined {
    const sel = ref.selector
    if (!sel) return param.versions[param.versions.length - 1]
    if ('version' in sel) return param.versions.find((v) => v.version === sel.version)
    return param.versions.find((v) => v.labels.includes(sel.label))
  }

  /** Validates a name for PutParameter the way SSM does. */
  checkName(name: string): void {
    const pathRule =
      'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_'
    if (name.length < 1 || !NAME_CHARS.test(name) || name.includes('//')) {
      throw validationError(pathRule)
    }
    // "The maximum length for a parameter name that you specify is 1011 characters. This count of 1011
    // characters includes the characters in the ARN that precede the name" (PutParameter, Name).
    if (this.arn(name).length > MAX_NAME_WITH_ARN) {
      throw validationError(
        `Parameter name: can't be longer than ${MAX_NAME_WITH_ARN} characters, including the ARN that precedes it (${this.arn('').length} characters here).`,
      )
    }
    if (name.includes('/') && !name.startsWith('/')) {
      throw validationError('Parameter name must be a fully qualified name.')
    }
    const first = (name.startsWith('/') ? name.slice(1) : name).toLowerCase()
    if (first.startsWith('aws') || first.startsWith('ssm')) {
      const isPath = name.split('/').length > 2
      if (isPath && first.startsWith('aws'))
        throw new AwsError('AccessDeniedException', `No access to reserved parameter name: ${name}.`)
      throw validationError(
        isPath ? pathRule : 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
      )
    }
    if (name.split('/').filter(Boolean).length > MAX_HIERARCHY_LEVELS) {
      throw new AwsError(
        'HierarchyLevelLimitExceededException',
        `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels. Reduce the levels in the hierarchy and try again.`,
      )
    }
  }

  /**
   * Appends a version. At {@link MAX_PARAMETER_VERSIONS} the oldest is dropped — unless it carries a
   * label, which SSM refuses with ParameterMaxVersionLimitExceeded.
   */
  addVersion(
    name: string,
    fields: Omit<ParameterVersion, 'version' | 'labels' | 'lastModifiedDate'>,
    tags?: StoredParameter['tags'],
  ): ParameterVersion {
    let param = this.#parameters.get(name)
    if (!param) {
      param = { name, versions: [], tags: tags ? [...tags] : [] }
      this.#parameters.set(name, param)
    }
    const oldest = param.versions[0]
    if (param.versions.length >= MAX_PARAMETER_VERSIONS && oldest) {
      if (oldest.labels.length > 0) {
        throw new AwsError(
          'ParameterMaxVersionLimitExceeded',
          `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
        )
      }
      param.versions.shift()
    }
    const latest = param.versions[param.versions.length - 1]
    const version: ParameterVersion = {
      ...fields,
      version: (latest?.version ?? 0) + 1,
      labels: [],
      lastModifiedDate: this.now(),
    }
    param.versions.push(version)
    return version
  }

  /** Removes a parameter. */
  delete(name: string): boolean {
    return this.#parameters.delete(name)
  }

  /** Forgets every parameter. */
  clear(): void {
    this.#parameters.clear()
  }

  /** Arranges parameters without going through the API (see {@link ParameterSeed}). Replaces same-named ones. */
  seed(parameters: Readonly<Record<string, ParameterSeed>>): void {
    for (const [name, seed] of Object.entries(parameters)) {
      const fields = typeof seed === 'string' ? { value: seed } : seed
      this.#parameters.delete(name)
      const type = fields.type ?? 'String'
      for (const value of fields.values ?? (fields.value !== undefined ? [fields.value] : [])) {
        this.addVersion(name, {
          value,
          type,
          tier: value.length > 4096 ? 'Advanced' : 'Standard',
          dataType: 'text',
          ...(fields.description !== undefined && { description: fields.description }),
          ...(type === 'SecureString' && { keyId: 'alias/aws/ssm' }),
        })
      }
      for (const [label, version] of Object.entries(fields.labels ?? {})) {
        const v = this.#parameters.get(name)?.versions.find((x) => x.version === version)
        if (!v) throw new Error(`seed: parameter ${name} has no version ${version} to label "${label}"`)
        v.labels.push(label)
      }
    }
  }
}

/**
 * What GetParameter returns for a SecureString read without decryption: an opaque, stable,
 * KMS-looking blob, so a test notices when code forgot `WithDecryption: true`.
 */
export function fakeCiphertext(name: string, version: number, value: string): string {
  const digest = createHash('sha256').update(`${name}\0${version}\0${value}`).digest()
  // Real KMS ciphertext blobs start with these bytes (base64 "AQICAH…").
  return Buffer.concat([Buffer.from([1, 2, 2, 0, 120]), digest, digest]).toString('base64')
}

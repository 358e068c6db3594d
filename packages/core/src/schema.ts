import type { StandardSchemaV1 } from '@standard-schema/spec'
import {
  type ConfigIssue,
  ConfigValidationError,
  NotFoundError,
  type PolysecretError,
  ValidationError,
} from './errors.js'
import { maskSecrets } from './masked-config.js'
import type { ReadResult } from './read-record.js'
import { quotesValue, scrubBounded } from './scrub.js'
import { safeErrorName, sealError } from './scrub-error.js'
import { Secret } from './secret.js'

/** Any Standard Schema (zod 4, valibot, arktype …). */
export type AnySchema = StandardSchemaV1<any, any>

/** The typed result of `load(schema)`: exactly the schema's output type. */
export type Infer<S extends AnySchema> = StandardSchemaV1.InferOutput<S>

/**
 * The top-level keys of an object schema. Standard Schema has no introspection, so this reads the
 * shape the big libraries expose: zod (`shape`), valibot (`entries`), arktype (`props` / `json`), and
 * JSON Schema (`properties`, e.g. from Standard JSON Schema).
 */
export function objectKeys(schema: unknown): string[] {
  if (
    !schema ||
    (typeof schema !== 'object' && typeof schema !== 'function') ||
    !('~standard' in (schema as object))
  ) {
    throw new ValidationError(
      'load() needs a Standard Schema object schema (zod, valibot, arktype …), got something else.',
      {
        hint: 'Pass e.g. z.object({ DB_HOST: z.string() }).',
      },
    )
  }
  const s = schema as Record<string, any>
  const candidates = [s.shape, s.entries, s.props, s.json?.properties, s.properties]
  for (const shape of candidates) {
    if (shape && typeof shape === 'object' && !Array.isArray(shape)) {
      const keys = Array.isArray(s.props) ? s.props.map((p: { key: string }) => p.key) : Object.keys(shape)
      if (keys.length) return keys
    }
  }
  if (Array.isArray(s.props)) return s.props.map((p: { key: string }) => p.key)
  const jsonSchema = s['~standard']?.jsonSchema?.input?.({ target: 'draft-2020-12' })
  if (jsonSchema?.properties) return Object.keys(jsonSchema.properties)
  throw new ValidationError('load() needs an object schema: its top-level keys are the keys to read.', {
    hint: 'Wrap the fields in an object schema, e.g. z.object({ ... }) or v.object({ ... }).',
  })
}

/** Candidate inputs for one value, tried in order until the schema accepts one. */
function candidates(read: ReadResult | undefined): unknown[] {
  if (!read) return [undefined]
  const text = read.value instanceof Secret ? read.value.reveal() : read.value
  const out: unknown[] = read.value instanceof Secret ? [read.value, text] : [text]
  const trimmed = text.trim()
  if (trimmed !== '' && !Number.isNaN(Number(trimmed))) out.push(Number(trimmed))
  const lower = trimmed.toLowerCase()
  if (['true', 'yes', 'on', '1'].includes(lower)) out.push(true)
  if (['false', 'no', 'off', '0'].includes(lower)) out.push(false)
  if (/^[[{"]/.test(trimmed)) {
    try {
      out.push(JSON.parse(trimmed))
    } catch {
      // not JSON; the schema will say what it expected
    }
  }
  if (read.value instanceof Secret)
    return out.map((v, i) => (i > 1 && typeof v === 'string' ? new Secret(v) : v))
  return out
}

/**
 * Validates values read through the manager against a schema. Coerces per key: a secret is offered as
 * a `Secret` first (so schemas that accept it keep it wrapped), then as a string, then as a number,
 * boolean or parsed JSON, until the schema accepts one. Every problem is reported at once, and no
 * value reaches the error (see {@link toIssues}). The result prints its secret fields masked.
 */
export async function validateAll<S extends AnySchema>(
  schema: S,
  keys: readonly string[],
  reads: ReadonlyMap<string, ReadResult>,
  failures: ReadonlyMap<string, PolysecretError>,
): Promise<Infer<S>> {
  const options = new Map(keys.map((k) => [k, candidates(reads.get(k))]))
  const choice = new Map(keys.map((k) => [k, 0]))
  const secretKeys = keys.filter((k) => reads.get(k)?.kind === 'secret')
  const known = secretKeys.map((k) => textOf(reads.get(k)!))
  const build = () =>
    Object.fromEntries(
      keys.flatMap((k) => {
        const v = options.get(k)![choice.get(k)!]
        return v === undefined ? [] : [[k, v]]
      }),
    )
  for (;;) {
    const outcome = await validateOnce(schema, build(), known)
    if (!outcome.issues) return maskSecrets(outcome.value as Infer<S>, secretKeys)
    let advanced = false
    const failing = new Set(outcome.issues.map((i) => String(pathKey(i.path?.[0]) ?? '')))
    for (const key of failing) {
      const next = (choice.get(key) ?? 0) + 1
      if (options.has(key) && next < options.get(key)!.length) {
        choice.set(key, next)
        advanced = true
      }
    }
    if (!advanced) throw new ConfigValidationError(toIssues(outcome.issues, reads, failures, known))
  }
}

const textOf = (read: ReadResult) => (read.value instanceof Secret ? read.value.reveal() : read.value)

/**
 * One validation. A schema that throws (an exception inside a `.transform`, which may carry the value
 * it was given) becomes a `ConfigValidationError` whose cause is sealed: its class survives, its
 * message does not.
 */
async function validateOnce(
  schema: AnySchema,
  input: Record<string, unknown>,
  known: readonly string[],
): Promise<StandardSchemaV1.Result<unknown>> {
  try {
    return await schema['~standard'].validate(input)
  } catch (error) {
    const name = safeErrorName(error, known)
    throw new ConfigValidationError(
      [
        {
          key: '(schema)',
          path: [],
          rule: 'exception',
          message: `the schema threw ${name} while validating (a transform or refinement failed); its message is not shown because it may quote a value`,
        },
      ],
      { cause: sealError(error, known) },
    )
  }
}

function pathKey(segment: PropertyKey | StandardSchemaV1.PathSegment | undefined): PropertyKey | undefined {
  return segment !== null && typeof segment === 'object' ? segment.key : segment
}

/**
 * Turns a schema's issues into ConfigIssues. An issue of a secret key keeps only the rule that failed
 * and what the rule expects — never the schema's message, which may quote the value (valibot's
 * defaults do; a custom refine may), nor anything that quotes it. Other issues keep their message,
 * scrubbed of every secret value read.
 */
function toIssues(
  issues: readonly StandardSchemaV1.Issue[],
  reads: ReadonlyMap<string, ReadResult>,
  failures: ReadonlyMap<string, PolysecretError>,
  known: readonly string[],
): ConfigIssue[] {
  return issues.map((issue) => {
    const path = (issue.path ?? []).map((p) => pathKey(p) as string | number)
    const key = String(path[0] ?? '(root)')
    const failure = failures.get(key)
    const read = reads.get(key)
    const rule = ruleOf(issue)
    let message =
      read?.kind === 'secret'
        ? secretIssueMessage(issue, rule, [textOf(read), ...known])
        : scrubBounded(issue.message, known, 500)
    if (failure instanceof NotFoundError) message = `${message} — not found (tried ${triedNames(failure)})`
    else if (failure)
      message = `${message} — ${failure.code}: could not be read (tried ${triedNames(failure)})`
    return { key, path, message, rule, provider: read?.provider ?? failure?.provider }
  })
}

type LibraryIssue = StandardSchemaV1.Issue & Record<string, unknown>

/** The failed rule's name: zod's and arktype's `code`, valibot's `type`. */
function ruleOf(issue: StandardSchemaV1.Issue): string | undefined {
  const { code, type } = issue as LibraryIssue
  const rule = typeof code === 'string' ? code : typeof type === 'string' ? type : undefined
  return rule !== undefined && /^[\w.-]{1,64}$/.test(rule) ? rule : undefined
}

/** What the rule expects, from the schema (never the input); dropped if it quotes the value anyway. */
function expectationOf(issue: StandardSchemaV1.Issue, values: readonly string[]): string | undefined {
  const i = issue as LibraryIssue
  const raw =
    typeof i.expected === 'string'
      ? i.expected
      : typeof i.description === 'string'
        ? i.description
        : typeof i.minimum === 'number' || typeof i.minimum === 'bigint'
          ? `${i.inclusive === false ? '>' : '>='}${i.minimum}`
          : typeof i.maximum === 'number' || typeof i.maximum === 'bigint'
            ? `${i.inclusive === false ? '<' : '<='}${i.maximum}`
            : undefined
  if (raw === undefined || raw.length > 80 || quotesValue(raw, values)) return undefined
  return raw
}

function secretIssueMessage(
  issue: StandardSchemaV1.Issue,
  rule: string | undefined,
  values: string[],
): string {
  const expected = expectationOf(issue, values)
  const what = rule ? `failed "${rule}"` : 'invalid'
  return `${what}${expected ? `, expected ${expected}` : ''} (value not shown: a secret)`
}

function triedNames(error: PolysecretError): string {
  return error.tried.length ? error.tried.map((t) => t.provider).join(', ') : 'no provider'
}

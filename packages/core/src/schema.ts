import type { StandardSchemaV1 } from '@standard-schema/spec'
import {
  type ConfigIssue,
  ConfigValidationError,
  NotFoundError,
  type PolysecretError,
  ValidationError,
} from './errors.js'
import type { ReadResult } from './read-engine.js'
import { scrubText } from './scrub.js'
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
 * boolean or parsed JSON, until the schema accepts one. Every problem is reported at once; messages
 * are scrubbed of the values read, so no value reaches the error.
 */
export async function validateAll<S extends AnySchema>(
  schema: S,
  keys: readonly string[],
  reads: ReadonlyMap<string, ReadResult>,
  failures: ReadonlyMap<string, PolysecretError>,
): Promise<Infer<S>> {
  const options = new Map(keys.map((k) => [k, candidates(reads.get(k))]))
  const choice = new Map(keys.map((k) => [k, 0]))
  const known = [...reads.values()].flatMap((r) => (r.value instanceof Secret ? [r.value.reveal()] : []))
  const build = () =>
    Object.fromEntries(
      keys.flatMap((k) => {
        const v = options.get(k)![choice.get(k)!]
        return v === undefined ? [] : [[k, v]]
      }),
    )
  for (;;) {
    const outcome = await schema['~standard'].validate(build())
    if (!outcome.issues) return outcome.value as Infer<S>
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

function pathKey(segment: PropertyKey | StandardSchemaV1.PathSegment | undefined): PropertyKey | undefined {
  return segment !== null && typeof segment === 'object' ? segment.key : segment
}

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
    let message = scrubText(issue.message, known)
    if (failure instanceof NotFoundError) message = `${message} — not found (tried ${triedNames(failure)})`
    else if (failure)
      message = `${message} — ${failure.code}: could not be read (tried ${triedNames(failure)})`
    return { key, path, message, provider: read?.provider ?? failure?.provider }
  })
}

function triedNames(error: PolysecretError): string {
  return error.tried.length ? error.tried.map((t) => t.provider).join(', ') : 'no provider'
}

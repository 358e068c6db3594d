import { type Entry, IntegrityError, ValidationError } from '@polysecret/core'
import { lastSegment, toDate } from './call.js'
import type { IdRef } from './key-mapping.js'

/** Parameter Manager's payload limit: "The maximum size of a parameter version payload is 1 MiB". */
export const MAX_PARAMETER_BYTES = 1024 * 1024

/** The formats a parameter can have; only JSON and YAML parameters render secret references. */
export type ParameterFormat = 'UNFORMATTED' | 'JSON' | 'YAML'

/** A secret reference in a JSON or YAML parameter: `__REF__(//secretmanager.googleapis.com/…)`. */
const SECRET_REFERENCE = '__REF__('

/** The bytes of a payload field, over gRPC (bytes) or REST (base64 text). */
export function bytesOf(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data
  if (typeof data === 'string') return Buffer.from(data, 'base64')
  return undefined
}

/** What a read fetched: the version, its (rendered or raw) bytes and whether references were resolved. */
export interface FetchedVersion {
  readonly name: string
  readonly data: Uint8Array
  readonly createdAt?: unknown
  /** The stored payload, when rendering replaced `__REF__(…)` references in it with secret values. */
  readonly rawWithReferences?: Uint8Array | undefined
}

/** Whether a raw payload holds secret references. */
export function hasSecretReferences(raw: Uint8Array | undefined): boolean {
  return raw !== undefined && Buffer.from(raw).includes(SECRET_REFERENCE)
}

/**
 * Turns a fetched parameter version into an Entry: checks size, decodes UTF-8 and selects the field
 * path of `name#a.b` (JSON, else YAML). Failures name the key and provider, never the payload.
 */
export async function versionToEntry(
  v: FetchedVersion,
  ref: IdRef,
  provider: string,
): Promise<Entry | undefined> {
  if (v.data.length > MAX_PARAMETER_BYTES) {
    throw new IntegrityError({
      key: ref.key,
      provider,
      message: `The store returned ${v.data.length} bytes for key "${ref.key}", more than Parameter Manager's 1 MiB limit (provider "${provider}").`,
      hint: 'The endpoint is not behaving like Parameter Manager: check apiEndpoint / clientOptions.',
    })
  }
  let value: string | Uint8Array
  try {
    value = new TextDecoder('utf-8', { fatal: true }).decode(v.data)
  } catch {
    value = new Uint8Array(v.data)
  }
  // Rendered secret references make the value secret material, whatever the key is called: the
  // selected field when it (or something inside it) was a reference, the whole value otherwise.
  let sensitive = v.rawWithReferences !== undefined
  if (ref.field !== undefined) {
    if (typeof value !== 'string') throw notStructured(ref, provider)
    const selected = await selectPath(value, ref, provider)
    if (selected === undefined) return undefined
    value = selected
    if (v.rawWithReferences !== undefined) {
      const raw = await selectPath(Buffer.from(v.rawWithReferences).toString('utf8'), ref, provider).catch(
        () => undefined,
      )
      sensitive = raw === undefined || raw.includes(SECRET_REFERENCE)
    }
  }
  const version = lastSegment(v.name)
  const updatedAt = toDate(v.createdAt)
  return {
    value,
    ...(version !== undefined && { version }),
    ...(updatedAt !== undefined && { updatedAt }),
    labels: [],
    metadata: {
      name: v.name,
      ...(typeof value !== 'string' && { encoding: 'binary' }),
      ...(v.rawWithReferences !== undefined && { secretReferences: 'resolved' }),
    },
    ...(sensitive && { sensitive: true }),
  }
}

/** Selects `a.b.c` of a JSON or YAML document: strings as-is, anything else as JSON; missing → undefined. */
async function selectPath(text: string, ref: IdRef, provider: string): Promise<string | undefined> {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    try {
      const { parse } = await import('yaml')
      doc = parse(text, { maxAliasCount: 100 })
    } catch {
      throw notStructured(ref, provider)
    }
  }
  let node: unknown = doc
  for (const part of (ref.field as string).split('.')) {
    if (node === null || typeof node !== 'object') {
      if (node === doc) throw notStructured(ref, provider)
      return undefined
    }
    const record = node as Record<string, unknown>
    if (!Object.hasOwn(record, part)) return undefined
    node = record[part]
  }
  if (node === undefined) return undefined
  return typeof node === 'string' ? node : JSON.stringify(node)
}

function notStructured(ref: IdRef, provider: string): ValidationError {
  return new ValidationError(
    `The value of key "${ref.key}" is not a JSON or YAML object, so field "${ref.field}" cannot be selected (provider "${provider}").`,
    {
      key: ref.key,
      provider,
      hint: 'Read the key without "#field", or give the parameter the JSON or YAML format.',
    },
  )
}

/** The bytes to store for a value, refusing more than Parameter Manager accepts before any call. */
export function parameterBytes(value: string | Uint8Array, key: string, provider: string): Uint8Array {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new ValidationError(
      `The value for key "${key}" must be a string or bytes (provider "${provider}").`,
      {
        key,
        provider,
      },
    )
  }
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  if (data.length > MAX_PARAMETER_BYTES) {
    throw new ValidationError(
      `The value for key "${key}" is ${data.length} bytes; Parameter Manager stores at most 1 MiB per version (provider "${provider}").`,
      { key, provider },
    )
  }
  return data
}

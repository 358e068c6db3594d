import { type Entry, selectJsonField, splitFieldKey } from '@polysecret/core'
import { checkShape, type FieldType } from './response-shape.js'

/** A key as Secrets Manager sees it: the secret name, and the JSON field after `#`, if any. */
export interface SecretRef {
  readonly key: string
  readonly secretId: string
  readonly field: string | undefined
}

/** The fields of GetSecretValue / BatchGetSecretValue results this package reads. */
export interface SecretPayload {
  ARN?: string | undefined
  Name?: string | undefined
  VersionId?: string | undefined
  SecretString?: string | undefined
  SecretBinary?: Uint8Array | undefined
  VersionStages?: string[] | undefined
  CreatedDate?: Date | undefined
}

const SECRET_FIELDS: Readonly<Record<string, FieldType>> = {
  ARN: 'text',
  Name: 'text',
  VersionId: 'text',
  SecretString: 'text',
  SecretBinary: 'bytes',
  VersionStages: 'labels',
  CreatedDate: 'date',
}

/** Splits `name#field` (core's `splitFieldKey`) and prepends the provider prefix to the secret name. */
export function parseSecretKey(key: string, prefix: string, provider: string): SecretRef {
  const { name, field } = splitFieldKey(key, provider)
  return { key, secretId: `${prefix}${name}`, field }
}

/**
 * Turns a secret payload into an Entry; with a field, selects that field of the JSON object (strings
 * as-is, anything else JSON-stringified; a missing field is `undefined`).
 */
export function payloadToEntry(out: SecretPayload, ref: SecretRef, provider: string): Entry | undefined {
  checkShape(out, SECRET_FIELDS, {
    service: 'Secrets Manager',
    subject: `key "${ref.key}"`,
    key: ref.key,
    provider,
  })
  let value: string | Uint8Array | undefined =
    out.SecretString ?? (out.SecretBinary !== undefined ? new Uint8Array(out.SecretBinary) : undefined)
  if (value === undefined) return undefined
  if (ref.field !== undefined) {
    const selected = selectField(value, ref, provider)
    if (selected === undefined) return undefined
    value = selected
  }
  const metadata: Record<string, string> = {}
  if (out.Name !== undefined) metadata.name = out.Name
  if (out.ARN !== undefined) metadata.arn = out.ARN
  if (out.SecretBinary !== undefined && out.SecretString === undefined) metadata.encoding = 'binary'
  return {
    value,
    ...(out.VersionId !== undefined && { version: out.VersionId }),
    ...(out.CreatedDate !== undefined && { updatedAt: out.CreatedDate }),
    labels: out.VersionStages ?? [],
    metadata,
  }
}

function selectField(value: string | Uint8Array, ref: SecretRef, provider: string): string | undefined {
  const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8')
  return selectJsonField(text, ref.field as string, ref.key, provider)
}

/** The version id carrying AWSCURRENT in a `VersionIdsToStages` map. */
export function currentVersionId(stages: Record<string, string[]> | undefined): string | undefined {
  for (const [id, labels] of Object.entries(stages ?? {})) if (labels.includes('AWSCURRENT')) return id
  return undefined
}

/** Whether an error says the secret is scheduled for deletion (AWS answers InvalidRequestException). */
export function isScheduledForDeletion(error: unknown): boolean {
  const e = error as { name?: string; message?: string } | undefined
  return e?.name === 'InvalidRequestException' && /(marked|scheduled) for deletion/i.test(e.message ?? '')
}

/**
 * Whether an error says the VersionId exists but does not carry the requested VersionStage: AWS answers
 * InvalidRequestException, and to a reader asking for "version X with label L" that pair does not exist.
 */
export function isStageMismatch(error: unknown): boolean {
  const e = error as { name?: string; message?: string } | undefined
  return e?.name === 'InvalidRequestException' && /VersionStage that is not associated/i.test(e.message ?? '')
}

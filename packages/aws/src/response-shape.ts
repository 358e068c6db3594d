import { ValidationError } from '@polysecret/core'

/** What a field of an AWS answer must hold. */
export type FieldType = 'text' | 'number' | 'bytes' | 'labels' | 'date' | 'record'

const CHECKS: Record<FieldType, (value: unknown) => boolean> = {
  text: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  bytes: (v) => v instanceof Uint8Array,
  labels: (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'),
  date: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
  record: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
}

const DESCRIBE: Record<FieldType, string> = {
  text: 'text',
  number: 'a number',
  bytes: 'bytes',
  labels: 'a list of labels',
  date: 'a date',
  record: 'an object',
}

function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Date) return 'an invalid date'
  return `a ${typeof value}`
}

/**
 * Refuses an answer whose fields have the wrong JSON types. The SDK's deserializer passes types through
 * as they came (`"SecretString": 0` arrives as the number 0), so an endpoint that is not the real
 * service — a proxy, a misconfigured emulator — could otherwise hand a number or an object to the
 * manager as a value. The error names the field and its type, never its content.
 */
export function checkShape(
  answer: object,
  fields: Readonly<Record<string, FieldType>>,
  where: { service: string; subject: string; key?: string | undefined; provider?: string | undefined },
): void {
  for (const [field, type] of Object.entries(fields)) {
    const value = (answer as Record<string, unknown>)[field]
    if (value === undefined || CHECKS[type](value)) continue
    throw new ValidationError(
      `${where.service} answered with an unexpected shape for ${where.subject}: ${field} is ${jsonType(value)}, not ${DESCRIBE[type]}${where.provider ? ` (provider "${where.provider}")` : ''}.`,
      {
        key: where.key,
        provider: where.provider,
        hint: `Check that the endpoint is ${where.service} (or a faithful emulator).`,
      },
    )
  }
}

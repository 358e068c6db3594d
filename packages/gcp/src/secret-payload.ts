import { type Entry, IntegrityError, selectJsonField, ValidationError } from '@polysecret/core'
import { lastSegment } from './call.js'
import { crc32c } from './crc32c.js'
import type { IdRef } from './key-mapping.js'

/** Secret Manager's payload limit: "The maximum size of a secret version payload is 64 KiB". */
export const MAX_SECRET_BYTES = 64 * 1024

/** The fields of an AccessSecretVersionResponse this package reads (gRPC and REST shapes). */
export interface AccessResponse {
  name?: string | null
  payload?: { data?: Uint8Array | string | null; dataCrc32c?: unknown } | null
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Turns an AccessSecretVersion answer into an Entry: checks its shape, size and `data_crc32c`, decodes
 * UTF-8 text (bytes that are not UTF-8 stay bytes, marked `encoding: 'binary'`) and selects the JSON
 * field of `name#field`. Every failure names the key and provider, never the payload.
 */
export function accessToEntry(out: AccessResponse, ref: IdRef, provider: string): Entry | undefined {
  const data = payloadBytes(out, ref, provider)
  if (data.length > MAX_SECRET_BYTES) {
    throw new IntegrityError({
      key: ref.key,
      provider,
      message: `The store returned ${data.length} bytes for key "${ref.key}", more than Secret Manager's 64 KiB limit (provider "${provider}").`,
      hint: 'The endpoint is not behaving like Secret Manager: check apiEndpoint / clientOptions.',
    })
  }
  const expected = out.payload?.dataCrc32c
  if (expected !== undefined && expected !== null && String(expected) !== '' && String(expected) !== '0') {
    if (BigInt(String(expected)) !== BigInt(crc32c(data))) {
      throw new IntegrityError({
        key: ref.key,
        provider,
        message: `The payload of key "${ref.key}" does not match its data_crc32c checksum (provider "${provider}").`,
        hint: 'The value was corrupted in transit or by a proxy; the read is refused rather than returning wrong data. Retry, and check what sits between you and the store.',
      })
    }
  }
  let value: string | Uint8Array
  let binary = false
  try {
    value = utf8.decode(data)
  } catch {
    value = new Uint8Array(data) // a plain copy, not a view into the client's (possibly pooled) buffer
    binary = true
  }
  if (ref.field !== undefined) {
    const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8')
    const selected = selectJsonField(text, ref.field, ref.key, provider)
    if (selected === undefined) return undefined
    value = selected
    binary = false
  }
  const version = lastSegment(out.name)
  return {
    value,
    ...(version !== undefined && { version }),
    labels: [],
    metadata: { ...(out.name ? { name: out.name } : {}), ...(binary ? { encoding: 'binary' } : {}) },
  }
}

function payloadBytes(out: AccessResponse, ref: IdRef, provider: string): Uint8Array {
  const data = out?.payload?.data
  if (data instanceof Uint8Array) return data
  // REST answers carry bytes as base64 text; an absent field is an empty payload (proto3 default).
  if (typeof data === 'string') return Buffer.from(data, 'base64')
  if ((data === undefined || data === null) && out?.payload !== undefined) return new Uint8Array(0)
  throw new IntegrityError({
    key: ref.key,
    provider,
    message: `The store answered AccessSecretVersion for key "${ref.key}" without a payload (provider "${provider}").`,
    hint: 'The endpoint is not behaving like Secret Manager: check apiEndpoint / clientOptions.',
  })
}

/** The bytes to store for a value, refusing more than Secret Manager accepts before any call. */
export function valueBytes(value: string | Uint8Array, key: string, provider: string): Uint8Array {
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
  if (data.length > MAX_SECRET_BYTES) {
    throw new ValidationError(
      `The value for key "${key}" is ${data.length} bytes; Secret Manager stores at most 64 KiB per version (provider "${provider}").`,
      { key, provider, hint: 'Store large values elsewhere (e.g. Cloud Storage) and keep a reference here.' },
    )
  }
  return data
}

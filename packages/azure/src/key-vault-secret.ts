import type { KeyVaultSecret, SecretProperties } from '@azure/keyvault-secrets'
import {
  type Entry,
  IntegrityError,
  selectJsonField,
  ValidationError,
  type VersionInfo,
} from '@polysecret/core'
import { SecretDisabledError, SecretExpiredError } from './errors.js'
import type { NameRef } from './key-mapping.js'

/** Key Vault's limit: "the maximum allowed size of a secret value is 25k bytes". */
export const MAX_SECRET_BYTES = 25 * 1024

/** A version as `versions()` reports it: core's VersionInfo plus Key Vault's attributes. */
export interface KeyVaultVersionInfo extends VersionInfo {
  /** Disabled versions cannot be read (Key Vault answers 403 `SecretDisabled`). */
  readonly enabled: boolean
  readonly expiresOn?: Date
  readonly notBefore?: Date
}

/** What the provider does with a secret outside its `notBefore`–`expiresOn` window. */
export type ExpiredPolicy = 'error' | 'serve'

/** How a read checks and converts what Key Vault answered. */
export interface SecretCheck {
  readonly provider: string
  readonly expired: ExpiredPolicy
  readonly now: () => number
}

/**
 * Turns a GetSecret answer into an Entry: checks it has a value of plausible size, that it is enabled
 * and (unless `expired: 'serve'`) inside its validity window, and selects the JSON field of
 * `name#field`. Every failure names the key and provider, never the value.
 */
export function secretToEntry(secret: KeyVaultSecret, ref: NameRef, check: SecretCheck): Entry | undefined {
  const { provider } = check
  const props = secret.properties ?? ({} as SecretProperties)
  if (props.enabled === false) throw new SecretDisabledError({ key: ref.key, provider })
  if (typeof secret.value !== 'string') {
    throw new IntegrityError({
      key: ref.key,
      provider,
      message: `Key Vault answered for key "${ref.key}" without a value (provider "${provider}").`,
      hint: 'The endpoint is not behaving like Key Vault: check vaultUrl and clientOptions.',
    })
  }
  const bytes = Buffer.byteLength(secret.value, 'utf8')
  if (bytes > MAX_SECRET_BYTES) {
    throw new IntegrityError({
      key: ref.key,
      provider,
      message: `Key Vault returned ${bytes} bytes for key "${ref.key}", more than its 25 KiB limit (provider "${provider}").`,
      hint: 'The endpoint is not behaving like Key Vault: check vaultUrl and clientOptions.',
    })
  }
  if (check.expired === 'error') checkWindow(props, ref.key, check)
  let value = secret.value
  if (ref.field !== undefined) {
    const selected = selectJsonField(value, ref.field, ref.key, provider)
    if (selected === undefined) return undefined
    value = selected
  }
  const metadata: Record<string, string> = {}
  if (props.contentType) metadata.contentType = props.contentType
  if (props.expiresOn) metadata.expiresOn = props.expiresOn.toISOString()
  if (props.notBefore) metadata.notBefore = props.notBefore.toISOString()
  const updatedAt = props.updatedOn ?? props.createdOn
  return {
    value,
    ...(props.version !== undefined && { version: props.version }),
    ...(updatedAt !== undefined && { updatedAt }),
    labels: [],
    metadata,
  }
}

function checkWindow(props: SecretProperties, key: string, check: SecretCheck): void {
  const now = check.now()
  if (props.expiresOn !== undefined && props.expiresOn.getTime() <= now) {
    throw new SecretExpiredError({ key, provider: check.provider, reason: 'expired', at: props.expiresOn })
  }
  if (props.notBefore !== undefined && props.notBefore.getTime() > now) {
    throw new SecretExpiredError({
      key,
      provider: check.provider,
      reason: 'not-yet-valid',
      at: props.notBefore,
    })
  }
}

/** The text to store: Key Vault secrets are strings, at most 25 KiB. Refused before any call otherwise. */
export function secretText(value: string | Uint8Array, key: string, provider: string): string {
  let text: string
  if (typeof value === 'string') text = value
  else if (value instanceof Uint8Array) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(value)
    } catch {
      throw new ValidationError(
        `The value for key "${key}" is binary; Key Vault secrets are text (provider "${provider}").`,
        { key, provider, hint: 'Store it base64-encoded, e.g. Buffer.from(bytes).toString("base64").' },
      )
    }
  } else {
    throw new ValidationError(
      `The value for key "${key}" must be a string or bytes (provider "${provider}").`,
      {
        key,
        provider,
      },
    )
  }
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_SECRET_BYTES) {
    throw new ValidationError(
      `The value for key "${key}" is ${bytes} bytes; Key Vault stores at most 25 KiB per secret (provider "${provider}").`,
      { key, provider, hint: 'Store large values elsewhere (e.g. Blob Storage) and keep a reference here.' },
    )
  }
  return text
}

/**
 * Every version of a secret as VersionInfo, newest first (by creation time; Key Vault lists versions
 * in no set order and dates them to the second, so ties keep the later-listed first). `current` marks
 * `currentVersion` (what GetSecret answers), else the newest.
 */
export function toVersionInfos(
  key: string,
  all: readonly SecretProperties[],
  currentVersion?: string,
): KeyVaultVersionInfo[] {
  const time = (p: SecretProperties) => (p.createdOn ?? p.updatedOn)?.getTime() ?? 0
  const sorted = all
    .map((p, index) => ({ p, index }))
    .filter(({ p }) => p.version !== undefined)
    .sort((a, b) => time(b.p) - time(a.p) || b.index - a.index)
    .map(({ p }) => p)
  const current = currentVersion ?? sorted[0]?.version
  return sorted.map((p) => ({
    key,
    version: p.version as string,
    ...(p.createdOn !== undefined && { createdAt: p.createdOn }),
    current: p.version === current,
    labels: [],
    enabled: p.enabled !== false,
    ...(p.expiresOn !== undefined && { expiresOn: p.expiresOn }),
    ...(p.notBefore !== undefined && { notBefore: p.notBefore }),
  }))
}

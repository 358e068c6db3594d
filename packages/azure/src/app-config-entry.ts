import type { ConfigurationSetting } from '@azure/app-configuration'
import {
  type Entry,
  IntegrityError,
  UnavailableError,
  ValidationError,
  type VersionInfo,
} from '@polysecret/core'
import { isKeyVaultReference, parseReference, type ReferenceResolver } from './app-config-references.js'

/** App Configuration's limit: a key-value (key, label, value, content type, tags) is at most 10 KiB. */
export const MAX_ITEM_BYTES = 10 * 1024

/** What turning a setting into an entry needs. */
export interface EntryContext {
  readonly provider: string
  readonly references: ReferenceResolver
  readonly signal?: AbortSignal | undefined
}

/** The error for an answer that is not a key-value: the path to the store failed, so it is retried. */
export function notAKeyValue(storeKey: string, provider: string): UnavailableError {
  return new UnavailableError({
    key: storeKey,
    provider,
    message: `App Configuration answered for key "${storeKey}" with a body that is not a key-value (provider "${provider}").`,
    hint: 'A proxy or a wrong endpoint answered instead of App Configuration: check endpoint / clientOptions.',
  })
}

/**
 * A setting as an Entry: its value (a setting without one reads as `''`), its etag as the version;
 * a Key Vault reference resolved to the secret's value and marked `sensitive`. A value of a type or
 * size App Configuration never returns is an IntegrityError naming the key, never the value.
 */
export async function settingToEntry(
  setting: ConfigurationSetting,
  key: string,
  ctx: EntryContext,
): Promise<Entry> {
  const { provider } = ctx
  const value: unknown = setting.value ?? ''
  if (typeof value !== 'string') {
    throw new IntegrityError({
      key,
      provider,
      message: `App Configuration answered for key "${key}" with a value that is not text (provider "${provider}").`,
      hint: 'The endpoint is not behaving like App Configuration: check endpoint / clientOptions.',
    })
  }
  const bytes = Buffer.byteLength(value, 'utf8')
  if (bytes > MAX_ITEM_BYTES) {
    throw new IntegrityError({
      key,
      provider,
      message: `App Configuration returned ${bytes} bytes for key "${key}", more than its 10 KiB item limit (provider "${provider}").`,
      hint: 'The endpoint is not behaving like App Configuration: check endpoint / clientOptions.',
    })
  }
  const metadata: Record<string, string> = {}
  if (setting.contentType) metadata.contentType = setting.contentType
  if (setting.label) metadata.label = setting.label
  const base = {
    ...(setting.etag !== undefined && { version: setting.etag }),
    ...(setting.lastModified !== undefined && { updatedAt: setting.lastModified }),
    labels: setting.label ? [setting.label] : [],
  }
  if (!isKeyVaultReference(setting.contentType)) return { value, ...base, metadata }
  const ref = parseReference(value, key, provider)
  const secret = await ctx.references.resolve(ref, key, ctx.signal)
  return {
    value: secret.value,
    ...base,
    metadata: {
      ...metadata,
      keyVaultSecret: `${ref.vaultUrl}/secrets/${ref.name}`,
      ...(secret.version !== undefined && { secretVersion: secret.version }),
    },
    // A referenced secret is a secret, even when read through the parameters chain.
    sensitive: true,
  }
}

/** A setting's write as VersionInfo. */
export function settingVersion(key: string, setting: ConfigurationSetting, current = true): VersionInfo {
  return {
    key,
    version: setting.etag ?? '',
    ...(setting.lastModified !== undefined && { createdAt: setting.lastModified }),
    current,
    labels: setting.label ? [setting.label] : [],
  }
}

/** The text to store, refused before any call when it is not text or is over the item limit. */
export function settingText(
  value: string | Uint8Array,
  storeKey: string,
  key: string,
  provider: string,
): string {
  let text: string
  if (typeof value === 'string') text = value
  else if (value instanceof Uint8Array) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(value)
    } catch {
      throw new ValidationError(
        `The value for key "${key}" is binary; App Configuration values are text (provider "${provider}").`,
        {
          key,
          provider,
          hint: 'Store it base64-encoded.',
        },
      )
    }
  } else {
    throw new ValidationError(
      `The value for key "${key}" must be a string or bytes (provider "${provider}").`,
      { key, provider },
    )
  }
  const bytes = Buffer.byteLength(text, 'utf8') + Buffer.byteLength(storeKey, 'utf8')
  if (bytes > MAX_ITEM_BYTES) {
    throw new ValidationError(
      `The value for key "${key}" makes a ${bytes}-byte key-value; App Configuration stores at most 10 KiB per key-value (provider "${provider}").`,
      { key, provider, hint: 'Keep large values in Key Vault or Blob Storage and store a reference here.' },
    )
  }
  return text
}

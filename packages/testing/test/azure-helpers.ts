import { AppConfigurationClient, type AppConfigurationClientOptions } from '@azure/app-configuration'
import { SecretClient } from '@azure/keyvault-secrets'
import type { AppConfigFake, KeyVaultFake } from '../src/index.js'

/** No retries: tests see every fault as it is. */
const NO_RETRY = { retryOptions: { maxRetries: 0 } }

/** The official Key Vault client pointed at `fake`, with the fake's credential. */
export function kvClient(fake: KeyVaultFake, options: Record<string, unknown> = {}): SecretClient {
  return new SecretClient(fake.vaultUrl, fake.credential, { ...fake.clientOptions, ...NO_RETRY, ...options })
}

/** The official App Configuration client pointed at `fake`, by connection string (HMAC) or credential. */
export function acClient(
  fake: AppConfigFake,
  auth: 'hmac' | 'aad' = 'hmac',
  extra: AppConfigurationClientOptions = {},
): AppConfigurationClient {
  const options = { ...fake.clientOptions, ...NO_RETRY, ...extra }
  return auth === 'hmac'
    ? new AppConfigurationClient(fake.connectionString, options)
    : new AppConfigurationClient(fake.endpoint, fake.credential, options)
}

/** Status and service error code of an Azure SDK `RestError`. */
export function restError(error: unknown): { status?: number; code?: string; inner?: string } {
  const e = error as {
    statusCode?: number
    code?: string
    details?: { error?: { innerError?: { code?: string }; innererror?: { code?: string } } }
  }
  const inner = e.details?.error?.innerError?.code ?? e.details?.error?.innererror?.code
  return { status: e.statusCode, code: e.code, ...(inner !== undefined && { inner }) }
}

/** Everything an async iterable yields. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

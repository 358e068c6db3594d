/**
 * What both Azure providers share: the credential (yours, or `DefaultAzureCredential` loaded on first
 * use), the client options every client the providers create gets, and their eager checks.
 */

/**
 * An Azure `TokenCredential` (`@azure/core-auth`), typed structurally so this package's types need no
 * Azure import: `DefaultAzureCredential`, `WorkloadIdentityCredential`, `ManagedIdentityCredential`, …
 */
export interface AzureTokenCredential {
  getToken(
    scopes: string | string[],
    options?: object,
  ): Promise<{ token: string; expiresOnTimestamp: number } | null>
}

/**
 * Options of the clients the providers create (the SDKs' `CommonClientOptions`: `tlsOptions`, `proxyOptions`,
 * `userAgentOptions`, `retryOptions`, …). Kept in a closure: never readable from the provider object.
 */
export type AzureClientOptions = Readonly<Record<string, unknown>>

/**
 * The clients' own retries are off unless you pass `retryOptions`: the ConfigManager owns retries,
 * with backoff, budgets, `Retry-After` and stale-if-error. (The SDK default would retry a 429 three
 * times, waiting out each `Retry-After`, before the manager even sees it.)
 */
export function clientOptionsWithDefaults(options: AzureClientOptions | undefined): Record<string, unknown> {
  return { retryOptions: { maxRetries: 0 }, ...options }
}

/**
 * `credential` when given, else `@azure/identity`'s `DefaultAzureCredential` (environment, workload
 * identity, managed identity, Azure CLI …), imported only now: keyless auth costs nothing until a
 * provider without a credential makes its first call.
 */
export async function credentialOrDefault(
  credential: AzureTokenCredential | undefined,
): Promise<AzureTokenCredential> {
  if (credential !== undefined) return credential
  const identity = await import('@azure/identity')
  return new identity.DefaultAzureCredential()
}

/** Eager checks of the options both factories share; every problem is reported at once. */
export function connectionIssues(
  o: Record<string, unknown>,
  clientMethod: string,
  clientType: string,
): string[] {
  const issues: string[] = []
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.trim() === '')) {
    issues.push('name must be a non-empty string')
  }
  const credential = o.credential as { getToken?: unknown } | null | undefined
  if (credential !== undefined && (credential === null || typeof credential.getToken !== 'function')) {
    issues.push('credential must be a TokenCredential (an object with getToken())')
  }
  if (o.clientOptions !== undefined && (o.clientOptions === null || typeof o.clientOptions !== 'object')) {
    issues.push('clientOptions must be an object (the client constructor options)')
  }
  if (o.client !== undefined) {
    for (const field of ['credential', 'clientOptions']) {
      if (o[field] !== undefined)
        issues.push(`pass either client or ${field}, not both (configure the client instead)`)
    }
    const client = o.client as Record<string, unknown> | null
    if (client === null || typeof client !== 'object' || typeof client[clientMethod] !== 'function') {
      issues.push(`client must be a ${clientType} (an object with ${clientMethod}())`)
    }
  }
  return issues
}

/** Whether `url` is an absolute https URL (or http, for a local emulator). */
export function isServiceUrl(url: unknown): url is string {
  if (typeof url !== 'string') return false
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' || parsed.protocol === 'http:'
  } catch {
    return false
  }
}

/** Resolves after `ms` (a poll interval); a purge waits for the deletion to finish. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

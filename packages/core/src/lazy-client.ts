import { ValidationError } from './errors.js'

/** A provider's SDK module and client, made on first use. */
export interface LazyClient<Sdk, C> {
  /** Imports the SDK and creates the client on the first call; later calls share them. */
  connect(): Promise<{ sdk: Sdk; client: C }>
  /** Closes the client the provider created (never one the caller passed); the next call reconnects. */
  close(): Promise<void>
}

/** What {@link lazyClient} needs to load an SDK and make (or adopt) its client. */
export interface LazyClientSetup<Sdk, C> {
  /** Provider instance name, for the error when the SDK is not installed. */
  readonly provider: string
  /** The SDK package, e.g. `@google-cloud/secret-manager`. */
  readonly pkg: string
  /** The polysecret package that needs it, for the install hint (`Install it next to …`). */
  readonly requiredBy: string
  /**
   * Imports the SDK. Write it as `() => import('the-sdk')` in the provider package: bundlers see a
   * literal dynamic import and keep it lazy, and the package is resolved from the user's node_modules.
   */
  readonly load: () => Promise<Sdk>
  /** A client the caller passed; used as-is and never closed by the provider. */
  readonly client?: C | undefined
  /** Creates the provider's own client from the loaded SDK. */
  readonly create: (sdk: Sdk) => C | Promise<C>
  /**
   * Readies a client before its first use (own or passed), e.g. a Google client's `initialize()`,
   * whose failure the client would otherwise also throw as an unhandled rejection. When it fails on
   * the provider's own client, that client is disposed and the next call starts afresh.
   */
  readonly ready?: (client: C) => Promise<unknown>
  /** Releases a client the provider created (`destroy()`, `close()`); may be async. */
  readonly dispose: (client: C) => void | Promise<void>
}

/**
 * The lazy-SDK pattern every cloud provider package shares: the SDK is imported on the first call, so
 * importing the provider package (and building a provider that is never called) costs nothing at
 * startup. A failed import or creation is not remembered — the next call tries again — and a missing
 * SDK becomes a `ValidationError` that says what to install.
 *
 * @example
 * ```ts
 * import { lazyClient } from '@polysecret/core'
 *
 * const sdk = lazyClient({
 *   provider: 'gcp-secret-manager',
 *   pkg: '@google-cloud/secret-manager',
 *   requiredBy: '@polysecret/gcp',
 *   load: () => import('@google-cloud/secret-manager'),
 *   create: (m) => new m.SecretManagerServiceClient(),
 *   dispose: (client) => client.close(),
 * })
 * const { client } = await sdk.connect()
 * ```
 */
export function lazyClient<Sdk, C>(setup: LazyClientSetup<Sdk, C>): LazyClient<Sdk, C> {
  let pending: Promise<{ sdk: Sdk; client: C }> | undefined
  let created: C | undefined
  const open = async () => {
    const sdk = await importSdk(setup)
    if (setup.client !== undefined) {
      await setup.ready?.(setup.client)
      return { sdk, client: setup.client }
    }
    const client = await setup.create(sdk)
    try {
      await setup.ready?.(client)
    } catch (error) {
      await Promise.resolve(setup.dispose(client)).catch(() => undefined)
      throw error
    }
    created = client
    return { sdk, client }
  }
  return {
    connect() {
      pending ??= open().catch((error: unknown) => {
        pending = undefined
        throw error
      })
      return pending
    },
    async close() {
      const client = created
      created = undefined
      pending = undefined
      if (client !== undefined) await setup.dispose(client)
    },
  }
}

/** Imports an SDK package, turning "not installed" into a ValidationError that says what to install. */
async function importSdk<Sdk>(
  setup: Pick<LazyClientSetup<Sdk, never>, 'load' | 'pkg' | 'provider' | 'requiredBy'>,
): Promise<Sdk> {
  try {
    return await setup.load()
  } catch (cause) {
    throw new ValidationError(`Could not load ${setup.pkg} (provider "${setup.provider}").`, {
      provider: setup.provider,
      cause,
      hint: `Install it next to ${setup.requiredBy}: npm i ${setup.pkg}`,
    })
  }
}

/**
 * Throws one `ValidationError` listing every problem with a provider factory's options, or returns
 * quietly. Factories collect all problems first so a user fixes them in one go.
 */
export function assertValidOptions(issues: readonly string[], type: string, name: string): void {
  if (issues.length === 0) return
  throw new ValidationError(
    `Invalid options for ${type} provider "${name}":\n${issues.map((i) => `  ✖ ${i}`).join('\n')}`,
    { provider: name, hint: '\nFix the options passed to the factory.' },
  )
}

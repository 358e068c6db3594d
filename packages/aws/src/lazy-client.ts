/** Static credentials; pass a provider function (e.g. from `@aws-sdk/credential-providers`) for anything else. */
export interface AwsCredentials {
  /** Access key id (`AKIA…`, or `ASIA…` for temporary credentials). */
  readonly accessKeyId: string
  /** Secret access key. Never logged, never readable from a provider. */
  readonly secretAccessKey: string
  /** Session token of temporary credentials. */
  readonly sessionToken?: string
  /** When temporary credentials expire. */
  readonly expiration?: Date
}

/** Anything the SDK accepts as `credentials`: static keys or an async provider function. */
export type AwsCredentialsInput = AwsCredentials | (() => Promise<AwsCredentials>)

/**
 * Connection options, used when the provider creates its own SDK client. Mutually exclusive with
 * `client` (see {@link AwsClientOption}).
 */
export interface AwsConnectionOptions {
  /**
   * AWS region. When omitted the SDK reads `AWS_REGION` / the shared config file.
   * @example 'eu-west-1'
   */
  readonly region?: string
  /**
   * Custom endpoint URL (VPC endpoint, LocalStack, a test fake). When omitted the SDK picks the
   * regional endpoint.
   * @example 'http://127.0.0.1:4566'
   */
  readonly endpoint?: string
  /**
   * Credentials. When omitted the SDK's default chain is used (env, SSO, shared files, container and
   * instance roles). Kept in a closure: never readable from the provider object.
   */
  readonly credentials?: AwsCredentialsInput
  /**
   * Attempts per call inside the SDK (1 = no SDK retry). The `ConfigManager` owns retries with backoff
   * and `Retry-After`; one extra SDK attempt absorbs clock-skew correction and a dropped keep-alive
   * socket without multiplying the manager's retries.
   * @default 2
   */
  readonly maxAttempts?: number
  /**
   * Per-request socket timeout in milliseconds; a request that exceeds it fails with `UnavailableError`.
   * The manager's per-attempt `signal` also aborts requests; this is the floor for direct use.
   * @default undefined (the SDK default: no timeout)
   */
  readonly requestTimeoutMs?: number
  /** Not with connection options: pass a configured client instead. */
  readonly client?: never
}

/** Use an SDK client you created (and own). Connection options are then not accepted. */
export interface AwsClientOption<C> {
  /**
   * An SDK client to use instead of creating one. The provider does not `destroy()` it on `close()`.
   */
  readonly client: C
  /** Configure these on the client. */
  readonly region?: never
  readonly endpoint?: never
  readonly credentials?: never
  readonly maxAttempts?: never
  readonly requestTimeoutMs?: never
}

/** Either connection options or a ready client — never both. */
export type AwsClientOptions<C> = AwsConnectionOptions | AwsClientOption<C>

/** Builds the SDK client config from connection options (only fields that were given). */
export function clientConfig(options: AwsConnectionOptions): Record<string, unknown> {
  const config: Record<string, unknown> = { maxAttempts: options.maxAttempts ?? 2 }
  if (options.region !== undefined) config.region = options.region
  if (options.endpoint !== undefined) config.endpoint = options.endpoint
  if (options.credentials !== undefined) config.credentials = options.credentials
  if (options.requestTimeoutMs !== undefined) {
    // Without throwOnRequestTimeout the handler only logs a warning and the request hangs on.
    config.requestHandler = {
      requestTimeout: options.requestTimeoutMs,
      connectionTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }
  }
  return config
}

/** Eager checks shared by both factories; every problem is reported at once. */
export function validateConnection(
  options: AwsClientOptions<unknown> & { name?: string; prefix?: string; concurrency?: number },
  type: string,
): string[] {
  const issues: string[] = []
  const o = options as Record<string, unknown>
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.trim() === '')) {
    issues.push('name must be a non-empty string')
  }
  if (o.client !== undefined) {
    for (const field of ['region', 'endpoint', 'credentials', 'maxAttempts', 'requestTimeoutMs']) {
      if (o[field] !== undefined)
        issues.push(`pass either client or ${field}, not both (configure the client instead)`)
    }
    if (o.client === null || typeof (o.client as { send?: unknown }).send !== 'function') {
      issues.push(`client must be an AWS SDK v3 client for ${type} (an object with send())`)
    }
  }
  if (o.region !== undefined && (typeof o.region !== 'string' || !/^[a-z0-9-]+$/.test(o.region))) {
    issues.push('region must look like "us-east-1"')
  }
  if (o.endpoint !== undefined) {
    try {
      const url = new URL(String(o.endpoint))
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol')
    } catch {
      issues.push('endpoint must be an http(s) URL')
    }
  }
  if (o.credentials !== undefined && typeof o.credentials !== 'function') {
    const c = o.credentials as Partial<AwsCredentials> | null
    if (!c || typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string') {
      issues.push('credentials must be { accessKeyId, secretAccessKey } or a credentials provider function')
    }
  }
  for (const field of ['maxAttempts', 'concurrency', 'requestTimeoutMs'] as const) {
    const v = o[field]
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1))
      issues.push(`${field} must be an integer >= 1`)
  }
  if (o.prefix !== undefined && typeof o.prefix !== 'string') issues.push('prefix must be a string')
  return issues
}

/** Throws one ValidationError listing every option problem (core's shared helper). */
export { assertValidOptions as assertValid } from '@polysecret/core'

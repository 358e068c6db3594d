/** The wire protocol the Google client speaks: gRPC over HTTP/2, or REST/JSON over HTTP/1.1 (`fallback`). */
export type GcpTransport = 'grpc' | 'rest'

/**
 * Connection options, used when the provider creates its own Google client. Mutually exclusive with
 * `client` (see {@link GcpClientOption}).
 */
export interface GcpConnectionOptions {
  /**
   * `'grpc'` (the default) multiplexes every request over one HTTP/2 connection; `'rest'` uses the
   * client's REST fallback (HTTP/1.1 + JSON) for networks or runtimes where gRPC is not available.
   * When omitted, `clientOptions.fallback` decides, else gRPC.
   * @default 'grpc'
   */
  readonly transport?: GcpTransport
  /**
   * Passed to the client constructor as-is (`apiEndpoint`, `port`, `credentials`, `keyFilename`,
   * `authClient`, `sslCreds`, `grpc`, …). With no credentials in here the client uses Application
   * Default Credentials (workload identity, `GOOGLE_APPLICATION_CREDENTIALS`, the metadata server).
   * Kept in a closure: never readable from the provider object.
   * @example fake.clientOptions('grpc') // @polysecret/testing's fakes
   */
  readonly clientOptions?: object
  /** Not with connection options: pass a configured client instead. */
  readonly client?: never
}

/** Use a Google client you created (and own). Connection options are then not accepted. */
export interface GcpClientOption<C> {
  /** A client to use instead of creating one. The provider does not `close()` it on `close()`. */
  readonly client: C
  /** Configure these on the client. */
  readonly transport?: never
  readonly clientOptions?: never
}

/** Either connection options or a ready client — never both. */
export type GcpClientOptions<C> = GcpConnectionOptions | GcpClientOption<C>

/** The constructor options of the provider's own client: `clientOptions`, with `fallback` set by `transport`. */
export function clientConstructorOptions(options: GcpConnectionOptions): Record<string, unknown> {
  const config: Record<string, unknown> = {
    ...(options.clientOptions as Record<string, unknown> | undefined),
  }
  if (options.transport !== undefined) config.fallback = options.transport === 'rest'
  return config
}

/** A project id (`my-project-123`) or project number (`123456789012`). */
const PROJECT = /^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|\d{1,20})$/

/** Eager checks shared by both factories; every problem is reported at once. */
export function validateConnection(
  options: GcpClientOptions<unknown> & { name?: unknown; projectId?: unknown },
  clientMethod: string,
  type: string,
): string[] {
  const issues: string[] = []
  const o = options as Record<string, unknown>
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.trim() === '')) {
    issues.push('name must be a non-empty string')
  }
  if (o.projectId !== undefined && (typeof o.projectId !== 'string' || !PROJECT.test(o.projectId))) {
    issues.push('projectId must be a project id such as "my-project-123" or a project number')
  }
  if (o.transport !== undefined && o.transport !== 'grpc' && o.transport !== 'rest') {
    issues.push('transport must be "grpc" or "rest"')
  }
  if (o.clientOptions !== undefined && (o.clientOptions === null || typeof o.clientOptions !== 'object')) {
    issues.push('clientOptions must be an object (the client constructor options)')
  }
  if (o.client !== undefined) {
    for (const field of ['transport', 'clientOptions']) {
      if (o[field] !== undefined)
        issues.push(`pass either client or ${field}, not both (configure the client instead)`)
    }
    const client = o.client as Record<string, unknown> | null
    if (client === null || typeof client !== 'object' || typeof client[clientMethod] !== 'function') {
      issues.push(`client must be a ${type} client (an object with ${clientMethod}())`)
    }
  }
  const c = o.concurrency
  if (c !== undefined && (!Number.isInteger(c) || (c as number) < 1))
    issues.push('concurrency must be an integer >= 1')
  return issues
}

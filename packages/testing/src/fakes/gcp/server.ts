import type * as GrpcModule from '@grpc/grpc-js'
import type { OAuth2Client } from 'google-auth-library'
import { type FakeServer, type FakeServerOptions, startFakeServer } from '../http-server.js'
import type { GcpService } from './service.js'

/**
 * A Google Cloud fake: one port that speaks gRPC (HTTP/2 with prior knowledge) and the REST fallback
 * (HTTP/1.1), with the options that point an official `@google-cloud/*` client at it.
 */

/** Which transport the official client uses: gRPC (its default) or REST (`fallback: true`). */
export type GcpTransport = 'grpc' | 'rest'

/** Options every Google Cloud fake takes. */
export interface GcpFakeOptions extends FakeServerOptions {
  /** The project the fake serves; resources of other projects are PERMISSION_DENIED. Default: `fake-project`. */
  readonly projectId?: string
  /** Clock of the fake (epoch ms), for create times and time filters. Default: `Date.now`. */
  readonly now?: () => number
}

/**
 * Constructor options for an official client (`SecretManagerServiceClient`, `ParameterManagerClient`):
 * endpoint and port of the fake, plain-text channel credentials made by the `grpc` module passed along
 * (google-gax then uses that module for the whole channel), and an OAuth2 client holding a fake token,
 * so no credentials file or metadata server is consulted.
 */
export interface GcpClientOptions {
  readonly apiEndpoint: string
  readonly port: number
  readonly projectId: string
  readonly authClient: OAuth2Client
  /** gRPC only: insecure channel credentials and the module instance that made them. */
  readonly sslCreds?: GrpcModule.ChannelCredentials
  readonly grpc?: typeof GrpcModule
  /** gRPC only: reconnect quickly after `faults.down()`/`up()` (google-gax's default waits 1 s). */
  readonly 'grpc.initial_reconnect_backoff_ms'?: number
  /** REST only. */
  readonly fallback?: true
  readonly protocol?: 'http'
}

/** A running Google Cloud fake. */
export type GcpFake<Name extends string, State, Seed> = FakeServer & {
  readonly service: Name
  /** The project id resources live in (`projects/<projectId>/…`). */
  readonly projectId: string
  /** The fake's data, for assertions and direct arrangement. */
  readonly state: State
  /** Creates (or replaces) items without going through the API. */
  seed(items: Seed): void
  /**
   * Options for the official client's constructor, for `'grpc'` (default) or `'rest'`.
   *
   * @example
   * ```ts
   * const client = new SecretManagerServiceClient(fake.clientOptions('rest'))
   * ```
   */
  clientOptions(transport?: GcpTransport): GcpClientOptions
}

/** A token nobody checks; the fakes only require that one is sent over REST. */
const FAKE_TOKEN = 'fake-access-token'

/** Starts a Google fake serving `service` on both transports. */
export async function startGcpFake<Name extends string, State extends { seed(items: Seed): void }, Seed>(
  name: Name,
  service: GcpService,
  state: State,
  options: GcpFakeOptions & { readonly projectId: string; readonly initial?: Seed | undefined },
): Promise<GcpFake<Name, State, Seed>> {
  // Loaded here rather than at import time (protobufjs, gRPC, auth), so importing @polysecret/testing
  // for the AWS fakes never pays for them.
  const [grpc, { OAuth2Client }, { grpcProtocol }, { restProtocol }, { resolveService }] = await Promise.all([
    import('@grpc/grpc-js'),
    import('google-auth-library'),
    import('./grpc-protocol.js'),
    import('./rest-protocol.js'),
    import('./service.js'),
  ])
  if (options.initial) state.seed(options.initial)
  const resolved = resolveService(service)
  const server = await startFakeServer(restProtocol(resolved), options, grpcProtocol(resolved))
  const clientOptions = (transport: GcpTransport = 'grpc'): GcpClientOptions => {
    if (transport !== 'grpc' && transport !== 'rest')
      throw new TypeError(`transport must be 'grpc' or 'rest', got ${JSON.stringify(transport)}`)
    const authClient = new OAuth2Client()
    authClient.setCredentials({ access_token: FAKE_TOKEN, expiry_date: Date.now() + 24 * 3600_000 })
    const common = { apiEndpoint: server.host, port: server.port, projectId: options.projectId, authClient }
    return transport === 'grpc'
      ? {
          ...common,
          sslCreds: grpc.credentials.createInsecure(),
          grpc,
          'grpc.initial_reconnect_backoff_ms': 50,
        }
      : { ...common, fallback: true, protocol: 'http' }
  }
  return Object.assign(server, {
    service: name,
    projectId: options.projectId,
    state,
    seed: (items: Seed) => state.seed(items),
    clientOptions,
  })
}

import { randomBytes } from 'node:crypto'
import { type FakeServer, type FakeServerOptions, startFakeServer } from '../http-server.js'
import { generateCertificate } from '../tls.js'
import { type FakeTokenCredential, fakeTokenCredential } from './auth.js'
import { type AzureService, azureProtocol } from './http.js'

/**
 * What both Azure fakes share: HTTPS with a certificate made for this fake, a token authority whose
 * credential the fake accepts, a clock, and the options that point an official client at it.
 */

/** Options every Azure fake takes. */
export interface AzureFakeOptions extends FakeServerOptions {
  /** Clock of the fake (epoch ms): timestamps, token expiry, HMAC date checks. Default: `Date.now`. */
  readonly now?: () => number
  /**
   * Key the fake signs and checks bearer tokens with. Default: random per fake. Give one to make a
   * credential elsewhere (`fakeTokenCredential({ tokenKey })`), e.g. for a fake in a child process.
   */
  readonly tokenKey?: string
  /** Lifetime of the tokens `credential` hands out. Default: one hour. */
  readonly tokenLifetimeMs?: number
}

/**
 * Pipeline options for an official Azure client (`SecretClient`, `AppConfigurationClient`): trust the
 * fake's certificate. Spread it and add your own (`{ ...fake.clientOptions, retryOptions: { … } }`).
 */
export interface AzureClientOptions {
  readonly tlsOptions: { readonly ca: string }
}

/** A running Azure fake. */
export type AzureFake<Name extends string, State, Seed> = FakeServer & {
  readonly service: Name
  /** PEM of the certificate the fake serves (self-signed: trust it as a CA). */
  readonly ca: string
  /** A `TokenCredential` whose tokens this fake accepts. */
  readonly credential: FakeTokenCredential
  /** The fake's data, for assertions and direct arrangement. */
  readonly state: State
  /** Creates (or replaces) items without going through the API. */
  seed(items: Seed): void
  /** The fake's clock (epoch ms). */
  now(): number
}

/** Resolved common options, handed to the service before the server starts. */
export interface AzureContext {
  readonly now: () => number
  readonly tokenKey: string
}

/** Starts an Azure fake serving `service` over HTTPS. */
export async function startAzureFake<
  Name extends string,
  State extends { seed(items: Seed): void },
  Seed,
  Extra,
>(
  name: Name,
  options: AzureFakeOptions,
  build: (context: AzureContext) => { service: AzureService; state: State; initial?: Seed | undefined },
  extra: (server: FakeServer, credential: FakeTokenCredential, ca: string) => Extra,
): Promise<AzureFake<Name, State, Seed> & Extra> {
  const now = options.now ?? Date.now
  const tokenKey = options.tokenKey ?? randomBytes(24).toString('base64url')
  const { service, state, initial } = build({ now, tokenKey })
  if (initial) state.seed(initial)
  const certificate = await generateCertificate()
  const server = await startFakeServer(azureProtocol(service), options, undefined, certificate)
  const credential = fakeTokenCredential({ tokenKey, now, lifetimeMs: options.tokenLifetimeMs })
  return Object.assign(server, {
    service: name,
    ca: certificate.cert,
    credential,
    state,
    seed: (items: Seed) => state.seed(items),
    now,
    ...extra(server, credential, certificate.cert),
  })
}

import { randomBytes } from 'node:crypto'
import type { WireFault, WireResponse } from '../http-server.js'
import { createRandom } from '../random.js'
import { APP_CONFIG_ITEM_LIMIT, keyValueRoutes } from './app-config-routes.js'
import { snapshotRoutes } from './app-config-snapshots.js'
import { type AppConfigSettingSeed, AppConfigState, keyVaultReference } from './app-config-state.js'
import { invalidArgument, problem } from './app-config-wire.js'
import { type AccessKey, verifyBearer, verifyHmac } from './auth.js'
import { AzureHttpError, type AzureRoute, retryAfterSeconds } from './http.js'
import { type AzureClientOptions, type AzureFake, type AzureFakeOptions, startAzureFake } from './server.js'

/**
 * A wire-level fake of the Azure App Configuration data plane, over HTTPS, so the official
 * `@azure/app-configuration` client (and providers built on it) talk to it unchanged: key-values by key
 * and label, filters, etags, locks, paging by `Link`/`after`, sync tokens, revisions, snapshots, and the
 * Key Vault reference and feature flag content types. Requests authenticate with the HMAC-SHA256 access
 * key of `connectionString` or a bearer token from `credential`.
 */

/** Options of the App Configuration fake. */
export interface AppConfigFakeOptions extends AzureFakeOptions {
  /** Key-values to start with (same shape as `seed()`). */
  readonly settings?: readonly AppConfigSettingSeed[]
  /** Items per page of a listing. Default: 100, as the service. */
  readonly pageSize?: number
  /** Access key id of `connectionString`. Default: random. */
  readonly credentialId?: string
  /** Access key secret (base64) of `connectionString`. Default: random. */
  readonly credentialSecret?: string
}

/** A running App Configuration fake. */
export type AppConfigFake = AzureFake<
  'azure-app-configuration',
  AppConfigState,
  readonly AppConfigSettingSeed[]
> & {
  /** `Endpoint=https://127.0.0.1:<port>;Id=<id>;Secret=<base64>`: the access key the fake verifies. */
  readonly connectionString: string
  readonly clientOptions: AzureClientOptions
  /** The value of a Key Vault reference to `name` in `vaultUrl` (e.g. a Key Vault fake's). */
  keyVaultReference(vaultUrl: string, name: string, version?: string): string
}

/** Token audiences App Configuration accepts (the SDK asks for the first; the second is the newer one). */
const AUDIENCES = ['https://azconfig.io', 'https://appconfig.azure.com']
/** A sync token as clients send it back: `<id>=<value>` (the `;sn=` part stays in the response). */
const SYNC_TOKEN = /^[^=;,]+=[^;,]+$/

function appConfigFault(fault: WireFault): WireResponse {
  if (fault.kind === 'unavailable')
    return problem(503, 'service-unavailable', 'The service is currently unavailable.').response
  if (fault.kind === 'throttle') {
    const ms = fault.retryAfterMs ?? 1000
    return problem(
      fault.status ?? 429,
      'too-many-requests',
      'Resource utilization has surpassed the assigned quota',
      {
        headers: { 'Retry-After': retryAfterSeconds(ms), 'retry-after-ms': String(Math.round(ms)) },
      },
    ).response
  }
  const status = fault.status ?? 500
  return problem(
    status,
    fault.type ?? (status === 503 ? 'service-unavailable' : 'internal-error'),
    fault.message ?? `Injected fault: HTTP ${status}`,
  ).response
}

/** Starts an App Configuration fake on 127.0.0.1 (random port). Prefer `startFake('azure-app-configuration')`. */
export function startAppConfigFake(options: AppConfigFakeOptions = {}): Promise<AppConfigFake> {
  const pageSize = options.pageSize ?? 100
  if (!(Number.isInteger(pageSize) && pageSize >= 1))
    throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`)
  const random = createRandom(options.seed)
  const key: AccessKey = {
    id: options.credentialId ?? `fake-${random.string(4)}-l0-s0:${random.string(20)}`,
    secret: options.credentialSecret ?? randomBytes(32).toString('base64'),
  }
  const syncId = random.string(8)
  return startAzureFake(
    'azure-app-configuration',
    options,
    ({ now, tokenKey }) => {
      const state = new AppConfigState(now, options.seed)
      const routes: AzureRoute[] = [...keyValueRoutes(state, pageSize), ...snapshotRoutes(state, pageSize)]
      // Every answer carries the store's sync token, as the service's do.
      const withSyncToken = (route: AzureRoute): AzureRoute => ({
        ...route,
        async handler(req) {
          const incoming = req.headers['sync-token']
          if (
            incoming !== undefined &&
            !String(incoming)
              .split(',')
              .every((t) => SYNC_TOKEN.test(t.trim()))
          )
            throw invalidArgument('Sync-Token', `Malformed sync token '${String(incoming)}'.`)
          let response: WireResponse
          try {
            response = await route.handler(req)
          } catch (error) {
            if (!(error instanceof AzureHttpError)) throw error
            response = error.response
          }
          const syncToken = `${syncId}=${Buffer.from(String(state.sequence)).toString('base64')};sn=${state.sequence}`
          return { ...response, headers: { ...response.headers, 'Sync-Token': syncToken } }
        },
      })
      const unauthorized = (detail: string): WireResponse =>
        problem(401, 'unauthorized', 'Unauthorized', {
          detail,
          headers: {
            'WWW-Authenticate': `HMAC-SHA256, Bearer error="invalid_token", error_description="${detail}"`,
          },
        }).response
      return {
        state,
        initial: options.settings,
        service: {
          routes: routes.map(withSyncToken),
          authenticate(req) {
            const authorization = req.headers.authorization ?? ''
            if (authorization.startsWith('HMAC-SHA256 ')) {
              const failure = verifyHmac(req.method, req.url, req.headers, req.body, key, now())
              if (failure === undefined) return undefined
              return unauthorized(
                failure === 'date'
                  ? 'The x-ms-date header is missing or more than 15 minutes from the server time.'
                  : failure === 'content'
                    ? 'The x-ms-content-sha256 header does not match the body.'
                    : failure === 'signature'
                      ? 'Invalid Signature'
                      : 'Invalid HMAC-SHA256 credential.',
              )
            }
            const failure = verifyBearer(authorization || undefined, tokenKey, AUDIENCES, now())
            if (failure === undefined) return undefined
            if (failure === 'missing') return unauthorized('The request carries no credentials.')
            if (failure === 'expired') return unauthorized('The access token has expired.')
            if (failure === 'audience')
              return unauthorized('AADSTS500011: The access token is not for App Configuration.')
            return unauthorized('The access token is invalid (not issued by this fake).')
          },
          notFound: (req) =>
            problem(404, 'not-found', `No route for ${req.method} ${req.url.split('?')[0]}.`).response,
          fault: appConfigFault,
        },
      }
    },
    (server, _credential, ca) => ({
      connectionString: `Endpoint=${server.endpoint};Id=${key.id};Secret=${key.secret}`,
      clientOptions: { tlsOptions: { ca } },
      keyVaultReference,
    }),
  )
}

export { APP_CONFIG_ITEM_LIMIT }

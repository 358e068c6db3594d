import type { WireFault, WireResponse } from '../http-server.js'
import { FAKE_TENANT, verifyBearer } from './auth.js'
import { json, retryAfterSeconds } from './http.js'
import { keyVaultRoutes } from './key-vault-routes.js'
import { type KeyVaultSecretSeed, KeyVaultState } from './key-vault-state.js'
import { type AzureClientOptions, type AzureFake, type AzureFakeOptions, startAzureFake } from './server.js'

/**
 * A wire-level fake of the Azure Key Vault secrets data plane, over HTTPS, so the official
 * `@azure/keyvault-secrets` client talks to it unchanged: the bearer challenge, versions, attributes,
 * disabled secrets, paging with `maxresults`/`nextLink`, soft delete with recover and purge, the value
 * size limit, and the service's error bodies (`{ error: { code, message, innererror } }`).
 */

/** Options of the Key Vault fake. */
export interface KeyVaultFakeOptions extends AzureFakeOptions {
  /** Secrets to start with, by name (same shape as `seed()`). */
  readonly secrets?: Readonly<Record<string, KeyVaultSecretSeed>>
  /** Days a deleted secret stays recoverable (the vault's retention). 0 turns soft delete off. Default: 90. */
  readonly recoverableDays?: number
  /** Largest secret value in bytes. Default: 25 KiB, the service's limit. */
  readonly valueLimit?: number
}

/** Options for `new SecretClient(vaultUrl, credential, options)`: trust the fake, accept an IP host. */
export interface KeyVaultClientOptions extends AzureClientOptions {
  /** The fake's challenge names `https://vault.azure.net`, which an IP address cannot end with. */
  readonly disableChallengeResourceVerification: true
}

/** A running Key Vault fake. */
export type KeyVaultFake = AzureFake<
  'azure-key-vault',
  KeyVaultState,
  Readonly<Record<string, KeyVaultSecretSeed>>
> & {
  /** The vault URL to give `SecretClient` (= `endpoint`). */
  readonly vaultUrl: string
  readonly clientOptions: KeyVaultClientOptions
}

/** The service's limit on a secret value (25 KiB). */
export const KEY_VAULT_VALUE_LIMIT = 25 * 1024

/** The audience of Key Vault tokens, and the resource the challenge names. */
const RESOURCE = 'https://vault.azure.net'
function keyVaultFault(fault: WireFault): WireResponse {
  if (fault.kind === 'unavailable')
    return json(503, {
      error: { code: 'ServiceUnavailable', message: 'The service is currently unavailable.' },
    })
  if (fault.kind === 'throttle')
    return json(
      fault.status ?? 429,
      {
        error: {
          code: 'Throttled',
          message:
            'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached',
        },
      },
      { 'Retry-After': retryAfterSeconds(fault.retryAfterMs) },
    )
  const status = fault.status ?? 500
  const code =
    fault.type ??
    (status === 503 ? 'ServiceUnavailable' : status >= 500 ? 'InternalServerError' : 'BadRequest')
  return json(status, { error: { code, message: fault.message ?? `Injected fault: ${code}` } })
}

/** Starts a Key Vault fake on 127.0.0.1 (random port). Prefer `startFake('azure-key-vault')`. */
export function startKeyVaultFake(options: KeyVaultFakeOptions = {}): Promise<KeyVaultFake> {
  const recoverableDays = options.recoverableDays ?? 90
  if (!(Number.isInteger(recoverableDays) && recoverableDays >= 0))
    throw new RangeError(
      `recoverableDays must be a whole number of days (0 turns soft delete off), got ${recoverableDays}`,
    )
  return startAzureFake(
    'azure-key-vault',
    options,
    ({ now, tokenKey }) => {
      const state = new KeyVaultState(now, recoverableDays, options.seed)
      const challenge = `Bearer authorization="https://login.microsoftonline.com/${FAKE_TENANT}", resource="${RESOURCE}"`
      const unauthorized = (message: string): WireResponse =>
        json(401, { error: { code: 'Unauthorized', message } }, { 'WWW-Authenticate': challenge })
      return {
        state,
        initial: options.secrets,
        service: {
          routes: keyVaultRoutes(state, options.valueLimit ?? KEY_VAULT_VALUE_LIMIT),
          // The SDK's first request carries no token (nor body): it exists to draw the challenge.
          preRoute: (req) => (req.headers.authorization ? undefined : 'Challenge'),
          authenticate(req) {
            const failure = verifyBearer(req.headers.authorization, tokenKey, [RESOURCE], now())
            if (failure === undefined) return undefined
            if (failure === 'missing')
              return unauthorized('AKV10000: Request is missing a Bearer or PoP token.')
            if (failure === 'expired') return unauthorized('The access token has expired.')
            if (failure === 'audience') return unauthorized(`The access token is not for ${RESOURCE}.`)
            return unauthorized('The access token is invalid (not issued by this fake).')
          },
          notFound: (req) =>
            json(404, {
              error: { code: 'NotFound', message: `No route for ${req.method} ${req.url.split('?')[0]}.` },
            }),
          fault: keyVaultFault,
        },
      }
    },
    (server, _credential, ca) => ({
      vaultUrl: server.endpoint,
      clientOptions: { tlsOptions: { ca }, disableChallengeResourceVerification: true as const },
    }),
  )
}

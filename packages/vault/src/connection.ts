import { lazyClient, type PolysecretError, ValidationError, withSignal } from '@polysecret/core'
import { AuthSession } from './auth.js'
import { isNotFound, isPermissionDenied, toPolysecretError } from './errors.js'
import { type KvEngine, kvEngine, MalformedAnswer, type VaultClient } from './kv-engine.js'
import type { VaultKvOptions } from './options.js'

/** The module as `import()` gives it (CommonJS: the factory is `default`). */
type NodeVault = { default: (options: object) => VaultClient }

/** The provider's link to Vault: lazy client, token session, KV engine detection and error mapping. */
export interface Connection {
  /** The KV engine of the mount (its version detected on first use with `version: 'auto'`). */
  engine(ctx: CallContext): Promise<KvEngine>
  /**
   * Vault answers `sys/health` unsealed and active, and the token works. Throws mapped errors. Says
   * when the token expires, when it has a TTL.
   */
  check(signal: AbortSignal | undefined): Promise<{ credentialsExpireAt?: Date }>
  /** Logins made so far. */
  readonly logins: () => number
  close(): Promise<void>
}

/** The key (for errors) and abort signal of the operation a call belongs to. */
export interface CallContext {
  readonly key?: string | undefined
  readonly signal?: AbortSignal | undefined
}

/** The connection of one provider: nothing happens until the first call. */
export function connect(options: VaultKvOptions, provider: string): Connection {
  const sdk = lazyClient<NodeVault, VaultClient>({
    provider,
    pkg: 'node-vault',
    requiredBy: '@polysecret/vault',
    load: () => import('node-vault') as unknown as Promise<NodeVault>,
    client: options.client,
    create: (m) => {
      // No token on the client: each call carries the session's token in its own header.
      return m.default({
        endpoint: options.endpoint,
        apiVersion: 'v1',
        ...(options.namespace && { namespace: options.namespace }),
      })
    },
    dispose: () => undefined,
  })
  const raw = async <T>(call: (c: VaultClient) => Promise<T>, signal?: AbortSignal): Promise<T> =>
    withSignal(call((await sdk.connect()).client), signal)
  const session =
    options.auth === undefined
      ? undefined
      : new AuthSession(
          options.auth,
          {
            post: (path, body, token) => raw((c) => c.write(path, body, headers(token))),
            get: (path, token) => raw((c) => c.read(path, headers(token))),
          },
          options.now ?? Date.now,
          provider,
        )

  /**
   * Runs a call with the token. A 403 on a login session whose token Vault no longer accepts (revoked,
   * expired early) logs in again and retries once; a 403 for a valid token is the policy's answer.
   */
  const send = async <T>(
    ctx: CallContext,
    call: (c: VaultClient, o: Record<string, unknown>) => Promise<T>,
  ): Promise<T> => {
    try {
      const token = await session?.token()
      try {
        return decoded(await raw((c) => call(c, headers(token)), ctx.signal))
      } catch (error) {
        if (!(token !== undefined && session?.canLogIn && isPermissionDenied(error))) throw error
        if (await session.stillValid(token)) throw error
        session.refused(token)
        const fresh = await session.token()
        return decoded(await raw((c) => call(c, headers(fresh)), ctx.signal))
      }
    } catch (error) {
      if (isNotFound(error)) throw error
      throw mapError(error, ctx, provider)
    }
  }

  let detected: Promise<1 | 2> | undefined
  const mount = options.mount
  const detect = async (ctx: CallContext): Promise<1 | 2> => {
    const answer = (await send(ctx, (c, o) => c.read(`sys/internal/ui/mounts/${mount}`, o)).catch(
      (error: unknown) => {
        throw isNotFound(error) ? mapError(error, ctx, provider) : error
      },
    )) as { data?: { type?: unknown; options?: { version?: unknown } | null } } | undefined
    const type = answer?.data?.type
    if (type !== 'kv' && type !== 'generic') {
      throw new ValidationError(`Mount "${mount}" is not a KV secrets engine (provider "${provider}").`, {
        provider,
        hint: 'Point mount at a KV v1 or v2 engine, or set version explicitly.',
      })
    }
    return String(answer?.data?.options?.version ?? '1') === '2' ? 2 : 1
  }
  const fixed = options.version === 'auto' ? undefined : (options.version ?? 2)

  return {
    async engine(ctx) {
      // One detection for all operations; a failed one is not remembered.
      detected ??= fixed === undefined ? detect(ctx) : Promise.resolve(fixed)
      const version = await detected.catch((error: unknown) => {
        detected = undefined
        throw error
      })
      const malformed = (what: string) => mapError(new MalformedAnswer(what), ctx, provider)
      return kvEngine(version, mount, (call) => send(ctx, call), isNotFound, malformed)
    },
    async check(signal) {
      const health = (await raw((c) => c.read('sys/health', { headers: {} }), signal).catch(
        (error: unknown) => {
          throw mapError(error, { signal }, provider)
        },
      )) as { sealed?: boolean; initialized?: boolean; standby?: boolean } | undefined
      if (health?.sealed === true)
        throw mapError(
          Object.assign(new Error('sealed'), {
            response: { statusCode: 503, body: { errors: ['Vault is sealed'] } },
          }),
          { signal },
          provider,
        )
      await session?.token()
      const expiresAt = session?.expiresAt
      return expiresAt ? { credentialsExpireAt: expiresAt } : {}
    },
    logins: () => session?.logins ?? 0,
    async close() {
      session?.reset()
      await sdk.close()
    },
  }
}

/**
 * Vault answers JSON or nothing (204). Text means the client could not parse the body (axios hands it
 * over as a string): a proxy's error page, or a body cut short — an undecodable answer, which maps to
 * UnavailableError like a dropped connection (never to a value, never to "not found").
 */
function decoded<T>(answer: T): T {
  if (typeof answer === 'string' && answer !== '')
    throw new SyntaxError('Vault answered with a body that is not JSON')
  return answer
}

function headers(token: string | undefined): Record<string, unknown> {
  return token === undefined ? {} : { headers: { 'X-Vault-Token': token } }
}

function mapError(error: unknown, ctx: CallContext, provider: string): PolysecretError {
  if (error instanceof MalformedAnswer) {
    return new ValidationError(
      `Vault answered with an unexpected shape (${error.message})${ctx.key === undefined ? '' : ` for key "${ctx.key}"`} (provider "${provider}").`,
      { key: ctx.key, provider, hint: 'Check that mount and version match the engine (KV v1 or v2).' },
    )
  }
  return toPolysecretError(error, { key: ctx.key, provider })
}

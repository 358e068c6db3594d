import { readFile } from 'node:fs/promises'
import { AccessDeniedError, ValidationError } from '@polysecret/core'
import { httpStatusOf } from './errors.js'

/** The default place Kubernetes mounts a pod's service-account token. */
export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token'

/** AppRole auth: the role id and secret id the role was issued (`auth/<mountPath>/login`). */
export interface AppRoleAuth {
  readonly appRole: {
    readonly roleId: string
    readonly secretId: string
    /** Where the AppRole auth method is mounted. @default 'approle' */
    readonly mountPath?: string
  }
}

/** Kubernetes auth: the pod's service-account JWT, re-read from `jwtPath` at each login. */
export interface KubernetesAuth {
  readonly kubernetes: {
    /** The Vault role bound to the service account. */
    readonly role: string
    /** @default '/var/run/secrets/kubernetes.io/serviceaccount/token' */
    readonly jwtPath?: string
    /** Where the Kubernetes auth method is mounted. @default 'kubernetes' */
    readonly mountPath?: string
  }
}

/** A Vault token, AppRole credentials, or a Kubernetes role. */
export type VaultAuth = string | AppRoleAuth | KubernetesAuth

/** The calls a session makes; token `undefined` sends none (a login). */
export interface AuthTransport {
  post(path: string, body: unknown, token: string | undefined): Promise<unknown>
  get(path: string, token: string): Promise<unknown>
}

interface TokenState {
  readonly token: string
  /** When the token stops working (ms); `Infinity` for a token without TTL. */
  readonly expiresAt: number
  /** When to renew it (2/3 of its TTL), checked on use. */
  readonly renewAt: number
  /** Whether renew-self can extend it; when not, the session logs in again at `renewAt`. */
  readonly renewable: boolean
  /** The TTL it was issued or last renewed with (ms). */
  readonly ttl: number
}

const UNTIMED = {
  expiresAt: Number.POSITIVE_INFINITY,
  renewAt: Number.POSITIVE_INFINITY,
  renewable: false,
  ttl: 0,
}

/** Problems with the `auth` option, for assertValidOptions. */
export function authIssues(auth: unknown): string[] {
  if (typeof auth === 'string') return auth.trim() === '' ? ['auth must not be an empty token'] : []
  const a = auth as Record<string, Record<string, unknown> | undefined> | null
  const nonEmpty = (v: unknown) => typeof v === 'string' && v.trim() !== ''
  if (a !== null && typeof a === 'object' && a.appRole !== undefined) {
    const r = a.appRole
    const issues = []
    if (!nonEmpty(r?.roleId) || !nonEmpty(r?.secretId)) issues.push('auth.appRole needs roleId and secretId')
    if (r?.mountPath !== undefined && !nonEmpty(r.mountPath))
      issues.push('auth.appRole.mountPath must be a non-empty string')
    return issues
  }
  if (a !== null && typeof a === 'object' && a.kubernetes !== undefined) {
    const k = a.kubernetes
    const issues = []
    if (!nonEmpty(k?.role))
      issues.push('auth.kubernetes needs role (the Vault role bound to the service account)')
    if (k?.jwtPath !== undefined && !nonEmpty(k.jwtPath))
      issues.push('auth.kubernetes.jwtPath must be a file path')
    if (k?.mountPath !== undefined && !nonEmpty(k.mountPath))
      issues.push('auth.kubernetes.mountPath must be a non-empty string')
    return issues
  }
  return ['auth must be a token, { appRole: { roleId, secretId } } or { kubernetes: { role, jwtPath? } }']
}

/**
 * A Vault token that stays valid: the first use logs in (or looks the given token up), later uses
 * renew it with renew-self once 2/3 of its TTL has passed, and a refused renewal logs in again. All
 * of it happens on use — no timer keeps the process alive — and only one login or renewal runs at a
 * time, however many reads wait for it.
 */
export class AuthSession {
  #state: TokenState | undefined
  #pending: Promise<TokenState> | undefined
  readonly #auth: VaultAuth
  readonly #transport: AuthTransport
  readonly #now: () => number
  readonly #provider: string
  /** Logins made so far (tests and benchmarks count them). */
  logins = 0

  constructor(auth: VaultAuth, transport: AuthTransport, now: () => number, provider: string) {
    this.#provider = provider
    this.#auth = auth
    this.#transport = transport
    this.#now = now
  }

  /** When the current token stops working, if it has a TTL (`/ready` of the sidecar reports it). */
  get expiresAt(): Date | undefined {
    const at = this.#state?.expiresAt
    return at !== undefined && Number.isFinite(at) ? new Date(at) : undefined
  }

  /** Whether the session can log in again (a fixed token cannot). */
  get canLogIn(): boolean {
    return typeof this.#auth !== 'string'
  }

  /** A token to send now, logging in or renewing first when due. */
  async token(): Promise<string> {
    const state = this.#state
    if (state !== undefined && this.#now() < state.renewAt) return state.token
    this.#pending ??= this.#refresh(state).finally(() => {
      this.#pending = undefined
    })
    return (await this.#pending).token
  }

  /** Vault refused `token` (403): forget it so the next use logs in again (when this is a login). */
  refused(token: string): void {
    if (this.canLogIn && this.#state?.token === token) this.#state = undefined
  }

  /**
   * After a 403: whether Vault still accepts `token` (lookup-self answers), so the 403 was the
   * policy's answer rather than a revoked or expired token. Saves a login per denied path.
   */
  async stillValid(token: string): Promise<boolean> {
    try {
      await this.#transport.get('auth/token/lookup-self', token)
      return true
    } catch (error) {
      return httpStatusOf(error) !== 403
    }
  }

  /** Forgets the token (close). */
  reset(): void {
    this.#state = undefined
  }

  async #refresh(state: TokenState | undefined): Promise<TokenState> {
    const next = await this.#next(state)
    this.#state = next
    return next
  }

  async #next(state: TokenState | undefined): Promise<TokenState> {
    if (typeof this.#auth === 'string') {
      if (state === undefined) return this.#lookUp(this.#auth)
      const renewed = state.renewable ? await this.#renew(state) : 'refused'
      // A given token that cannot be renewed is used until Vault refuses it.
      return renewed === 'refused' ? { ...state, renewAt: Number.POSITIVE_INFINITY } : renewed
    }
    if (state?.renewable && this.#now() < state.expiresAt) {
      const renewed = await this.#renew(state)
      if (renewed !== 'refused') return renewed
    }
    return this.#logIn()
  }

  /** A given token: its TTL from lookup-self; a token the lookup cannot see is used as it is. */
  async #lookUp(token: string): Promise<TokenState> {
    const now = this.#now()
    try {
      const answer = (await this.#transport.get('auth/token/lookup-self', token)) as {
        data?: { ttl?: number; renewable?: boolean }
      }
      const ttl = answer?.data?.ttl
      if (typeof ttl === 'number' && ttl > 0) return timed(token, ttl, answer.data?.renewable === true, now)
    } catch {
      // Without lookup-self (a policy may deny it) the token is used as given; reads report refusals.
    }
    return { token, ...UNTIMED }
  }

  /**
   * renew-self. A refusal (4xx), an answer without a TTL or a shorter TTL than before (the token
   * reached its max TTL) ends renewal: `'refused'` now, or a state that is not renewable. A network
   * failure or 5xx keeps the current token, which still works, and tries again on the next use.
   */
  async #renew(state: TokenState): Promise<TokenState | 'refused'> {
    const now = this.#now()
    let answer: { auth?: { lease_duration?: number; renewable?: boolean } }
    try {
      answer = (await this.#transport.post('auth/token/renew-self', {}, state.token)) as typeof answer
    } catch (error) {
      const status = httpStatusOf(error)
      if (status !== undefined && status < 500 && status !== 429) return 'refused'
      return state
    }
    const ttl = answer?.auth?.lease_duration
    if (typeof ttl !== 'number' || ttl <= 0) return 'refused'
    // A shorter TTL than before means the token reached its max TTL: log in again when it is due.
    const capped = ttl * 1000 < state.ttl
    return timed(state.token, ttl, answer.auth?.renewable === true && !capped, now)
  }

  async #logIn(): Promise<TokenState> {
    try {
      return await this.#logInOnce()
    } catch (cause) {
      const status = httpStatusOf(cause)
      if (status === undefined || status >= 500 || status === 429) throw cause
      throw new AccessDeniedError({
        provider: this.#provider,
        cause,
        message: `Vault refused the ${this.#method} login (Vault ${status}) (provider "${this.#provider}").`,
        hint: 'Check the role and its credentials (AppRole role id and secret id, or the Kubernetes role bound to this service account).',
      })
    }
  }

  get #method(): string {
    return typeof this.#auth === 'object' && 'appRole' in this.#auth ? 'AppRole' : 'Kubernetes'
  }

  async #logInOnce(): Promise<TokenState> {
    const now = this.#now()
    const auth = this.#auth as AppRoleAuth | KubernetesAuth
    this.logins += 1
    let answer: { auth?: { client_token?: string; lease_duration?: number; renewable?: boolean } }
    if ('appRole' in auth) {
      const { roleId, secretId, mountPath = 'approle' } = auth.appRole
      answer = (await this.#transport.post(
        `auth/${mountPath}/login`,
        { role_id: roleId, secret_id: secretId },
        undefined,
      )) as typeof answer
    } else {
      const { role, jwtPath = SERVICE_ACCOUNT_TOKEN_PATH, mountPath = 'kubernetes' } = auth.kubernetes
      // Re-read at each login: the kubelet rotates projected service-account tokens.
      const jwt = await readJwt(jwtPath, this.#provider)
      answer = (await this.#transport.post(
        `auth/${mountPath}/login`,
        { role, jwt },
        undefined,
      )) as typeof answer
    }
    const token = answer?.auth?.client_token
    if (typeof token !== 'string' || token === '')
      throw new Error('Vault login answered without a client token')
    const ttl = answer.auth?.lease_duration
    if (typeof ttl !== 'number' || ttl <= 0) {
      return { token, ...UNTIMED }
    }
    return timed(token, ttl, answer.auth?.renewable === true, now)
  }
}

async function readJwt(path: string, provider: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (cause) {
    throw new ValidationError(`Cannot read the service-account token at ${path} (provider "${provider}").`, {
      provider,
      cause,
      hint: 'Run in a pod with a service-account token mounted, or set auth.kubernetes.jwtPath.',
    })
  }
}

function timed(token: string, ttlSeconds: number, renewable: boolean, now: number): TokenState {
  const ttl = ttlSeconds * 1000
  return { token, expiresAt: now + ttl, renewAt: now + (ttl * 2) / 3, renewable, ttl }
}

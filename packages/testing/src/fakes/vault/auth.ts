import { randomBytes, randomUUID } from 'node:crypto'
import { parseDuration } from './duration.js'
import { type Capability, capabilitiesOn, checkRules, type PolicyRule } from './policy.js'
import { badRequest, invalidToken, permissionDenied, timestamp, VaultError } from './wire.js'

/**
 * Tokens, policies and the two login methods (AppRole, Kubernetes) of the Vault fake. Times are on
 * the fake's clock, so a test moves it to expire a token instead of waiting.
 */

/** Vault's system default and maximum token TTL: 32 days. */
export const SYSTEM_MAX_TTL = 32 * 24 * 3600

export interface TokenOptions {
  readonly policies?: readonly string[]
  /** TTL in seconds or as a duration (`'1h'`). Default: 32 days. */
  readonly ttl?: number | string
  /** Whether renew-self may extend it. Default: true. */
  readonly renewable?: boolean
  /** Explicit max TTL: renewals never take it past issue time + this. Default: the system's 32 days. */
  readonly maxTtl?: number | string
  readonly displayName?: string
  readonly meta?: Readonly<Record<string, string>>
}

export interface Token {
  readonly id: string
  readonly accessor: string
  readonly policies: readonly string[]
  readonly path: string
  readonly displayName: string
  readonly meta: Readonly<Record<string, string>> | null
  readonly renewable: boolean
  /** The TTL it was created with (and that renewals default to), in seconds; 0 for the root token. */
  readonly ttl: number
  readonly explicitMaxTtl: number
  readonly issuedAt: number
  /** Epoch ms; undefined = never (root). */
  expiresAt: number | undefined
  readonly maxExpiresAt: number | undefined
}

interface Role {
  readonly policies: readonly string[]
  readonly ttl: number
  readonly maxTtl: number
}

export class VaultAuth {
  readonly #tokens = new Map<string, Token>()
  readonly #policies = new Map<string, readonly PolicyRule[]>()
  readonly #appRoles = new Map<string, Role & { secretIds: Set<string>; name: string }>()
  readonly #k8sRoles = new Map<string, Role & { jwts: Set<string> }>()

  constructor(readonly now: () => number) {}

  definePolicy(name: string, rules: readonly PolicyRule[]): void {
    this.#policies.set(name, checkRules(name, rules))
  }

  /** Issues a token; `path` is the auth path it came from (`auth/token/create`, `auth/approle/login` …). */
  issue(options: TokenOptions = {}, path = 'auth/token/create', id?: string): Token {
    const policies = options.policies ?? []
    for (const p of policies)
      if (p !== 'root' && p !== 'default' && !this.#policies.has(p))
        throw new TypeError(`unknown policy "${p}": define it with definePolicy first`)
    const root = policies.includes('root')
    const ttl = root && options.ttl === undefined ? 0 : parseDuration('ttl', options.ttl ?? SYSTEM_MAX_TTL)
    const explicitMaxTtl = parseDuration('maxTtl', options.maxTtl ?? 0)
    const now = this.now()
    const cap = explicitMaxTtl > 0 ? Math.min(explicitMaxTtl, SYSTEM_MAX_TTL) : SYSTEM_MAX_TTL
    const token: Token = {
      id: id ?? `hvs.${randomBytes(18).toString('base64url')}`,
      accessor: randomBytes(12).toString('base64url'),
      policies: root ? ['root'] : [...new Set([...policies, 'default'])].sort(),
      path,
      displayName: options.displayName ?? (root ? 'root' : 'token'),
      meta: options.meta ?? null,
      renewable: ttl === 0 ? false : (options.renewable ?? true),
      ttl,
      explicitMaxTtl,
      issuedAt: now,
      expiresAt: ttl === 0 ? undefined : now + Math.min(ttl, cap) * 1000,
      maxExpiresAt: ttl === 0 ? undefined : now + cap * 1000,
    }
    this.#tokens.set(token.id, token)
    return token
  }

  /** The live token a request carries, or 403 "permission denied". */
  authenticate(header: string | string[] | undefined): Token {
    const id = Array.isArray(header) ? header[0] : header
    const token = id ? this.#tokens.get(id) : undefined
    if (!token) throw invalidToken()
    if (token.expiresAt !== undefined && token.expiresAt <= this.now()) {
      this.#tokens.delete(token.id)
      throw invalidToken()
    }
    return token
  }

  capabilities(token: Token, path: string): Set<Capability> {
    if (token.policies.includes('root'))
      return new Set<Capability>(['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo'])
    const rules = token.policies.map((p) => this.#policies.get(p) ?? [])
    return capabilitiesOn(rules, path)
  }

  /** Throws 403 unless `token` holds one of `needed` on `path`. */
  authorize(token: Token, path: string, ...needed: Capability[]): void {
    const caps = this.capabilities(token, path)
    if (!needed.some((c) => caps.has(c))) throw permissionDenied()
  }

  /** Whether any rule of `token`'s policies (other than `deny`) lies under `prefix`. */
  anyRuleUnder(token: Token, prefix: string): boolean {
    return token.policies.some((p) =>
      (this.#policies.get(p) ?? []).some(
        (rule) =>
          rule.path.startsWith(prefix) && !rule.capabilities.includes('deny') && rule.capabilities.length > 0,
      ),
    )
  }

  revoke(id: string): void {
    this.#tokens.delete(id)
  }

  /** renew-self: extends by `increment` (default: the token's TTL), capped at its max TTL with a warning. */
  renew(token: Token, increment: unknown): { token: Token; warnings: string[] } {
    if (!token.renewable) throw badRequest('lease is not renewable')
    const wanted = increment === undefined || increment === '' ? token.ttl : parseIncrement(increment)
    const now = this.now()
    const max = token.maxExpiresAt ?? now
    let until = now + wanted * 1000
    const warnings: string[] = []
    if (until > max) {
      until = max
      warnings.push(
        `TTL of "${wanted}s" exceeded the effective max_ttl of "${Math.floor((max - now) / 1000)}s"; TTL value is capped accordingly`,
      )
    }
    token.expiresAt = until
    return { token, warnings }
  }

  createAppRole(options: {
    policies?: readonly string[]
    name?: string
    ttl?: number | string
    maxTtl?: number | string
  }) {
    const role = this.#role(options)
    const roleId = randomUUID()
    const secretId = randomUUID()
    const name = options.name ?? `role-${this.#appRoles.size + 1}`
    this.#appRoles.set(roleId, { ...role, name, secretIds: new Set([secretId]) })
    return { roleId, secretId }
  }

  appRoleLogin(body: Record<string, unknown>): Token {
    if (typeof body.role_id !== 'string' || body.role_id === '') throw badRequest('missing role_id')
    const role = this.#appRoles.get(body.role_id)
    if (!role || typeof body.secret_id !== 'string' || !role.secretIds.has(body.secret_id))
      throw badRequest('invalid role or secret ID')
    return this.issue(
      {
        policies: role.policies,
        ttl: role.ttl,
        maxTtl: role.maxTtl,
        meta: { role_name: role.name },
        displayName: `approle`,
      },
      'auth/approle/login',
    )
  }

  createKubernetesRole(options: {
    role: string
    jwt: string | readonly string[]
    policies?: readonly string[]
    ttl?: number | string
    maxTtl?: number | string
  }): void {
    if (!options.role) throw new TypeError('createKubernetesRole needs a role name')
    const jwts = typeof options.jwt === 'string' ? [options.jwt] : options.jwt
    if (jwts.length === 0 || jwts.some((j) => !j))
      throw new TypeError('createKubernetesRole needs the service-account JWT it accepts')
    this.#k8sRoles.set(options.role, { ...this.#role(options), jwts: new Set(jwts) })
  }

  kubernetesLogin(body: Record<string, unknown>): Token {
    if (typeof body.role !== 'string' || body.role === '') throw badRequest('missing role')
    if (typeof body.jwt !== 'string' || body.jwt === '') throw badRequest('missing jwt')
    const role = this.#k8sRoles.get(body.role)
    if (!role) throw badRequest(`invalid role name "${body.role}"`)
    if (!role.jwts.has(body.jwt)) throw invalidToken()
    return this.issue(
      {
        policies: role.policies,
        ttl: role.ttl,
        maxTtl: role.maxTtl,
        meta: { role: body.role },
        displayName: `kubernetes`,
      },
      'auth/kubernetes/login',
    )
  }

  #role(options: { policies?: readonly string[]; ttl?: number | string; maxTtl?: number | string }): Role {
    for (const p of options.policies ?? [])
      if (p !== 'default' && !this.#policies.has(p))
        throw new TypeError(`unknown policy "${p}": define it with definePolicy first`)
    return {
      policies: options.policies ?? [],
      ttl: parseDuration('ttl', options.ttl ?? 3600),
      maxTtl: parseDuration('maxTtl', options.maxTtl ?? 0),
    }
  }
}

function parseIncrement(value: unknown): number {
  try {
    return parseDuration('increment', value)
  } catch {
    throw new VaultError(400, ['error parsing increment: invalid duration'])
  }
}

/** The `auth` block of a login or renewal. */
export function authBlock(token: Token, now: number) {
  return {
    client_token: token.id,
    accessor: token.accessor,
    policies: token.policies,
    token_policies: token.policies,
    metadata: token.meta,
    lease_duration: remaining(token, now),
    renewable: token.renewable,
    entity_id: '',
    token_type: 'service',
    orphan: true,
    mfa_requirement: null,
    num_uses: 0,
  }
}

/** The `data` of token lookup-self. */
export function lookupData(token: Token, now: number) {
  return {
    accessor: token.accessor,
    creation_time: Math.floor(token.issuedAt / 1000),
    creation_ttl: token.ttl,
    display_name: token.displayName,
    entity_id: '',
    expire_time: token.expiresAt === undefined ? null : timestamp(token.expiresAt),
    explicit_max_ttl: token.explicitMaxTtl,
    id: token.id,
    issue_time: timestamp(token.issuedAt),
    meta: token.meta,
    num_uses: 0,
    orphan: true,
    path: token.path,
    policies: token.policies,
    renewable: token.renewable,
    ttl: remaining(token, now),
    type: 'service',
  }
}

function remaining(token: Token, now: number): number {
  return token.expiresAt === undefined ? 0 : Math.max(0, Math.floor((token.expiresAt - now) / 1000))
}

import { type FakeServer, type FakeServerOptions, startFakeServer } from '../http-server.js'
import { type TokenOptions, VaultAuth } from './auth.js'
import type { SecretData } from './kv2.js'
import type { PolicyRule } from './policy.js'
import { ORIGINAL_METHOD_HEADER, vaultProtocol } from './protocol.js'
import type { MountConfig } from './routes.js'
import { VaultState } from './state.js'

/**
 * A wire-level fake of HashiCorp Vault's HTTP API (`/v1/`) over plain HTTP, as `vault server -dev`
 * serves it: KV v1 and v2 mounts, token, AppRole and Kubernetes auth, ACL policies, namespaces and the
 * seal. See `README-API.md` beside this file for the surface.
 */

export interface VaultFakeOptions extends FakeServerOptions {
  /** KV mounts by path. Default: `{ 'secret/': { version: 2 }, 'kv1/': { version: 1 } }`. */
  readonly mounts?: Readonly<Record<string, MountConfig>>
  /** Namespaces besides the root one (`X-Vault-Namespace`); each has its own data under the same mounts. */
  readonly namespaces?: readonly string[]
  /** Initial data by full path (`secret/app/db`, `kv1/app/db`), in the root namespace. */
  readonly secrets?: Readonly<Record<string, SecretData>>
  /** The root token (`fake.rootToken`). Default: random `hvs.…`. */
  readonly rootToken?: string
  /** Clock of the fake (epoch ms): token TTLs, version times. Default: `Date.now`. */
  readonly now?: () => number
  /** Largest request body; larger is 413. Default: 32 MiB, Vault's `max_request_size`. */
  readonly maxRequestBytes?: number
  /** Version reported by `sys/health` and `sys/seal-status`. Default: `1.19.0`. */
  readonly version?: string
}

/** A running Vault fake. */
export interface VaultFake extends FakeServer {
  readonly service: 'vault'
  /** A token with the `root` policy that never expires. */
  readonly rootToken: string
  readonly state: VaultState
  readonly auth: VaultAuth
  /** Defines (or replaces) an ACL policy: `[{ path: 'secret/data/app/*', capabilities: ['read'] }]`. */
  definePolicy(name: string, rules: readonly PolicyRule[]): void
  /** Issues a token (default: 32-day TTL, renewable, policies `default` only). Returns its id. */
  createToken(options?: TokenOptions): string
  /** Makes a token unknown at once: its requests get 403 "permission denied". */
  revokeToken(token: string): void
  /** An AppRole whose login (`auth/approle/login`) issues tokens with `policies`. */
  createAppRole(options?: {
    readonly policies?: readonly string[]
    readonly name?: string
    readonly ttl?: number | string
    readonly maxTtl?: number | string
  }): { roleId: string; secretId: string }
  /** A Kubernetes-auth role that accepts `jwt` (one or several service-account tokens) at `auth/kubernetes/login`. */
  createKubernetesRole(options: {
    readonly role: string
    readonly jwt: string | readonly string[]
    readonly policies?: readonly string[]
    readonly ttl?: number | string
    readonly maxTtl?: number | string
  }): void
  /** Writes a secret by full path without going through the API (a new version on KV v2). */
  put(path: string, data: SecretData, options?: { readonly namespace?: string }): void
  createNamespace(name: string): void
  /** Seals the Vault: every request but `sys/health` and `sys/seal-status` gets 503 "Vault is sealed". */
  seal(): void
  unseal(): void
  readonly sealed: boolean
  now(): number
}

const DEFAULT_MOUNTS: Record<string, MountConfig> = { 'secret/': { version: 2 }, 'kv1/': { version: 1 } }
const MAX_REQUEST_BYTES = 32 * 1024 * 1024

/** Starts a Vault fake on 127.0.0.1 (random port). Prefer `startFake('vault')`. */
export async function startVaultFake(options: VaultFakeOptions = {}): Promise<VaultFake> {
  const now = options.now ?? Date.now
  const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES
  if (!(Number.isInteger(maxRequestBytes) && maxRequestBytes > 0))
    throw new RangeError(`maxRequestBytes must be a positive whole number, got ${maxRequestBytes}`)
  const state = new VaultState(options.mounts ?? DEFAULT_MOUNTS, options.namespaces ?? [], now)
  for (const [path, data] of Object.entries(options.secrets ?? {})) state.put(path, data)
  const auth = new VaultAuth(now)
  const root = auth.issue({ policies: ['root'], displayName: 'root' }, 'auth/token/root', options.rootToken)
  const server = await startFakeServer(
    vaultProtocol({ state, auth, now, maxRequestBytes, version: options.version ?? '1.19.0' }),
    options,
    undefined,
    undefined,
    { customMethods: ['LIST'], originalMethodHeader: ORIGINAL_METHOD_HEADER },
  )
  Object.defineProperty(server, 'sealed', { get: () => state.sealed, enumerable: true })
  return Object.assign(server as FakeServer & { readonly sealed: boolean }, {
    service: 'vault' as const,
    rootToken: root.id,
    state,
    auth,
    definePolicy: (name: string, rules: readonly PolicyRule[]) => auth.definePolicy(name, rules),
    createToken: (o?: TokenOptions) => auth.issue(o).id,
    revokeToken: (t: string) => auth.revoke(t),
    createAppRole: (o: Parameters<VaultFake['createAppRole']>[0] = {}) => auth.createAppRole(o),
    createKubernetesRole: (o: Parameters<VaultFake['createKubernetesRole']>[0]) =>
      auth.createKubernetesRole(o),
    put: (path: string, data: SecretData, o: { readonly namespace?: string } = {}) =>
      state.put(path, data, o.namespace),
    createNamespace: (name: string) => state.createNamespace(name),
    seal: () => {
      state.sealed = true
    },
    unseal: () => {
      state.sealed = false
    },
    now,
  })
}

import type { KeyMapping } from '@polysecret/core'
import { authIssues, type VaultAuth } from './auth.js'
import { keyOptionIssues, type VaultKeyMappingName } from './key-mapping.js'
import type { VaultClient } from './kv-engine.js'

/** Options of {@link vaultKv}. */
export interface VaultKvOptions {
  /** Vault's address, e.g. `https://vault.example.com:8200`. Not needed with your own `client`. */
  readonly endpoint?: string
  /** Where the KV secrets engine is mounted, e.g. `secret`. */
  readonly mount: string
  /**
   * The KV engine's version: `2` (versioned), `1`, or `'auto'` to ask Vault
   * (`sys/internal/ui/mounts/<mount>`, allowed by the default policy) on first use.
   * @default 2
   */
  readonly version?: 1 | 2 | 'auto'
  /**
   * How to authenticate: a token, `{ appRole: { roleId, secretId } }` or
   * `{ kubernetes: { role, jwtPath? } }`. Required unless you pass a `client` that carries its token.
   */
  readonly auth?: VaultAuth
  /** Vault Enterprise / HCP namespace (`X-Vault-Namespace`). */
  readonly namespace?: string
  /** A node-vault client of your own; used as-is and never closed. Without `auth`, its own token is used. */
  readonly client?: VaultClient
  /**
   * Instance name, unique within a manager; appears in errors and events.
   * @default 'vault-kv'
   */
  readonly providerName?: string
  /** A folder under the mount that holds every key (`myapp/`); keys are relative to it. */
  readonly prefix?: string
  /**
   * The field a key without `#field` reads and writes: `API_TOKEN` is field `value` of the secret at
   * path `API_TOKEN`.
   * @default 'value'
   */
  readonly defaultField?: string
  /** How keys map to paths: `'identity'` or your own `{ toName, toKey }`. @default 'identity' */
  readonly keyMapping?: VaultKeyMappingName | KeyMapping
  /** Opt in to writes from this provider even when the manager's `allowWrites` is off. */
  readonly writable?: boolean
  /** Most reads `getMany` runs at once (one per path). @default 16 */
  readonly concurrency?: number
  /** The clock token renewal uses (ms since the epoch). @default Date.now */
  readonly now?: () => number
}

const MOUNT = /^[^/#?]+(\/[^/#?]+)*$/

/** Every problem with the options, for assertValidOptions. */
export function optionIssues(o: Record<string, unknown>): string[] {
  const issues: string[] = []
  if (o.client === undefined) {
    if (typeof o.endpoint !== 'string' || !/^https?:\/\/[^/]+/.test(o.endpoint)) {
      issues.push(
        'endpoint must be Vault\'s URL (http:// or https://), e.g. "https://vault.example.com:8200"',
      )
    }
    if (o.auth === undefined)
      issues.push('auth is required (a token, { appRole } or { kubernetes }) unless you pass a client')
  } else {
    const c = o.client as Record<string, unknown> | null
    if (
      c === null ||
      typeof c !== 'object' ||
      ['read', 'write', 'list', 'delete'].some((m) => typeof c[m] !== 'function')
    ) {
      issues.push('client must be a node-vault client (read, write, list, delete)')
    }
  }
  if (o.auth !== undefined) issues.push(...authIssues(o.auth))
  if (typeof o.mount !== 'string' || !MOUNT.test(o.mount)) {
    issues.push('mount must be the KV engine\'s mount path without slashes around it, e.g. "secret"')
  }
  if (o.version !== undefined && o.version !== 1 && o.version !== 2 && o.version !== 'auto') {
    issues.push("version must be 1, 2 or 'auto'")
  }
  if (o.namespace !== undefined && (typeof o.namespace !== 'string' || o.namespace.trim() === '')) {
    issues.push('namespace must be a non-empty string')
  }
  if (o.providerName !== undefined && (typeof o.providerName !== 'string' || o.providerName.trim() === '')) {
    issues.push('providerName must be a non-empty string')
  }
  if (o.writable !== undefined && typeof o.writable !== 'boolean') issues.push('writable must be a boolean')
  if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && (o.concurrency as number) >= 1)) {
    issues.push('concurrency must be a whole number ≥ 1')
  }
  if (o.now !== undefined && typeof o.now !== 'function') issues.push('now must be a function returning ms')
  issues.push(...keyOptionIssues(o))
  return issues
}

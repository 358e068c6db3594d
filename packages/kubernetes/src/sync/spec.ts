import type { PolysecretError } from '@polysecret/core'
import type { KubernetesClientOptions } from '../connection.js'
import type { DistributionPolicy } from './policy.js'
import type { NamespaceSelector } from './selector.js'

/**
 * A value in a synced Secret: a source key read through the manager (`'REG_PASSWORD'`, or
 * `{ key: 'REG_PASSWORD' }`), or a literal that is no secret (`{ value: 'ghcr.io' }`).
 */
export type ValueRef = string | { readonly key: string } | { readonly value: string }

interface SecretCommon {
  /** The Secret's name in every selected namespace (a DNS subdomain). */
  readonly name: string
  /** Extra labels on the Secret (the owner labels are always added). */
  readonly labels?: Readonly<Record<string, string>>
  /** Extra annotations on the Secret (source, version and checksum annotations are always added). */
  readonly annotations?: Readonly<Record<string, string>>
  /**
   * Write the Secret `immutable: true` (kubelet stops watching it). A changed value then replaces
   * the Secret (delete + create), as the API server refuses to patch an immutable one.
   * @default false
   */
  readonly immutable?: boolean
}

/** `Opaque`: each data key from a source key or literal. */
export interface OpaqueSecret extends SecretCommon {
  readonly format?: 'opaque'
  readonly data: Readonly<Record<string, ValueRef>>
}

/** `kubernetes.io/tls`: `tls.crt` and `tls.key` (a matching pair, checked before writing), optional `ca.crt`. */
export interface TlsSecret extends SecretCommon {
  readonly format: 'tls'
  readonly data: { readonly 'tls.crt': ValueRef; readonly 'tls.key': ValueRef; readonly 'ca.crt'?: ValueRef }
}

/** `kubernetes.io/basic-auth`: `username` and/or `password`. */
export interface BasicAuthSecret extends SecretCommon {
  readonly format: 'basic-auth'
  readonly data: { readonly username?: ValueRef; readonly password?: ValueRef }
}

/** Registry credentials, rendered by one of the templates below. */
interface CredentialsSecret extends SecretCommon {
  readonly username: ValueRef
  readonly password: ValueRef
}

/**
 * `kubernetes.io/dockerconfigjson` for kubelet's image pulls: `{"auths":{"<registry>":{"username",
 * "password","auth":base64("user:pass")}}}` — the form `kubectl create secret docker-registry` writes.
 */
export interface DockerConfigSecret extends CredentialsSecret {
  readonly format: 'dockerconfigjson'
  /** The registry host as image references name it (`ghcr.io`, `registry.example.com:5000`). */
  readonly registry: ValueRef
  readonly email?: ValueRef
}

/**
 * An Argo CD repository Secret: `Opaque`, labelled `argocd.argoproj.io/secret-type: repository`,
 * with `url`, `username`, `password` and `type` (`git` or `helm`).
 */
export interface ArgoCdRepositorySecret extends CredentialsSecret {
  readonly format: 'argocd-repository'
  readonly url: ValueRef
  /** @default 'git' */
  readonly repoType?: 'git' | 'helm'
  /** The Argo CD project the repository is scoped to. */
  readonly project?: ValueRef
}

/**
 * A plain Git credential: `kubernetes.io/basic-auth` with `username`, `password` and
 * `.git-credentials` (git's credential-store line, `https://user:pass@host`, escaped), usable by Flux
 * (`secretRef`), Tekton and `git config credential.helper store`.
 */
export interface GitCredentialSecret extends CredentialsSecret {
  readonly format: 'git-credentials'
  /** The repository or host URL (`https://github.com/org/repo.git`); only its origin is used. */
  readonly url: ValueRef
}

/** One Secret the sync writes into every selected namespace. */
export type SyncedSecret =
  | OpaqueSecret
  | TlsSecret
  | BasicAuthSecret
  | DockerConfigSecret
  | ArgoCdRepositorySecret
  | GitCredentialSecret

export type SecretFormat = NonNullable<SyncedSecret['format']>

/** One sync audit line: which Secret, where, what was done and how it ended — never a value. */
export interface SyncAuditEvent {
  readonly sync: string
  readonly action: 'create' | 'update' | 'replace' | 'delete'
  readonly namespace: string
  readonly secret: string
  /** The source keys the Secret is built from. */
  readonly keys: readonly string[]
  readonly outcome: 'ok' | 'error' | 'conflict' | 'denied'
  readonly errorCode?: string | undefined
  /** ISO time of the outcome. */
  readonly at: string
}

/** Backoff of a continuous sync after a failed pass (full jitter, doubling up to `maxDelay`). */
export interface SyncRetryOptions {
  /** @default 1_000 */
  readonly baseDelay?: number
  /** @default 60_000 */
  readonly maxDelay?: number
  /** Source of randomness for the jitter. @default Math.random */
  readonly random?: () => number
}

/** What `namespaceSync()` takes, besides the connection (`kubeconfig`, `context`, `inCluster` or `client`). */
export interface NamespaceSyncSettings {
  /**
   * The sync's name: the value of the owner label `polysecret.dev/sync` on every Secret it writes (a
   * label value: at most 63 of `[-_.A-Za-z0-9]`). Two syncs never touch each other's Secrets.
   */
  readonly name: string
  /** Namespaces whose labels match (`{}`: every namespace). */
  readonly namespaceSelector?: NamespaceSelector
  /** Namespace name globs (`team-*`); `!glob` excludes. With `namespaceSelector` a namespace must match both. */
  readonly namespaces?: readonly string[]
  /** The Secrets to write into each selected namespace. */
  readonly secrets: readonly SyncedSecret[]
  /** Which keys may reach which namespaces; system namespaces are denied unless the policy says otherwise. */
  readonly policy?: DistributionPolicy
  /** Called for every create, update, replace, delete and refusal (never a value). */
  readonly onAudit?: (event: SyncAuditEvent) => void
  /** Continuous mode: how often the source keys are polled (stores that push are not polled). @default 30_000 */
  readonly sourceInterval?: number
  /**
   * Continuous mode: a full pass this often even without events, which also puts back copies someone
   * edited or deleted.
   * @default 300_000
   */
  readonly resyncInterval?: number
  /** Continuous mode: called when a pass or a watch fails (the sync keeps going and retries). */
  readonly onError?: (error: PolysecretError) => void
  /** Continuous mode: backoff after a failed pass. */
  readonly retry?: SyncRetryOptions
  /** Kubernetes API calls in flight at once. @default 16 */
  readonly concurrency?: number
  /** The clock for audit times and propagation lag (epoch ms). @default Date.now */
  readonly now?: () => number
}

export type NamespaceSyncSpec = NamespaceSyncSettings & KubernetesClientOptions

/**
 * The provider contract: what a store adapter implements so the manager can read, write and version
 * keys in it. A provider is a thin adapter — caching, retries, fallback, classification, redaction and
 * events all live in the manager, once.
 *
 * Rules every provider follows (the conformance suite in `@polysecret/testing` checks them):
 * - `get` returns `undefined` for a key that does not exist. Not-found is an answer, not an error.
 * - Every other failure is a typed error from `./errors.ts` (`AccessDeniedError`, `ThrottledError`, …)
 *   carrying the key, the provider name and the original error as `cause`. Never turn a failure into
 *   "missing".
 * - Optional methods exist only when the matching capability is `true`; the manager refuses a call the
 *   provider cannot make with one `UnsupportedError`, so a provider never stubs a method that throws.
 * - Credentials never appear on the provider object, in errors or in events.
 */

import type { ProviderLimits } from './gate/limits.js'

/** Whether a key holds a secret (wrapped in `Secret`, never logged) or a plain parameter. */
export type Kind = 'secret' | 'parameter'

/** What a provider can do beyond reading one key. The manager checks these before calling. */
export interface Capabilities {
  /** `list(prefix)` enumerates keys. */
  readonly list: boolean
  /** `set(key, value, opts)` writes a new value (a new version where the store keeps versions). */
  readonly write: boolean
  /** `delete(key, opts)` removes a key. */
  readonly delete: boolean
  /** `versions(key)` lists versions, and `get(key, { version })` reads an old one. */
  readonly versions: boolean
  /** `getMany(keys)` reads many keys in one round trip (native batching). */
  readonly batch: boolean
  /** `get` reports a `version` that changes when the value changes, so the manager can poll for changes. */
  readonly watch: boolean
  /** `rollback(key, version)` makes an old version current natively (else the manager re-writes it). */
  readonly rollback?: boolean
  /**
   * The store keeps tags on a key: `set(key, value, { tags })` attaches them and `tags(key)` reads them
   * back (AWS Secrets Manager tags, memory). Tags are metadata, never secret material.
   */
  readonly tags?: boolean
}

/** One value as a store returned it. */
export interface Entry {
  /** The value: text, or bytes for binary secrets. */
  readonly value: string | Uint8Array
  /** The store's own version id (AWS VersionId, SSM version number, GCP version, Vault version, etag). */
  readonly version?: string
  /** When this version was written, if the store says. */
  readonly updatedAt?: Date
  /** Stages or labels attached to this version (AWSCURRENT, SSM labels, App Configuration label …). */
  readonly labels?: readonly string[]
  /** Store metadata that is safe to show (content type, tags). Never secret material. */
  readonly metadata?: Readonly<Record<string, string>>
  /**
   * The store says this value holds secret material whatever its key is called — e.g. a Parameter
   * Manager value rendered with secret references resolved. A read routed to the parameters chain
   * then serves it as a `Secret`, as it does a value that looks like a credential.
   */
  readonly sensitive?: boolean
}

/** Per-read options a provider understands. */
export interface GetOptions {
  /** Read this version instead of the current one (requires the `versions` capability). */
  readonly version?: string
  /** Read the version carrying this stage/label (e.g. `AWSPREVIOUS`, an SSM label). */
  readonly label?: string
  /** Aborted when the manager's per-attempt timeout or overall deadline passes. */
  readonly signal?: AbortSignal
}

/** Result of a native batch read. Keys in neither map were not found. */
export interface BatchResult {
  readonly entries: ReadonlyMap<string, Entry>
  /** Per-key failures other than not-found. */
  readonly errors: ReadonlyMap<string, Error>
}

/** A key as `list` reports it. */
export interface KeyInfo {
  readonly key: string
  readonly version?: string
  readonly updatedAt?: Date
}

/** Options for a write. */
export interface SetOptions {
  /** Optimistic concurrency: fail with `ConflictError` unless the current version is this one. */
  readonly ifVersion?: string
  /** Create-once: fail with `ConflictError` if the key already exists. */
  readonly createOnly?: boolean
  /** What the manager decided the key is; a provider may store secrets and parameters differently. */
  readonly kind?: Kind
  /** Idempotency token for stores that support one (AWS `ClientRequestToken`). */
  readonly requestToken?: string
  /** Human description where the store keeps one. */
  readonly description?: string
  /**
   * Tags to set on the key (requires the `tags` capability): each is added or replaced; tags the key
   * already has and that are not named here are kept. Never secret material.
   */
  readonly tags?: Readonly<Record<string, string>>
  readonly signal?: AbortSignal
}

/** Options for a delete. */
export interface DeleteOptions {
  /** Delete immediately instead of scheduling (AWS recovery window, soft-delete). */
  readonly force?: boolean
  /** Days before a scheduled deletion becomes final, where the store supports it. */
  readonly recoveryWindowDays?: number
  readonly ifVersion?: string
  readonly signal?: AbortSignal
}

/** One version of a key. */
export interface VersionInfo {
  readonly key: string
  readonly version: string
  readonly createdAt?: Date
  /** Whether this version is the one `get(key)` returns now. */
  readonly current: boolean
  /** Stages or labels on this version. */
  readonly labels: readonly string[]
}

/** Options for {@link Provider.health}. */
export interface HealthOptions {
  /**
   * Aborted when the manager's health timeout (`retry.attemptTimeout`) passes. A provider that talks to
   * a remote store passes it on to its client (e.g. the AWS SDK's `abortSignal`), so a hung store leaves
   * no request or socket behind once `health()` has answered.
   */
  readonly signal?: AbortSignal
}

/** A provider's own view of whether it can serve. */
export interface Health {
  readonly ok: boolean
  readonly latencyMs?: number
  /** Why it is not ok. Never contains secret material. */
  readonly message?: string
  /**
   * When the credentials the provider uses stop working, if it can tell (a Vault token's TTL,
   * temporary cloud credentials). The HTTP sidecar's `/ready` flags it when it is near.
   */
  readonly credentialsExpireAt?: Date
}

/** The contract every store adapter implements. */
export interface Provider {
  /** Instance name, unique within a manager (e.g. `"aws-sm-eu"`). Appears in errors and events. */
  readonly name: string
  /** The provider type (e.g. `"aws-secrets-manager"`, `"dotenv"`). */
  readonly type: string
  readonly capabilities: Capabilities
  /**
   * Provider-level opt-in to writes: when `true`, the manager writes to this provider even if its own
   * `allowWrites` is off. Writes are otherwise disabled by default.
   */
  readonly writable?: boolean
  /**
   * The store's service quota for one client, as default `limits` (calls/s, burst, concurrency) the
   * manager applies to this provider; the user's `limits` option overrides them field by field, and
   * `limits: { [name]: false }` drops them. Declare only what the store documents.
   */
  readonly limits?: ProviderLimits
  /** Reads one key; `undefined` when it does not exist. */
  get(key: string, opts?: GetOptions): Promise<Entry | undefined>
  getMany?(keys: readonly string[], opts?: { signal?: AbortSignal }): Promise<BatchResult>
  list?(prefix?: string): AsyncIterable<KeyInfo>
  set?(key: string, value: string | Uint8Array, opts?: SetOptions): Promise<VersionInfo>
  delete?(key: string, opts?: DeleteOptions): Promise<void>
  versions?(key: string): Promise<VersionInfo[]>
  rollback?(key: string, version: string): Promise<VersionInfo>
  /** The key's tags (`{}` when it has none), or `undefined` when the key does not exist. Capability `tags`. */
  tags?(key: string, opts?: { signal?: AbortSignal }): Promise<Record<string, string> | undefined>
  /**
   * A token that changes whenever any value this provider serves may have changed (a sentinel key's
   * etag, a listing's page etags), so a watcher asks once per poll instead of re-reading every key:
   * while the token is unchanged, keys whose providers all report unchanged tokens are not re-read.
   * Optional refinement of the `watch` capability (used only when `watch` is `true`); `undefined`
   * means "cannot tell", and the watcher then re-reads the keys. Failures are typed errors as usual.
   *
   * Which refinement to implement: {@link subscribe} where the store pushes changes (a Kubernetes watch
   * stream, file system events) — nothing is polled; `changeToken` where it can only be polled, but one
   * cheap request says whether anything changed (App Configuration's sentinel). A provider may offer
   * both: keys served through a live subscription are not polled at all.
   */
  changeToken?(opts?: { signal?: AbortSignal }): Promise<string | undefined>
  /**
   * Push instead of poll: the store tells the provider when values change (a Kubernetes watch stream,
   * a file system event), and the provider tells the watcher through `onChange`. A watcher subscribes
   * once per provider and re-reads only the keys a change names; keys whose watch-capable providers
   * all push are never polled. Optional refinement of the `watch` capability (used only when `watch`
   * is `true`).
   *
   * Rules: the returned promise resolves once the channel is live, so no change after that moment
   * is missed (a rejection makes the watcher poll instead). A change the provider cannot name — a
   * relist after a lost stream, a reconnect after a gap — is reported as `{ keys: undefined }`:
   * everything this provider serves may have changed. Channel failures go to `onError` (typed errors
   * as usual) while the provider reconnects on its own; `close()` stops it for good.
   */
  subscribe?(onChange: (change: ProviderChange) => void, opts: SubscribeOptions): Promise<Subscription>
  /** Whether the store can serve now. Never throws for a store failure: `{ ok: false, message }`. */
  health(opts?: HealthOptions): Promise<Health>
  close?(): Promise<void>
}

/** What a provider's push channel ({@link Provider.subscribe}) reports. */
export interface ProviderChange {
  /** Keys (as the provider sees them) that may have changed; `undefined`: any key may have changed. */
  readonly keys?: readonly string[] | undefined
}

/** Options for {@link Provider.subscribe}. */
export interface SubscribeOptions {
  /** The channel failed; the provider keeps reconnecting and reports a gap as `{ keys: undefined }`. */
  readonly onError: (error: unknown) => void
}

/** A live push channel; `close()` ends it (idempotent). */
export interface Subscription {
  close(): void
}

/** Capabilities of a read-only provider; spread and override what a provider adds. */
export const READ_ONLY: Capabilities = Object.freeze({
  list: false,
  write: false,
  delete: false,
  versions: false,
  batch: false,
  watch: false,
})

/** Capabilities of a provider that does everything (a versioned, writable store with native batching). */
export const ALL_CAPABILITIES: Capabilities = Object.freeze({
  list: true,
  write: true,
  delete: true,
  versions: true,
  batch: true,
  watch: true,
  rollback: true,
})

/** Converts an entry's value to text (binary values are decoded as UTF-8). */
export function entryText(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : Buffer.from(value).toString('utf8')
}

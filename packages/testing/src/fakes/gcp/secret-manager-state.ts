import { createRandom, type Random } from '../random.js'
import { crc32c } from './crc32c.js'

/**
 * The data of the Secret Manager fake: secrets with labels, annotations and version aliases, and their
 * numbered versions with state, payload and CRC32C. Handlers (secret-manager.ts) enforce the API's
 * rules; tests read and arrange data here directly.
 */

export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED'

export interface StoredVersion {
  readonly number: number
  readonly createTime: number
  state: VersionState
  /** Dropped when the version is destroyed. */
  data: Buffer | undefined
  crc32c: number | undefined
  /** Whether the client sent `data_crc32c` with AddSecretVersion. */
  readonly clientChecksum: boolean
  etag: string
  destroyTime?: number
  scheduledDestroyTime?: number
}

export interface StoredSecret {
  /** `secrets/<id>` or `locations/<location>/secrets/<id>` (the part after `projects/<project>/`). */
  readonly key: string
  readonly id: string
  readonly location: string | undefined
  readonly createTime: number
  labels: Record<string, string>
  annotations: Record<string, string>
  aliases: Record<string, number>
  etag: string
  /** The rest of the Secret message as created or updated (replication, topics, rotation, ttl …). */
  extra: Record<string, unknown>
  versions: Map<number, StoredVersion>
  nextVersion: number
}

/** A secret to seed: a value (one ENABLED version) or its versions, labels and aliases. */
export type GcpSecretSeed =
  | string
  | Uint8Array
  | {
      /** Oldest first; each a value or `{ data, state }`. */
      readonly versions?: readonly (
        | string
        | Uint8Array
        | { readonly data: string | Uint8Array; readonly state?: VersionState }
      )[]
      readonly labels?: Readonly<Record<string, string>>
      readonly annotations?: Readonly<Record<string, string>>
      /** Alias → version number. */
      readonly aliases?: Readonly<Record<string, number>>
      /** A regional secret (`projects/*\/locations/<location>/secrets/<id>`). */
      readonly location?: string
    }

function bytes(value: string | Uint8Array): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)
}

export class SecretManagerState {
  readonly #random: Random
  readonly now: () => number
  readonly #secrets = new Map<string, StoredSecret>()
  readonly #denied = new Map<string, Set<string> | '*'>()
  #etagCounter = 0

  constructor(options: { random?: Random; now?: () => number } = {}) {
    this.#random = options.random ?? createRandom()
    this.now = options.now ?? Date.now
  }

  /** A fresh quoted etag, as the service sends them (`"1a2b3c…"`). */
  etag(): string {
    this.#etagCounter++
    return `"${(this.now() * 1000 + this.#etagCounter).toString(16)}${this.#random.string(2, '0123456789abcdef')}"`
  }

  static key(id: string, location?: string): string {
    return location ? `locations/${location}/secrets/${id}` : `secrets/${id}`
  }

  find(key: string): StoredSecret | undefined {
    return this.#secrets.get(key)
  }

  /** Secrets under one parent (global, or one location), in creation order. */
  list(location: string | undefined): StoredSecret[] {
    return [...this.#secrets.values()].filter((s) => s.location === location)
  }

  create(
    id: string,
    location: string | undefined,
    fields: Partial<Pick<StoredSecret, 'labels' | 'annotations' | 'extra'>> = {},
  ): StoredSecret {
    const secret: StoredSecret = {
      key: SecretManagerState.key(id, location),
      id,
      location,
      createTime: this.now(),
      labels: { ...fields.labels },
      annotations: { ...fields.annotations },
      aliases: {},
      etag: this.etag(),
      extra: { replication: { automatic: {} }, ...fields.extra },
      versions: new Map(),
      nextVersion: 1,
    }
    this.#secrets.set(secret.key, secret)
    return secret
  }

  remove(secret: StoredSecret): void {
    this.#secrets.delete(secret.key)
  }

  addVersion(secret: StoredSecret, data: Uint8Array, clientChecksum = false): StoredVersion {
    const buf = Buffer.from(data)
    const version: StoredVersion = {
      number: secret.nextVersion++,
      createTime: this.now(),
      state: 'ENABLED',
      data: buf,
      crc32c: crc32c(buf),
      clientChecksum,
      etag: this.etag(),
    }
    secret.versions.set(version.number, version)
    return version
  }

  /** The newest version in any state (what `latest` names), if any. */
  latest(secret: StoredSecret): StoredVersion | undefined {
    let newest: StoredVersion | undefined
    for (const v of secret.versions.values()) if (!newest || v.number > newest.number) newest = v
    return newest
  }

  /** Marks a version destroyed and drops its payload. */
  destroy(version: StoredVersion): void {
    version.state = 'DESTROYED'
    version.data = undefined
    version.crc32c = undefined
    version.destroyTime = this.now()
    delete version.scheduledDestroyTime
    version.etag = this.etag()
  }

  /**
   * Makes calls naming secret `id` fail with PERMISSION_DENIED, for `permissions` (e.g.
   * `secretmanager.versions.access`) or all of them. `allow(id)` lifts it.
   */
  deny(id: string, permissions?: readonly string[]): void {
    this.#denied.set(id, permissions ? new Set(permissions) : '*')
  }

  allow(id: string): void {
    this.#denied.delete(id)
  }

  isDenied(id: string, permission: string): boolean {
    const rule = this.#denied.get(id)
    return rule === '*' || rule?.has(permission) === true
  }

  /** The payload of a version (`latest` by default) as UTF-8, or undefined when it has none. */
  value(id: string, version: number | 'latest' = 'latest', location?: string): string | undefined {
    const secret = this.find(SecretManagerState.key(id, location))
    if (!secret) return undefined
    const v = version === 'latest' ? this.latest(secret) : secret.versions.get(version)
    return v?.data?.toString('utf8')
  }

  /** Creates (or replaces) secrets without going through the API. */
  seed(items: Readonly<Record<string, GcpSecretSeed>>): void {
    for (const [id, seed] of Object.entries(items)) {
      const spec = typeof seed === 'string' || seed instanceof Uint8Array ? { versions: [seed] } : seed
      const existing = this.find(SecretManagerState.key(id, spec.location))
      if (existing) this.remove(existing)
      const secret = this.create(id, spec.location, {
        labels: { ...spec.labels },
        annotations: { ...spec.annotations },
      })
      for (const v of spec.versions ?? []) {
        const { data, state } =
          typeof v === 'string' || v instanceof Uint8Array ? { data: v, state: undefined } : v
        const version = this.addVersion(secret, bytes(data))
        if (state === 'DESTROYED') this.destroy(version)
        else if (state) version.state = state
      }
      secret.aliases = { ...spec.aliases }
    }
  }
}

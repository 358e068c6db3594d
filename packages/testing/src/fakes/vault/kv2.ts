import { formatDuration, parseDuration } from './duration.js'
import { badRequest, notFound, timestamp, VaultError } from './wire.js'

/**
 * One KV version 2 mount: versioned secrets with metadata, soft delete, undelete, destroy,
 * check-and-set and per-secret or per-mount `max_versions` / `cas_required` / `delete_version_after`,
 * as Vault's kv-v2 API documents them.
 */

export type SecretData = Record<string, unknown>

interface Version {
  data: SecretData | null
  readonly createdAt: number
  /** When it is (or will be) deleted; a time ≤ now means deleted. */
  deletedAt: number | undefined
  destroyed: boolean
}

interface Secret {
  readonly versions: Map<number, Version>
  currentVersion: number
  oldestVersion: number
  maxVersions: number
  casRequired: boolean
  deleteVersionAfter: number
  customMetadata: Record<string, string> | null
  readonly createdAt: number
  updatedAt: number
}

export interface Kv2Config {
  /** Versions kept per secret; 0 means Vault's default, 10. */
  maxVersions: number
  casRequired: boolean
  /** Seconds after which a new version is deleted; 0 = never. */
  deleteVersionAfter: number
}

const DEFAULT_MAX_VERSIONS = 10

export const CAS_MISMATCH = 'check-and-set parameter did not match the current version'
export const CAS_REQUIRED = 'check-and-set parameter required for this call'

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const copy = <T>(value: T): T => structuredClone(value)

export class Kv2Mount {
  readonly #secrets = new Map<string, Secret>()
  readonly config: Kv2Config

  constructor(
    private readonly now: () => number,
    config: Partial<Kv2Config> = {},
  ) {
    this.config = {
      maxVersions: config.maxVersions ?? 0,
      casRequired: config.casRequired ?? false,
      deleteVersionAfter: config.deleteVersionAfter ?? 0,
    }
  }

  /** Whether a secret exists at `path` (ACL: create vs update). */
  has(path: string): boolean {
    return (this.#secrets.get(path)?.currentVersion ?? 0) > 0
  }

  read(path: string, version: number): { status: 200 | 404; data: unknown } {
    const secret = this.#secrets.get(path)
    const n = version === 0 ? (secret?.currentVersion ?? 0) : version
    const v = secret?.versions.get(n)
    if (!secret || !v) throw notFound()
    const metadata = this.#versionMetadata(secret, n, v)
    const gone = v.destroyed || this.#isDeleted(v)
    return { status: gone ? 404 : 200, data: { data: gone ? null : copy(v.data), metadata } }
  }

  write(path: string, body: Record<string, unknown>): unknown {
    if (!isObject(body.data)) throw badRequest('no data provided')
    const secret = this.#secrets.get(path)
    this.#checkCas(secret, body.options)
    return this.#addVersion(path, secret, copy(body.data))
  }

  /** A new version written around the API: no check-and-set (fixtures, `fake.put`). */
  seed(path: string, data: SecretData): void {
    this.#addVersion(path, this.#secrets.get(path), copy(data))
  }

  /** JSON merge patch of the current version (a `null` removes a key). */
  patch(path: string, body: Record<string, unknown>): unknown {
    if (!isObject(body.data)) throw badRequest('no data provided')
    const secret = this.#secrets.get(path)
    const current = secret?.versions.get(secret.currentVersion)
    if (!secret || !current || current.destroyed || this.#isDeleted(current)) throw notFound()
    this.#checkCas(secret, body.options)
    return this.#addVersion(path, secret, mergePatch(copy(current.data ?? {}), body.data))
  }

  /** Soft-deletes `versions`, or the current version when none are given. */
  delete(path: string, versions?: readonly number[]): void {
    const secret = this.#secrets.get(path)
    if (!secret) return
    for (const n of versions ?? [secret.currentVersion]) {
      const v = secret.versions.get(n)
      if (v && !v.destroyed && !this.#isDeleted(v)) v.deletedAt = this.now()
    }
    secret.updatedAt = this.now()
  }

  undelete(path: string, versions: readonly number[]): void {
    const secret = this.#secrets.get(path)
    if (!secret) return
    for (const n of versions) {
      const v = secret.versions.get(n)
      if (v && !v.destroyed) v.deletedAt = undefined
    }
  }

  destroy(path: string, versions: readonly number[]): void {
    const secret = this.#secrets.get(path)
    if (!secret) return
    for (const n of versions) {
      const v = secret.versions.get(n)
      if (v) {
        v.destroyed = true
        v.data = null
      }
    }
  }

  readMetadata(path: string): unknown {
    const secret = this.#secrets.get(path)
    if (!secret) throw notFound()
    const versions: Record<string, unknown> = {}
    for (const [n, v] of secret.versions) {
      versions[String(n)] = {
        created_time: timestamp(v.createdAt),
        deletion_time: v.deletedAt === undefined ? '' : timestamp(v.deletedAt),
        destroyed: v.destroyed,
      }
    }
    return {
      cas_required: secret.casRequired,
      created_time: timestamp(secret.createdAt),
      current_version: secret.currentVersion,
      custom_metadata: secret.customMetadata,
      delete_version_after: formatDuration(secret.deleteVersionAfter),
      max_versions: secret.maxVersions,
      oldest_version: secret.oldestVersion,
      updated_time: timestamp(secret.updatedAt),
      versions,
    }
  }

  writeMetadata(path: string, body: Record<string, unknown>): void {
    const secret = this.#secrets.get(path) ?? this.#create(path)
    if (body.max_versions !== undefined) {
      const n = Number(body.max_versions)
      if (!Number.isInteger(n) || n < 0) throw badRequest('max_versions must be a non-negative integer')
      secret.maxVersions = n
      this.#trim(secret)
    }
    if (body.cas_required !== undefined)
      secret.casRequired = body.cas_required === true || body.cas_required === 'true'
    if (body.delete_version_after !== undefined)
      secret.deleteVersionAfter = duration('delete_version_after', body.delete_version_after)
    if (body.custom_metadata !== undefined) {
      if (
        !isObject(body.custom_metadata) ||
        Object.values(body.custom_metadata).some((v) => typeof v !== 'string')
      )
        throw badRequest('custom_metadata must be a map of strings')
      secret.customMetadata = { ...(body.custom_metadata as Record<string, string>) }
    }
    secret.updatedAt = this.now()
  }

  deleteMetadata(path: string): void {
    this.#secrets.delete(path)
  }

  /** Keys right under `prefix` (folders end in `/`); 404 when there are none. */
  list(prefix: string): string[] {
    return listKeys(this.#secrets.keys(), prefix)
  }

  readConfig(): unknown {
    return {
      cas_required: this.config.casRequired,
      delete_version_after: formatDuration(this.config.deleteVersionAfter),
      max_versions: this.config.maxVersions,
    }
  }

  writeConfig(body: Record<string, unknown>): void {
    if (body.max_versions !== undefined) this.config.maxVersions = Number(body.max_versions)
    if (body.cas_required !== undefined)
      this.config.casRequired = body.cas_required === true || body.cas_required === 'true'
    if (body.delete_version_after !== undefined)
      this.config.deleteVersionAfter = duration('delete_version_after', body.delete_version_after)
  }

  #checkCas(secret: Secret | undefined, options: unknown): void {
    const cas = isObject(options) ? options.cas : undefined
    if (cas === undefined || cas === null) {
      if (this.config.casRequired || secret?.casRequired) throw badRequest(CAS_REQUIRED)
      return
    }
    if (Number(cas) !== (secret?.currentVersion ?? 0)) throw badRequest(CAS_MISMATCH)
  }

  #create(path: string): Secret {
    const now = this.now()
    const secret: Secret = {
      versions: new Map(),
      currentVersion: 0,
      oldestVersion: 0,
      maxVersions: 0,
      casRequired: false,
      deleteVersionAfter: 0,
      customMetadata: null,
      createdAt: now,
      updatedAt: now,
    }
    this.#secrets.set(path, secret)
    return secret
  }

  #addVersion(path: string, existing: Secret | undefined, data: SecretData): unknown {
    const secret = existing ?? this.#create(path)
    const now = this.now()
    const n = secret.currentVersion + 1
    const after = secret.deleteVersionAfter || this.config.deleteVersionAfter
    const v: Version = {
      data,
      createdAt: now,
      deletedAt: after > 0 ? now + after * 1000 : undefined,
      destroyed: false,
    }
    secret.versions.set(n, v)
    secret.currentVersion = n
    if (secret.oldestVersion === 0) secret.oldestVersion = n
    secret.updatedAt = now
    this.#trim(secret)
    return this.#versionMetadata(secret, n, v)
  }

  /** Drops the oldest versions beyond the secret's (or the mount's, or Vault's default) `max_versions`. */
  #trim(secret: Secret): void {
    const max = secret.maxVersions || this.config.maxVersions || DEFAULT_MAX_VERSIONS
    while (secret.versions.size > max) {
      const oldest = Math.min(...secret.versions.keys())
      secret.versions.delete(oldest)
      secret.oldestVersion = Math.min(...secret.versions.keys())
    }
  }

  #isDeleted(v: Version): boolean {
    return v.deletedAt !== undefined && v.deletedAt <= this.now()
  }

  #versionMetadata(secret: Secret, n: number, v: Version) {
    return {
      created_time: timestamp(v.createdAt),
      custom_metadata: secret.customMetadata,
      deletion_time: v.deletedAt === undefined ? '' : timestamp(v.deletedAt),
      destroyed: v.destroyed,
      version: n,
    }
  }
}

function duration(name: string, value: unknown): number {
  try {
    return parseDuration(name, value)
  } catch (error) {
    throw new VaultError(400, [(error as Error).message])
  }
}

function mergePatch(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k]
    else if (isObject(v) && isObject(target[k])) mergePatch(target[k] as Record<string, unknown>, v)
    else target[k] = v
  }
  return target
}

/** The immediate children of `prefix` among `paths`: leaf names and `folder/` names, sorted. */
export function listKeys(paths: Iterable<string>, prefix: string): string[] {
  const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`
  const keys = new Set<string>()
  for (const p of paths) {
    if (!p.startsWith(base)) continue
    const rest = p.slice(base.length)
    const slash = rest.indexOf('/')
    keys.add(slash === -1 ? rest : rest.slice(0, slash + 1))
  }
  keys.delete('')
  if (keys.size === 0) throw notFound()
  return [...keys].sort()
}

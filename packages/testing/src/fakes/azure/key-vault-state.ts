import { createRandom, type Random } from '../random.js'

/**
 * The data of a Key Vault fake: secrets by name (case-insensitive, as the service treats them), each a
 * list of versions, and the soft-deleted ones waiting for recover or purge. Times are epoch ms here; the
 * wire shows them in seconds.
 */

export interface KvVersion {
  /** 32 lower-case hex digits, as the service's version ids. */
  readonly id: string
  readonly value: string
  contentType: string | undefined
  tags: Record<string, string> | undefined
  enabled: boolean
  notBefore: number | undefined
  expiresOn: number | undefined
  readonly created: number
  updated: number
}

export interface KvSecret {
  /** The name as first written. */
  readonly name: string
  /** Versions oldest first; the last is the current one. */
  readonly versions: KvVersion[]
}

export interface KvDeleted {
  readonly secret: KvSecret
  readonly deletedDate: number
  readonly scheduledPurgeDate: number
}

/** One version as seeded. */
export interface KvVersionSeed {
  readonly value: string
  readonly enabled?: boolean
  readonly contentType?: string
  readonly tags?: Readonly<Record<string, string>>
  readonly notBefore?: Date
  readonly expiresOn?: Date
}

/**
 * A seeded secret: its value, or versions oldest first (the last is current) with attributes; the
 * top-level attributes apply to the current version. `deleted: true` seeds it soft-deleted.
 */
export type KeyVaultSecretSeed =
  | string
  | (Partial<KvVersionSeed> & {
      readonly versions?: readonly (string | KvVersionSeed)[]
      readonly deleted?: true
    })

const key = (name: string) => name.toLowerCase()

export class KeyVaultState {
  readonly #secrets = new Map<string, KvSecret>()
  readonly #deleted = new Map<string, KvDeleted>()
  readonly #random: Random

  constructor(
    readonly now: () => number,
    /** Days a deleted secret stays recoverable; 0 turns soft delete off. */
    readonly recoverableDays: number,
    seed?: number,
  ) {
    this.#random = createRandom(seed)
  }

  /** The live secret called `name`, if any. */
  find(name: string): KvSecret | undefined {
    return this.#secrets.get(key(name))
  }

  /** The soft-deleted secret called `name`, if any. */
  deleted(name: string): KvDeleted | undefined {
    return this.#deleted.get(key(name))
  }

  /** Live secrets in name order. */
  list(): KvSecret[] {
    return [...this.#secrets.values()].sort((a, b) => key(a.name).localeCompare(key(b.name)))
  }

  /** Deleted secrets in name order. */
  listDeleted(): KvDeleted[] {
    return [...this.#deleted.values()].sort((a, b) => key(a.secret.name).localeCompare(key(b.secret.name)))
  }

  /** The value of the current version (or of `version`); `undefined` when there is none. */
  value(name: string, version?: string): string | undefined {
    const secret = this.find(name)
    if (!secret) return undefined
    return version === undefined
      ? secret.versions.at(-1)?.value
      : secret.versions.find((v) => v.id === version)?.value
  }

  /** Adds a version (creating the secret) and returns it. */
  addVersion(name: string, seed: KvVersionSeed): KvVersion {
    let secret = this.find(name)
    if (!secret) {
      secret = { name, versions: [] }
      this.#secrets.set(key(name), secret)
    }
    const now = this.now()
    const version: KvVersion = {
      id: this.#random.string(32, '0123456789abcdef'),
      value: seed.value,
      contentType: seed.contentType,
      tags: seed.tags && { ...seed.tags },
      enabled: seed.enabled ?? true,
      notBefore: seed.notBefore?.getTime(),
      expiresOn: seed.expiresOn?.getTime(),
      created: now,
      updated: now,
    }
    secret.versions.push(version)
    return version
  }

  /** Soft-deletes (or, with soft delete off, removes) a live secret. */
  delete(secret: KvSecret): KvDeleted {
    this.#secrets.delete(key(secret.name))
    const now = this.now()
    const deleted = { secret, deletedDate: now, scheduledPurgeDate: now + this.recoverableDays * 86_400_000 }
    if (this.recoverableDays > 0) this.#deleted.set(key(secret.name), deleted)
    return deleted
  }

  recover(deleted: KvDeleted): KvSecret {
    this.#deleted.delete(key(deleted.secret.name))
    this.#secrets.set(key(deleted.secret.name), deleted.secret)
    return deleted.secret
  }

  purge(deleted: KvDeleted): void {
    this.#deleted.delete(key(deleted.secret.name))
  }

  /** Creates secrets without going through the API; a seeded name replaces any existing one. */
  seed(secrets: Readonly<Record<string, KeyVaultSecretSeed>>): void {
    for (const [name, seed] of Object.entries(secrets)) {
      this.#secrets.delete(key(name))
      this.#deleted.delete(key(name))
      const s = typeof seed === 'string' ? { value: seed } : seed
      const versions: KvVersionSeed[] = (s.versions ?? []).map((v) =>
        typeof v === 'string' ? { value: v } : v,
      )
      const { versions: _v, deleted, ...current } = s
      if (current.value !== undefined) versions.push(current as KvVersionSeed)
      else if (versions.length > 0) versions[versions.length - 1] = { ...versions.at(-1)!, ...current }
      if (versions.length === 0)
        throw new TypeError(`Key Vault seed "${name}" has neither value nor versions`)
      for (const v of versions) this.addVersion(name, v)
      if (deleted) this.delete(this.find(name)!)
    }
  }
}

import { type Random, randomUuid } from '../random.js'

/**
 * The data behind the Secrets Manager fake: secrets, their versions and staging labels, with the
 * label rules AWS applies (AWSCURRENT moves drag AWSPREVIOUS along; unlabelled versions are deprecated
 * and pruned past ~100). Operations live in `secrets-manager.ts`; this file knows no wire format.
 */

/** One version of a secret. `stages` empty means deprecated. */
export interface SecretVersion {
  readonly versionId: string
  readonly secretString?: string
  /** Base64, as it travels in JSON. */
  readonly secretBinary?: string
  readonly stages: Set<string>
  /** Epoch ms. */
  readonly createdDate: number
  lastAccessedDate?: number
}

/** One secret as the fake stores it. */
export interface StoredSecret {
  readonly name: string
  readonly arn: string
  description?: string
  kmsKeyId?: string
  tags: { Key: string; Value: string }[]
  readonly createdDate: number
  lastChangedDate: number
  lastAccessedDate?: number
  /** When DeleteSecret was called (epoch ms); set while the secret is scheduled for deletion. */
  deletedDate?: number
  /** When the scheduled deletion becomes final (epoch ms). */
  deletionDate?: number
  /** Versions in creation order. */
  readonly versions: Map<string, SecretVersion>
}

/** A secret value: text, or bytes for a binary secret. */
export type SecretValue = string | Uint8Array

/** How `seed()` describes one secret: a value, or the fields below. */
export type SecretSeed =
  | SecretValue
  | {
      /** Value of the AWSCURRENT version. */
      readonly value?: SecretValue
      /** Older values first; the last becomes AWSCURRENT and the one before it AWSPREVIOUS. Overrides `value`. */
      readonly versions?: readonly SecretValue[]
      readonly description?: string
      readonly tags?: Readonly<Record<string, string>>
      /** Seed the secret as scheduled for deletion. */
      readonly deleted?: boolean
    }

/** Maximum versions AWS keeps before pruning deprecated ones ("about 100"). */
export const MAX_VERSIONS = 100
const DAY_MS = 86_400_000

/** A secret value in the fields a version stores. */
export interface VersionValue {
  readonly secretString?: string
  readonly secretBinary?: string
}

/** Splits a seed value into the fields a version stores. */
export function toVersionValue(value: SecretValue): VersionValue {
  return typeof value === 'string'
    ? { secretString: value }
    : { secretBinary: Buffer.from(value).toString('base64') }
}

/** The in-memory Secrets Manager. Exposed to tests as `fake.state` for inspection and arrangement. */
export class SecretsManagerState {
  readonly #secrets = new Map<string, StoredSecret>()

  constructor(
    private readonly env: { random: Random; now: () => number; region: string; accountId: string },
  ) {}

  /** Current time of the fake (epoch ms). */
  now(): number {
    return this.env.now()
  }

  /** Secret names, including those scheduled for deletion. */
  names(): string[] {
    this.#purge()
    return [...this.#secrets.keys()]
  }

  /** Every stored secret, in creation order. */
  all(): StoredSecret[] {
    this.#purge()
    return [...this.#secrets.values()]
  }

  /** Looks a secret up by name, full ARN or partial ARN (the ARN without its random suffix). */
  find(secretId: string): StoredSecret | undefined {
    this.#purge()
    const byName = this.#secrets.get(secretId)
    if (byName) return byName
    if (!secretId.startsWith('arn:')) return undefined
    for (const s of this.#secrets.values())
      if (s.arn === secretId || s.arn.slice(0, -7) === secretId) return s
    return undefined
  }

  /** The value carrying `stage` (default AWSCURRENT), as a string or bytes; for test assertions. */
  value(secretId: string, stage = 'AWSCURRENT'): SecretValue | undefined {
    const v = this.versionWithStage(this.find(secretId), stage)
    if (!v) return undefined
    return v.secretString ?? new Uint8Array(Buffer.from(v.secretBinary ?? '', 'base64'))
  }

  /** The version of `secret` that carries `stage`. */
  versionWithStage(secret: StoredSecret | undefined, stage: string): SecretVersion | undefined {
    if (!secret) return undefined
    for (const v of secret.versions.values()) if (v.stages.has(stage)) return v
    return undefined
  }

  /** A fresh ARN for `name`: AWS appends a hyphen and six random characters. */
  arnFor(name: string): string {
    const { region, accountId, random } = this.env
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${random.string(6)}`
  }

  /** Creates an empty secret (no versions). The caller checks that the name is free. */
  create(
    name: string,
    fields: { description?: string; kmsKeyId?: string; tags?: StoredSecret['tags'] } = {},
  ): StoredSecret {
    const now = this.now()
    const secret: StoredSecret = {
      name,
      // The random suffix gives a re-created name a new ARN.
      arn: this.arnFor(name),
      tags: fields.tags ? [...fields.tags] : [],
      createdDate: now,
      lastChangedDate: now,
      versions: new Map(),
    }
    if (fields.description !== undefined) secret.description = fields.description
    if (fields.kmsKeyId !== undefined) secret.kmsKeyId = fields.kmsKeyId
    this.#secrets.set(name, secret)
    return secret
  }

  /** Removes a secret for good. */
  remove(secret: StoredSecret): void {
    this.#secrets.delete(secret.name)
  }

  /** Forgets every secret. */
  clear(): void {
    this.#secrets.clear()
  }

  /**
   * Adds a version carrying `stages` (moving each label off the version that had it) and prunes
   * deprecated versions beyond {@link MAX_VERSIONS}, oldest first.
   */
  addVersion(
    secret: StoredSecret,
    value: VersionValue,
    stages: readonly string[],
    versionId?: string,
  ): SecretVersion {
    const version: SecretVersion = {
      versionId: versionId ?? randomUuid(this.env.random),
      ...value,
      stages: new Set(),
      createdDate: this.now(),
    }
    secret.versions.set(version.versionId, version)
    for (const stage of stages) this.attachStage(secret, stage, version.versionId)
    secret.lastChangedDate = this.now()
    for (const v of secret.versions.values()) {
      if (secret.versions.size <= MAX_VERSIONS) break
      if (v.stages.size === 0) secret.versions.delete(v.versionId)
    }
    return version
  }

  /**
   * Attaches `stage` to `versionId`, removing it from whichever version had it. Moving AWSCURRENT puts
   * AWSPREVIOUS on the version that lost it — the rotation bookkeeping AWS does on its own.
   */
  attachStage(secret: StoredSecret, stage: string, versionId: string): void {
    let from: SecretVersion | undefined
    for (const v of secret.versions.values()) {
      if (v.versionId !== versionId && v.stages.delete(stage)) from = v
    }
    secret.versions.get(versionId)?.stages.add(stage)
    if (stage === 'AWSCURRENT' && from) this.attachStage(secret, 'AWSPREVIOUS', from.versionId)
    secret.lastChangedDate = this.now()
  }

  /** Records a read the way AWS does: LastAccessedDate is truncated to the day. */
  touch(secret: StoredSecret, version: SecretVersion): void {
    const day = Math.floor(this.now() / DAY_MS) * DAY_MS
    secret.lastAccessedDate = day
    version.lastAccessedDate = day
  }

  /** Arranges secrets without going through the API (see {@link SecretSeed}). Replaces same-named secrets. */
  seed(secrets: Readonly<Record<string, SecretSeed>>): void {
    for (const [name, seed] of Object.entries(secrets)) {
      const existing = this.#secrets.get(name)
      if (existing) this.remove(existing)
      const fields = typeof seed === 'string' || seed instanceof Uint8Array ? { value: seed } : seed
      const tags = Object.entries(fields.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))
      const secret = this.create(name, {
        ...(fields.description !== undefined && { description: fields.description }),
        tags,
      })
      const values = fields.versions ?? (fields.value !== undefined ? [fields.value] : [])
      for (const value of values) this.addVersion(secret, toVersionValue(value), ['AWSCURRENT'])
      if (typeof fields === 'object' && 'deleted' in fields && fields.deleted) {
        secret.deletedDate = this.now()
        secret.deletionDate = this.now() + 30 * DAY_MS
      }
    }
  }

  /** Drops secrets whose recovery window has passed, as AWS eventually does. */
  #purge(): void {
    const now = this.now()
    for (const s of this.#secrets.values())
      if (s.deletionDate !== undefined && s.deletionDate <= now) this.remove(s)
  }
}

import { createRandom, type Random } from '../random.js'

/**
 * The data of an App Configuration fake: key-values by key and label (`null` is the null label), every
 * change kept as a revision, read-only locks, snapshots, and the sequence number sync tokens carry.
 */

export interface KeyValue {
  readonly key: string
  readonly label: string | null
  value: string | null
  contentType: string | null
  tags: Record<string, string>
  etag: string
  locked: boolean
  /** Epoch ms. */
  lastModified: number
}

/** Content type of a Key Vault reference. */
export const KEY_VAULT_REF_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.keyvaultref+json;charset=utf-8'
/** Content type of a feature flag. */
export const FEATURE_FLAG_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.ff+json;charset=utf-8'
/** Key prefix of feature flags. */
export const FEATURE_FLAG_PREFIX = '.appconfig.featureflag/'

/** A seeded key-value. `keyVaultRef` and `featureFlag` write the special content types for you. */
export interface AppConfigSettingSeed {
  readonly key: string
  readonly label?: string | null
  readonly value?: string | null
  readonly contentType?: string | null
  readonly tags?: Readonly<Record<string, string>>
  readonly locked?: boolean
  /** A Key Vault reference to `name` in `vault` (a Key Vault fake, or a vault URL). */
  readonly keyVaultRef?: {
    readonly vault: string | { readonly vaultUrl: string }
    readonly name: string
    readonly version?: string
  }
  /** A feature flag called `key` (stored under `.appconfig.featureflag/<key>`). */
  readonly featureFlag?: {
    readonly enabled: boolean
    readonly description?: string
    readonly conditions?: Readonly<Record<string, unknown>>
  }
}

/** The value of a Key Vault reference: `{"uri":"<vault>/secrets/<name>[/<version>]"}`. */
export function keyVaultReference(vaultUrl: string, name: string, version?: string): string {
  return JSON.stringify({
    uri: `${vaultUrl.replace(/\/$/, '')}/secrets/${name}${version ? `/${version}` : ''}`,
  })
}

export interface Snapshot {
  readonly name: string
  status: 'provisioning' | 'ready' | 'archived' | 'failed'
  readonly filters: readonly { key: string; label?: string | null; tags?: string[] }[]
  readonly compositionType: 'key' | 'key_label'
  readonly created: number
  expires: number | undefined
  readonly retentionPeriod: number
  readonly tags: Record<string, string>
  readonly items: readonly KeyValue[]
  etag: string
}

const id = (key: string, label: string | null) =>
  `${key}\u0000${label ?? ''}\u0000${label === null ? 'n' : 'l'}`

/** Ordered by key, then label (the null label first), as the service lists them. */
function sortKeyValues(items: KeyValue[]): KeyValue[] {
  return items.sort((a, b) =>
    a.key < b.key
      ? -1
      : a.key > b.key
        ? 1
        : (a.label ?? '') < (b.label ?? '')
          ? -1
          : (a.label ?? '') > (b.label ?? '')
            ? 1
            : 0,
  )
}

export class AppConfigState {
  readonly #items = new Map<string, KeyValue>()
  /** Every state a key-value had, oldest first (copies). */
  readonly #revisions: KeyValue[] = []
  /** Every write and delete in order, for reads as of a past time (`Accept-Datetime`). */
  readonly #timeline: { readonly id: string; readonly kv: KeyValue | undefined; readonly at: number }[] = []
  readonly snapshots = new Map<string, Snapshot>()
  readonly #random: Random
  /** Incremented by every write; sync tokens carry it. */
  sequence = 0

  constructor(
    readonly now: () => number,
    seed?: number,
  ) {
    this.#random = createRandom(seed)
  }

  etag(): string {
    return this.#random.string(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')
  }

  get(key: string, label: string | null = null): KeyValue | undefined {
    return this.#items.get(id(key, label))
  }

  /** Every key-value, ordered by key then label (the null label first). */
  all(): KeyValue[] {
    return sortKeyValues([...this.#items.values()])
  }

  /** Revisions newest first. */
  revisions(): KeyValue[] {
    return [...this.#revisions].reverse()
  }

  /** Writes a key-value (a new etag, a revision, a sync-token step) and returns it. */
  put(
    key: string,
    label: string | null,
    fields: Partial<Pick<KeyValue, 'value' | 'contentType' | 'tags' | 'locked'>>,
  ): KeyValue {
    const current = this.get(key, label)
    const kv: KeyValue = {
      key,
      label,
      value: fields.value !== undefined ? fields.value : (current?.value ?? null),
      contentType: fields.contentType !== undefined ? fields.contentType : (current?.contentType ?? null),
      tags: fields.tags ? { ...fields.tags } : (current?.tags ?? {}),
      locked: fields.locked ?? current?.locked ?? false,
      etag: this.etag(),
      lastModified: this.now(),
    }
    this.#items.set(id(key, label), kv)
    const revision = { ...kv, tags: { ...kv.tags } }
    this.#revisions.push(revision)
    this.#timeline.push({ id: id(key, label), kv: revision, at: kv.lastModified })
    this.sequence++
    return kv
  }

  remove(kv: KeyValue): void {
    this.#items.delete(id(kv.key, kv.label))
    this.#timeline.push({ id: id(kv.key, kv.label), kv: undefined, at: this.now() })
    this.sequence++
  }

  /** The key-values as they were at `time` (ms), ordered like {@link all}. */
  asOf(time: number): KeyValue[] {
    const then = new Map<string, KeyValue>()
    for (const event of this.#timeline) {
      if (event.at > time) break
      if (event.kv) then.set(event.id, event.kv)
      else then.delete(event.id)
    }
    return sortKeyValues([...then.values()])
  }

  /** Creates key-values without going through the API (each a write, with its revision). */
  seed(settings: readonly AppConfigSettingSeed[]): void {
    for (const s of settings) {
      let { key, value = null, contentType = null } = s
      if (s.keyVaultRef) {
        const vault =
          typeof s.keyVaultRef.vault === 'string' ? s.keyVaultRef.vault : s.keyVaultRef.vault.vaultUrl
        value = keyVaultReference(vault, s.keyVaultRef.name, s.keyVaultRef.version)
        contentType = KEY_VAULT_REF_CONTENT_TYPE
      } else if (s.featureFlag) {
        const { enabled, description, conditions } = s.featureFlag
        value = JSON.stringify({
          id: key,
          ...(description && { description }),
          enabled,
          conditions: conditions ?? { client_filters: [] },
        })
        contentType = FEATURE_FLAG_CONTENT_TYPE
        key = `${FEATURE_FLAG_PREFIX}${key}`
      }
      this.put(key, s.label ?? null, { value, contentType, tags: { ...s.tags }, locked: s.locked ?? false })
    }
  }
}

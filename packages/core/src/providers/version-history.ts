/**
 * The version model shared by the memory and encrypted-file providers: per key, a list of versions and
 * which one is current. Version ids are increasing integers (as strings) unique within the store, not
 * per key, so a key that is deleted and written again never reuses an id an old `ifVersion` may hold.
 *
 * Rollback writes the old value again as a new version (like Vault KV v2), rather than moving a
 * pointer back: ids only ever increase, a watcher sees the change, and `ifVersion` still means "nothing
 * was written since I read".
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors.js'
import type { BatchResult, Entry, GetOptions, KeyInfo, SetOptions, VersionInfo } from '../provider.js'

/** One stored version. `value` is text, or base64 when `encoding` is `'base64'` (binary values). */
export interface StoredVersion {
  version: string
  value: string
  encoding?: 'base64'
  createdAt: string
  labels: string[]
  /** Set on a version made by `rollback`: the version it copied. */
  rollbackOf?: string
}

/** A key's history, oldest first, and its current version id. */
export interface StoredKey {
  versions: StoredVersion[]
  current: string
}

/** The whole store. `seq` is the last version id handed out. `keys` has a null prototype (`__proto__` is a key like any other). */
export interface StoredDocument {
  seq: number
  keys: Record<string, StoredKey>
}

/** An empty store. */
export function emptyDocument(): StoredDocument {
  return { seq: 0, keys: Object.create(null) as Record<string, StoredKey> }
}

/**
 * A deep copy that keeps `keys` null-prototype (`structuredClone` alone would give it `Object.prototype`
 * back, and then writing key `__proto__` would set the prototype instead of storing the key).
 */
export function cloneDocument(doc: StoredDocument): StoredDocument {
  const copy = emptyDocument()
  copy.seq = doc.seq
  for (const [key, record] of Object.entries(doc.keys)) copy.keys[key] = structuredClone(record)
  return copy
}

/** Computed labels: `current` on the current version, `previous` on the one written before it. */
function computedLabels(record: StoredKey, v: StoredVersion): string[] {
  const index = record.versions.findIndex((x) => x.version === record.current)
  const labels = [...v.labels]
  if (v.version === record.current) labels.push('current')
  else if (index > 0 && record.versions[index - 1] === v) labels.push('previous')
  return labels
}

function decode(v: StoredVersion): string | Uint8Array {
  return v.encoding === 'base64' ? new Uint8Array(Buffer.from(v.value, 'base64')) : v.value
}

/** The entry `get(key, opts)` returns: current version, or the one named by `version` or `label`. */
export function readEntry(doc: StoredDocument, key: string, opts: GetOptions = {}): Entry | undefined {
  const record = Object.hasOwn(doc.keys, key) ? doc.keys[key] : undefined
  if (!record) return undefined
  const v = record.versions.find((x) =>
    opts.version !== undefined
      ? x.version === opts.version
      : opts.label !== undefined
        ? computedLabels(record, x).includes(opts.label)
        : x.version === record.current,
  )
  if (!v) return undefined
  return {
    value: decode(v),
    version: v.version,
    updatedAt: new Date(v.createdAt),
    labels: computedLabels(record, v),
    ...(v.rollbackOf ? { metadata: { rollbackOf: v.rollbackOf } } : {}),
  }
}

/** Every version of a key, newest first. */
export function listVersions(doc: StoredDocument, key: string): VersionInfo[] {
  const record = Object.hasOwn(doc.keys, key) ? doc.keys[key] : undefined
  if (!record) return []
  return record.versions
    .map((v) => ({
      key,
      version: v.version,
      createdAt: new Date(v.createdAt),
      current: v.version === record.current,
      labels: computedLabels(record, v),
    }))
    .reverse()
}

/** Throws `ConflictError` when `ifVersion` / `createOnly` do not hold. */
export function checkWrite(
  doc: StoredDocument,
  key: string,
  opts: Pick<SetOptions, 'ifVersion' | 'createOnly'>,
  provider: string,
): void {
  const currentVersion = Object.hasOwn(doc.keys, key) ? doc.keys[key]!.current : undefined
  if (opts.createOnly && currentVersion !== undefined) {
    throw new ConflictError({ key, provider, currentVersion, message: `Key "${key}" already exists.` })
  }
  if (opts.ifVersion !== undefined && opts.ifVersion !== currentVersion) {
    throw new ConflictError({
      key,
      provider,
      currentVersion,
      message: `Key "${key}" is at version ${currentVersion ?? '(none)'}, not ${opts.ifVersion}.`,
    })
  }
}

/** Appends a new current version, trimming the history to `keep` versions. Mutates `doc`. */
export function appendVersion(
  doc: StoredDocument,
  key: string,
  value: string | Uint8Array,
  keep: number,
  extra: Partial<Pick<StoredVersion, 'rollbackOf' | 'labels'>> = {},
): VersionInfo {
  doc.seq += 1
  const version = String(doc.seq)
  const createdAt = new Date()
  const stored: StoredVersion = {
    version,
    ...(typeof value === 'string'
      ? { value }
      : { value: Buffer.from(value).toString('base64'), encoding: 'base64' }),
    createdAt: createdAt.toISOString(),
    labels: extra.labels ?? [],
    ...(extra.rollbackOf ? { rollbackOf: extra.rollbackOf } : {}),
  }
  const record = Object.hasOwn(doc.keys, key) ? doc.keys[key]! : { versions: [], current: version }
  record.versions.push(stored)
  record.current = version
  if (record.versions.length > keep) record.versions.splice(0, record.versions.length - keep)
  doc.keys[key] = record
  return { key, version, createdAt, current: true, labels: ['current'] }
}

/** Makes a copy of `version` the new current version (see the module comment). Mutates `doc`. */
export function rollbackVersion(
  doc: StoredDocument,
  key: string,
  version: string,
  keep: number,
  provider: string,
) {
  const record = Object.hasOwn(doc.keys, key) ? doc.keys[key] : undefined
  const old = record?.versions.find((v) => v.version === version)
  if (!old) {
    throw new NotFoundError({
      key,
      provider,
      message: `Version ${version} of key "${key}" not found${record ? ' (it may have been trimmed from the history)' : ''}.`,
    })
  }
  return appendVersion(doc, key, decode(old), keep, { rollbackOf: version })
}

/** Removes a key and its history. Returns whether it existed. Mutates `doc`. */
export function deleteKey(doc: StoredDocument, key: string): boolean {
  if (!Object.hasOwn(doc.keys, key)) return false
  delete doc.keys[key]
  return true
}

/** The current entries of several keys at once (missing keys are simply absent). */
export function readEntries(doc: StoredDocument, keys: readonly string[]): BatchResult {
  const entries = new Map<string, Entry>()
  for (const key of keys) {
    const entry = readEntry(doc, key)
    if (entry) entries.set(key, entry)
  }
  return { entries, errors: new Map() }
}

/** Every key starting with `prefix`, sorted, with its current version. */
export function* listKeys(doc: StoredDocument, prefix: string): Generator<KeyInfo> {
  for (const key of Object.keys(doc.keys).sort()) {
    if (!key.startsWith(prefix)) continue
    const entry = readEntry(doc, key)
    if (entry) yield { key, version: entry.version, updatedAt: entry.updatedAt }
  }
}

/** A value a versioned store can keep: text or bytes. */
export function checkValue(
  key: string,
  value: unknown,
  provider: string,
): asserts value is string | Uint8Array {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new ValidationError(`Key "${key}": the value must be a string or Uint8Array.`, { key, provider })
  }
}

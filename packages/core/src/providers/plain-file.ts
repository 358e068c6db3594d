/**
 * The shared engine of the plain-text file providers (dotenv, JSON, YAML): cheap change detection by
 * `stat`, parse-once caching, opaque value versions, and locked, atomic, content-preserving writes. A
 * format module only parses text and edits one key.
 */
import type { BigIntStats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { ConflictError, PolysecretError, ValidationError } from '../errors.js'
import { atomicWrite, removeStrayTemps, resolveWriteTarget } from '../fs/atomic-write.js'
import { fileError } from '../fs/file-errors.js'
import { withFileLock } from '../fs/file-lock.js'
import type {
  BatchResult,
  Capabilities,
  Entry,
  GetOptions,
  KeyInfo,
  Provider,
  SetOptions,
  VersionInfo,
} from '../provider.js'
import { valueVersion } from './value-version.js'

/** What a file format supplies: parsing with positions, reading, and editing one key in place. */
export interface FileFormat<Doc> {
  /** Loads what the format needs (e.g. the parser library) before the first parse or edit. */
  prepare?(): Promise<unknown>
  /** Parses the text; throws `ValidationError` naming the file and line, never a value. */
  parse(text: string, path: string): Doc
  read(doc: Doc, key: string): string | undefined
  keys(doc: Doc): string[]
  /** The new file text with `key` set; `doc` is `undefined` when the file does not exist yet. */
  write(doc: Doc | undefined, key: string, value: string, path: string): string
  /** The new file text without `key`. */
  remove(doc: Doc, key: string): string
}

/** Options shared by the plain file providers. */
export interface PlainFileOptions {
  /** Path of the file. A missing file reads as empty and is created (mode 0600) on the first write. */
  readonly path: string
  /**
   * Allow `set` and `delete`, and opt this provider in to the manager's writes even when the manager's
   * `allowWrites` is off (`Provider.writable`). Off by default: most services only read their config files.
   * @default false
   */
  readonly writable?: boolean
  /** Instance name. @default the provider type */
  readonly name?: string
}

interface Snapshot<Doc> {
  readonly stamp: string
  readonly doc?: Doc | undefined
  readonly error?: Error
}

const MISSING = 'missing'
const utf8 = new TextDecoder('utf-8', { fatal: true })

function stampOf(info: BigIntStats): string {
  // ino changes on every atomic replace; size+mtime+ctime catch in-place edits.
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`
}

/** Validates the options every plain file provider shares. */
export function checkPlainFileOptions(type: string, options: PlainFileOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(`${type}(): options must be an object with a "path".`)
  }
  if (typeof options.path !== 'string' || options.path.trim() === '') {
    throw new ValidationError(`${type}(): "path" must be a non-empty string.`)
  }
  if (options.writable !== undefined && typeof options.writable !== 'boolean') {
    throw new ValidationError(`${type}(): "writable" must be a boolean.`)
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw new ValidationError(`${type}(): "name" must be a non-empty string.`)
  }
}

/** Builds a provider over one plain file in the given format. */
export function plainFileProvider<Doc>(type: string, format: FileFormat<Doc>, options: PlainFileOptions) {
  checkPlainFileOptions(type, options)
  const path = options.path
  const name = options.name ?? type
  const writable = options.writable ?? false
  let snapshot: Snapshot<Doc> | undefined

  async function load(key?: string): Promise<Doc | undefined> {
    // Every read and every edit (modify() loads first) passes here, so the format is ready for both.
    await format.prepare?.()
    let info: BigIntStats
    try {
      info = await stat(path, { bigint: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        snapshot = { stamp: MISSING }
        return undefined
      }
      throw fileError(error, { path, action: 'read', provider: name, key })
    }
    if (snapshot?.stamp !== stampOf(info)) snapshot = await readSnapshot(key)
    if (snapshot.error) throw snapshot.error
    return snapshot.doc
  }

  async function readSnapshot(key?: string): Promise<Snapshot<Doc>> {
    let text: string
    let stamp: string
    try {
      // Read and fstat through one handle so the stamp belongs to exactly the bytes parsed.
      const handle = await open(path, 'r')
      try {
        stamp = stampOf(await handle.stat({ bigint: true }))
        text = await handle.readFile('utf8')
      } finally {
        await handle.close()
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { stamp: MISSING }
      throw fileError(error, { path, action: 'read', provider: name, key })
    }
    try {
      return { stamp, doc: format.parse(text, path) }
    } catch (error) {
      // Kept until the file changes, so a broken file is not re-parsed on every read. Whatever a format
      // library throws about the text is a malformed file, never an outage: a ValidationError (no retry,
      // no fallback to another store's value) that keeps only the error's name — its message may quote
      // the file.
      const malformed =
        error instanceof ValidationError
          ? withProvider(error, name)
          : new ValidationError(`${path}: cannot parse the file (${(error as Error)?.name ?? 'error'}).`, {
              provider: name,
              hint: 'Fix the file; values are never shown in this message.',
            })
      return { stamp, error: malformed }
    }
  }

  function entry(key: string, value: string): Entry {
    return { value, version: valueVersion(key, value) }
  }

  function checkKey(key: string): void {
    if (typeof key !== 'string' || key === '')
      throw new ValidationError('Key must be a non-empty string.', { provider: name })
  }

  async function get(key: string, opts: GetOptions = {}): Promise<Entry | undefined> {
    checkKey(key)
    const doc = await load(key)
    const value = doc === undefined ? undefined : format.read(doc, key)
    if (value === undefined) return undefined
    const found = entry(key, value)
    // No history: asking for a version (or label) finds only the current value, when it is that version.
    if (opts.version !== undefined && opts.version !== found.version) return undefined
    if (opts.label !== undefined && opts.label !== 'current') return undefined
    return found
  }

  async function getMany(keys: readonly string[]): Promise<BatchResult> {
    const doc = await load()
    const entries = new Map<string, Entry>()
    for (const key of keys) {
      const value = doc === undefined ? undefined : format.read(doc, key)
      if (value !== undefined) entries.set(key, entry(key, value))
    }
    return { entries, errors: new Map() }
  }

  async function* list(prefix = ''): AsyncIterable<KeyInfo> {
    const doc = await load()
    if (doc === undefined) return
    for (const key of format.keys(doc)) {
      if (!key.startsWith(prefix)) continue
      const value = format.read(doc, key)
      if (value !== undefined) yield { key, version: valueVersion(key, value) }
    }
  }

  /** Locked read-modify-write: re-reads the file under the lock so concurrent writers lose nothing. */
  async function modify(key: string, change: (doc: Doc | undefined) => string | undefined): Promise<void> {
    try {
      // Lock the file actually written: writers reaching it through a symlink and through its real
      // path must take the same lock.
      const target = await resolveWriteTarget(path)
      await withFileLock(
        target,
        async () => {
          const doc = await load(key)
          let text: string | undefined
          try {
            text = change(doc)
          } catch (error) {
            if (error instanceof PolysecretError) throw error
            // The format library refused the edit (e.g. a YAML alias in the path): a typed error, no value.
            throw new ValidationError(
              `Cannot write "${key}" to ${path}: the document cannot hold it there.`,
              {
                key,
                provider: name,
                cause: error,
              },
            )
          }
          if (text === undefined) return
          const mode = await stat(target).then(
            (s) => s.mode & 0o777,
            () => 0o600,
          )
          await removeStrayTemps(target)
          await atomicWrite(target, text, { mode })
        },
        { provider: name, key },
      )
    } catch (error) {
      throw fileError(error, { path, action: 'write', provider: name, key })
    }
  }

  function checkVersion(
    key: string,
    current: string | undefined,
    opts: { ifVersion?: string; createOnly?: boolean },
  ) {
    const currentVersion = current === undefined ? undefined : valueVersion(key, current)
    if (opts.createOnly && current !== undefined) {
      throw new ConflictError({
        key,
        provider: name,
        currentVersion,
        message: `Key "${key}" already exists in ${path}.`,
      })
    }
    if (opts.ifVersion !== undefined && opts.ifVersion !== currentVersion) {
      throw new ConflictError({
        key,
        provider: name,
        currentVersion,
        message: `Key "${key}" in ${path} has changed.`,
      })
    }
  }

  async function set(key: string, value: string | Uint8Array, opts: SetOptions = {}): Promise<VersionInfo> {
    checkKey(key)
    const text = toText(value, key, name)
    await modify(key, (doc) => {
      checkVersion(key, doc === undefined ? undefined : format.read(doc, key), opts)
      return format.write(doc, key, text, path)
    })
    return { key, version: valueVersion(key, text), current: true, labels: [], createdAt: new Date() }
  }

  async function remove(key: string, opts: { ifVersion?: string } = {}): Promise<void> {
    checkKey(key)
    await modify(key, (doc) => {
      const current = doc === undefined ? undefined : format.read(doc, key)
      checkVersion(key, current, opts)
      return current === undefined || doc === undefined ? undefined : format.remove(doc, key)
    })
  }

  const capabilities: Capabilities = Object.freeze({
    list: true,
    write: writable,
    delete: writable,
    versions: false,
    batch: true,
    watch: true,
  })

  return {
    name,
    type,
    capabilities,
    get,
    getMany,
    list,
    // `writable: true` also opts this provider in to the manager's writes on its own (Provider.writable).
    ...(writable ? { writable: true, set, delete: remove } : {}),
    async health() {
      const started = performance.now()
      try {
        await load()
        return { ok: true, latencyMs: performance.now() - started }
      } catch (error) {
        return { ok: false, latencyMs: performance.now() - started, message: (error as Error).message }
      }
    },
  } satisfies Provider
}

function toText(value: string | Uint8Array, key: string, provider: string): string {
  if (typeof value === 'string') return value
  try {
    return utf8.decode(value)
  } catch {
    throw new ValidationError(`Key "${key}": a text file can only hold UTF-8 text, not arbitrary bytes.`, {
      key,
      provider,
      hint: 'Base64-encode the value, or store it in encryptedFile().',
    })
  }
}

function withProvider(error: ValidationError, provider: string): ValidationError {
  return error.provider === provider ? error : new ValidationError(error.message, { provider })
}

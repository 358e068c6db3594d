/**
 * `jsonFile({ path })` — keys from a JSON object file, nested keys by dot path (`database.host`).
 * Writes keep key order and the file's indentation; JSON has no comments to keep.
 */
import { ValidationError } from '../errors.js'
import { locateJsonError } from './json-locate.js'
import { blockedAt, deletePath, keyPath, leafKeys, readPath, setPath } from './nested-keys.js'
import { type FileFormat, type PlainFileOptions, plainFileProvider } from './plain-file.js'

/** Options for {@link jsonFile}. */
export interface JsonFileOptions extends PlainFileOptions {}

interface JsonDocument {
  readonly root: Record<string, unknown>
  /** Indentation detected from the file, reused on write. */
  readonly indent: string
  readonly finalNewline: boolean
}

function parseJson(text: string, path: string): JsonDocument {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  if (body.trim() === '') return { root: {}, indent: '  ', finalNewline: true }
  let root: unknown
  try {
    root = JSON.parse(body)
  } catch {
    // JSON.parse's message quotes the text near the error, which may be a secret: never use it.
    const where = locateJsonError(body)
    const at = where ? `:${where.line}:${where.column}: ${where.reason}` : ': invalid JSON'
    throw new ValidationError(`${path}${at}.`, {
      hint: 'Fix the file; values are never shown in this message.',
    })
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new ValidationError(`${path}:1:1: the top level must be a JSON object.`)
  }
  const indent = /^\{\r?\n([ \t]+)"/.exec(body)?.[1] ?? '  '
  return {
    root: root as Record<string, unknown>,
    indent,
    finalNewline: body.endsWith('\n') || body.trim() === '',
  }
}

function serialize(doc: JsonDocument, root: Record<string, unknown>): string {
  return JSON.stringify(root, null, doc.indent) + (doc.finalNewline ? '\n' : '')
}

const format: FileFormat<JsonDocument> = {
  parse: parseJson,
  read: (doc, key) => readPath(doc.root, key),
  keys: (doc) => leafKeys(doc.root),
  write(doc, key, value, path) {
    const base = doc ?? { root: {}, indent: '  ', finalNewline: true }
    const root = structuredClone(base.root)
    const segments = keyPath(root, key)
    const blocked = blockedAt(root, segments)
    if (blocked !== undefined) {
      throw new ValidationError(
        `Cannot write "${key}" to ${path}: "${blocked}" holds a value, not an object.`,
        { key },
      )
    }
    setPath(root, segments, value)
    return serialize(base, root)
  },
  remove(doc, key) {
    const root = structuredClone(doc.root)
    deletePath(root, keyPath(root, key))
    return serialize(doc, root)
  },
}

/**
 * A provider over a JSON file (type `json-file`). Numbers and booleans read as text; an object or array
 * reads as its JSON; `null` reads as absent. Writes always store strings.
 *
 * @example
 * ```ts
 * import { jsonFile } from '@polysecret/core'
 * const config = jsonFile({ path: 'config/app.json' })
 * await config.get('database.host')
 * ```
 */
export function jsonFile(options: JsonFileOptions) {
  return plainFileProvider('json-file', format, options)
}

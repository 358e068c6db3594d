/**
 * `yamlFile({ path })` — keys from a YAML mapping file, nested keys by dot path. Writes go through the
 * `yaml` Document API, so comments, ordering, anchors and quoting of untouched keys stay as they were.
 */
import type { Document } from 'yaml'
import { ValidationError } from '../errors.js'
import { loadYaml, yaml } from '../lazy-modules.js'
import { blockedAt, keyPath, leafKeys, readPath } from './nested-keys.js'
import { type FileFormat, type PlainFileOptions, plainFileProvider } from './plain-file.js'

/** Options for {@link yamlFile}. */
export interface YamlFileOptions extends PlainFileOptions {}

interface YamlDocument {
  readonly text: string
  readonly doc: Document
  /** Plain JS view for reads (aliases resolved). */
  readonly root: Record<string, unknown>
}

function parseYaml(text: string, path: string): YamlDocument {
  // yaml's prettyErrors embed the offending source line in the message; ask for positions only.
  const { parseDocument, isMap } = yaml()
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true })
  const error = doc.errors[0]
  if (error) {
    // Position from the character offset: only prettified errors carry linePos, and those quote the text.
    const before = text.slice(0, error.pos[0])
    const line = before.split('\n').length
    const column = error.pos[0] - (before.lastIndexOf('\n') + 1) + 1
    // Unprettified messages describe the problem ("Missing closing \"quote") without quoting the text.
    throw new ValidationError(`${path}:${line}:${column}: invalid YAML: ${error.message} (${error.code}).`, {
      hint: 'Fix the file; values are never shown in this message.',
    })
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new ValidationError(`${path}:1:1: the top level must be a YAML mapping.`)
  }
  const root = (doc.toJS({ maxAliasCount: 1000 }) ?? {}) as Record<string, unknown>
  return { text, doc, root }
}

function edit(text: string, change: (doc: Document) => void): string {
  // Re-parse rather than mutate the cached document: a failed or concurrent edit never corrupts it.
  const doc = yaml().parseDocument(text, { prettyErrors: false })
  change(doc)
  return doc.toString()
}

const format: FileFormat<YamlDocument> = {
  prepare: loadYaml,
  parse: parseYaml,
  read: (doc, key) => readPath(doc.root, key),
  keys: (doc) => leafKeys(doc.root),
  write(current, key, value, path) {
    const root = current?.root ?? {}
    const segments = keyPath(root, key)
    const blocked = blockedAt(root, segments)
    if (blocked !== undefined) {
      throw new ValidationError(
        `Cannot write "${key}" to ${path}: "${blocked}" holds a value, not a mapping.`,
        { key },
      )
    }
    return edit(current?.text ?? '', (doc) => {
      if (doc.contents === null) doc.contents = doc.createNode({})
      // An intermediate `a:` / `a: ~` reads as absent, so writing `a.b` turns it into a mapping (as JSON does).
      for (let i = 1; i < segments.length; i++) {
        const node = doc.getIn(segments.slice(0, i), true)
        if (yaml().isScalar(node) && node.value === null) {
          doc.setIn(segments.slice(0, i), doc.createNode({}))
        }
      }
      doc.setIn(segments, value)
    })
  },
  remove(current, key) {
    return edit(current.text, (doc) => {
      doc.deleteIn(keyPath(current.root, key))
    })
  },
}

/**
 * A provider over a YAML file (type `yaml-file`). Scalars read as text; a mapping or sequence reads as
 * its JSON; `null` reads as absent. Writes always store strings (quoted where YAML would read them as
 * another type).
 *
 * @example
 * ```ts
 * import { yamlFile } from '@polysecret/core'
 * const config = yamlFile({ path: 'config/app.yaml', writable: true })
 * await config.set?.('database.host', 'db.internal')
 * ```
 */
export function yamlFile(options: YamlFileOptions) {
  return plainFileProvider('yaml-file', format, options)
}

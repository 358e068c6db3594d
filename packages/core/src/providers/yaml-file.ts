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

const FIX_HINT = 'Fix the file; values are never shown in this message.'

/** `path:line:column` of a character offset (only prettified errors carry positions, and they quote the text). */
function at(text: string, path: string, offset: number): string {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - (before.lastIndexOf('\n') + 1) + 1
  return `${path}:${line}:${column}`
}

function parseYaml(text: string, path: string): YamlDocument {
  // yaml's prettyErrors embed the offending source line in the message; ask for positions only.
  const { parseDocument, isMap } = yaml()
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true })
  const error = doc.errors[0]
  if (error) {
    // Even unprettified messages quote text for some mistakes ("Invalid escape sequence \\q", an alias
    // name): the code and position say what and where without any of the file's content.
    throw new ValidationError(`${at(text, path, error.pos[0])}: invalid YAML (${error.code}).`, {
      hint: FIX_HINT,
    })
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new ValidationError(`${path}:1:1: the top level must be a YAML mapping.`)
  }
  return { text, doc, root: toPlain(doc, text, path) }
}

/**
 * The plain view of a parsed document. Alias problems surface only here, as yaml's raw
 * `ReferenceError` quoting the alias name: they become a `ValidationError` with a position, so the
 * manager treats a broken file as a broken file (no retry, no fallback) and no file text is shown.
 */
function toPlain(doc: Document, text: string, path: string): Record<string, unknown> {
  let root: Record<string, unknown>
  try {
    root = (doc.toJS({ maxAliasCount: 1000 }) ?? {}) as Record<string, unknown>
  } catch (error) {
    const { visit } = yaml()
    let unresolved: number | undefined
    visit(doc, {
      Alias(_, node) {
        if (node.resolve(doc) !== undefined) return undefined
        unresolved = node.range?.[0] ?? 0
        return visit.BREAK
      },
    })
    if (unresolved !== undefined) {
      throw new ValidationError(
        `${at(text, path, unresolved)}: invalid YAML: an alias refers to an anchor that is not defined before it.`,
        { hint: FIX_HINT },
      )
    }
    // yaml's own limit against alias bombs ("Excessive alias count …"); anything else keeps only its name.
    const reason =
      error instanceof ReferenceError && /alias/i.test(error.message)
        ? 'aliases expand to too many nodes (more than 1000)'
        : `the document cannot be converted (${(error as Error)?.name ?? 'error'})`
    throw new ValidationError(`${path}: invalid YAML: ${reason}.`, { hint: FIX_HINT })
  }
  try {
    // Reads render mappings and sequences as JSON: an alias inside its own anchor (`a: &x [*x]`) makes
    // a cycle that no read could render.
    JSON.stringify(root)
  } catch {
    throw new ValidationError(
      `${path}: invalid YAML: an alias refers to a node that contains it (a cycle).`,
      {
        hint: FIX_HINT,
      },
    )
  }
  return root
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

/**
 * Dot-path addressing for nested documents (JSON, YAML): `database.host` reads `{ database: { host } }`.
 * A root key that itself contains dots (`"a.b": 1`) wins over the nested path, so flat files written by
 * other tools keep working.
 */

type Plain = Record<string, unknown>

function isObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The path segments `key` refers to in `root`: the literal root key if present, else the dot path. */
export function keyPath(root: unknown, key: string): string[] {
  if (isObject(root) && Object.hasOwn(root, key)) return [key]
  return key.split('.')
}

/**
 * The value at `key` as text: strings as they are, numbers and booleans via `String`, objects and arrays
 * as JSON (so a nested section can be read as one value), `null` or absent as `undefined`.
 */
export function readPath(root: unknown, key: string): string | undefined {
  let node: unknown = root
  for (const segment of keyPath(root, key)) {
    if (!isObject(node) || !Object.hasOwn(node, segment)) return undefined
    node = node[segment]
  }
  return toText(node)
}

function toText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  return JSON.stringify(value)
}

/** Every leaf key (scalars and arrays) as a dot path, in document order. */
export function leafKeys(root: unknown): string[] {
  const out: string[] = []
  const walk = (node: unknown, prefix: string): void => {
    if (!isObject(node)) {
      if (prefix && node !== null && node !== undefined) out.push(prefix)
      return
    }
    for (const [name, child] of Object.entries(node)) walk(child, prefix ? `${prefix}.${name}` : name)
  }
  walk(root, '')
  return out
}

/**
 * The first segment of `path` (within `root`) that holds something other than an object, which would
 * block writing below it — e.g. writing `a.b` when `a` is a string. `undefined` when the path is clear.
 */
export function blockedAt(root: unknown, path: readonly string[]): string | undefined {
  let node: unknown = root
  for (let i = 0; i < path.length - 1; i++) {
    if (!isObject(node)) return path.slice(0, i).join('.')
    node = node[path[i]!]
    if (node === undefined || node === null) return undefined
    if (!isObject(node)) return path.slice(0, i + 1).join('.')
  }
  return undefined
}

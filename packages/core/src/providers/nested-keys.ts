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

/**
 * Every leaf key (scalars and arrays) as a dot path, in document order, each once: a nested path that a
 * literal root key of the same name shadows (`{"a.b": 1, "a": {"b": 2}}`) is listed once, as `get`
 * reads it (the literal key).
 */
export function leafKeys(root: unknown): string[] {
  const out = new Set<string>()
  const walk = (node: unknown, prefix: string): void => {
    if (!isObject(node)) {
      if (prefix && node !== null && node !== undefined && readPath(root, prefix) !== undefined)
        out.add(prefix)
      return
    }
    for (const [name, child] of Object.entries(node)) walk(child, prefix ? `${prefix}.${name}` : name)
  }
  walk(root, '')
  return [...out]
}

/**
 * The first segment of `path` (within `root`) that holds something other than an object, which would
 * block writing below it — e.g. writing `a.b` when `a` is a string. `undefined` when the path is clear.
 */
export function blockedAt(root: unknown, path: readonly string[]): string | undefined {
  let node: unknown = root
  for (let i = 0; i < path.length - 1; i++) {
    if (!isObject(node)) return path.slice(0, i).join('.')
    // Own properties only: `__proto__` or `constructor` must never reach Object.prototype.
    node = Object.hasOwn(node, path[i]!) ? node[path[i]!] : undefined
    if (node === undefined || node === null) return undefined
    if (!isObject(node)) return path.slice(0, i + 1).join('.')
  }
  return undefined
}

/**
 * Sets `path` to `value` in `root`, creating intermediate objects where a segment is absent or `null`.
 * Own properties only, defined rather than assigned, so a segment named `__proto__` is an ordinary key
 * and never touches (or pollutes) `Object.prototype`. Call {@link blockedAt} first. Mutates `root`.
 */
export function setPath(root: Plain, path: readonly string[], value: unknown): void {
  let node = root
  for (const segment of path.slice(0, -1)) {
    const child = Object.hasOwn(node, segment) ? node[segment] : undefined
    if (isObject(child)) node = child
    else {
      const created: Plain = {}
      defineOwn(node, segment, created)
      node = created
    }
  }
  defineOwn(node, path.at(-1)!, value)
}

/** Removes `path` from `root` if present, following own properties only. Mutates `root`. */
export function deletePath(root: Plain, path: readonly string[]): void {
  let node: unknown = root
  for (const segment of path.slice(0, -1)) {
    node = isObject(node) && Object.hasOwn(node, segment) ? node[segment] : undefined
  }
  const last = path.at(-1)!
  if (isObject(node) && Object.hasOwn(node, last)) delete node[last]
}

function defineOwn(node: Plain, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true })
}

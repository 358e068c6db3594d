import { badRequest, failure, KubeError } from './status.js'

/**
 * The three patch formats of `PATCH` besides server-side apply: JSON merge patch (RFC 7386),
 * strategic merge patch (the same for the maps of Secrets, ConfigMaps and Namespaces, plus the
 * `$patch: replace | delete` directives), and JSON patch (RFC 6902). A malformed patch is a 400; a
 * JSON patch operation that cannot apply (a failed `test`, a missing path) is a 422, as the API server
 * answers.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const isObject = (v: unknown): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return patch as Json
  const out: Record<string, Json> = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else out[key] = mergePatch(out[key], value)
  }
  return out
}

/** Strategic merge patch over maps: merge patch with `$patch: replace` / `$patch: delete` on a map. */
export function strategicMergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return patch as Json
  const { $patch: directive, $retainKeys: _retain, ...rest } = patch
  if (directive === 'delete') return null
  if (directive === 'replace') return stripDirectives(rest)
  if (directive !== undefined) throw badRequest(`Unknown patch type: ${String(directive)}`)
  const out: Record<string, Json> = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(rest)) {
    if (key.startsWith('$setElementOrder/') || key.startsWith('$deleteFromPrimitiveList/')) continue
    const merged = value === null ? null : strategicMergePatch(out[key], value)
    if (merged === null) delete out[key]
    else out[key] = merged
  }
  return out
}

function stripDirectives(value: Record<string, Json>): Json {
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = v
  return out
}

interface Operation {
  readonly op: string
  readonly path: string
  readonly from?: string
  readonly value?: Json
}

/** A JSON patch operation that does not apply: 422 with the reason as its one cause. */
function cannotApply(message: string): KubeError {
  return new KubeError(
    failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {
      causes: [{ reason: 'UnexpectedServerResponse', message }],
    }),
  )
}

function pointer(path: string): string[] {
  if (path === '') return []
  if (!path.startsWith('/')) throw badRequest(`JSON pointer must start with "/": ${path}`)
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function parentOf(doc: Json, tokens: string[], path: string): { parent: Json; last: string } {
  let node: Json = doc
  for (const t of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(node)
      ? node[Number(t)]
      : isObject(node)
        ? node[t]
        : undefined
    if (next === undefined) throw cannotApply(`doc is missing path: "${path}": missing value`)
    node = next
  }
  return { parent: node, last: tokens[tokens.length - 1]! }
}

function read(doc: Json, path: string): Json {
  const tokens = pointer(path)
  if (tokens.length === 0) return doc
  const { parent, last } = parentOf(doc, tokens, path)
  const value = Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined
  if (value === undefined) throw cannotApply(`doc is missing path: "${path}": missing value`)
  return value
}

function remove(doc: Json, path: string): Json {
  const value = read(doc, path)
  const { parent, last } = parentOf(doc, pointer(path), path)
  if (Array.isArray(parent)) parent.splice(Number(last), 1)
  else delete (parent as Record<string, Json>)[last]
  return value
}

function add(doc: Json, path: string, value: Json): Json {
  const tokens = pointer(path)
  if (tokens.length === 0) return value
  const { parent, last } = parentOf(doc, tokens, path)
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last)
    if (!(Number.isInteger(index) && index >= 0 && index <= parent.length))
      throw cannotApply(`add operation does not apply: doc is missing path: "${path}": missing value`)
    parent.splice(index, 0, value)
  } else if (isObject(parent)) parent[last] = value
  else throw cannotApply(`add operation does not apply: doc is missing path: "${path}": missing value`)
  return doc
}

const equal = (a: Json, b: Json) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b))
function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (isObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k]!)]),
    )
  return v
}

/** RFC 6902 over a copy of `target`. */
export function jsonPatch(target: unknown, patch: unknown): Json {
  if (!Array.isArray(patch))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch')
  let doc = structuredClone(target) as Json
  for (const raw of patch as Operation[]) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string')
      throw badRequest('invalid JSON patch operation: each needs "op" and "path"')
    const { op, path } = raw
    switch (op) {
      case 'add':
        doc = add(doc, path, structuredClone(raw.value ?? null))
        break
      case 'remove':
        remove(doc, path)
        break
      case 'replace':
        read(doc, path)
        if (pointer(path).length === 0) doc = structuredClone(raw.value ?? null)
        else {
          remove(doc, path)
          doc = add(doc, path, structuredClone(raw.value ?? null))
        }
        break
      case 'test':
        if (!equal(read(doc, path), raw.value ?? null))
          throw cannotApply(`testing value ${path} failed: test failed`)
        break
      case 'move': {
        if (typeof raw.from !== 'string') throw badRequest('move operation needs "from"')
        doc = add(doc, path, remove(doc, raw.from))
        break
      }
      case 'copy':
        if (typeof raw.from !== 'string') throw badRequest('copy operation needs "from"')
        doc = add(doc, path, structuredClone(read(doc, raw.from)))
        break
      default:
        throw badRequest(`Unexpected kind: ${op}`)
    }
  }
  return doc
}

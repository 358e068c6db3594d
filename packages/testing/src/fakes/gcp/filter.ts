import { invalidArgument } from './status.js'

/**
 * The subset of Google's list-filter language (AIP-160, as Secret Manager's "filtering" page documents
 * it) the fakes support:
 *
 * - restrictions `field:value` (has / contains), `field=value`, `field!=value`, and `<`, `<=`, `>`, `>=`
 *   (timestamps compare in time, RFC 3339 values such as `2021-01-01T06:00:00Z`);
 * - `field:*` (the field or map key is present);
 * - `AND` (also implied by a space), `OR` (binds tighter than AND, as in AIP-160), `NOT` or `-`, and
 *   parentheses; values may be quoted with `"`.
 *
 * What a field means is up to the fake (see {@link FilterFields}); an unknown field or a malformed filter
 * is INVALID_ARGUMENT. Regular expressions (`~`) are a gcloud feature the API does not support.
 */

/** Resolves a field path of one item: a string, a timestamp (ms), a map (for `labels:key`), or absent. */
export type FilterFields = (
  path: string,
) =>
  | { kind: 'text'; value: string | undefined }
  | { kind: 'time'; value: number }
  | { kind: 'map'; value: Record<string, string> }
  | undefined

type Node =
  | { op: 'and' | 'or'; left: Node; right: Node }
  | { op: 'not'; inner: Node }
  | { op: 'cmp'; field: string; cmp: string; value: string }

const TOKEN = /^(\(|\)|"(?:[^"\\]|\\.)*"|!=|<=|>=|[:=<>]|[^\s():=<>!"]+)/
// After a comparator the value runs to the next space or parenthesis (timestamps hold ':').
const VALUE = /^("(?:[^"\\]|\\.)*"|[^\s()]+)/
const COMPARATORS = [':', '=', '!=', '<', '<=', '>', '>=']

function tokenize(filter: string): string[] {
  const tokens: string[] = []
  let rest = filter.trim()
  while (rest.length) {
    const afterComparator = COMPARATORS.includes(tokens.at(-1) ?? '')
    const m = (afterComparator ? VALUE : TOKEN).exec(rest)
    if (!m) throw invalidArgument(`Invalid filter: unexpected text at "${rest.slice(0, 20)}".`)
    tokens.push(m[1]!)
    rest = rest.slice(m[0].length).trimStart()
  }
  return tokens
}

function parse(filter: string): Node {
  const tokens = tokenize(filter)
  let i = 0
  const peek = () => tokens[i]
  const fail = (why: string): never => {
    throw invalidArgument(`Invalid filter "${filter}": ${why}.`)
  }
  const unquote = (t: string) => (t.startsWith('"') ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t)

  const primary = (): Node => {
    const t = peek()
    if (t === undefined) return fail('expected a restriction')
    if (t === '(') {
      i++
      const inner = sequence()
      if (peek() !== ')') fail('missing ")"')
      i++
      return inner
    }
    if (t === 'NOT') {
      i++
      return { op: 'not', inner: primary() }
    }
    if (t.startsWith('-') && t.length > 1) {
      tokens[i] = t.slice(1)
      return { op: 'not', inner: primary() }
    }
    const field = t
    i++
    const cmp = peek()
    if (cmp === undefined || !COMPARATORS.includes(cmp))
      return fail(`"${field}" needs a comparator (":", "=", "!=", "<", ">" …)`)
    i++
    const value = peek()
    if (value === undefined || value === '(' || value === ')') return fail(`"${field}${cmp}" needs a value`)
    i++
    return { op: 'cmp', field, cmp, value: unquote(value) }
  }
  const disjunction = (): Node => {
    let node = primary()
    while (peek() === 'OR') {
      i++
      node = { op: 'or', left: node, right: primary() }
    }
    return node
  }
  const sequence = (): Node => {
    let node = disjunction()
    while (peek() !== undefined && peek() !== ')') {
      if (peek() === 'AND') i++
      node = { op: 'and', left: node, right: disjunction() }
    }
    return node
  }
  const node = sequence()
  if (i < tokens.length) fail(`unexpected "${tokens[i]}"`)
  return node
}

function compare(a: number | string, b: number | string, cmp: string): boolean {
  switch (cmp) {
    case '=':
      return a === b
    case '!=':
      return a !== b
    case '<':
      return a < b
    case '<=':
      return a <= b
    case '>':
      return a > b
    default:
      return a >= b
  }
}

function evaluate(node: Node, fields: FilterFields): boolean {
  if (node.op === 'not') return !evaluate(node.inner, fields)
  if (node.op !== 'cmp') {
    const left = evaluate(node.left, fields)
    return node.op === 'and' ? left && evaluate(node.right, fields) : left || evaluate(node.right, fields)
  }
  const resolved = fields(node.field)
  if (resolved === undefined) throw invalidArgument(`Invalid filter: unknown field "${node.field}".`)
  const { cmp, value } = node
  if (resolved.kind === 'map') {
    // `labels:key` — the map has the key.
    if (cmp !== ':') throw invalidArgument(`Invalid filter: "${node.field}" only supports ":".`)
    return Object.hasOwn(resolved.value, value)
  }
  if (resolved.kind === 'time') {
    const t = Date.parse(value)
    if (Number.isNaN(t)) throw invalidArgument(`Invalid filter: "${value}" is not an RFC 3339 timestamp.`)
    return compare(resolved.value, t, cmp === ':' ? '=' : cmp)
  }
  const text = resolved.value
  if (cmp === ':') return value === '*' ? text !== undefined : text?.includes(value) === true
  if (text === undefined) return cmp === '!='
  return compare(text, value, cmp)
}

/** Compiles `filter` into a predicate over items described by `fields`; empty means "everything". */
export function compileFilter<T>(
  filter: string | undefined,
  fieldsOf: (item: T) => FilterFields,
): (item: T) => boolean {
  if (!filter?.trim()) return () => true
  const node = parse(filter)
  return (item) => evaluate(node, fieldsOf(item))
}

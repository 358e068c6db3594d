/**
 * App Configuration's key and label filters: `*` (any), an exact name, a prefix `app:*`, or up to five of
 * those separated by commas; `\` escapes `*`, `,` and `\` in names. For labels, `\0` (or a NUL sent as
 * `%00`) is the null label. A `*` anywhere but at the end is refused, as the service does.
 */

/** A filter the service would refuse; `reason` is written for the error's detail. */
export class FilterError extends Error {}

type Matcher = (value: string | null) => boolean

const MAX_ALTERNATIVES = 5

/** Compiles `filter` (`undefined`: any) for `kind`. Throws {@link FilterError} for a filter the service refuses. */
export function compileFilter(filter: string | undefined, kind: 'key' | 'label'): Matcher {
  if (filter === undefined || filter === '*') return () => true
  const alternatives: Matcher[] = []
  let text = ''
  let prefix = false
  let escaped = false
  let nullLabel = false
  const close = () => {
    if (nullLabel && text === '' && !prefix) alternatives.push((v) => v === null)
    else if (prefix) {
      const p = text
      alternatives.push((v) => v?.startsWith(p) === true)
    } else {
      const exact = text
      // An empty label alternative names the null label (`label=` is the null label, as on a GET by key).
      alternatives.push(kind === 'label' && exact === '' ? (v) => v === null : (v) => v === exact)
    }
    text = ''
    prefix = false
    nullLabel = false
  }
  for (const ch of filter) {
    if (prefix && !(ch === ',' && !escaped))
      throw new FilterError(`a '*' may only end a ${kind} filter; '${filter}' has text after it`)
    if (escaped) {
      escaped = false
      if (ch === '0' && kind === 'label' && text === '') nullLabel = true
      else text += ch
    } else if (ch === '\\') escaped = true
    else if (ch === '\u0000' && kind === 'label' && text === '') nullLabel = true
    else if (ch === '*') prefix = true
    else if (ch === ',') close()
    else text += ch
  }
  if (escaped) throw new FilterError(`the ${kind} filter '${filter}' ends with a lone '\\'`)
  close()
  if (alternatives.length > MAX_ALTERNATIVES)
    throw new FilterError(
      `a ${kind} filter may list at most ${MAX_ALTERNATIVES} alternatives, got ${alternatives.length}`,
    )
  return (v) => alternatives.some((m) => m(v))
}

/** Tag filters `name=value` (all must match; `name=\0` matches a tag whose value is null). */
export function compileTagFilters(
  filters: readonly string[],
): (tags: Readonly<Record<string, string>>) => boolean {
  const pairs = filters.map((f) => {
    const eq = f.indexOf('=')
    if (eq <= 0) throw new FilterError(`a tag filter must be 'name=value', got '${f}'`)
    return [f.slice(0, eq), f.slice(eq + 1)] as const
  })
  return (tags) => pairs.every(([name, value]) => tags[name] === value)
}

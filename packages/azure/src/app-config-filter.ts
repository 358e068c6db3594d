/**
 * App Configuration's key and label filter syntax: `*` at the end matches a prefix, `,` separates up
 * to five alternatives, `\` escapes `*`, `,` and `\`, and `\0` is the null label.
 */

/** A key or label as an exact filter term (`*`, `,` and `\` escaped). */
export function escapeFilter(text: string): string {
  return text.replace(/[\\*,]/g, (c) => `\\${c}`)
}

/** Labels as a label filter: `null` (no label) is `\0`. */
export function labelFilter(labels: readonly (string | null)[]): string {
  return labels.map((l) => (l === null ? '\\0' : escapeFilter(l))).join(',')
}

/** Splits a filter on unescaped `,` into alternatives, each `{ text, prefix }` with escapes removed. */
function alternatives(filter: string): { text: string; prefix: boolean }[] {
  const out: { text: string; prefix: boolean }[] = []
  let text = ''
  let prefix = false
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i]
    if (c === '\\' && i + 1 < filter.length) {
      text += filter[++i]
    } else if (c === ',') {
      out.push({ text, prefix })
      text = ''
      prefix = false
    } else if (c === '*' && i === filter.length - 1) {
      prefix = true
    } else if (c === '*' && filter[i + 1] === ',') {
      prefix = true
    } else {
      text += c
    }
  }
  out.push({ text, prefix })
  return out
}

/** Whether the filter is one App Configuration accepts for keys: `*` only at an alternative's end, ≤ 5 alternatives. */
export function isValidKeyFilter(filter: string): boolean {
  if (filter === '') return false
  const unescaped = filter.replace(/\\./g, '')
  const parts = unescaped.split(',')
  return parts.length <= 5 && parts.every((p) => p !== '' && !p.slice(0, -1).includes('*'))
}

/** Whether `key` is selected by a key filter (validated by {@link isValidKeyFilter}). */
export function matchesKeyFilter(filter: string, key: string): boolean {
  return alternatives(filter).some((a) => (a.prefix ? key.startsWith(a.text) : key === a.text))
}

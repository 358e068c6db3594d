/**
 * A small dotenv parser that remembers where each value sits in the text, so a write can replace one
 * value and leave every other byte (comments, order, blank lines, `export`) as it was.
 *
 * Syntax (compatible with the `dotenv` package): `KEY=value` lines, optional `export ` prefix, `#`
 * comments on their own line or after a value (an unquoted value's comment needs a space before `#`),
 * `'single'` and `` `backtick` `` quotes taken literally, `"double"` quotes with `\n \r \t \" \\`
 * escapes, quoted values spanning lines. Later lines win over earlier ones for the same key. Unlike the
 * `dotenv` package, a line it cannot understand is an error with its line number, not silently skipped:
 * a typo in a secrets file should not turn into a missing secret.
 */
import { ValidationError } from '../errors.js'

/** One assignment and where its value sits in the text. */
export interface DotenvAssignment {
  readonly key: string
  readonly value: string
  /** Offset of the first character of the line. */
  readonly lineStart: number
  /** Offsets of the raw value, quotes included; `valueStart === valueEnd` for an empty value. */
  readonly valueStart: number
  readonly valueEnd: number
  /** Offset just after the line's end-of-line (or the end of the text). */
  readonly lineEnd: number
}

/** A parsed dotenv file: the text and its assignments in order. */
export interface DotenvDocument {
  readonly text: string
  readonly assignments: readonly DotenvAssignment[]
}

const KEY_START = /[A-Za-z_]/
const KEY_CHAR = /[A-Za-z0-9_.-]/

/** Parses dotenv text; throws `ValidationError` naming `file`, line and column (never the value). */
export function parseDotenv(text: string, file = '<dotenv>'): DotenvDocument {
  const assignments: DotenvAssignment[] = []
  let i = 0
  const fail = (at: number, reason: string): never => {
    const before = text.slice(0, at)
    const line = before.split('\n').length
    const column = at - (before.lastIndexOf('\n') + 1) + 1
    throw new ValidationError(`${file}:${line}:${column}: ${reason}`, {
      hint: 'Fix the file; values are never shown in this message.',
    })
  }
  const isBlank = (c: string | undefined) => c === ' ' || c === '\t'
  const skipBlanks = () => {
    while (isBlank(text[i])) i++
  }
  const atLineEnd = () => i >= text.length || text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')
  const skipLineEnd = () => {
    if (text[i] === '\r') i++
    if (text[i] === '\n') i++
  }

  if (text.charCodeAt(0) === 0xfeff) i = 1 // byte-order mark
  while (i < text.length) {
    const lineStart = i
    skipBlanks()
    if (atLineEnd()) {
      skipLineEnd()
      continue
    }
    if (text[i] === '#') {
      while (!atLineEnd()) i++
      skipLineEnd()
      continue
    }
    if (text.startsWith('export', i) && isBlank(text[i + 6])) {
      i += 6
      skipBlanks()
    }
    const keyStart = i
    if (!KEY_START.test(text[i] ?? '')) fail(i, 'expected a variable name (letters, digits, "_", ".", "-").')
    while (i < text.length && KEY_CHAR.test(text[i]!)) i++
    const key = text.slice(keyStart, i)
    skipBlanks()
    if (text[i] !== '=') fail(i, 'expected "=" after the variable name.')
    i++
    skipBlanks()
    const valueStart = i
    let value: string
    const quote = text[i]
    if (quote === '"' || quote === "'" || quote === '`') {
      const open = i
      i++
      let out = ''
      for (;;) {
        if (i >= text.length) fail(open, `unterminated ${quote} quote (the value starts here).`)
        const c = text[i]!
        if (c === quote) break
        if (quote === '"' && c === '\\' && i + 1 < text.length) {
          const next = text[i + 1]!
          out +=
            next === 'n'
              ? '\n'
              : next === 'r'
                ? '\r'
                : next === 't'
                  ? '\t'
                  : next === '"' || next === '\\'
                    ? next
                    : `\\${next}`
          i += 2
          continue
        }
        if (c === '\r' && text[i + 1] === '\n') {
          i++
          continue // CRLF inside a multi-line value reads as LF, as in the dotenv package
        }
        out += c
        i++
      }
      i++ // closing quote
      value = out
      const valueEnd = i
      skipBlanks()
      if (text[i] === '#') while (!atLineEnd()) i++
      if (!atLineEnd()) fail(i, 'unexpected text after the closing quote.')
      skipLineEnd()
      assignments.push({ key, value, lineStart, valueStart, valueEnd, lineEnd: i })
      continue
    }
    // Unquoted: up to end of line or an inline comment (" #"), trailing blanks trimmed.
    let end = i
    while (!atLineEnd()) {
      if (text[i] === '#' && (i === valueStart || isBlank(text[i - 1]))) break
      i++
      if (!isBlank(text[i - 1])) end = i
    }
    value = text.slice(valueStart, end)
    while (!atLineEnd()) i++
    skipLineEnd()
    assignments.push({ key, value, lineStart, valueStart, valueEnd: end, lineEnd: i })
  }
  return { text, assignments }
}

/** The value of `key` (the last assignment wins), or `undefined`. */
export function dotenvValue(doc: DotenvDocument, key: string): string | undefined {
  for (let n = doc.assignments.length - 1; n >= 0; n--) {
    const a = doc.assignments[n]!
    if (a.key === key) return a.value
  }
  return undefined
}

/** Keys in first-appearance order, without duplicates. */
export function dotenvKeys(doc: DotenvDocument): string[] {
  return [...new Set(doc.assignments.map((a) => a.key))]
}

/**
 * Quotes a value so {@link parseDotenv} (and the `dotenv` package) read it back exactly: bare when it is
 * plainly safe, single quotes when that suffices (no expansion by `dotenv-expand`), else double quotes
 * with escapes (the only way to write newlines).
 */
export function quoteDotenvValue(value: string): string {
  if (/^[A-Za-z0-9_./:@%+,=-]*$/.test(value)) return value
  if (!/['\r\n]/.test(value)) return `'${value}'`
  const escaped = value.replace(/[\\"\n\r]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`))
  return `"${escaped}"`
}

/** The text with `key` set: the last assignment's value replaced in place, or a new line appended. */
export function setDotenv(doc: DotenvDocument | undefined, key: string, value: string): string {
  if (!KEY_START.test(key[0] ?? '') || ![...key].every((c) => KEY_CHAR.test(c))) {
    throw new ValidationError(
      `Key "${key}" cannot be written to a dotenv file: use letters, digits, "_", "." and "-", not starting with a digit.`,
    )
  }
  const text = doc?.text ?? ''
  const quoted = quoteDotenvValue(value)
  const last = doc?.assignments.findLast((a) => a.key === key)
  if (last) return text.slice(0, last.valueStart) + quoted + text.slice(last.valueEnd)
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const separator = text === '' || text.endsWith('\n') ? '' : eol
  return `${text}${separator}${key}=${quoted}${eol}`
}

/** The text without any assignment of `key` (whole lines removed, with their trailing comments). */
export function removeDotenv(doc: DotenvDocument, key: string): string {
  let out = ''
  let from = 0
  for (const a of doc.assignments) {
    if (a.key !== key) continue
    out += doc.text.slice(from, a.lineStart)
    from = a.lineEnd
  }
  return out + doc.text.slice(from)
}

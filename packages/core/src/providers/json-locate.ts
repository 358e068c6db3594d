/**
 * Finds where JSON text stops being valid, for an error message. `JSON.parse` errors quote the text
 * around the mistake — which may be a secret — and do not reliably give a position, so a malformed file
 * is re-scanned here (only after `JSON.parse` failed) to report line and column without any content.
 */

/** Line, column (1-based) and a content-free reason for the first syntax error, or `undefined`. */
export function locateJsonError(text: string): { line: number; column: number; reason: string } | undefined {
  let i = 0
  const fail = (reason: string): never => {
    throw Object.assign(new Error(reason), { at: i })
  }
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const literal = (word: string) => {
    if (!text.startsWith(word, i)) fail('invalid literal')
    i += word.length
  }
  const string = () => {
    i++ // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string')
      const c = text.charCodeAt(i)
      if (c === 0x22) break
      if (c < 0x20) fail('control character in string (use \\n for a newline)')
      if (c === 0x5c) {
        const e = text[i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape')
          i += 6
          continue
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('invalid escape')
        i += 2
        continue
      }
      i++
    }
    i++
  }
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))
    if (!m) fail('invalid number')
    i += m![0].length
  }
  /** Steps over a closing bracket; `true` ends the enclosing container. */
  const close = (): true => {
    i++
    return true
  }
  const value = (depth: number): unknown => {
    if (depth > 1000) fail('nested too deeply')
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      ws()
      if (text[i] === '}') return close()
      for (;;) {
        ws()
        if (text[i] !== '"') fail('expected a quoted property name')
        string()
        ws()
        if (text[i] !== ':') fail('expected ":" after a property name')
        i++
        value(depth + 1)
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') return close()
        fail('expected "," or "}"')
      }
    }
    if (c === '[') {
      i++
      ws()
      if (text[i] === ']') return close()
      for (;;) {
        value(depth + 1)
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') return close()
        fail('expected "," or "]"')
      }
    }
    if (c === '"') string()
    else if (c === 't') literal('true')
    else if (c === 'f') literal('false')
    else if (c === 'n') literal('null')
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number()
    else fail(c === undefined ? 'unexpected end of file' : 'unexpected character')
  }
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1
    value(0)
    ws()
    if (i < text.length) fail('unexpected text after the document')
    return undefined
  } catch (error) {
    const at = (error as { at?: number }).at ?? i
    const before = text.slice(0, at)
    return {
      line: before.split('\n').length,
      column: at - (before.lastIndexOf('\n') + 1) + 1,
      reason: (error as Error).message,
    }
  }
}

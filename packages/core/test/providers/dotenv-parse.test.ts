import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../src/errors.js'
import { parseDotenv, quoteDotenvValue, removeDotenv, setDotenv } from '../../src/providers/dotenv-parse.js'

const values = (text: string) =>
  Object.fromEntries(parseDotenv(text).assignments.map((a) => [a.key, a.value]))

describe('parseDotenv', () => {
  it('reads the dotenv syntax', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value',
      'SPACED =  padded value   ',
      'export EXPORTED=yes',
      'INLINE=abc # comment',
      'HASH=abc#def',
      "SINGLE='literal \\n $HOME # not a comment'",
      'DOUBLE="line1\\nline2\\t\\"q\\" \\\\ \\x"',
      'BACKTICK=`it\'s "both"`',
      'EMPTY=',
      'EMPTY_QUOTED=""',
      'MULTI="first',
      'second"',
      "MULTI_SINGLE='a",
      "b' # trailing",
      '  INDENTED=ok',
      'DOTTED.KEY-NAME=ok',
      'QUOTED_COMMENT="v" # c',
    ].join('\n')
    expect(values(text)).toEqual({
      PLAIN: 'value',
      SPACED: 'padded value',
      EXPORTED: 'yes',
      INLINE: 'abc',
      HASH: 'abc#def',
      SINGLE: 'literal \\n $HOME # not a comment',
      DOUBLE: 'line1\nline2\t"q" \\ \\x',
      BACKTICK: 'it\'s "both"',
      EMPTY: '',
      EMPTY_QUOTED: '',
      MULTI: 'first\nsecond',
      MULTI_SINGLE: 'a\nb',
      INDENTED: 'ok',
      'DOTTED.KEY-NAME': 'ok',
      QUOTED_COMMENT: 'v',
    })
  })

  it('handles CRLF line endings and a byte-order mark', () => {
    expect(values('\ufeffA=1\r\nB="x\r\ny"\r\nC=3 \r\n')).toEqual({ A: '1', B: 'x\ny', C: '3' })
  })

  it.each([
    ['no equals sign', 'GOOD=1\nsupersecretvalue\n', 2, 17],
    ['unterminated quote', 'A=1\nB="supersecretvalue\nC=2\n', 2, 3],
    ['text after the closing quote', "A='supersecretvalue' trailing\n", 1, 22],
    ['bad variable name', 'A=1\n\n  9supersecretvalue=x\n', 3, 3],
  ])('reports %s with file, line and column, never the value', (_, text, line, column) => {
    const error = (() => {
      try {
        parseDotenv(text, '/srv/app/.env')
      } catch (e) {
        return e as ValidationError
      }
    })()
    expect(error).toBeInstanceOf(ValidationError)
    expect(error!.message).toContain(`/srv/app/.env:${line}:${column}:`)
    expect(error!.message).not.toContain('supersecretvalue')
  })
})

describe('dotenv writes', () => {
  it.each([
    'simple',
    'with space',
    "it's",
    'a"b',
    'multi\nline',
    'tab\tand\\backslash',
    '#hash',
    '',
    ' padded ',
    '$HOME',
  ])('quotes %j so it reads back exactly', (value) => {
    const text = setDotenv(undefined, 'K', value)
    expect(values(text).K).toBe(value)
    expect(quoteDotenvValue(value)).toBe(text.slice(2, -1))
  })

  it('replaces the value in place, keeping export, comments and other lines', () => {
    const text = '# header\nexport A="old" # keep me\nB=2\n'
    const out = setDotenv(parseDotenv(text), 'A', 'new value')
    expect(out).toBe("# header\nexport A='new value' # keep me\nB=2\n")
    expect(setDotenv(parseDotenv('X=1'), 'Y', '2')).toBe('X=1\nY=2\n')
    expect(setDotenv(parseDotenv('X=1\r\n'), 'Y', '2')).toBe('X=1\r\nY=2\r\n')
  })

  it('updates the last of duplicate assignments (the one that wins) and deletes all of them', () => {
    const doc = parseDotenv('A=1\nB=2\nA=3\n')
    expect(setDotenv(doc, 'A', '9')).toBe('A=1\nB=2\nA=9\n')
    expect(removeDotenv(doc, 'A')).toBe('B=2\n')
    expect(removeDotenv(parseDotenv('  A="multi\nline" # c\nB=2'), 'A')).toBe('B=2')
  })

  it('refuses keys dotenv cannot hold', () => {
    expect(() => setDotenv(undefined, '1BAD', 'x')).toThrow(ValidationError)
    expect(() => setDotenv(undefined, 'has space', 'x')).toThrow(ValidationError)
  })
})

/**
 * The template language: literal text with `{{ … }}` placeholders, each a value and a pipeline of
 * helpers — `{{ .gen.password }}`, `{{ .gen.tls.cert | base64 }}`, `{{ .gen.password | bcrypt 12 }}`,
 * `{{ "literal" | sha256 }}`. The syntax is Go-template-like (what Helm and Secret Santa users know),
 * but it is data, not code: a value is a generator output or a string literal, a helper is one of a
 * fixed list, and nothing else can be expressed — no functions, loops, lookups or file access.
 */
import { ValidationError } from '../errors.js'
import { HELPERS, type HelperName } from './helpers.js'

/** A reference to a generator's output: `.gen.NAME` or `.gen.NAME.FIELD`. */
export interface OutputRef {
  readonly generator: string
  readonly field: string | undefined
}

/** One helper call of a pipeline, with its literal arguments. */
export interface HelperCall {
  readonly helper: HelperName
  readonly args: readonly (string | number)[]
}

/** A parsed template: literal text and placeholders, in order. */
export type TemplatePart =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'expr'
      readonly ref: OutputRef | undefined
      readonly literal: string | undefined
      readonly pipeline: readonly HelperCall[]
    }

/** The outputs each generator type has; `undefined` marks a single-valued generator (`.gen.NAME`). */
export const OUTPUT_FIELDS: Readonly<Record<string, readonly string[] | undefined>> = {
  keypair: ['privateKey', 'publicKey'],
  certificate: ['cert', 'key', 'publicKey', 'ca', 'chain'],
  csr: ['csr', 'key', 'publicKey'],
}

const TOKEN = /\s*(?:(\|)|("(?:[^"\\]|\\.)*")|(\.[A-Za-z_][\w.-]*)|(-?\d+)|([A-Za-z_][\w]*))/y

type Token = { kind: 'pipe' | 'string' | 'ref' | 'number' | 'word'; text: string }

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break
    const at = TOKEN.lastIndex
    const m = TOKEN.exec(source)
    if (!m)
      throw new ValidationError(`unexpected "${source.slice(at).trim().slice(0, 20)}" in "{{${source}}}"`)
    const kind = m[1] ? 'pipe' : m[2] ? 'string' : m[3] ? 'ref' : m[4] ? 'number' : 'word'
    tokens.push({ kind, text: (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5])! })
  }
  return tokens
}

/**
 * Parses a template and checks every placeholder against the spec's generators and the helper list.
 * Errors name the placeholder and what is wrong, so they can be shown as they are.
 */
export function parseTemplate(
  template: string,
  generators: Readonly<Record<string, unknown>>,
): TemplatePart[] {
  const parts: TemplatePart[] = []
  let rest = template
  while (rest.length > 0) {
    const open = rest.indexOf('{{')
    if (open === -1) {
      if (rest.includes('}}'))
        throw new ValidationError('"}}" without a matching "{{" (write {{ "}}" }} for literal braces)')
      parts.push({ type: 'text', text: rest })
      break
    }
    if (open > 0) parts.push({ type: 'text', text: rest.slice(0, open) })
    const close = closingBraces(rest, open + 2)
    if (close === -1) throw new ValidationError('"{{" without a closing "}}"')
    parts.push(parseExpression(rest.slice(open + 2, close), generators))
    rest = rest.slice(close + 2)
  }
  return parts
}

/** The index of the `}}` that closes a placeholder, skipping `}}` inside string literals. */
function closingBraces(text: string, from: number): number {
  let inString = false
  for (let i = from; i < text.length; i++) {
    const c = text[i]
    if (inString && c === '\\') i++
    else if (c === '"') inString = !inString
    else if (!inString && c === '}' && text[i + 1] === '}') return i
  }
  return -1
}

function parseExpression(source: string, generators: Readonly<Record<string, unknown>>): TemplatePart {
  const tokens = tokenize(source)
  const head = tokens.shift()
  let ref: OutputRef | undefined
  let literal: string | undefined
  if (head?.kind === 'ref') ref = parseRef(head.text, generators)
  else if (head?.kind === 'string') literal = JSON.parse(head.text) as string
  else throw new ValidationError(`"{{${source}}}" must start with .gen.NAME or a "string literal"`)
  const pipeline: HelperCall[] = []
  while (tokens.length > 0) {
    const pipe = tokens.shift()!
    const name = tokens.shift()
    if (pipe.kind !== 'pipe' || name?.kind !== 'word')
      throw new ValidationError(`"{{${source}}}": expected "| helper" after the value`)
    if (!Object.hasOwn(HELPERS, name.text))
      throw new ValidationError(`unknown helper "${name.text}" (helpers: ${Object.keys(HELPERS).join(', ')})`)
    const args: (string | number)[] = []
    while (tokens.length > 0 && tokens[0]!.kind !== 'pipe') {
      const arg = tokens.shift()!
      if (arg.kind === 'number') args.push(Number(arg.text))
      else if (arg.kind === 'string') args.push(JSON.parse(arg.text) as string)
      else throw new ValidationError(`"${name.text}" takes literal arguments, got "${arg.text}"`)
    }
    const helper = HELPERS[name.text as HelperName]
    helper.checkArgs(args)
    pipeline.push({ helper: name.text as HelperName, args })
  }
  return { type: 'expr', ref, literal, pipeline }
}

function parseRef(text: string, generators: Readonly<Record<string, unknown>>): OutputRef {
  const [root, generator, field, ...more] = text.slice(1).split('.')
  if (root !== 'gen' || generator === undefined || more.length > 0)
    throw new ValidationError(`"${text}" is not a value: write .gen.NAME or .gen.NAME.FIELD`)
  const gen = generators[generator] as { type?: unknown } | undefined
  if (gen === undefined)
    throw new ValidationError(
      `"${text}" names no generator (generators: ${Object.keys(generators).join(', ') || 'none'})`,
    )
  const fields = OUTPUT_FIELDS[String(gen.type)]
  if (fields === undefined && field !== undefined)
    throw new ValidationError(`"${text}": generator "${generator}" has one value; write .gen.${generator}`)
  if (fields !== undefined && (field === undefined || !fields.includes(field)))
    throw new ValidationError(
      `"${text}": pick one of ${fields.map((f) => `.gen.${generator}.${f}`).join(', ')}`,
    )
  return { generator, field }
}

/**
 * dotenv, JSON and YAML for `export` and `import`. Parse errors say where and what kind of mistake,
 * never the text around it: an import file holds secrets.
 */
import { extname } from 'node:path'
import { CliError, EXIT } from './exit-codes.js'

export type Format = 'dotenv' | 'json' | 'yaml'

export const FORMATS: readonly Format[] = ['dotenv', 'json', 'yaml']

export function parseFormat(text: string): Format {
  if (!(FORMATS as readonly string[]).includes(text))
    throw new CliError(`--format must be one of ${FORMATS.join(', ')}, got "${text}".`)
  return text as Format
}

/** The format a file name implies (`.env`, `*.env`, `.json`, `.yaml`/`.yml`). */
export function formatOfFile(path: string): Format | undefined {
  const ext = extname(path).toLowerCase()
  if (ext === '.json') return 'json'
  if (ext === '.yaml' || ext === '.yml') return 'yaml'
  if (ext === '.env' || /(^|\/)\.env(\.|$)/.test(path)) return 'dotenv'
  return undefined
}

export async function serialize(values: Record<string, string>, format: Format): Promise<string> {
  if (format === 'json') return `${JSON.stringify(values, null, 2)}\n`
  if (format === 'yaml') {
    const { stringify } = await import('yaml')
    return stringify(values)
  }
  return Object.entries(values)
    .map(([k, v]) => `${k}=${dotenvQuote(k, v)}\n`)
    .join('')
}

/**
 * Quotes a value so `dotenv.parse` gives it back unchanged: single quotes keep everything literally
 * (newlines too); a value holding a single quote takes backticks, then double quotes (only without
 * backslash sequences, which double quotes would expand).
 */
function dotenvQuote(key: string, value: string): string {
  if (!value.includes("'")) return `'${value}'`
  if (!value.includes('`')) return `\`${value}\``
  if (!value.includes('"') && !/\\[nr]/.test(value)) return `"${value}"`
  throw new CliError(
    `the value of "${key}" cannot be written as dotenv (it holds every quote character). Use --format json or yaml.`,
    EXIT.error,
  )
}

export async function parse(text: string, format: Format, file: string): Promise<Record<string, string>> {
  let data: unknown
  if (format === 'dotenv') {
    const { parse: parseDotenv } = await import('dotenv')
    return parseDotenv(text)
  }
  if (format === 'json') {
    try {
      data = JSON.parse(text)
    } catch {
      throw new CliError(
        `${file} is not valid JSON (values are never shown here; check it with a JSON linter).`,
        EXIT.error,
      )
    }
  } else {
    const { parseDocument } = await import('yaml')
    const doc = parseDocument(text, { prettyErrors: false })
    const error = doc.errors[0]
    if (error) {
      const line = text.slice(0, error.pos[0]).split('\n').length
      throw new CliError(`${file} is not valid YAML at line ${line} (${error.code}).`, EXIT.error)
    }
    data = doc.toJS()
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new CliError(`${file} must hold an object of keys to values.`, EXIT.error)
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(data)) {
    if (value === null || value === undefined) continue
    // Nested values are stored as JSON text, as a JSON secret (app/db with fields) is in every store.
    out[key] =
      typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
  }
  return out
}

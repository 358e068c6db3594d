/** Option parsers shared by commands (commander calls them with the raw text). */
import type { Kind } from '@polysecret/core'
import { CliError } from '../exit-codes.js'

export function parseKind(text: string): Kind {
  if (text !== 'secret' && text !== 'parameter')
    throw new CliError(`--kind must be "secret" or "parameter", got "${text}".`)
  return text
}

export function parseCount(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new CliError(`expected a positive whole number, got "${text}".`)
  return n
}

/** `A,B C` → ['A', 'B', 'C'] (repeatable option). */
export function collectList(text: string, previous: string[] = []): string[] {
  return [...previous, ...text.split(/[\s,]+/).filter(Boolean)]
}

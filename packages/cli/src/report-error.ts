/**
 * Turns any failure into one line on stderr and an exit code (see exit-codes.ts). The stack and the
 * cause chain are printed only with --debug; core scrubs causes, and text from anything that is not
 * ours is scrubbed again here, since a parser's message may quote the input it choked on.
 */
import {
  ConfigValidationError,
  formatIssues,
  isPolysecretError,
  scrubText,
  type WriteError,
} from '@polysecret/core'
import { CliError, EXIT } from './exit-codes.js'
import type { Io } from './output.js'

export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode
  if (!isPolysecretError(error)) return EXIT.error
  switch (error.code) {
    case 'NOT_FOUND':
      return EXIT.notFound
    case 'CONFIG_INVALID':
      return EXIT.validation
    case 'CONFLICT':
      return EXIT.conflict
    case 'WRITE_FAILED':
      return (error as WriteError).results.some((r) => r.error?.code === 'CONFLICT')
        ? EXIT.conflict
        : EXIT.error
    default:
      return EXIT.error
  }
}

/** The message on one line (a schema's issues one per line: every problem at once). */
export function errorText(error: unknown): string {
  if (error instanceof ConfigValidationError) {
    const n = error.issues.length
    return `configuration is invalid (${n} problem${n === 1 ? '' : 's'}):\n${formatIssues(error.issues)}`
  }
  if (error instanceof CliError) return oneLine(error.message)
  if (isPolysecretError(error)) return oneLine(error.message)
  if (error instanceof Error) return oneLine(scrubText(`${error.name}: ${error.message}`))
  return oneLine(scrubText(String(error)))
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

export function reportError(error: unknown, io: Io, debug: boolean): number {
  io.err(`polysecret: ${errorText(error)}`)
  if (debug) {
    let e: unknown = error
    for (let depth = 0; e instanceof Error && depth < 8; depth++, e = e.cause) {
      const stack = e.stack ?? `${e.name}: ${e.message}`
      io.err(depth === 0 ? stack : `caused by: ${isPolysecretError(e) ? stack : scrubText(stack)}`)
    }
  }
  return exitCodeOf(error)
}

/**
 * Where a value to write comes from. Never from argv by default: arguments land in shell history and
 * in `ps` for every user of the machine. So: `--from-file`, else stdin when it is piped, else a hidden
 * prompt when stdin is a terminal. A value argument is accepted for parameters, and for secrets only
 * with --force.
 */
import { readFileSync } from 'node:fs'
import { CliError } from './exit-codes.js'

export interface ValueSource {
  /** The value given on the command line, if any. */
  argument?: string | undefined
  fromFile?: string | undefined
  /** What the prompt asks for. */
  prompt: string
}

/** Reads all of stdin; one trailing newline (from `echo` or a here-string) is dropped. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

/** Asks on the terminal without echoing what is typed (the prompt goes to stderr, stdout stays clean). */
export async function promptHidden(message: string): Promise<string> {
  const { default: password } = await import('@inquirer/password')
  return password(
    { message, mask: false },
    { input: process.stdin, output: process.stderr, clearPromptOnDone: true },
  )
}

export async function readValue(source: ValueSource): Promise<string> {
  if (source.argument !== undefined && source.fromFile !== undefined)
    throw new CliError('give the value as an argument or with --from-file, not both.')
  if (source.argument !== undefined) return source.argument
  if (source.fromFile !== undefined) {
    try {
      // A file is taken byte for byte (a PEM key keeps its final newline).
      return readFileSync(source.fromFile, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error'
      throw new CliError(`cannot read --from-file ${source.fromFile} (${code}).`, 1)
    }
  }
  if (process.stdin.isTTY) return promptHidden(source.prompt)
  return readStdin()
}

/**
 * The program: global options, lazy command loading, one error line and an exit code. `main` never
 * calls process.exit, so tests and the `stats` prefix can run it in-process.
 */
import { createRequire } from 'node:module'
import type { Command } from 'commander'
import type { CallCounts } from './call-stats.js'
import { COMMANDS } from './commands/index.js'
import { CliContext } from './context.js'
import { EXIT } from './exit-codes.js'
import { formatTable, type Io, processIo, toJson } from './output.js'

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version

/** Global options that take a value, so the command name after them is found without commander. */
const VALUE_OPTIONS = new Set(['-c', '--config'])

/** The command the arguments name (the first word that is not an option or an option's value). */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') return undefined
    if (VALUE_OPTIONS.has(arg)) {
      i++
      continue
    }
    if (!arg.startsWith('-')) return arg
  }
  return undefined
}

export async function buildProgram(ctx: CliContext, argv: readonly string[]): Promise<Command> {
  const { Command } = await import('commander')
  const program = new Command('polysecret')
    .description('Configuration and secrets from every store, from the shell.')
    .version(VERSION, '-V, --version')
    .option('-c, --config <file>', 'config file (default: nearest polysecret.config.{json,yaml} upwards)')
    .option('--json', 'print JSON for scripts (secrets masked unless --reveal)')
    .option('--reveal', 'print secret values instead of masking them')
    .option('--stats', 'print the calls made per store when done (on stderr)')
    .option('-q, --quiet', 'no progress bars or notes on stderr')
    .option('--debug', 'print stack traces and causes on errors')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => ctx.io.out(text),
      writeErr: (text) => ctx.io.err(text),
      outputError: (text, write) =>
        write(
          `polysecret: ${text
            .trim()
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')} (see polysecret --help)\n`,
        ),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 validation failed, 5 conflict.',
    )
  program.hook('preAction', (_program, action) => ctx.setOptions(action.optsWithGlobals()))
  // `help <name>` shows that command's own help, so its module is loaded for it.
  const name = argv[0] === 'help' ? argv[1] : commandName(argv)
  for (const entry of COMMANDS) {
    if (entry.name === name) (await entry.load()).register(program, ctx)
    else program.command(entry.name).description(entry.summary)
  }
  return program
}

export async function main(args: readonly string[], io: Io = processIo): Promise<number> {
  const ctx = new CliContext(io)
  let argv = [...args]
  // `polysecret stats <command …>` is `<command …> --stats`.
  if (commandName(argv) === 'stats' && argv.length > argv.indexOf('stats') + 1) {
    argv.splice(argv.indexOf('stats'), 1)
    argv = [...argv, '--stats']
  }
  let code: number = EXIT.ok
  try {
    const program = await buildProgram(ctx, argv)
    await program.parseAsync(argv, { from: 'user' })
    code = ctx.exitCode
  } catch (error) {
    code = await failed(error, ctx)
  } finally {
    await ctx.close()
  }
  if (ctx.options.stats) await printStats(ctx.stats.calls(), ctx)
  return code
}

async function failed(error: unknown, ctx: CliContext): Promise<number> {
  const { CommanderError } = await import('commander')
  if (error instanceof CommanderError) {
    // Help and --version "fail" with code 0; everything else commander reports is a usage mistake.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage
  }
  const { reportError } = await import('./report-error.js')
  return reportError(error, ctx.io, ctx.options.debug === true || process.argv.includes('--debug'))
}

async function printStats(calls: CallCounts, ctx: CliContext): Promise<void> {
  if (ctx.options.json) {
    ctx.io.err(toJson({ calls }))
    return
  }
  const rows = Object.entries(calls).flatMap(([store, ops]) =>
    Object.entries(ops).map(([op, n]) => [store, op, String(n)]),
  )
  const total = rows.reduce((sum, row) => sum + (row[1] === 'planned-write' ? 0 : Number(row[2])), 0)
  ctx.io.err(`calls per store (${total} made):`)
  ctx.io.err(rows.length ? await formatTable(['STORE', 'OPERATION', 'CALLS'], rows) : '  none')
}

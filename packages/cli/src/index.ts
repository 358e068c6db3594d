/**
 * polysecret — the command line. The binary is `polysecret`; this entry lets a program run it
 * in-process (`await main(['get', 'DB_HOST'])` returns the exit code).
 * @packageDocumentation
 */
export type { CallCounts } from './call-stats.js'
export { CallStats } from './call-stats.js'
export type { CommandModule } from './commands/command.js'
export type { CommandEntry } from './commands/index.js'
export { COMMANDS } from './commands/index.js'
export { CliContext, type GlobalOptions } from './context.js'
export { CliError, EXIT, type ExitCode } from './exit-codes.js'
export { main } from './program.js'

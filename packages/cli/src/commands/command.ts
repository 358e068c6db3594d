import type { Command } from 'commander'
import type { CliContext } from '../context.js'

/**
 * A command module: `register` adds its command to the program. The action gets the context for the
 * manager, output and counters; it returns nothing (exit code 0) or throws (see exit-codes.ts).
 */
export interface CommandModule {
  register(program: Command, ctx: CliContext): void
}

import type { Command } from 'commander'
import type { CliContext } from '../context.js'

/**
 * `polysecret stats <command …>` runs the command with --stats (program.ts rewrites the arguments
 * before commander sees them); this registration gives it its help text.
 */
export function register(program: Command, _ctx: CliContext): void {
  program
    .command('stats')
    .description('run a command and print the calls it made per store (same as adding --stats)')
    .argument('<command...>', 'the command to run, e.g. migrate --from local --to aws-sm')
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret stats migrate --from local --to aws-sm   # the plan: reads made, writes it would make\n  polysecret stats export --format json > /dev/null',
    )
    .action(() => {
      // Reached only as `polysecret stats` with nothing after it.
      program.commands.find((c) => c.name() === 'stats')?.help({ error: true })
    })
}

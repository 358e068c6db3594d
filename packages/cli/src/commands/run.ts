import type { Command } from 'commander'
import { runChild } from '../child-process.js'
import type { CliContext } from '../context.js'
import { resolveEnv } from '../env-values.js'
import { collectList } from './options.js'

export function register(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description(
      'run a command with the configuration in its environment: resolved and validated first, signals and exit code passed through',
    )
    .argument('<command...>', 'the command and its arguments, after --')
    .option(
      '--only <keys>',
      'only these keys (comma-separated; repeatable); a missing one is exit 4',
      collectList,
    )
    .option(
      '-s, --schema <file>',
      'the keys of this schema module, validated and coerced (exit 4 on problems)',
    )
    .option('--no-override', 'keep variables already set in the environment instead of replacing them')
    .addHelpText(
      'after',
      "\nExamples:\n  polysecret run -- node server.js\n  polysecret run --only DB_HOST,DB_PASSWORD -- ./migrate.sh\n  polysecret run --schema ./config.schema.mjs -- npm start\n\nThe exit code is the command's own; a command killed by signal n exits 128+n.",
    )
    .action(
      async ([command, ...args]: string[], opts: { only?: string[]; schema?: string; override: boolean }) => {
        const manager = await ctx.manager()
        const resolved = await resolveEnv(manager, { only: opts.only, schema: opts.schema })
        // The stores are not needed while the child runs; close them so no socket or timer is held open.
        await ctx.close()
        const env = opts.override ? { ...process.env, ...resolved } : { ...resolved, ...process.env }
        ctx.exitCode = await runChild(command!, args, env)
      },
    )
}

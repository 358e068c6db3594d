import { runGenerate } from '@polysecret/core'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { toJson } from '../output.js'

export function register(program: Command, ctx: CliContext): void {
  program
    .command('generate')
    .description('generate secrets from a spec (passwords, keys, certificates) and write them, create-once')
    .argument('<spec>', 'a generation spec file (YAML or JSON), see docs/generate.md')
    .option('--dry-run', 'print what would be written, values masked; write nothing')
    .option('--overwrite', 're-generate keys that exist (e.g. after the template changed)')
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret generate db-credentials.yaml --dry-run\n  polysecret generate tls.yaml --overwrite',
    )
    .action(async (spec: string, opts: { dryRun?: boolean; overwrite?: boolean }) => {
      const manager = await ctx.manager({ writes: !opts.dryRun })
      const run = await runGenerate(manager, spec, {
        ...(opts.dryRun && { dryRun: true }),
        ...(opts.overwrite && { overwrite: true }),
      })
      // The report carries masked values only (see formatGenerateReport); --reveal does not apply here.
      ctx.io.out(ctx.options.json ? toJson(run.report) : run.text)
      if (!run.ok) ctx.exitCode = EXIT.error
    })
}

import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { formatTable, toJson } from '../output.js'

export function register(program: Command, ctx: CliContext): void {
  program
    .command('versions')
    .description('list the versions of a key, newest first (in the store that serves it, or --provider)')
    .argument('<key>')
    .option('--provider <store>', 'ask this store instead of the one that serves the key')
    .addHelpText('after', '\nExample:\n  polysecret versions DB_PASSWORD')
    .action(async (key: string, opts: { provider?: string }) => {
      const manager = await ctx.manager()
      const versions = await manager.versions(key, opts.provider ? { provider: opts.provider } : {})
      if (ctx.options.json) {
        ctx.io.out(
          toJson(
            versions.map((v) => ({
              version: v.version,
              current: v.current,
              labels: v.labels,
              createdAt: v.createdAt?.toISOString() ?? null,
            })),
          ),
        )
        return
      }
      ctx.io.out(
        await formatTable(
          ['VERSION', 'CURRENT', 'LABELS', 'CREATED'],
          versions.map((v) => [
            v.version,
            v.current ? 'yes' : '',
            v.labels.join(',') || '-',
            v.createdAt?.toISOString() ?? '-',
          ]),
        ),
      )
    })
}

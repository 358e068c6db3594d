import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { formatTable, toJson } from '../output.js'
import { listKeys } from './store-access.js'

export function register(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description('list keys (no values) with their kind and the store that serves them')
    .argument('[prefix]', 'only keys starting with this', '')
    .option('--kind <kind>', 'only secrets or only parameters')
    .addHelpText('after', '\nExamples:\n  polysecret list\n  polysecret list app/ --kind secret --json')
    .action(async (prefix: string, opts: { kind?: string }) => {
      const manager = await ctx.manager()
      const keys = (await listKeys(manager, prefix)).filter((k) => !opts.kind || k.kind === opts.kind)
      if (ctx.options.json) {
        ctx.io.out(
          toJson(
            keys.map((k) => ({
              key: k.key,
              kind: k.kind,
              provider: k.provider,
              version: k.version ?? null,
              updatedAt: k.updatedAt?.toISOString() ?? null,
            })),
          ),
        )
        return
      }
      if (keys.length === 0) return ctx.note(`no keys${prefix ? ` under "${prefix}"` : ''}`)
      ctx.io.out(
        await formatTable(
          ['KEY', 'KIND', 'STORE', 'VERSION', 'UPDATED'],
          keys.map((k) => [k.key, k.kind, k.provider, k.version ?? '-', k.updatedAt?.toISOString() ?? '-']),
        ),
      )
    })
}

import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { shown } from '../mask.js'
import { formatTable, toJson } from '../output.js'
import { parseKind } from './options.js'

export function register(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .description('read a key: secrets print masked unless --reveal; exit 3 when it exists nowhere')
    .argument('<key>', 'the key, e.g. DB_PASSWORD or an explicit ref like aws-sm://prod/db#password')
    .option('--version-id <id>', 'read this version instead of the current one')
    .option('--label <label>', 'read the version carrying this stage or label (e.g. AWSPREVIOUS)')
    .option('--kind <kind>', 'read as a secret or a parameter, whatever the name says', parseKind)
    .option('--metadata', 'also show kind, reason, store and version')
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret get DB_HOST\n  polysecret get DB_PASSWORD --reveal\n  polysecret get DB_PASSWORD --metadata --json',
    )
    .action(
      async (
        key: string,
        opts: { versionId?: string; label?: string; kind?: 'secret' | 'parameter'; metadata?: boolean },
      ) => {
        const manager = await ctx.manager()
        const read = await manager.getWithMetadata(key, {
          ...(opts.versionId !== undefined && { version: opts.versionId }),
          ...(opts.label !== undefined && { label: opts.label }),
          ...(opts.kind !== undefined && { kind: opts.kind }),
        })
        const reveal = ctx.options.reveal === true
        const value = shown(read.value, reveal)
        if (ctx.options.json) {
          ctx.io.out(
            toJson({
              key: read.key,
              kind: read.kind,
              ...(opts.metadata && { reason: read.reason }),
              provider: read.provider,
              version: read.version ?? null,
              value,
              masked: read.kind === 'secret' && !reveal,
            }),
          )
        } else if (opts.metadata) {
          ctx.io.out(
            await formatTable(
              ['KEY', 'KIND', 'STORE', 'VERSION', 'VALUE'],
              [[read.key, read.kind, read.provider, read.version ?? '-', value]],
            ),
          )
          ctx.io.out(`reason: ${read.reason}`)
        } else {
          ctx.io.out(value)
        }
      },
    )
}

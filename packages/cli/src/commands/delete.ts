import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { toJson } from '../output.js'
import { collectList, parseKind } from './options.js'

export function register(program: Command, ctx: CliContext): void {
  program
    .command('delete')
    .description('delete a key (where the store schedules deletion, within its recovery window)')
    .argument('<key>')
    .option('--to <stores>', "delete from these stores (comma-separated, or 'all')", collectList)
    .option('--kind <kind>', 'treat the key as a secret or a parameter', parseKind)
    .option('--now', 'delete immediately, skipping the recovery window (AWS, Key Vault soft-delete)')
    .option('--if-version <id>', 'only if the current version is this one (else exit 5)')
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret delete OLD_TOKEN\n  polysecret delete OLD_TOKEN --to aws-sm --now',
    )
    .action(
      async (
        key: string,
        opts: { to?: string[]; kind?: 'secret' | 'parameter'; now?: boolean; ifVersion?: string },
      ) => {
        const manager = await ctx.manager({ writes: true })
        const to = opts.to?.length === 1 && opts.to[0] === 'all' ? 'all' : opts.to
        await manager.delete(key, {
          ...(to && { to }),
          ...(opts.kind && { kind: opts.kind }),
          ...(opts.now && { force: true }),
          ...(opts.ifVersion !== undefined && { ifVersion: opts.ifVersion }),
        })
        if (ctx.options.json) ctx.io.out(toJson({ key, deleted: true }))
        else ctx.io.out(`deleted ${key}`)
      },
    )
}

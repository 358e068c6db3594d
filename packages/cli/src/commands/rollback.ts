import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { toJson } from '../output.js'

export function register(program: Command, ctx: CliContext): void {
  program
    .command('rollback')
    .description('make an old version current (natively where the store can, else by writing it again)')
    .argument('<key>')
    .argument('<version>', 'the version to make current (see polysecret versions)')
    .option('--provider <store>', 'roll back in this store instead of the one that serves the key')
    .addHelpText(
      'after',
      '\nExample:\n  polysecret versions DB_PASSWORD && polysecret rollback DB_PASSWORD 3',
    )
    .action(async (key: string, version: string, opts: { provider?: string }) => {
      const manager = await ctx.manager({ writes: true })
      const info = await manager.rollback(key, version, opts.provider ? { provider: opts.provider } : {})
      if (ctx.options.json) ctx.io.out(toJson({ key, rolledBackTo: version, version: info.version }))
      else ctx.io.out(`rolled back ${key} to version ${version} (now version ${info.version})`)
    })
}

import { ConfigValidationError } from '@polysecret/core'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { toJson } from '../output.js'
import { loadSchemaModule } from '../schema-module.js'

export function register(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(
      'read every key a schema names from the configured stores and print every problem at once (exit 4)',
    )
    .requiredOption(
      '-s, --schema <file>',
      'module exporting a zod / valibot / arktype object schema (default export or "schema"); .js/.mjs/.cjs, .ts where Node strips types',
    )
    .addHelpText('after', '\nExample:\n  polysecret validate --schema ./config.schema.mjs')
    .action(async (opts: { schema: string }) => {
      const schema = await loadSchemaModule(opts.schema)
      const manager = await ctx.manager()
      try {
        const config = (await manager.load(schema)) as Record<string, unknown>
        const keys = Object.keys(config).length
        if (ctx.options.json) ctx.io.out(toJson({ ok: true, keys, issues: [] }))
        else ctx.io.out(`ok: ${keys} key${keys === 1 ? '' : 's'} valid`)
      } catch (error) {
        if (!(error instanceof ConfigValidationError) || !ctx.options.json) throw error
        ctx.io.out(toJson({ ok: false, issues: error.issues }))
        ctx.exitCode = EXIT.validation
      }
    })
}

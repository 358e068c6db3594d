import { writeFileSync } from 'node:fs'
import { revealValue, Secret } from '@polysecret/core'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { type Format, parseFormat, serialize } from '../file-formats.js'
import { listKeys, readListed } from './store-access.js'

export function register(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('print keys as dotenv, JSON or YAML — parameters only, unless --include-secrets')
    .argument('[prefix]', 'only keys starting with this', '')
    .option('--format <format>', 'dotenv | json | yaml', parseFormat, 'dotenv' as Format)
    .option(
      '--include-secrets',
      'also export secret values, in the clear (the output is then a secret itself)',
    )
    .option('-o, --output <file>', 'write to this file (created with mode 0600) instead of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret export > params.env\n  polysecret export app/ --format json --include-secrets -o backup.json',
    )
    .action(async (prefix: string, opts: { format: Format; includeSecrets?: boolean; output?: string }) => {
      const manager = await ctx.manager()
      const listed = await listKeys(manager, prefix)
      const wanted = opts.includeSecrets ? listed : listed.filter((k) => k.kind === 'parameter')
      const { values, errors } = await readListed(manager, wanted)
      const firstError = Object.values(errors)[0]
      if (firstError) throw firstError
      const out: Record<string, string> = {}
      let skipped = listed.length - wanted.length
      for (const key of Object.keys(values).sort()) {
        const value = values[key]!
        const text = revealValue(value)
        // A secret kept in a parameters store is still a secret: by its value (a URL with a password
        // comes back as a Secret) or by its name (an API_KEY in a YAML file of parameters).
        const secret = value instanceof Secret || manager.classify(key, text).kind === 'secret'
        if (secret && !opts.includeSecrets) skipped++
        else out[key] = text
      }
      const text = await serialize(out, opts.format)
      if (opts.output) writeFileSync(opts.output, text, { mode: 0o600 })
      else if (text) ctx.io.out(text)
      if (skipped > 0)
        ctx.note(
          `left out ${skipped} secret${skipped === 1 ? '' : 's'} (pass --include-secrets to export them)`,
        )
    })
}

import { readFileSync } from 'node:fs'
import { ConflictError } from '@polysecret/core'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { CliError, EXIT } from '../exit-codes.js'
import { type Format, formatOfFile, parse, parseFormat } from '../file-formats.js'
import { formatTable, toJson } from '../output.js'
import { errorText } from '../report-error.js'
import { collectList } from './options.js'

interface ImportFlags {
  format?: Format
  includeSecrets?: boolean
  to?: string[]
  prefix?: string
  dryRun?: boolean
  skipExisting?: boolean
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('write the keys of a dotenv, JSON or YAML file — parameters only, unless --include-secrets')
    .argument('<file>', "the file ('-' for stdin)")
    .option('--format <format>', 'dotenv | json | yaml (default: from the file name)', parseFormat)
    .option('--include-secrets', 'also write the keys classified as secrets')
    .option('--to <stores>', 'write to these stores (comma-separated, or all)', collectList)
    .option('--prefix <prefix>', 'put this in front of every key')
    .option('--skip-existing', 'leave keys that already exist as they are')
    .option('--dry-run', 'say what would be written, write nothing')
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret import .env --dry-run\n  polysecret import secrets.yaml --include-secrets --to aws-sm',
    )
    .action(async (file: string, flags: ImportFlags) => {
      const format = flags.format ?? (file === '-' ? undefined : formatOfFile(file))
      if (!format) throw new CliError(`cannot tell the format of ${file}; pass --format dotenv|json|yaml.`)
      let text: string
      try {
        text = readFileSync(file === '-' ? 0 : file, 'utf8')
      } catch (error) {
        throw new CliError(
          `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
          EXIT.error,
        )
      }
      const entries = Object.entries(await parse(text, format, file)).map(
        ([k, v]) => [`${flags.prefix ?? ''}${k}`, v] as const,
      )
      const manager = await ctx.manager({ writes: !flags.dryRun })
      const plan = entries.map(([key, value]) => ({ key, value, ...manager.classify(key, value) }))
      const writing = plan.filter((p) => flags.includeSecrets || p.kind === 'parameter')
      const secretsLeft = plan.length - writing.length
      if (flags.dryRun) {
        const rows = plan.map((p) => [p.key, p.kind, writing.includes(p) ? 'write' : 'skip (secret)'])
        if (ctx.options.json)
          ctx.io.out(toJson(plan.map((p, i) => ({ key: p.key, kind: p.kind, action: rows[i]![2] }))))
        else if (rows.length) ctx.io.out(await formatTable(['KEY', 'KIND', 'ACTION'], rows))
        ctx.stats.record('(planned)', 'planned-write', writing.length)
        return
      }
      const to = flags.to?.length === 1 && flags.to[0] === 'all' ? 'all' : flags.to
      const summary = { written: 0, existing: 0, failed: 0, secretsLeft }
      const failures: string[] = []
      const bar = await ctx.progress(writing.length, 'import')
      for (const p of writing) {
        try {
          await manager.set(p.key, p.value, {
            kind: p.kind,
            ...(to && { to }),
            ...(flags.skipExisting && { createOnly: true }),
          })
          summary.written++
        } catch (error) {
          if (flags.skipExisting && error instanceof ConflictError) summary.existing++
          else {
            summary.failed++
            failures.push(`${p.key}: ${errorText(error)}`)
          }
        }
        bar.tick()
      }
      bar.stop()
      if (ctx.options.json) ctx.io.out(toJson({ ...summary, failures }))
      else {
        for (const f of failures) ctx.io.err(`polysecret: ${f}`)
        ctx.io.out(
          `imported ${summary.written} key${summary.written === 1 ? '' : 's'}` +
            (summary.existing ? `, ${summary.existing} already there` : '') +
            (secretsLeft
              ? `, ${secretsLeft} secret${secretsLeft === 1 ? '' : 's'} left out (--include-secrets)`
              : '') +
            (summary.failed ? `, ${summary.failed} failed` : ''),
        )
      }
      if (summary.failed) ctx.exitCode = EXIT.error
    })
}

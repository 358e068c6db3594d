import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { parse } from 'yaml'
import { type CliContext, fromAppOrCli } from '../context.js'
import { CliError } from '../exit-codes.js'
import { toJson } from '../output.js'

/** Reads a sync spec (YAML or JSON: `{ type: 'kubernetes-namespaces', … }`, see docs/sync.md). */
async function readSpec(path: string): Promise<Record<string, unknown>> {
  let data: unknown
  try {
    data = parse(await readFile(path, 'utf8'))
  } catch (cause) {
    // Where, never what: a YAML error's message quotes the offending line, which may hold a value.
    const at = (cause as { linePos?: [{ line: number; col: number }] }).linePos?.[0]
    const where = at ? ` (line ${at.line}, column ${at.col})` : ''
    throw new CliError(`Cannot read the sync spec ${path}${where}: it is not readable JSON or YAML.`)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new CliError(
      `The sync spec ${path} must hold an object with a "type" (e.g. kubernetes-namespaces).`,
    )
  return data as Record<string, unknown>
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('sync')
    .description('copy keys into Kubernetes Secrets in every matching namespace (one pass, or --watch)')
    .argument('<spec>', 'a sync spec file (YAML or JSON), see docs/sync.md')
    .option('--dry-run', 'print the changes, values masked; write nothing')
    .option('--watch', 'keep syncing: new namespaces, label changes and source changes, until Ctrl-C')
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret sync registry-credentials.yaml --dry-run\n  polysecret sync registry-credentials.yaml --watch',
    )
    .action(async (path: string, opts: { dryRun?: boolean; watch?: boolean }) => {
      if (opts.dryRun && opts.watch) throw new CliError('--dry-run and --watch cannot be combined.')
      const spec = await readSpec(path)
      const manager = await ctx.manager()
      if (opts.watch) {
        const running = (await fromAppOrCli((resolveFrom) =>
          manager.sync(spec as never, { watch: true, resolveFrom }),
        )) as { close(): Promise<void> | void }
        ctx.io.err(`syncing ${String(spec.name ?? path)}; Ctrl-C stops`)
        await new Promise<void>((resolve) => {
          const stop = () => resolve()
          process.once('SIGINT', stop)
          process.once('SIGTERM', stop)
        })
        await running.close()
        return
      }
      const result = await fromAppOrCli((resolveFrom) =>
        manager.sync(spec as never, { dryRun: opts.dryRun === true, resolveFrom }),
      )
      if (ctx.options.json) {
        ctx.io.out(toJson(result))
        return
      }
      // The text form lives with the target (values masked); loaded only for this command.
      const { formatSyncResult } = await import('@polysecret/kubernetes')
      ctx.io.out(formatSyncResult(result as never))
    })
}

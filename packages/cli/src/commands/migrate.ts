import { type ConfigManager, type Provider, revealValue, Secret } from '@polysecret/core'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { CliError, EXIT } from '../exit-codes.js'
import { formatTable, toJson } from '../output.js'
import { errorText } from '../report-error.js'
import { collectList } from './options.js'
import { providerNamed, storeKeys, storeManager } from './store-access.js'
import { chainKind } from './store-kind.js'

type Action = 'create' | 'update' | 'same' | 'skip (exists)'

interface Step {
  key: string
  kind: 'secret' | 'parameter'
  action: Action
  value: Secret | string
}

interface MigrateFlags {
  from: string
  to: string
  prefix?: string
  keys?: string[]
  overwrite?: boolean
  apply?: boolean
}

/** What copying would do: read every key from both stores, compare, decide per key. */
async function plan(
  manager: ConfigManager,
  from: Provider,
  to: Provider,
  flags: MigrateFlags,
): Promise<Step[]> {
  const keys = flags.keys ?? (await storeKeys(from, flags.prefix ?? '')).map((k) => k.key)
  const kind = chainKind(manager, from)
  const source = await storeManager(from).getMany(keys, kind ? { kind } : {})
  const firstError = Object.entries(source.errors)[0]
  if (firstError) throw firstError[1]
  const target = await storeManager(to).getMany(Object.keys(source.values), kind ? { kind } : {})
  const steps: Step[] = []
  for (const [key, value] of Object.entries(source.values)) {
    const targetError = target.errors[key]
    if (targetError && targetError.code !== 'NOT_FOUND') throw targetError
    const existing = target.values[key]
    const action: Action =
      existing === undefined
        ? 'create'
        : revealValue(existing) === revealValue(value)
          ? 'same'
          : flags.overwrite
            ? 'update'
            : 'skip (exists)'
    steps.push({ key, kind: value instanceof Secret ? 'secret' : 'parameter', action, value })
  }
  return steps.sort((a, b) => a.key.localeCompare(b.key))
}

function summarize(steps: readonly Step[]): Record<Action, number> {
  const counts: Record<Action, number> = { create: 0, update: 0, same: 0, 'skip (exists)': 0 }
  for (const s of steps) counts[s.action]++
  return counts
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('copy keys from one store to another: prints the plan (a dry run) unless --apply')
    .requiredOption('--from <store>', 'the store to copy from (a provider name of the configuration)')
    .requiredOption('--to <store>', 'the store to copy to')
    .option('--prefix <prefix>', 'only keys starting with this')
    .option('--keys <keys>', 'only these keys (comma-separated), for stores that cannot list', collectList)
    .option('--overwrite', 'replace keys that exist in the target with a different value')
    .option('--apply', 'copy for real (without it, nothing is written)')
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret migrate --from local --to aws-sm --stats      # the plan and what it costs\n  polysecret migrate --from local --to aws-sm --apply',
    )
    .action(async (flags: MigrateFlags) => {
      const manager = await ctx.manager({ writes: flags.apply === true })
      const from = providerNamed(manager, flags.from)
      const to = providerNamed(manager, flags.to)
      if (from === to) throw new CliError('--from and --to name the same store.')
      if (!to.capabilities.write) throw new CliError(`store "${to.name}" (${to.type}) cannot be written to.`)
      const steps = await plan(manager, from, to, flags)
      const writes = steps.filter((s) => s.action === 'create' || s.action === 'update')
      if (!flags.apply) {
        ctx.stats.record(to.name, 'planned-write', writes.length)
        const counts = summarize(steps)
        if (ctx.options.json)
          ctx.io.out(
            toJson({
              dryRun: true,
              steps: steps.map(({ key, kind, action }) => ({ key, kind, action })),
              counts,
            }),
          )
        else {
          if (steps.length)
            ctx.io.out(
              await formatTable(
                ['KEY', 'KIND', 'ACTION'],
                steps.map((s) => [s.key, s.kind, s.action]),
              ),
            )
          ctx.io.out(
            `plan: ${counts.create} to create, ${counts.update} to update, ${counts.same} the same, ${counts['skip (exists)']} existing left alone (--overwrite). Nothing written: run again with --apply.`,
          )
        }
        return
      }
      const target = storeManager(to, true)
      const failures: string[] = []
      const bar = await ctx.progress(writes.length, `migrate ${from.name} → ${to.name}`)
      for (const step of writes) {
        try {
          await target.set(step.key, step.value, { kind: step.kind })
        } catch (error) {
          failures.push(`${step.key}: ${errorText(error)}`)
        }
        bar.tick()
      }
      bar.stop()
      const counts = summarize(steps)
      const copied = writes.length - failures.length
      if (ctx.options.json)
        ctx.io.out(toJson({ dryRun: false, copied, failed: failures.length, failures, counts }))
      else {
        for (const f of failures) ctx.io.err(`polysecret: ${f}`)
        ctx.io.out(
          `copied ${copied} of ${writes.length} (${counts.create} new, ${counts.update} updated); ${counts.same} already the same, ${counts['skip (exists)']} existing left alone${failures.length ? `; ${failures.length} failed` : ''}.`,
        )
      }
      if (failures.length) ctx.exitCode = EXIT.error
    })
}

import { randomBytes } from 'node:crypto'
import { type ConfigManager, isPolysecretError, type Provider } from '@polysecret/core'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { formatTable, toJson } from '../output.js'
import { type Operation, permissionFor } from '../permissions.js'

/** A probe's outcome: ok, not permitted (what to grant), not possible for this store, or failed. */
type Probe = 'ok' | 'denied' | 'n/a' | 'error' | 'skipped'

interface StoreReport {
  store: string
  type: string
  healthy: boolean
  latencyMs: number
  message?: string | undefined
  read: Probe
  list: Probe
  write: Probe
  lacks: string[]
  problems: string[]
}

async function probe(run: () => Promise<unknown>): Promise<{ result: Probe; code?: string }> {
  try {
    await run()
    return { result: 'ok' }
  } catch (error) {
    const code = isPolysecretError(error) ? error.code : 'ERROR'
    return { result: code === 'ACCESS_DENIED' ? 'denied' : 'error', code }
  }
}

/** A key no one uses: reading it answers "not found" when reading is allowed. */
const probeKey = () => `polysecret-doctor-probe-${randomBytes(4).toString('hex')}`

async function checkStore(
  provider: Provider,
  health: { ok: boolean; latencyMs?: number; message?: string },
  writes: boolean,
): Promise<StoreReport> {
  const report: StoreReport = {
    store: provider.name,
    type: provider.type,
    healthy: health.ok,
    latencyMs: Math.round(health.latencyMs ?? 0),
    message: health.message,
    read: 'skipped',
    list: 'skipped',
    write: 'skipped',
    lacks: [],
    problems: [],
  }
  const note = (op: Operation, outcome: { result: Probe; code?: string }) => {
    report[op] = outcome.result
    if (outcome.result === 'denied') report.lacks.push(`${op}: ${permissionFor(provider.type, op)}`)
    if (outcome.result === 'error') report.problems.push(`${op} failed (${outcome.code})`)
  }
  note('read', await probe(() => provider.get(probeKey())))
  if (provider.capabilities.list && provider.list) {
    note(
      'list',
      await probe(async () => {
        for await (const _ of provider.list!('')) break
      }),
    )
  } else report.list = 'n/a'
  if (!provider.capabilities.write || !provider.set) report.write = 'n/a'
  else if (writes) {
    const key = probeKey()
    note(
      'write',
      await probe(async () => {
        await provider.set!(key, 'polysecret doctor probe', { createOnly: true, kind: 'parameter' })
        if (provider.capabilities.delete && provider.delete) await provider.delete(key, { force: true })
      }),
    )
  }
  return report
}

async function checkAll(manager: ConfigManager, writes: boolean): Promise<StoreReport[]> {
  const health = await manager.health()
  const providers = [...new Set([...manager.providers.secrets, ...manager.providers.parameters])]
  return Promise.all(
    providers.map((p) =>
      checkStore(p, health.find((h) => h.provider === p.name && h.type === p.type) ?? { ok: false }, writes),
    ),
  )
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'check each configured store: health, latency, and which permissions it lacks (exit 1 on any problem)',
    )
    .option('--check-writes', 'also write and delete a throw-away probe key in every writable store')
    .addHelpText('after', '\nExamples:\n  polysecret doctor\n  polysecret doctor --check-writes --json')
    .action(async (opts: { checkWrites?: boolean }) => {
      const manager = await ctx.manager({ writes: opts.checkWrites === true })
      const reports = await checkAll(manager, opts.checkWrites === true)
      const bad = reports.filter((r) => !r.healthy || r.lacks.length || r.problems.length)
      if (ctx.options.json)
        ctx.io.out(toJson({ config: ctx.configSource, ok: bad.length === 0, stores: reports }))
      else {
        ctx.io.out(`config: ${ctx.configSource}`)
        ctx.io.out(
          await formatTable(
            ['STORE', 'TYPE', 'HEALTH', 'LATENCY', 'READ', 'LIST', 'WRITE'],
            reports.map((r) => [
              r.store,
              r.type,
              r.healthy ? 'ok' : 'DOWN',
              `${r.latencyMs} ms`,
              r.read,
              r.list,
              r.write,
            ]),
          ),
        )
        for (const r of bad) {
          if (!r.healthy) ctx.io.out(`✖ ${r.store}: unhealthy — ${r.message ?? 'no answer'}`)
          for (const lack of r.lacks) ctx.io.out(`✖ ${r.store} lacks ${lack}`)
          for (const problem of r.problems) ctx.io.out(`✖ ${r.store}: ${problem}`)
        }
        if (bad.length === 0) ctx.io.out('all stores ok')
      }
      if (bad.length) ctx.exitCode = EXIT.error
    })
}

import { ConfigManager } from '@polysecret/core'
import type { Command } from 'commander'
import { MissingConfigError } from '../config-discovery.js'
import type { CliContext } from '../context.js'
import { toJson } from '../output.js'

export function register(program: Command, ctx: CliContext): void {
  program
    .command('classify')
    .description('say whether keys are secrets or parameters, and the rule that decided (no store is called)')
    .argument('<keys...>', 'one or more keys')
    .addHelpText('after', '\nExample:\n  polysecret classify DB_PASSWORD KEYCLOAK_URL github.token')
    .action(async (keys: string[]) => {
      // The config's classify rules apply; no provider is contacted (building a manager makes no call).
      // Without any configuration the default rules answer.
      const manager = await ctx.manager().catch((error: unknown) => {
        if (error instanceof MissingConfigError) return new ConfigManager()
        throw error
      })
      const rows = keys.map((key) => ({ key, ...manager.classify(key) }))
      if (ctx.options.json) ctx.io.out(toJson(rows))
      else for (const r of rows) ctx.io.out(`${r.key}\t${r.kind}\t${r.reason}`)
    })
}

import type { Command } from 'commander'
import { bashScript, type CommandSpec, fishScript, zshScript } from '../completion-scripts.js'
import type { CliContext } from '../context.js'
import { CliError } from '../exit-codes.js'

const longFlags = (command: Command) => command.options.flatMap((o) => (o.long ? [o.long] : []))

/** Every command with its options: each module registers into a scratch program. */
async function describeCommands(ctx: CliContext, program: Command): Promise<CommandSpec[]> {
  const { Command } = await import('commander')
  const { COMMANDS } = await import('./index.js')
  const specs: CommandSpec[] = []
  for (const entry of COMMANDS) {
    // The command being run is registered for real; the others go into a scratch program.
    let command = program.commands.find((c) => c.name() === entry.name && c.options.length > 0)
    if (!command) {
      const scratch = new Command()
      ;(await entry.load()).register(scratch, ctx)
      command = scratch.commands[0]!
    }
    specs.push({ name: entry.name, summary: entry.summary, options: longFlags(command) })
  }
  return specs
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a completion script for bash, zsh or fish')
    .argument('<shell>', 'bash | zsh | fish')
    .addHelpText(
      'after',
      "\nInstall:\n  bash: echo 'source <(polysecret completion bash)' >> ~/.bashrc\n  zsh:  echo 'source <(polysecret completion zsh)' >> ~/.zshrc\n  fish: polysecret completion fish > ~/.config/fish/completions/polysecret.fish",
    )
    .action(async (shell: string) => {
      const make = { bash: bashScript, zsh: zshScript, fish: fishScript }[shell]
      if (!make) throw new CliError(`completion supports bash, zsh and fish, not "${shell}".`)
      const globals = [...longFlags(program), '--help']
      ctx.io.out(make(await describeCommands(ctx, program), globals))
    })
}

import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { CliError } from '../exit-codes.js'
import { toJson } from '../output.js'
import { readValue } from '../read-value.js'
import { collectList, parseKind } from './options.js'

interface SetOptions {
  fromFile?: string
  kind?: 'secret' | 'parameter'
  to?: string[]
  ifVersion?: string
  createOnly?: boolean
  description?: string
  force?: boolean
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('set')
    .description('write a key; the value comes from stdin, --from-file, or a hidden prompt on a terminal')
    .argument('<key>', 'the key to write')
    .argument(
      '[value]',
      'the value, for parameters only (a secret here lands in shell history and ps) — or with --force',
    )
    .option('-f, --from-file <path>', 'read the value from a file, byte for byte')
    .option('--kind <kind>', 'store it as a secret or a parameter, whatever the name says', parseKind)
    .option(
      '--to <stores>',
      "write to these stores (comma-separated names, or 'all'); default: the first writable store of the key's chain",
      collectList,
    )
    .option('--if-version <id>', 'only if the current version is this one (else exit 5)')
    .option('--create-only', 'refuse to overwrite an existing key (exit 5)')
    .option('--description <text>', 'a description, where the store keeps one')
    .option('--force', 'accept a secret value given as an argument (it is visible in shell history and ps)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  polysecret set DB_PASSWORD                  # hidden prompt on a terminal',
        '  printf %s "$PW" | polysecret set DB_PASSWORD  # from stdin',
        '  polysecret set TLS_KEY --from-file key.pem',
        '  polysecret set LOG_LEVEL debug              # a parameter may be an argument',
      ].join('\n'),
    )
    .action(async (key: string, argument: string | undefined, opts: SetOptions) => {
      const manager = await ctx.manager({ writes: true })
      if (argument !== undefined && !opts.force) {
        const kind = opts.kind ?? manager.classify(key, argument).kind
        if (kind === 'secret') {
          throw new CliError(
            `refusing a value on the command line for secret "${key}": it would be kept in shell history and shown by ps. ` +
              'Pipe it on stdin, use --from-file or the prompt, or pass --force to accept the risk.',
          )
        }
      }
      const value = await readValue({ argument, fromFile: opts.fromFile, prompt: `Value for ${key}:` })
      const to = opts.to?.length === 1 && opts.to[0] === 'all' ? 'all' : opts.to
      const result = await manager.set(key, value, {
        ...(opts.kind && { kind: opts.kind }),
        ...(to && { to }),
        ...(opts.ifVersion !== undefined && { ifVersion: opts.ifVersion }),
        ...(opts.createOnly && { createOnly: true }),
        ...(opts.description !== undefined && { description: opts.description }),
      })
      const stores = result.results.map((r) => r.provider)
      if (ctx.options.json) {
        ctx.io.out(
          toJson({
            key: result.key,
            kind: result.kind,
            reason: result.reason,
            version: result.version ?? null,
            stores,
          }),
        )
      } else {
        ctx.io.out(
          `set ${result.key} (${result.kind}) in ${stores.join(', ')}${result.version ? ` — version ${result.version}` : ''}`,
        )
      }
    })
}

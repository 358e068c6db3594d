import type { GenerateSpec } from '@polysecret/core'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { CliError } from '../exit-codes.js'
import { toJson } from '../output.js'
import { readValue } from '../read-value.js'
import { collectList, parseCount } from './options.js'

interface RotateFlags {
  generate: string
  length?: number
  bytes?: number
  encoding?: string
  noSymbols?: boolean
  symbols?: boolean
  excludeAmbiguous?: boolean
  keyType?: string
  fromFile?: string
  stdin?: boolean
  prompt?: boolean
  to?: string[]
}

/** The generator spec the flags describe; core's generate() checks the options. */
function generatorSpec(flags: RotateFlags): GenerateSpec {
  switch (flags.generate) {
    case 'password':
      return {
        type: 'password',
        ...(flags.length !== undefined && { length: flags.length }),
        ...(flags.symbols === false && { symbols: false }),
        ...(flags.excludeAmbiguous && { excludeAmbiguous: true }),
      }
    case 'bytes':
      return {
        type: 'bytes',
        ...(flags.bytes !== undefined && { bytes: flags.bytes }),
        ...(flags.encoding !== undefined && { encoding: flags.encoding as 'hex' }),
      }
    case 'uuid':
      return { type: 'uuid' }
    case 'keypair':
      return { type: 'keypair', ...(flags.keyType !== undefined && { keyType: flags.keyType as 'ed25519' }) }
    default:
      throw new CliError(`--generate must be password, bytes, uuid or keypair, got "${flags.generate}".`)
  }
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('rotate')
    .description('write a new version of a key: generated (default: a 32-character password) or given')
    .argument('<key>')
    .option('-g, --generate <type>', 'password | bytes | uuid | keypair', 'password')
    .option('--length <n>', 'password length', parseCount)
    .option('--no-symbols', 'password without symbols')
    .option('--exclude-ambiguous', 'password without look-alike characters (I l 1 O 0 o |)')
    .option('--bytes <n>', 'number of random bytes (--generate bytes)', parseCount)
    .option('--encoding <enc>', 'hex | base64 | base64url (--generate bytes)')
    .option('--key-type <type>', 'ed25519 | rsa | ec … (--generate keypair)')
    .option('-f, --from-file <path>', 'take the new value from a file instead of generating one')
    .option('--stdin', 'take the new value from stdin instead of generating one')
    .option('--prompt', 'ask for the new value (hidden) instead of generating one')
    .option('--to <stores>', 'write to these stores (comma-separated)', collectList)
    .addHelpText(
      'after',
      '\nExamples:\n  polysecret rotate DB_PASSWORD\n  polysecret rotate API_KEY --generate bytes --bytes 32 --encoding base64url\n  polysecret rotate DB_PASSWORD --from-file new.txt',
    )
    .action(async (key: string, flags: RotateFlags) => {
      const manager = await ctx.manager({ writes: true })
      const given = flags.fromFile !== undefined || flags.stdin || flags.prompt
      const source = given
        ? { value: await readValue({ fromFile: flags.fromFile, prompt: `New value for ${key}:` }) }
        : { generate: generatorSpec(flags) }
      const result = await manager.rotate(key, { ...source, ...(flags.to && { to: flags.to }) })
      if (ctx.options.json) {
        ctx.io.out(
          toJson({
            key: result.key,
            provider: result.provider,
            previousVersion: result.previousVersion ?? null,
            newVersion: result.newVersion ?? null,
          }),
        )
      } else {
        ctx.io.out(
          `rotated ${result.key} in ${result.provider}: version ${result.previousVersion ?? '(new)'} → ${result.newVersion ?? '?'}`,
        )
      }
    })
}

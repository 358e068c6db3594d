/**
 * The quickstart: a small service that loads typed config and secrets from the embedded default — an
 * encrypted file next to it, no cloud account — prints them masked, then rotates a secret and shows the
 * running config picking the new version up live.
 *
 * Run it from the repository root with `npx -y pnpm@10 demo`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigManager, encryptedFile, env, generatePassword, Secret, yamlFile } from '@polysecret/core'
import { z } from 'zod'

const here = import.meta.dirname
const storeDir = join(here, '.polysecret')
const passphraseFile = join(storeDir, 'passphrase')

/** POLYSECRET_PASSPHRASE wins; else a passphrase generated on the first run and kept beside the store (0600). */
function passphrase(): string {
  if (process.env.POLYSECRET_PASSPHRASE) return process.env.POLYSECRET_PASSPHRASE
  if (existsSync(passphraseFile)) return readFileSync(passphraseFile, 'utf8').trim()
  mkdirSync(storeDir, { recursive: true, mode: 0o700 })
  const generated = generatePassword({ length: 32, symbols: false })
  writeFileSync(passphraseFile, generated, { mode: 0o600 })
  console.log(
    `First run: created an encrypted store with a new passphrase (shown once, kept in ${passphraseFile}):\n  ${generated}\n`,
  )
  return generated
}

const secrets = encryptedFile({ path: join(storeDir, 'secrets.enc'), passphrase: passphrase() })
const manager = new ConfigManager({
  secrets: [env(), secrets], // an environment variable overrides the file
  parameters: [env(), yamlFile({ path: join(here, 'config.yaml') })],
  allowWrites: true,
})

// Seed the store on the first run (create-once, so a second run changes nothing).
for (const key of ['DB_PASSWORD', 'STRIPE_API_KEY']) {
  await manager.set(key, generatePassword({ length: 24 }), { createOnly: true }).catch((e) => {
    if (e.code !== 'CONFLICT') throw e
  })
}

const Config = z.object({
  'service.name': z.string(),
  'service.port': z.number().int(),
  log_level: z.enum(['debug', 'info', 'warn']),
  features: z.object({ newCheckout: z.boolean() }),
  DB_PASSWORD: z.instanceof(Secret),
  STRIPE_API_KEY: z.instanceof(Secret),
})

const live = await manager.load(Config, { watch: true, interval: 100 })
const show = async (key: string) => {
  const m = await manager.getWithMetadata(key)
  const shown =
    m.value instanceof Secret ? `${m.value} (${m.value.reveal().length} chars)` : JSON.stringify(m.value)
  console.log(
    `  ${key.padEnd(15)} ${m.kind.padEnd(9)} ${shown.padEnd(26)} from ${m.provider}${m.version ? ` v${m.version.slice(0, 8)}` : ''}  [${m.reason}]`,
  )
}
console.log('Loaded config (secrets print masked, whatever you do with them):')
for (const key of Object.keys(Config.shape)) await show(key)
console.log(`\nconsole.log of the whole config: ${JSON.stringify(live.current)}`)

// Rotate a secret; the live config re-validates and swaps to the new version.
const changed = new Promise<string[]>((resolve) =>
  live.onChange((_next, _previous, keys) => resolve([...keys])),
)
const rotation = await manager.rotate('DB_PASSWORD', { generate: { type: 'password', length: 32 } })
console.log(
  `\nRotated DB_PASSWORD: v${rotation.previousVersion?.slice(0, 8)} → v${rotation.version?.slice(0, 8)}`,
)
// Watch timers do not keep a process alive on their own (a service has its server for that); the demo
// waits at most five seconds.
let timer: NodeJS.Timeout | undefined
const keys = await Promise.race([
  changed,
  new Promise<string[]>((resolve) => (timer = setTimeout(resolve, 5000, []))),
])
clearTimeout(timer)
if (keys.length === 0) throw new Error('The live config did not pick up the rotation within 5 s.')
console.log(
  `Live config picked up the change to ${keys.join(', ')}; DB_PASSWORD is now ${live.current.DB_PASSWORD.reveal().length} chars.`,
)

live.close()
await manager.close()

/**
 * A small service that reads its config from AWS — secrets from Secrets Manager, parameters from SSM
 * Parameter Store — with an encrypted local file as the fallback for secrets. It runs against the
 * wire-level fakes from @polysecret/testing, so it needs no AWS account and never leaves loopback:
 *
 *   pnpm --filter @polysecret/example-aws-fallback start
 *
 * It loads a schema, prints every value (secrets masked) with the provider that answered, then takes
 * Secrets Manager down and shows what the service still gets: a cached secret served stale-if-error,
 * a secret only the local file has, and a secret the local file also holds.
 */
import '@polysecret/testing/loopback-guard' // refuses any connection that is not to 127.0.0.1
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parameterStore, secretsManager } from '@polysecret/aws'
import { ConfigManager, encryptedFile, Secret } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { z } from 'zod'

// --- The stores. In production these are AWS and a file shipped with the service; here, fakes. ---------
// The values are fake and recognisable on purpose: grep the output for them, nothing comes up.
const sm = await startFake('aws-secrets-manager', {
  secrets: { DB_PASSWORD: 'aws-db-password-7c1e9b', STRIPE_API_KEY: 'sk_test_aws_stripe_4f8a2d6e' },
})
const ssm = await startFake('aws-ssm', {
  parameters: { '/app/API_URL': 'https://api.example.test', '/app/PORT': '8080', '/app/LOG_LEVEL': 'info' },
})
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' } }

// The local encrypted file: break-glass copies of critical secrets, plus one only the service has.
// A raw 32-byte key here (in production: POLYSECRET_KEY from your secret injection, or a passphrase).
const dir = mkdtempSync(join(tmpdir(), 'polysecret-aws-fallback-'))
const localFile = encryptedFile({ path: join(dir, 'secrets.enc'), key: randomBytes(32) })
await localFile.set!('DB_PASSWORD', 'local-db-password-3b5d0a')
await localFile.set!('LEGACY_SIGNING_KEY', 'local-legacy-signing-key-91e7c4')

// --- The service's config. ---------------------------------------------------------------------------------
const manager = new ConfigManager({
  secrets: [secretsManager({ ...aws, endpoint: sm.endpoint }), localFile],
  parameters: [parameterStore({ ...aws, endpoint: ssm.endpoint, prefix: '/app/' })],
  // A short TTL so the demo need not wait a minute; stale-if-error keeps the last good value 5 minutes.
  cache: { ttl: 1_000, staleIfError: 300_000 },
})

const Config = z.object({
  API_URL: z.url(),
  PORT: z.number().int(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']),
  DB_PASSWORD: z.instanceof(Secret),
  STRIPE_API_KEY: z.instanceof(Secret),
})

async function show(key: string) {
  const m = await manager.getWithMetadata(key)
  // A Secret prints [REDACTED] however it is printed; show its length to prove there is a value.
  const shown =
    m.value instanceof Secret ? `${m.value} (${m.value.reveal().length} chars)` : JSON.stringify(m.value)
  const state = m.stale ? `stale: true (${m.staleReason}: ${m.error?.code})` : `cache: ${m.cache}`
  const tried = m.tried
    .filter((t) => t.provider !== m.provider)
    .map((t) => `${t.provider} ${t.code ?? t.outcome}`)
    .join(', ')
  console.log(
    `  ${key.padEnd(18)} ${m.kind.padEnd(9)} ${shown.padEnd(28)} from ${m.provider.padEnd(19)} ${state}${tried ? `; tried first: ${tried}` : ''}`,
  )
}

let exitCode = 0
try {
  const config = await manager.load(Config)
  console.log(`Loaded config (PORT is a ${typeof config.PORT}); every value with the provider that answered:`)
  for (const key of Object.keys(Config.shape)) await show(key)
  console.log(`  JSON.stringify(config) → ${JSON.stringify(config)}`)
  console.log(
    `  round trips so far: Secrets Manager ${JSON.stringify(sm.requests.byOperation())}, SSM ${JSON.stringify(ssm.requests.byOperation())}`,
  )

  // --- Outage: Secrets Manager refuses connections. ------------------------------------------------------
  await sm.faults.down()
  await sleep(1_100) // past the 1 s TTL: cached values are now stale, so reads go to the stores again
  console.log('\nSecrets Manager is down (connections refused) and the cache TTL has passed:')

  console.log('(a) a secret only Secrets Manager has: the last good value, served stale-if-error')
  await show('STRIPE_API_KEY')
  console.log('(b) a secret only the local encrypted file has: read through the fallback chain')
  await show('LEGACY_SIGNING_KEY')
  console.log('(c) a secret the local file also holds: the fallback answers, fresh, before any stale value')
  await show('DB_PASSWORD')
  console.log('    parameters come from SSM as before:')
  await show('API_URL')
} catch (error) {
  // polysecret errors carry keys and providers, never values: printing them is safe.
  console.error(error)
  exitCode = 1
} finally {
  await manager.close()
  await sm.faults.up()
  await sm.stop()
  await ssm.stop()
  rmSync(dir, { recursive: true, force: true })
}
process.exitCode = exitCode

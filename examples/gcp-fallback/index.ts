/**
 * A service that reads its secrets from Google Cloud Secret Manager first, AWS Secrets Manager second
 * and an encrypted local file last. It runs against the wire-level fakes from @polysecret/testing (the
 * official Google and AWS clients talk to them unchanged), so it needs no cloud account and never
 * leaves loopback:
 *
 *   pnpm --filter @polysecret/example-gcp-fallback start
 *
 * It loads a schema and shows who answers each read: Secret Manager while it is up; AWS once Secret
 * Manager is down; the encrypted file once both clouds are down. Secret values never print.
 */
import '@polysecret/testing/loopback-guard' // refuses any connection that is not to 127.0.0.1
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { secretsManager } from '@polysecret/aws'
import { ConfigManager, encryptedFile, Secret } from '@polysecret/core'
import { secretManager } from '@polysecret/gcp'
import { startFake } from '@polysecret/testing'
import { z } from 'zod'

// The fakes hand the Google client a token of their own; nothing may look for a metadata server.
process.env.METADATA_SERVER_DETECTION ??= 'none'

// --- The stores. In production: Google Cloud, AWS, and a file shipped with the service. -----------------
// The values are fake and recognisable on purpose: grep the output for them, nothing comes up.
const gcp = await startFake('gcp-secret-manager', {
  secrets: { DB_PASSWORD: 'gcp-db-password-5d2f8a', STRIPE_API_KEY: 'sk_test_gcp_stripe_9b3e1c7d' },
})
const aws = await startFake('aws-secrets-manager', {
  secrets: { DB_PASSWORD: 'aws-db-password-7c1e9b0', STRIPE_API_KEY: 'sk_test_aws_stripe_4f8a2d6e01' },
})
const awsConnection = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
  endpoint: aws.endpoint,
}

// The local encrypted file: break-glass copies of the secrets the service cannot start without.
// A raw 32-byte key here (in production: POLYSECRET_KEY from your secret injection, or a passphrase).
const dir = mkdtempSync(join(tmpdir(), 'polysecret-gcp-fallback-'))
const localFile = encryptedFile({ path: join(dir, 'secrets.enc'), key: randomBytes(32) })
await localFile.set!('DB_PASSWORD', 'local-db-password-3b5d0a11')
await localFile.set!('STRIPE_API_KEY', 'sk_test_local_stripe_0c6b2e9f4a')

// --- The service's config. ---------------------------------------------------------------------------------
const manager = new ConfigManager({
  // Asked in this order; a provider that fails or lacks the key hands the read to the next one.
  secrets: [
    secretManager({ projectId: gcp.projectId, clientOptions: gcp.clientOptions('grpc') }),
    secretsManager(awsConnection),
    localFile,
  ],
  // No cache, so every step below shows who answers now (in production keep the cache: it also serves
  // the last good value when every store fails).
  cache: false,
  // One quick retry per store, so the demo does not wait out a production backoff.
  retry: { retries: 1, baseDelay: 20 },
})

const Config = z.object({ DB_PASSWORD: z.instanceof(Secret), STRIPE_API_KEY: z.instanceof(Secret) })

async function show(key: string) {
  const m = await manager.getWithMetadata(key)
  // A Secret prints [REDACTED] however it is printed; show its length to prove there is a value.
  const shown = `${m.value} (${(m.value as Secret).reveal().length} chars)`
  const tried = m.tried
    .filter((t) => t.provider !== m.provider)
    .map((t) => `${t.provider} ${t.code ?? t.outcome}`)
    .join(', ')
  console.log(
    `  ${key.padEnd(15)} ${shown.padEnd(26)} from ${m.provider.padEnd(19)}${tried ? ` tried first: ${tried}` : ''}`,
  )
}

let exitCode = 0
try {
  const config = await manager.load(Config)
  console.log('1. Everything up: Secret Manager answers.')
  for (const key of Object.keys(Config.shape)) await show(key)
  console.log(`  JSON.stringify(config) → ${JSON.stringify(config)}`)

  await gcp.faults.down() // connections refused
  console.log('\n2. Secret Manager is down: AWS Secrets Manager answers.')
  for (const key of Object.keys(Config.shape)) await show(key)

  await aws.faults.down()
  console.log('\n3. Both clouds are down: the encrypted local file answers.')
  for (const key of Object.keys(Config.shape)) await show(key)
  const again = await manager.load(Config)
  console.log(`  load() still succeeds: ${JSON.stringify(again)}`)
  console.log(
    `\n  requests the clouds saw: Secret Manager ${JSON.stringify(gcp.requests.byOperation())}, AWS ${JSON.stringify(aws.requests.byOperation())}`,
  )
} catch (error) {
  // polysecret errors carry keys and providers, never values: printing them is safe.
  console.error(error)
  exitCode = 1
} finally {
  await manager.close()
  await gcp.faults.up()
  await aws.faults.up()
  await gcp.stop()
  await aws.stop()
  rmSync(dir, { recursive: true, force: true })
}
process.exitCode = exitCode

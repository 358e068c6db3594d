/**
 * A service that reads its configuration from Azure App Configuration: settings under the `prod` label
 * with the unlabelled ones as fallback, a database password that App Configuration only references and
 * Key Vault holds, and live refresh through a sentinel key. It runs against the wire-level fakes from
 * @polysecret/testing over TLS (the official Azure clients talk to them unchanged), so it needs no Azure
 * account and never leaves loopback:
 *
 *   pnpm --filter @polysecret/example-azure-app-config start
 *
 * Secret values never print: the loaded config prints masked, and so does the password.
 */
import '@polysecret/testing/loopback-guard' // refuses any connection that is not to 127.0.0.1
import { AppConfigurationClient } from '@azure/app-configuration'
import { appConfiguration, keyVault } from '@polysecret/azure'
import { ConfigManager, Secret } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { z } from 'zod'

// --- The stores. In production: https://<store>.azconfig.io and https://<vault>.vault.azure.net. -------
// The values are fake and recognisable on purpose: grep the output for them, nothing comes up.
const vault = await startFake('azure-key-vault', { secrets: { 'db-password': 'kv-db-password-8e41c2' } })
const store = await startFake('azure-app-configuration', {
  settings: [
    { key: 'myapp:DB_HOST', value: 'db.internal' }, // no label: the default
    { key: 'myapp:DB_HOST', label: 'prod', value: 'db.prod.internal' }, // prod overrides it
    { key: 'myapp:LOG_LEVEL', value: 'info' }, // no prod value: the fallback answers
    { key: 'myapp:DB_PASSWORD', label: 'prod', keyVaultRef: { vault, name: 'db-password' } },
    { key: 'myapp:sentinel', value: '1' }, // bumped after each batch of changes
  ],
})

// --- The service's config. -----------------------------------------------------------------------------
// In production: appConfiguration({ endpoint }) and keyVault({ vaultUrl }) with no credential use
// DefaultAzureCredential (workload identity, managed identity, az login); here the fakes' own.
const appConfig = appConfiguration({
  connectionString: store.connectionString,
  clientOptions: store.clientOptions as never,
  label: ['prod', null], // the prod label, else no label
  trimPrefix: 'myapp:', // key DB_HOST is setting "myapp:DB_HOST"
  keyVault: keyVault({
    vaultUrl: vault.vaultUrl,
    credential: vault.credential,
    clientOptions: vault.clientOptions as never,
  }),
  sentinel: 'myapp:sentinel', // watch: one GET of the sentinel per poll
})
// In both chains: DB_PASSWORD is a secret by its name, so it is read through the secrets chain; the
// other keys through the parameters chain. A store in both chains is asked once per key.
const manager = new ConfigManager({ secrets: [appConfig], parameters: [appConfig] })

const Config = z.object({
  DB_HOST: z.string(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn']),
  DB_PASSWORD: z.instanceof(Secret),
})

let exitCode = 0
const config = await manager.load(Config, { watch: true, interval: 200 })
try {
  console.log('1. Loaded: DB_HOST from the prod label, LOG_LEVEL from the fallback (no label),')
  console.log('   DB_PASSWORD through its Key Vault reference.')
  const password = await manager.getWithMetadata('DB_PASSWORD')
  console.log(`  DB_HOST     ${config.DB_HOST}`)
  console.log(`  LOG_LEVEL   ${config.LOG_LEVEL}`)
  console.log(
    `  DB_PASSWORD ${config.DB_PASSWORD} (${config.DB_PASSWORD.reveal().length} chars, kind ${password.kind}, from ${password.provider})`,
  )
  console.log(`  the whole config prints masked: ${JSON.stringify(config.current)}`)

  // Someone changes a setting in the portal (here: the official client), then bumps the sentinel.
  const changed = new Promise<readonly string[]>((resolve) => {
    config.onChange((_next, _previous, keys) => resolve(keys))
  })
  const admin = new AppConfigurationClient(store.connectionString, store.clientOptions as never)
  await admin.setConfigurationSetting({ key: 'myapp:LOG_LEVEL', label: 'prod', value: 'debug' })
  await admin.setConfigurationSetting({ key: 'myapp:sentinel', value: '2' })
  const keys = await changed
  console.log('\n2. LOG_LEVEL set to debug under prod, sentinel bumped: the watch picks it up.')
  console.log(`  changed keys: ${keys.join(', ')}; LOG_LEVEL is now ${config.LOG_LEVEL}`)
  console.log(`  requests App Configuration saw: ${JSON.stringify(store.requests.byOperation())}`)
  console.log(`  requests Key Vault saw:         ${JSON.stringify(vault.requests.byOperation())}`)
} catch (error) {
  // polysecret errors carry keys and providers, never values: printing them is safe.
  console.error(error)
  exitCode = 1
} finally {
  config.close()
  await manager.close()
  await store.stop()
  await vault.stop()
}
process.exitCode = exitCode

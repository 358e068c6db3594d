/**
 * A service that reads its database credentials and an API token from HashiCorp Vault's KV v2
 * engine, logging in with AppRole, then rotates the token (a new KV version) and rolls it back. It
 * runs against the Vault fake from @polysecret/testing, so it needs no Vault server:
 *
 *   pnpm --filter @polysecret/example-vault start
 */
import '@polysecret/testing/loopback-guard' // refuses any connection that is not to 127.0.0.1
import { ConfigManager, Secret } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { vaultKv } from '@polysecret/vault'
import { z } from 'zod'

// --- The store. In production: your Vault; here, the fake, seeded the way `vault kv put` would.
const server = await startFake('vault', {
  secrets: {
    'secret/shop/db': { username: 'shop', password: 'vault-db-password-7c2e' },
    'secret/shop/API_TOKEN': { value: 'vault-api-token-v1' },
  },
})
// What an operator sets up once: a policy for the app's paths and an AppRole carrying it.
server.definePolicy('shop', [
  { path: 'secret/data/shop/*', capabilities: ['create', 'read', 'update'] },
  { path: 'secret/metadata/shop/*', capabilities: ['read', 'list'] },
])
const { roleId, secretId } = server.createAppRole({ policies: ['shop'], ttl: 3600 })

// --- The service's config. Keys are path#field; a key without # is the "value" field.
const vault = vaultKv({
  endpoint: server.endpoint,
  mount: 'secret',
  prefix: 'shop/',
  auth: { appRole: { roleId, secretId } }, // in a pod: { kubernetes: { role: 'shop' } }
  writable: true,
})
const manager = new ConfigManager({ secrets: [vault] })
const config = await manager.load(
  z.object({
    'db#username': z.instanceof(Secret),
    'db#password': z.instanceof(Secret),
    API_TOKEN: z.instanceof(Secret),
  }),
)
console.log('loaded:', config)
console.log('db user is', config['db#username'].reveal())

// --- Rotate the API token (a new KV v2 version), then roll it back to version 1.
const rotated = await manager.rotate('API_TOKEN', { generate: { type: 'password', length: 32 } })
console.log('rotated API_TOKEN to version', rotated.version ?? '(see versions)')
console.log(
  'versions:',
  (await manager.versions('API_TOKEN', { provider: vault.name })).map(
    (v) => `${v.version}${v.current ? ' (current)' : ''}`,
  ),
)
await manager.rollback('API_TOKEN', '1', { provider: vault.name })
const back = (await manager.get('API_TOKEN', { fresh: true })) as Secret
console.log('after rollback the token is the original again:', back.reveal() === 'vault-api-token-v1')

console.log('logins:', server.requests.count('approle.login'), '— reads:', server.requests.count('kv2.read'))
await manager.close()
await server.stop()

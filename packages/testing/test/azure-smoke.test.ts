import { SecretClient } from '@azure/keyvault-secrets'
import { expect, it } from 'vitest'
import { startFake } from '../src/index.js'

it('smoke', async () => {
  await using kv = await startFake('azure-key-vault', { secrets: { a: 'one' } })
  const c = new SecretClient(kv.vaultUrl, kv.credential, { ...kv.clientOptions, retryOptions: { maxRetries: 0 } })
  const s = await c.getSecret('a')
  expect(s.value).toBe('one')
  const set = await c.setSecret('b', 'two', { tags: { x: 'y' } })
  expect(set.properties.version).toMatch(/^[0-9a-f]{32}$/)
  const names = []
  for await (const p of c.listPropertiesOfSecrets()) names.push(p.name)
  expect(names).toEqual(['a', 'b'])
  console.log(kv.requests.byOperation())
})

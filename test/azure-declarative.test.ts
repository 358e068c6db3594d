/**
 * Declarative configs name the Azure provider types; createManager finds @polysecret/azure in the
 * application (core depends on none of our packages) and the providers talk to the fakes over TLS.
 */
import { mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { createManager, type Secret } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { afterEach, expect, it } from 'vitest'
import { tempDirs } from '../packages/core/test/fixtures/temp-dir.js'

const tempDir = tempDirs()
const PACKAGES = join(import.meta.dirname, '..', 'packages')
const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  while (stops.length) await stops.pop()!()
})

it('azure-key-vault and azure-app-configuration resolve from the application and read from the stores', async () => {
  const kv = await startFake('azure-key-vault', { secrets: { 'db-password': 'from-key-vault' } })
  const ac = await startFake('azure-app-configuration', {
    settings: [{ key: 'DB_HOST', value: 'db.internal' }],
  })
  stops.push(
    () => kv.stop(),
    () => ac.stop(),
  )
  const app = await tempDir()
  await mkdir(join(app, 'node_modules/@polysecret'), { recursive: true })
  for (const name of ['core', 'azure'])
    await symlink(join(PACKAGES, name), join(app, 'node_modules/@polysecret', name))
  const manager = await createManager(
    {
      secrets: [
        {
          type: 'azure-key-vault',
          vaultUrl: kv.vaultUrl,
          credential: kv.credential,
          clientOptions: kv.clientOptions,
        },
      ],
      parameters: [
        {
          type: 'azure-app-configuration',
          connectionString: ac.connectionString,
          clientOptions: ac.clientOptions,
        },
      ],
    } as never,
    { resolveFrom: app },
  )
  stops.push(() => manager.close())
  expect(manager.providers.secrets[0]!.type).toBe('azure-key-vault')
  expect(manager.providers.parameters[0]!.type).toBe('azure-app-configuration')
  expect(((await manager.get('DB_PASSWORD')) as Secret).reveal()).toBe('from-key-vault')
  expect(await manager.get('DB_HOST')).toBe('db.internal')
})

/**
 * A declarative config names the `vault-kv` type; createManager finds @polysecret/vault in the
 * application (core depends on none of our packages) and the provider logs in with AppRole against
 * the Vault fake.
 */
import { mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { createManager, type Secret, ValidationError } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { afterEach, expect, it } from 'vitest'
import { tempDirs } from '../packages/core/test/fixtures/temp-dir.js'

const tempDir = tempDirs()
const PACKAGES = join(import.meta.dirname, '..', 'packages')
const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  while (stops.length) await stops.pop()!()
})

async function appWithVault() {
  const app = await tempDir()
  await mkdir(join(app, 'node_modules/@polysecret'), { recursive: true })
  for (const name of ['core', 'vault'])
    await symlink(join(PACKAGES, name), join(app, 'node_modules/@polysecret', name))
  return app
}

it('vault-kv resolves from the application and reads path#field with AppRole', async () => {
  const fake = await startFake('vault', {
    secrets: { 'secret/app/db': { password: 'from-vault', host: 'db.internal' } },
  })
  stops.push(() => fake.stop())
  fake.definePolicy('app', [{ path: 'secret/data/app/*', capabilities: ['read'] }])
  const { roleId, secretId } = fake.createAppRole({ policies: ['app'] })
  const manager = await createManager(
    {
      secrets: [
        {
          type: 'vault-kv',
          endpoint: fake.endpoint,
          mount: 'secret',
          auth: { appRole: { roleId, secretId } },
        },
      ],
    },
    { resolveFrom: await appWithVault() },
  )
  stops.push(() => manager.close())
  expect(manager.providers.secrets[0]!.type).toBe('vault-kv')
  expect(((await manager.get('app/db#password')) as Secret).reveal()).toBe('from-vault')
  expect(fake.requests.count('approle.login')).toBe(1)
})

it('bad vault-kv options are one ValidationError listing every problem, never the token', async () => {
  const error = await createManager(
    { secrets: [{ type: 'vault-kv', mount: '', auth: 'hvs.declarative-token-do-not-print', version: 3 }] },
    { resolveFrom: await appWithVault() },
  ).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ValidationError)
  const message = (error as Error).message
  expect(message).toContain('endpoint must be')
  expect(message).toContain('mount must be')
  expect(message).toContain('version must be 1, 2')
  expect(message).not.toContain('do-not-print')
})

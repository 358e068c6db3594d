/**
 * Declarative configs name the GCP provider types; createManager finds @polysecret/gcp in the
 * application (core depends on none of our packages) and the providers talk to the fakes.
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

it('gcp-secret-manager and gcp-parameter-manager resolve from the application and read from the stores', async () => {
  const sm = await startFake('gcp-secret-manager', { secrets: { DB_PASSWORD: 'from-secret-manager' } })
  const pm = await startFake('gcp-parameter-manager', {
    parameters: { DB_HOST: { versions: { v1: 'db.internal' } } },
  })
  stops.push(
    () => sm.stop(),
    () => pm.stop(),
  )
  const app = await tempDir()
  await mkdir(join(app, 'node_modules/@polysecret'), { recursive: true })
  for (const name of ['core', 'gcp'])
    await symlink(join(PACKAGES, name), join(app, 'node_modules/@polysecret', name))
  const manager = await createManager(
    {
      secrets: [
        { type: 'gcp-secret-manager', projectId: sm.projectId, clientOptions: sm.clientOptions('grpc') },
      ],
      parameters: [
        { type: 'gcp-parameter-manager', projectId: pm.projectId, clientOptions: pm.clientOptions('rest') },
      ],
    },
    { resolveFrom: app },
  )
  stops.push(() => manager.close())
  expect(manager.providers.secrets[0]!.type).toBe('gcp-secret-manager')
  expect(manager.providers.parameters[0]!.type).toBe('gcp-parameter-manager')
  expect(((await manager.get('DB_PASSWORD')) as Secret).reveal()).toBe('from-secret-manager')
  expect(await manager.get('DB_HOST')).toBe('db.internal')
})

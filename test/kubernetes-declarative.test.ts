/**
 * Declarative configs name the Kubernetes provider types; createManager finds @polysecret/kubernetes
 * in the application (core depends on none of our packages) and the providers talk to the fake and
 * to a mounted volume.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises'
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

it('kubernetes-secrets, kubernetes-configmaps and kubernetes-mounted-files resolve from the application', async () => {
  const fake = await startFake('kubernetes', {
    namespaces: ['apps'],
    secrets: { 'apps/app': { data: { DB_PASSWORD: 'from-secret' } } },
    configMaps: { 'apps/app': { data: { DB_HOST: 'db.internal' } } },
  })
  stops.push(() => fake.stop())
  const app = await tempDir()
  await mkdir(join(app, 'node_modules/@polysecret'), { recursive: true })
  for (const name of ['core', 'kubernetes'])
    await symlink(join(PACKAGES, name), join(app, 'node_modules/@polysecret', name))
  const volume = join(app, 'volume')
  await mkdir(volume)
  await writeFile(join(volume, 'API_TOKEN'), 'from-volume')
  const manager = await createManager(
    {
      secrets: [
        { type: 'kubernetes-secrets', namespace: 'apps', name: 'app', kubeconfig: fake.kubeconfig },
        { type: 'kubernetes-mounted-files', dir: volume },
      ],
      parameters: [
        { type: 'kubernetes-configmaps', namespace: 'apps', name: 'app', kubeconfig: fake.kubeconfig },
      ],
    },
    { resolveFrom: app },
  )
  stops.push(() => manager.close())
  expect(manager.providers.secrets.map((p) => p.type)).toEqual([
    'kubernetes-secrets',
    'kubernetes-mounted-files',
  ])
  expect(manager.providers.parameters[0]!.type).toBe('kubernetes-configmaps')
  expect(((await manager.get('DB_PASSWORD')) as Secret).reveal()).toBe('from-secret')
  expect(((await manager.get('API_TOKEN')) as Secret).reveal()).toBe('from-volume')
  expect(await manager.get('DB_HOST')).toBe('db.internal')
})

/**
 * Namespace sync with a cloud store as the source: AWS Secrets Manager (real SDK, wire fake) into
 * Kubernetes Secrets (real client-node, API fake). During the store's outage nothing is deleted or
 * blanked and the continuous sync retries with backoff until the store is back; a plain spec resolves
 * @polysecret/kubernetes from the application, as `polysecret sync` will.
 */
import { mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { secretsManager } from '@polysecret/aws'
import { ConfigManager, UnavailableError } from '@polysecret/core'
import { type NamespaceSyncResult, namespaceSync } from '@polysecret/kubernetes'
import { startFake } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'
import { tempDirs } from '../packages/core/test/fixtures/temp-dir.js'
import { FAKE_AWS } from './support/aws.js'
import { stopAfterEach } from './support/cleanup.js'

const defer = stopAfterEach()
const tempDir = tempDirs()

async function setup() {
  const sm = await startFake('aws-secrets-manager')
  defer(() => sm.stop())
  sm.seed({ REG_USER: 'robot', REG_PASSWORD: 'first-password' })
  const kube = await startFake('kubernetes', {
    namespaces: [
      { name: 'a', labels: { pull: 'ghcr' } },
      { name: 'b', labels: { pull: 'ghcr' } },
    ],
  })
  defer(() => kube.stop())
  const manager = new ConfigManager({
    secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
    cache: false,
    retry: 0,
  })
  defer(() => manager.close())
  return { sm, kube, manager }
}

const spec = (kubeconfig: string) => ({
  name: 'registry',
  kubeconfig,
  namespaceSelector: { matchLabels: { pull: 'ghcr' } },
  secrets: [
    {
      name: 'ghcr',
      format: 'dockerconfigjson' as const,
      registry: { value: 'ghcr.io' },
      username: 'REG_USER',
      password: 'REG_PASSWORD',
    },
  ],
})

const password = (kube: { state: { get(r: 'secrets', ns: string, n: string): any } }, ns: string) => {
  const obj = kube.state.get('secrets', ns, 'ghcr')
  if (!obj) return undefined
  return JSON.parse(Buffer.from(obj.data['.dockerconfigjson'], 'base64').toString()).auths['ghcr.io'].password
}

describe('namespace sync from AWS Secrets Manager', () => {
  it('during an outage deletes and blanks nothing: copies keep their last values, removals are held', async () => {
    const { sm, kube, manager } = await setup()
    const target = namespaceSync(spec(kube.kubeconfig))
    expect((await manager.sync(target)).ok).toBe(true)
    expect([password(kube, 'a'), password(kube, 'b')]).toEqual(['first-password', 'first-password'])

    await sm.faults.down()
    kube.seed({ namespaces: [{ name: 'b', labels: {} }] }) // b stops matching while the store is down
    const during = await manager.sync(target)
    expect(during.ok).toBe(false)
    expect(during.errors.every((e) => e.error instanceof UnavailableError)).toBe(true)
    expect(during.changes.map((c) => [c.action, c.namespace, c.outcome])).toEqual([
      ['skip', 'a', 'skipped'],
      ['hold', 'b', 'held'],
    ])
    expect([password(kube, 'a'), password(kube, 'b')]).toEqual(['first-password', 'first-password'])
    expect(kube.requests.count('delete secrets') + kube.requests.count('update secrets')).toBe(0)

    await sm.faults.up()
    sm.seed({ REG_PASSWORD: 'second-password' })
    const after = await manager.sync(target)
    expect(after.ok).toBe(true)
    expect(password(kube, 'a')).toBe('second-password')
    expect(password(kube, 'b')).toBeUndefined() // the held removal goes through once the store answers
  })

  it('a continuous sync retries a failed pass with backoff and converges when the store is back', async () => {
    const { sm, kube, manager } = await setup()
    const errors: string[] = []
    const target = namespaceSync({
      ...spec(kube.kubeconfig),
      sourceInterval: 10,
      retry: { baseDelay: 5, maxDelay: 20, random: () => 0.5 },
      onError: (e) => errors.push(e.code),
    })
    const running = await manager.sync(target, { watch: true })
    await sm.faults.down()
    kube.seed({ namespaces: [{ name: 'c', labels: { pull: 'ghcr' } }] }) // a pass that needs the store
    let result: NamespaceSyncResult
    do result = await running.nextPass()
    while (result.ok)
    expect(result.errors[0]!.error).toBeInstanceOf(UnavailableError)
    expect(running.stats().retrying).toBe(true)
    expect(password(kube, 'a')).toBe('first-password')

    sm.seed({ REG_PASSWORD: 'after-outage' })
    await sm.faults.up()
    // Converged: every copy current, and the source watch has seen the change (its lag measured).
    do result = await running.nextPass()
    while (
      !result.ok ||
      password(kube, 'c') !== 'after-outage' ||
      password(kube, 'a') !== 'after-outage' ||
      running.stats().propagationLagMs.count === 0
    )
    const stats = running.stats()
    expect(stats.retrying).toBe(false)
    expect(stats.failedPasses).toBeGreaterThanOrEqual(1)
    expect(stats.propagationLagMs.count).toBeGreaterThanOrEqual(1)
    await running.close()
  })

  it('a plain spec (as in a YAML file) finds @polysecret/kubernetes in the application', async () => {
    const { kube, manager } = await setup()
    const app = await tempDir()
    await mkdir(join(app, 'node_modules/@polysecret'), { recursive: true })
    for (const name of ['core', 'kubernetes'])
      await symlink(
        join(import.meta.dirname, '..', 'packages', name),
        join(app, 'node_modules/@polysecret', name),
      )
    const result = (await manager.sync(
      { type: 'kubernetes-namespaces', ...spec(kube.kubeconfig) },
      { resolveFrom: app },
    )) as NamespaceSyncResult
    expect(result.namespaces).toEqual(['a', 'b'])
    expect(password(kube, 'b')).toBe('first-password')
    await expect(manager.sync({ type: 'kubernetes-nowhere' })).rejects.toThrow(/Unknown sync type/)
    const empty = await tempDir()
    await expect(
      manager.sync({ type: 'kubernetes-namespaces', ...spec(kube.kubeconfig) }, { resolveFrom: empty }),
    ).rejects.toThrow(/needs the package @polysecret\/kubernetes/)
  })
})

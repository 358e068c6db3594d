import { AccessDeniedError } from '@polysecret/core'
import { afterEach, describe, expect, it } from 'vitest'
import { kubernetesSecrets } from '../src/index.js'
import { NAMESPACE, startKubernetes } from './support.js'
import { kubeletVolume } from './volume-layout.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

describe('in-cluster configuration (service account volume, KUBERNETES_SERVICE_HOST/PORT)', () => {
  it('uses the token and CA of the service-account dir and re-reads the token when the kubelet rotates it', async () => {
    const fake = await startKubernetes({ secrets: { db: { password: 'p' } } })
    cleanups.push(() => fake.stop())
    const first = fake.createToken({ namespaces: [NAMESPACE] })
    // The projected service-account volume, laid out as the kubelet writes it.
    const sa = await kubeletVolume({ token: first, 'ca.crt': fake.ca, namespace: NAMESPACE })
    cleanups.push(sa.cleanup)
    const p = kubernetesSecrets({
      namespace: NAMESPACE,
      inCluster: { serviceAccountDir: sa.dir, host: '127.0.0.1', port: fake.port },
    })
    expect((await p.get('db/password'))?.value).toBe('p')

    // Rotation: the old token stops working, the kubelet swaps in a new one; no restart needed.
    const second = fake.createToken({ namespaces: [NAMESPACE] })
    fake.revokeToken(first)
    await sa.update({ token: second, 'ca.crt': fake.ca, namespace: NAMESPACE })
    expect((await p.get('db/password'))?.value).toBe('p')
  })

  it('reads host and port from KUBERNETES_SERVICE_HOST/PORT by default', async () => {
    const fake = await startKubernetes({ secrets: { db: { password: 'p' } } })
    cleanups.push(() => fake.stop())
    const sa = await kubeletVolume({ token: fake.token, 'ca.crt': fake.ca })
    cleanups.push(sa.cleanup)
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT }
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1'
    process.env.KUBERNETES_SERVICE_PORT = String(fake.port)
    cleanups.push(async () => {
      for (const [name, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    })
    const p = kubernetesSecrets({ namespace: NAMESPACE, inCluster: { serviceAccountDir: sa.dir } })
    expect((await p.get('db/password'))?.value).toBe('p')
  })

  it('a missing token file is AccessDeniedError naming the path, never a token', async () => {
    const fake = await startKubernetes()
    cleanups.push(() => fake.stop())
    const sa = await kubeletVolume({ 'ca.crt': fake.ca })
    cleanups.push(sa.cleanup)
    const p = kubernetesSecrets({
      namespace: NAMESPACE,
      inCluster: { serviceAccountDir: sa.dir, host: '127.0.0.1', port: fake.port },
    })
    const error = await p.get('db/password').catch((e) => e)
    expect(error).toBeInstanceOf(AccessDeniedError)
    expect(error.hint).toContain(sa.dir)
    expect(fake.requests.total).toBe(0)
  })
})

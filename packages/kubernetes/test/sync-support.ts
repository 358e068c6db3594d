import { ConfigManager, memory } from '@polysecret/core'
import { type FakeServices, startFake } from '@polysecret/testing'
import { afterEach } from 'vitest'
import { type NamespaceSyncSpec, namespaceSync, type SyncAuditEvent } from '../src/index.js'

export type KubernetesFake = FakeServices['kubernetes']['fake']

const stops: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (stops.length) await stops.pop()!()
})

/** A Kubernetes fake with labelled namespaces, stopped after the test. */
export async function cluster(namespaces: Record<string, Record<string, string>>): Promise<KubernetesFake> {
  const fake = await startFake('kubernetes', {
    namespaces: Object.entries(namespaces).map(([name, labels]) => ({ name, labels })),
  })
  stops.push(() => fake.stop())
  return fake
}

/** A manager over an in-memory store (writable, no cache, so a change is read at once). */
export function source(values: Record<string, string>): ConfigManager {
  const manager = new ConfigManager({
    secrets: [memory(values, { writable: true })],
    cache: false,
    allowWrites: true,
  })
  stops.push(() => manager.close())
  return manager
}

/** A namespace sync on the fake's kubeconfig, collecting its audit lines. */
export function syncFor(fake: KubernetesFake, spec: Omit<NamespaceSyncSpec, 'kubeconfig'>) {
  const audit: SyncAuditEvent[] = []
  const target = namespaceSync({
    kubeconfig: fake.kubeconfig,
    onAudit: (e) => audit.push(e),
    ...spec,
  } as NamespaceSyncSpec)
  return { target, audit }
}

/** The Secret as stored, data decoded to text. */
export function stored(fake: KubernetesFake, namespace: string, name: string) {
  const obj = fake.state.get('secrets', namespace, name)
  if (!obj) return undefined
  const data = Object.fromEntries(
    Object.entries((obj.data as Record<string, string>) ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString(),
    ]),
  )
  return { ...obj, type: obj.type as string | undefined, data }
}

/** Namespaces holding a Secret of that name. */
export function holders(fake: KubernetesFake, name: string): string[] {
  return fake.state
    .list('secrets')
    .filter((s) => s.metadata.name === name)
    .map((s) => s.metadata.namespace!)
    .sort()
}

export const writeCalls = (fake: KubernetesFake) =>
  ['create', 'update', 'patch', 'delete'].reduce((n, verb) => n + fake.requests.count(`${verb} secrets`), 0)

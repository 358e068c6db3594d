import { type FakeServices, startFake } from '@polysecret/testing'
import { configMaps, type KubernetesObjectOptions, kubernetesSecrets } from '../src/index.js'

export type KubernetesFake = FakeServices['kubernetes']['fake']

export const NAMESPACE = 'apps'

/** A Kubernetes API fake with namespace `apps`, seeded by `object: { key: value }`. */
export function startKubernetes(
  seed: {
    secrets?: Record<string, Record<string, string>>
    configMaps?: Record<string, Record<string, string>>
  } = {},
): Promise<KubernetesFake> {
  const prefixed = (objects: Record<string, Record<string, string>> = {}) =>
    Object.fromEntries(Object.entries(objects).map(([name, data]) => [`${NAMESPACE}/${name}`, { data }]))
  return startFake('kubernetes', {
    namespaces: [NAMESPACE],
    secrets: prefixed(seed.secrets),
    configMaps: prefixed(seed.configMaps),
  })
}

type Settings = Partial<KubernetesObjectOptions> & { kubeconfig?: string }

/** The Secrets provider on the official client, through the fake's kubeconfig (real TLS socket). */
export function secretsFor(fake: KubernetesFake, settings: Settings = {}) {
  return kubernetesSecrets({
    namespace: NAMESPACE,
    kubeconfig: fake.kubeconfig,
    ...settings,
  } as KubernetesObjectOptions)
}

export function configMapsFor(fake: KubernetesFake, settings: Settings = {}) {
  return configMaps({
    namespace: NAMESPACE,
    kubeconfig: fake.kubeconfig,
    ...settings,
  } as KubernetesObjectOptions)
}

import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import type { KubernetesFake } from '../src/fakes/kubernetes/kubernetes.js'

/** A real `@kubernetes/client-node` configuration loaded from the fake's kubeconfig (or another token's). */
export function kubeConfig(fake: KubernetesFake, token?: string): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromString(token ? fake.kubeconfigFor(token) : fake.kubeconfig)
  return kc
}

export function coreApi(fake: KubernetesFake, token?: string): CoreV1Api {
  return kubeConfig(fake, token).makeApiClient(CoreV1Api)
}

/** The HTTP status and parsed Status body of a client-node `ApiException`. */
export async function apiError(
  promise: Promise<unknown>,
): Promise<{ code: number; body: Record<string, any> }> {
  try {
    await promise
  } catch (error) {
    const e = error as { code?: number; body?: unknown }
    if (typeof e.code !== 'number') throw error
    return {
      code: e.code,
      body: typeof e.body === 'string' ? JSON.parse(e.body) : (e.body as Record<string, any>),
    }
  }
  throw new Error('expected the call to fail')
}

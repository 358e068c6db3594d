import { SECRETS } from './object-api.js'
import { type KubernetesObjectOptions, type KubernetesObjectProvider, makeObjectProvider } from './options.js'

/** The Kubernetes Secrets provider. */
export type KubernetesSecretsProvider = KubernetesObjectProvider<'kubernetes-secrets'>

/**
 * A provider backed by Kubernetes Secrets (core/v1) through `@kubernetes/client-node`, which is
 * imported on first use. Every value is secret material (`Entry.sensitive`), so it is served as a
 * `Secret` even from the parameters chain. A key is `object/dataKey`, or a data key of the one
 * object named by `name`; `#field` selects a field of a JSON value. The version is the object's
 * `resourceVersion`; writes replace the object with it (optimistic concurrency), and `watch()`
 * follows the watch API instead of polling.
 *
 * @example
 * ```ts
 * import { kubernetesSecrets } from '@polysecret/kubernetes'
 *
 * const secrets = kubernetesSecrets({ namespace: 'prod', name: 'app-secrets' })
 * const entry = await secrets.get('DB_PASSWORD') // Secret app-secrets, data key DB_PASSWORD
 * ```
 */
export function kubernetesSecrets(options: KubernetesObjectOptions): KubernetesSecretsProvider {
  return makeObjectProvider('kubernetes-secrets', SECRETS, options)
}

import { CONFIG_MAPS } from './object-api.js'
import { type KubernetesObjectOptions, type KubernetesObjectProvider, makeObjectProvider } from './options.js'

/** The Kubernetes ConfigMaps provider. */
export type ConfigMapsProvider = KubernetesObjectProvider<'kubernetes-configmaps'>

/**
 * A provider backed by Kubernetes ConfigMaps (core/v1) through `@kubernetes/client-node`, which is
 * imported on first use. Values are parameters (the manager's classification decides, as for any
 * parameter store); text lives in `data`, bytes in `binaryData`. Keys, versions, writes and watch
 * work as for {@link kubernetesSecrets}.
 *
 * @example
 * ```ts
 * import { configMaps } from '@polysecret/kubernetes'
 *
 * const config = configMaps({ namespace: 'prod' })
 * const entry = await config.get('app-settings/LOG_LEVEL')
 * ```
 */
export function configMaps(options: KubernetesObjectOptions): ConfigMapsProvider {
  return makeObjectProvider('kubernetes-configmaps', CONFIG_MAPS, options)
}

import type { ConfigManager, Kind, Provider } from '@polysecret/core'

/**
 * The kind a store's keys have in this configuration: a store only in the secrets chain holds
 * secrets, one only in the parameters chain holds parameters, one in both is classified by name
 * (`undefined`). Copying or comparing keys keeps the kind they had.
 */
export function chainKind(manager: ConfigManager, provider: Provider): Kind | undefined {
  const same = (p: Provider) => p.name === provider.name && p.type === provider.type
  const inSecrets = manager.providers.secrets.some(same)
  const inParameters = manager.providers.parameters.some(same)
  if (inSecrets && !inParameters) return 'secret'
  if (inParameters && !inSecrets) return 'parameter'
  return undefined
}

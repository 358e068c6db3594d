/**
 * Reads the CLI makes store by store (listing, and reading from one named store for migrate/diff),
 * counted for --stats. Reading one store goes through a manager of that store alone, so retries,
 * classification and secret wrapping are the same as everywhere else.
 */
import { ConfigManager, type ListedKey, type Provider } from '@polysecret/core'
import { CliError } from '../exit-codes.js'

/** Every key the listable stores hold (the manager's list). */
export function listKeys(manager: ConfigManager, prefix = ''): Promise<ListedKey[]> {
  return manager.list(prefix)
}

/** The configured provider with this name, or a usage error listing the names there are. */
export function providerNamed(manager: ConfigManager, name: string): Provider {
  const all = [...manager.providers.secrets, ...manager.providers.parameters]
  const found = all.find((p) => p.name === name)
  if (!found) {
    const names = [...new Set(all.map((p) => p.name))].join(', ')
    throw new CliError(`No store named "${name}" in the configuration (stores: ${names}).`)
  }
  return found
}

/**
 * A manager over one store (in both chains, keys classified by name). The provider is the main
 * manager's own instance, so its calls are counted for --stats too.
 */
export function storeManager(provider: Provider, writes = false): ConfigManager {
  return new ConfigManager({ secrets: [provider], parameters: [provider], cache: false, allowWrites: writes })
}

/** The keys one store holds under a prefix (it must be able to list). */
export async function storeKeys(provider: Provider, prefix: string): Promise<ListedKey[]> {
  if (!provider.capabilities.list)
    throw new CliError(`Store "${provider.name}" (${provider.type}) cannot list its keys; name them with --keys.`)
  return listKeys(storeManager(provider), prefix)
}

/**
 * Reads the CLI makes store by store (listing, and reading from one named store for migrate/diff),
 * counted for --stats. Reading one store goes through a manager of that store alone, so retries,
 * classification and secret wrapping are the same as everywhere else.
 */
import { ConfigManager, type ListedKey, type ManyResult, type Provider } from '@polysecret/core'
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
    throw new CliError(
      `Store "${provider.name}" (${provider.type}) cannot list its keys; name them with --keys.`,
    )
  return listKeys(storeManager(provider), prefix)
}

/**
 * Reads listed keys as the kind they were listed with, the way `manager.getByPrefix` does: a key a
 * parameters store lists is read from the parameters chain even if its name sounds secret, and a
 * parameter-named one by name, so a value that is a credential still comes back as a Secret.
 */
export async function readListed(manager: ConfigManager, listed: readonly ListedKey[]): Promise<ManyResult> {
  const byName = (k: ListedKey) => k.kind === 'parameter' && manager.classify(k.key).kind === 'parameter'
  const keys = (pick: (k: ListedKey) => boolean) => listed.filter(pick).map((k) => k.key)
  const reads = await Promise.all([
    manager.getMany(
      keys((k) => k.kind === 'parameter' && !byName(k)),
      { kind: 'parameter' },
    ),
    manager.getMany(keys(byName)),
    manager.getMany(
      keys((k) => k.kind === 'secret'),
      { kind: 'secret' },
    ),
  ])
  return {
    values: Object.assign({}, ...reads.map((r) => r.values)),
    errors: Object.assign({}, ...reads.map((r) => r.errors)),
  }
}

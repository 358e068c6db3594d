import { startFake, type VaultFake } from '@polysecret/testing'
import { type VaultKvOptions, vaultKv } from '../src/index.js'

export type { VaultFake }

/** A Vault fake with the default mounts (`secret/` KV v2, `kv1/` KV v1) and a clock tests move. */
export async function startVault(secrets: Record<string, Record<string, unknown>> = {}) {
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') }
  const fake = await startFake('vault', { secrets, now: () => clock.now })
  return { fake, clock }
}

/** A provider on the fake's `secret/` (v2) or `kv1/` (v1) mount, with the root token unless `auth` is given. */
export function providerFor(
  fake: VaultFake,
  options: Partial<VaultKvOptions> & { version?: 1 | 2 | 'auto' } = {},
) {
  const version = options.version ?? 2
  return vaultKv({
    endpoint: fake.endpoint,
    mount: version === 1 ? 'kv1' : 'secret',
    auth: fake.rootToken,
    ...options,
    version,
  })
}

import { runProviderConformance } from '@polysecret/testing/conformance'
import { providerFor, startVault } from './support.js'

for (const version of [2, 1] as const) {
  const mount = version === 2 ? 'secret' : 'kv1'
  runProviderConformance({
    name: `vault-kv on a KV v${version} mount (node-vault over a real socket, wire fake)`,
    async create(seed) {
      // Each key is the `value` field of the secret at its own path, under conformance/.
      const { fake } = await startVault(
        Object.fromEntries(
          Object.entries(seed).map(([key, value]) => [`${mount}/conformance/${key}`, { value }]),
        ),
      )
      const provider = providerFor(fake, { version, prefix: 'conformance/' })
      return {
        provider,
        cleanup: async () => {
          await provider.close()
          await fake.stop()
        },
      }
    },
  })
}

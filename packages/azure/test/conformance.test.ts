import { runProviderConformance } from '@polysecret/testing/conformance'
import { acFor, kvFor, startAppConfig, startKeyVault } from './support.js'

runProviderConformance({
  name: 'azure-key-vault over TLS (wire fake)',
  async create(seed) {
    // Keys map to kebab-case names: APP_ALPHA is secret "conformance-app-alpha".
    const fake = await startKeyVault(
      Object.fromEntries(
        Object.entries(seed).map(([key, value]) => [
          `conformance-${key.toLowerCase().replaceAll('_', '-')}`,
          value,
        ]),
      ),
    )
    const provider = kvFor(fake, { prefix: 'conformance-', purge: true })
    return {
      provider,
      cleanup: async () => {
        await provider.close()
        await fake.stop()
      },
    }
  },
})

for (const auth of ['hmac', 'aad'] as const) {
  runProviderConformance({
    name: `azure-app-configuration over TLS with ${auth} auth (wire fake)`,
    async create(seed) {
      const fake = await startAppConfig(
        Object.fromEntries(Object.entries(seed).map(([key, value]) => [`conformance:${key}`, value])),
      )
      const provider = acFor(fake, { trimPrefix: 'conformance:' }, auth)
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

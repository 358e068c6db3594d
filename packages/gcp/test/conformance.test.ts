import { runProviderConformance } from '@polysecret/testing/conformance'
import { pmFor, smFor, startParameterManager, startSecretManager, TRANSPORTS } from './support.js'

for (const transport of TRANSPORTS) {
  runProviderConformance({
    name: `gcp-secret-manager over ${transport} (wire fake)`,
    async create(seed) {
      const fake = await startSecretManager(
        Object.fromEntries(Object.entries(seed).map(([key, value]) => [`conformance-${key}`, value])),
      )
      const provider = smFor(fake, transport, { prefix: 'conformance-' })
      return {
        provider,
        cleanup: async () => {
          await provider.close()
          await fake.stop()
        },
      }
    },
  })

  runProviderConformance({
    name: `gcp-parameter-manager over ${transport} (wire fake)`,
    async create(seed) {
      const fake = await startParameterManager(
        Object.fromEntries(Object.entries(seed).map(([key, value]) => [`conformance-${key}`, value])),
      )
      const provider = pmFor(fake, transport, { prefix: 'conformance-' })
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

import { runProviderConformance } from '@polysecret/testing/conformance'
import { configMapsFor, secretsFor, startKubernetes } from './support.js'

// Keys are data keys of one object (`name`), seeded through the fake (the API server), not the provider.
for (const [kind, makeProvider] of [
  ['Secrets', secretsFor],
  ['ConfigMaps', configMapsFor],
] as const) {
  runProviderConformance({
    name: `kubernetes ${kind} in one object (wire fake over TLS)`,
    async create(seed) {
      const fake = await startKubernetes(
        kind === 'Secrets' ? { secrets: { conformance: seed } } : { configMaps: { conformance: seed } },
      )
      const provider = makeProvider(fake, { name: 'conformance' })
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
    name: `kubernetes ${kind} as object/key (wire fake over TLS)`,
    keys: ['app/ALPHA', 'app/BETA', 'other/GAMMA'],
    prefix: 'app/',
    async create(seed) {
      const objects: Record<string, Record<string, string>> = {}
      for (const [key, value] of Object.entries(seed)) {
        const [object, dataKey] = key.split('/') as [string, string]
        objects[object] = { ...objects[object], [dataKey]: value }
      }
      const fake = await startKubernetes(kind === 'Secrets' ? { secrets: objects } : { configMaps: objects })
      const provider = makeProvider(fake)
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

import { runProviderConformance } from '@polysecret/testing/conformance'
import { smFor, ssmFor, startSecretsManager, startSsm } from './support.js'

runProviderConformance({
  name: 'aws-secrets-manager (wire fake)',
  async create(seed) {
    const fake = await startSecretsManager()
    fake.seed(Object.fromEntries(Object.entries(seed).map(([key, value]) => [`conformance/${key}`, value])))
    return { provider: smFor(fake, { prefix: 'conformance/' }), cleanup: () => fake.stop() }
  },
})

runProviderConformance({
  name: 'aws-ssm (wire fake)',
  async create(seed) {
    const fake = await startSsm()
    fake.seed(Object.fromEntries(Object.entries(seed).map(([key, value]) => [`/conformance/${key}`, value])))
    return { provider: ssmFor(fake, { prefix: '/conformance/' }), cleanup: () => fake.stop() }
  },
})

import { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import { describe, expect, it } from 'vitest'
import { startFake } from '../src/index.js'

describe.each(['grpc', 'rest'] as const)('smoke %s', (transport) => {
  it('access', async () => {
    await using fake = await startFake('gcp-secret-manager', { secrets: { 'db-password': 'hunter2' } })
    const client = new SecretManagerServiceClient(fake.clientOptions(transport) as any)
    const [res] = await client.accessSecretVersion({
      name: `projects/${fake.projectId}/secrets/db-password/versions/latest`,
    })
    expect(res.payload?.data?.toString()).toBe('hunter2')
    console.log(transport, res)
    const [secret] = await client.createSecret({
      parent: `projects/${fake.projectId}`,
      secretId: 'x',
      secret: { replication: { automatic: {} }, labels: { a: 'b' } },
    })
    console.log(secret)
    const [v] = await client.addSecretVersion({ parent: secret.name, payload: { data: Buffer.from('abc') } })
    console.log(v)
    const [list] = await client.listSecrets({ parent: `projects/${fake.projectId}` })
    console.log(list.map((s) => s.name))
    const err = await client
      .accessSecretVersion({ name: `projects/${fake.projectId}/secrets/nope/versions/latest` })
      .catch((e) => e)
    console.log(err.code, err.message, err.details)
    await client.close()
    expect(fake.requests.count('AccessSecretVersion')).toBe(2)
  })
})

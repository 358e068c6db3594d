import { ConfigManager } from '@polysecret/core'
import { createServer } from '@polysecret/server'
import { startFake } from '@polysecret/testing'
import { vaultKv } from '@polysecret/vault'
import { describe, expect, it } from 'vitest'

// /ready reports when a provider's credentials expire: vaultKv knows its token's TTL (lookup-self), on
// a clock shared by the fake and the provider.
describe('server /ready: credentials expiring soon (Vault token TTL)', () => {
  it('flags a token within the warning window, and not one far from expiry', async () => {
    let clock = Date.parse('2026-07-01T00:00:00Z')
    const now = () => clock
    await using fake = await startFake('vault', { now })
    fake.definePolicy('app', [{ path: 'secret/data/*', capabilities: ['read'] }])
    const short = fake.createToken({ policies: ['app'], ttl: '10m', renewable: false })
    const long = fake.createToken({ policies: ['app'], ttl: '24h' })
    const manager = new ConfigManager({
      secrets: [
        vaultKv({ providerName: 'vault-short', endpoint: fake.endpoint, mount: 'secret', auth: short, now }),
        vaultKv({ providerName: 'vault-long', endpoint: fake.endpoint, mount: 'secret', auth: long, now }),
      ],
    })
    const server = await createServer(manager, {
      port: 0,
      audit: false,
      now,
      credentialsWarningMs: 15 * 60_000,
    })
    await server.listen()
    try {
      const ready = (await (await fetch(`${server.url}/ready`)).json()) as {
        providers: { provider: string; credentialsExpireAt?: string; credentialsExpiringSoon?: boolean }[]
        credentialsExpiringSoon: string[]
      }
      expect(ready.credentialsExpiringSoon).toEqual(['vault-short'])
      const byName = Object.fromEntries(ready.providers.map((p) => [p.provider, p]))
      expect(byName['vault-short']).toMatchObject({
        credentialsExpireAt: '2026-07-01T00:10:00.000Z',
        credentialsExpiringSoon: true,
      })
      expect(byName['vault-long']).toMatchObject({
        credentialsExpireAt: '2026-07-02T00:00:00.000Z',
        credentialsExpiringSoon: false,
      })
      clock += 23 * 3_600_000 + 50 * 60_000
      // The long token is renewed at two thirds of its TTL on use; it now reports its new expiry.
      const later = (await (await fetch(`${server.url}/ready`)).json()) as {
        providers: { provider: string; credentialsExpireAt?: string }[]
      }
      const longLater = later.providers.find((p) => p.provider === 'vault-long')!
      expect(Date.parse(longLater.credentialsExpireAt!)).toBeGreaterThan(
        Date.parse('2026-07-02T00:00:00.000Z'),
      )
    } finally {
      await server.close()
      await manager.close()
    }
  })
})

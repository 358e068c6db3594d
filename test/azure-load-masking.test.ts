/**
 * A Key Vault reference in App Configuration, loaded the way most users write it (`z.string()`): the
 * field is the plain secret for use, yet the config prints it masked — the provider marks the entry
 * sensitive, the manager reads it as a secret, and load() masks by that kind.
 */
import { inspect } from 'node:util'
import { appConfiguration, keyVault } from '@polysecret/azure'
import { ConfigManager } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { stopAfterEach } from './support/cleanup.js'

const defer = stopAfterEach()

describe('load() of an App Configuration setting that is a Key Vault reference', () => {
  it('gives the secret as a plain string and prints it masked', async () => {
    const kvFake = await startFake('azure-key-vault', { secrets: { 'db-password': 'ref-LEAK-5c1e' } })
    defer(() => kvFake.stop())
    const acFake = await startFake('azure-app-configuration', {
      settings: [
        { key: 'DB_HOST', value: 'db.internal' },
        { key: 'DATABASE_REF', keyVaultRef: { vault: kvFake, name: 'db-password' } },
      ],
    })
    defer(() => acFake.stop())
    const vault = keyVault({
      vaultUrl: kvFake.vaultUrl,
      credential: kvFake.credential,
      clientOptions: kvFake.clientOptions as never,
    })
    const settings = appConfiguration({
      connectionString: acFake.connectionString,
      clientOptions: acFake.clientOptions as never,
      keyVault: vault,
    })
    const manager = new ConfigManager({ parameters: [settings] })
    defer(() => manager.close())
    defer(() => vault.close?.())

    const config = await manager.load(z.object({ DB_HOST: z.string(), DATABASE_REF: z.string() }))
    expect(config.DATABASE_REF).toBe('ref-LEAK-5c1e')
    expect(inspect(config)).not.toContain('LEAK')
    expect(JSON.parse(JSON.stringify(config))).toEqual({ DB_HOST: 'db.internal', DATABASE_REF: '[REDACTED]' })
  })
})

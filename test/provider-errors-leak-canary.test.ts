/**
 * The leak canary over the error paths of every provider (aws secrets manager and ssm, gcp secret and
 * parameter manager, azure key vault and app configuration, kubernetes, vault — the fault matrix's
 * targets): the store answers a read and a write with an error whose text quotes the canary, and cuts
 * off an answer whose body holds the canary value. Every error (message, hint, name, stack, cause chain,
 * inspect, JSON), every access event, stdout/stderr and the inspect/JSON of the provider and its manager
 * must not carry the canary in any encoding. Credentials get the same check.
 */
import { parameterStore, secretsManager } from '@polysecret/aws'
import { appConfiguration } from '@polysecret/azure'
import { type AccessEvent, ConfigManager, PolysecretError, type Secret } from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'
import { TARGETS } from './reliability/targets.js'
import { useLeakCanary } from './support/canary.js'
import { stopAfterEach } from './support/cleanup.js'

const CANARY = 'canary-4c2e8a91-PROVIDER-ERROR'
/** Long enough that half of any answer carrying it still holds the canary whole. */
const VALUE = `${CANARY} `.repeat(40).trim()
const WRITTEN = 'canary-write-9d3f1b07-REFUSED'
const KEY = 'CANARY_TOKEN'
const defer = stopAfterEach()

describe('leak canary: provider error paths', () => {
  const canary = useLeakCanary()

  it.each(Object.keys(TARGETS))(
    '%s: a read error, a write error and a cut-off answer never carry the canary',
    async (store) => {
      const target = await TARGETS[store]!()
      defer(() => target.stop())
      const events: AccessEvent[] = []
      const provider = target.provider()
      const manager = new ConfigManager({
        secrets: [provider],
        allowWrites: true,
        retry: 0,
        cache: { staleIfError: 0 },
        onAccess: (e) => events.push(e),
      })
      defer(() => manager.close())
      // The value is in the store (written through the provider, so its wire form is the real one).
      await manager.set(KEY, VALUE)
      expect(((await manager.get(KEY, { fresh: true })) as Secret).reveal()).toBe(VALUE)

      const errors: unknown[] = []
      const fail = async (fn: () => Promise<unknown>) => {
        const { error } = await canary.attempt(fn)
        errors.push(error)
      }
      for (const status of [400, 403, 500]) {
        target.faults.errorRate(1, { status, message: `store says ${VALUE}, rejected ${WRITTEN} for ${KEY}` })
        await fail(() => manager.get(KEY, { fresh: true }))
        await fail(() => manager.getWithMetadata(KEY, { fresh: true }))
        await fail(() => manager.set(KEY, WRITTEN))
        target.faults.clear()
      }
      const injected = target.faults.injected('error')
      target.faults.truncate(1)
      await fail(() => manager.get(KEY, { fresh: true }))
      target.faults.clear()
      const health = await manager.health()
      canary.see('health', health)
      canary.see('provider', provider)
      canary.see('manager', manager)
      canary.see('onAccess', events)

      // Every call failed with a typed error that reached the store's answer.
      expect(injected).toBeGreaterThanOrEqual(9)
      expect(target.faults.injected('truncate')).toBeGreaterThan(0)
      expect(errors).toHaveLength(10)
      for (const error of errors) expect(error).toBeInstanceOf(PolysecretError)
      expect(canary.text()).toContain(KEY)
      canary.expectNoLeak([CANARY, WRITTEN])
      // and the value was really there to be leaked
      expect(((await manager.get(KEY, { fresh: true })) as Secret).reveal()).toBe(VALUE)
    },
  )

  it('never shows a provider credential in inspect, JSON or errors', async () => {
    const CREDENTIAL = 'canary-cred-0e7b5d3c-SECRET-KEY'
    const sm = await startFake('aws-secrets-manager', { secrets: { DB: 'x' } })
    defer(() => sm.stop())
    const ssm = await startFake('aws-ssm')
    defer(() => ssm.stop())
    const ac = await startFake('azure-app-configuration', { settings: [{ key: 'A', value: 'a' }] })
    defer(() => ac.stop())
    const acSecret = /Secret=([^;]+)/.exec(ac.connectionString)![1]!
    const credentials = { accessKeyId: 'AKIDCANARY', secretAccessKey: CREDENTIAL }
    const providers = [
      secretsManager({ region: 'us-east-1', endpoint: sm.endpoint, credentials, maxAttempts: 1 }),
      parameterStore({ region: 'us-east-1', endpoint: ssm.endpoint, credentials, maxAttempts: 1 }),
      appConfiguration({ connectionString: ac.connectionString, clientOptions: ac.clientOptions as never }),
    ]
    for (const provider of providers) {
      const manager = new ConfigManager({ secrets: [provider], retry: 0 })
      defer(() => manager.close())
      canary.see('provider (before use)', provider)
      await canary.attempt(() => manager.get(provider.name === 'azure-app-configuration' ? 'A' : 'DB'))
      await canary.attempt(() => manager.get('MISSING_KEY'))
      canary.see('provider', provider)
      canary.see('manager', manager)
    }
    expect(canary.counts().error).toBeGreaterThanOrEqual(3)
    canary.expectNoLeak([CREDENTIAL, acSecret])
  })
})

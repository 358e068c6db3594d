/**
 * The leak canary over the cloud providers (split from leak-canary.test.ts): each provider's official
 * SDK talks to its fake holding a canary value, and every result, error (with its SDK cause chain),
 * access event, stdout/stderr line and the inspect/JSON of providers and managers is searched for the
 * canary in every encoding (test/support/canary.ts). Error paths whose store text quotes a value for
 * every provider and operation are in provider-errors-leak-canary.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { secretsManager } from '@polysecret/aws'
import { appConfiguration, keyVault } from '@polysecret/azure'
import { type AccessEvent, ConfigManager, type Secret } from '@polysecret/core'
import { parameterManager, secretManager } from '@polysecret/gcp'
import { configMaps, kubernetesSecrets, mountedFiles } from '@polysecret/kubernetes'
import { startFake } from '@polysecret/testing'
import { vaultKv } from '@polysecret/vault'
import { beforeEach, describe, expect, it } from 'vitest'
import { useLeakCanary } from './support/canary.js'

const CANARY = 'canary-7f3a9c1e-LEAK-ME-NOT'
const ROTATED = 'canary-rotated-2b8d4f6a'

describe('leak canary: cloud providers', () => {
  const canary = useLeakCanary()
  const events: AccessEvent[] = []
  const attempt = (fn: () => Promise<unknown>) => canary.attempt(fn)
  beforeEach(() => {
    events.length = 0
  })

  it('never shows the canary through the AWS provider, its SDK errors and its faults', async () => {
    const fake = await startFake('aws-secrets-manager')
    try {
      fake.seed({ DB_PASSWORD: CANARY, 'app/json': JSON.stringify({ password: CANARY, user: 'app' }) })
      const provider = secretsManager({
        region: 'us-east-1',
        endpoint: fake.endpoint,
        credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret-access-key' },
        maxAttempts: 1,
      })
      const manager = new ConfigManager({
        secrets: [provider],
        allowWrites: true,
        retry: 0,
        onAccess: (e) => events.push(e),
      })
      await attempt(() => manager.get('DB_PASSWORD'))
      await attempt(() => manager.getWithMetadata('app/json#password'))
      await attempt(() => manager.getMany(['DB_PASSWORD', 'app/json#password', 'NOPE']))
      await attempt(() => manager.set('NEW_TOKEN', CANARY))
      await attempt(() => manager.set('NEW_TOKEN', ROTATED, { createOnly: true }))
      await attempt(() => manager.rotate('NEW_TOKEN', { value: ROTATED }))
      await attempt(() => manager.versions('NEW_TOKEN'))
      fake.faults.errorRate(1, { status: 400, type: 'AccessDeniedException', message: `denied ${CANARY}` })
      await attempt(() => manager.get('DB_PASSWORD', { fresh: true }))
      fake.faults.clear()
      fake.faults.errorRate(1, { status: 500 })
      await attempt(() => manager.get('NEW_TOKEN', { fresh: true }))
      canary.see('provider', provider)
      canary.see('manager', manager)
      canary.see('onAccess', events)
      const everything = canary.text()
      expect(everything).toContain('AccessDenied')
      canary.expectNoLeak([CANARY, ROTATED, 'fake-secret-access-key'])
      await manager.close()
    } finally {
      await fake.stop()
    }
  })

  it.each(['grpc', 'rest'] as const)(
    'never shows the canary through the GCP providers over %s, their client errors and faults',
    async (transport) => {
      const sm = await startFake('gcp-secret-manager', {
        secrets: { DB_PASSWORD: CANARY, app_json: JSON.stringify({ password: CANARY }), PLAIN: CANARY },
      })
      const pm = await startFake('gcp-parameter-manager', { secretManager: sm })
      try {
        const ref = `__REF__(//secretmanager.googleapis.com/projects/${sm.projectId}/secrets/DB_PASSWORD/versions/1)`
        pm.seed({ app_config: { format: 'JSON', versions: { v1: JSON.stringify({ conn: ref }) } } })
        const secrets = secretManager({ projectId: sm.projectId, clientOptions: sm.clientOptions(transport) })
        const params = parameterManager({
          projectId: pm.projectId,
          clientOptions: pm.clientOptions(transport),
        })
        const manager = new ConfigManager({
          secrets: [secrets],
          parameters: [params],
          allowWrites: true,
          retry: 0,
          onAccess: (e) => events.push(e),
        })
        await attempt(() => manager.get('DB_PASSWORD'))
        await attempt(() => manager.getWithMetadata('app_json#password'))
        await attempt(() => manager.get('PLAIN#field')) // not JSON: the error must not quote it
        await attempt(() => manager.getWithMetadata('app_config'))
        await attempt(() => manager.get('app_config#conn'))
        await attempt(() => manager.getMany(['DB_PASSWORD', 'app_json#password', 'NOPE']))
        await attempt(() => manager.set('NEW_TOKEN', CANARY, { to: secrets.name }))
        await attempt(() => manager.set('NEW_TOKEN', ROTATED, { createOnly: true, to: secrets.name }))
        await attempt(() => manager.rotate('NEW_TOKEN', { value: ROTATED }))
        await attempt(() => manager.versions('NEW_TOKEN'))
        sm.state.find('secrets/PLAIN')!.versions.get(1)!.crc32c = 1 // a corrupted payload
        await attempt(() => manager.get('PLAIN', { fresh: true }))
        sm.faults.errorRate(1, { type: 'PERMISSION_DENIED', message: `denied ${CANARY}` })
        await attempt(() => manager.get('DB_PASSWORD', { fresh: true }))
        sm.faults.clear()
        sm.faults.errorRate(1, { type: 'UNAVAILABLE', message: `down ${CANARY}` })
        await attempt(() => manager.get('NEW_TOKEN', { fresh: true }))
        canary.see('provider', secrets)
        canary.see('provider', params)
        canary.see('manager', manager)
        canary.see('onAccess', events)
        const everything = canary.text()
        expect(everything).toContain('ACCESS_DENIED')
        expect(everything).toContain('INTEGRITY')
        canary.expectNoLeak([CANARY, ROTATED])
        // and the values were really there to be leaked
        sm.faults.clear()
        expect(((await manager.get('DB_PASSWORD', { fresh: true })) as Secret).reveal()).toBe(CANARY)
        expect(((await manager.get('app_config#conn', { fresh: true })) as Secret).reveal()).toBe(CANARY)
        await manager.close()
      } finally {
        await pm.stop()
        await sm.stop()
      }
    },
  )

  it('never shows the canary through the Azure providers over TLS, their RestErrors, references and faults', async () => {
    const kvFake = await startFake('azure-key-vault', {
      secrets: {
        'db-password': CANARY,
        'app-json': JSON.stringify({ password: CANARY }),
        plain: CANARY,
        'off-token': { value: CANARY, enabled: false },
        'old-token': { value: CANARY, expiresOn: new Date(Date.now() - 60_000) },
      },
    })
    const acFake = await startFake('azure-app-configuration', {
      settings: [
        { key: 'DB_CONN', keyVaultRef: { vault: kvFake, name: 'db-password' } },
        {
          key: 'BROKEN_REF',
          value: `{"uri":"${CANARY}"}`,
          contentType: 'application/vnd.microsoft.appconfig.keyvaultref+json;charset=utf-8',
        },
      ],
    })
    try {
      const secrets = keyVault({
        vaultUrl: kvFake.vaultUrl,
        credential: kvFake.credential,
        clientOptions: kvFake.clientOptions as never,
      })
      const params = appConfiguration({
        connectionString: acFake.connectionString,
        clientOptions: acFake.clientOptions as never,
        keyVault: secrets,
      })
      const manager = new ConfigManager({
        secrets: [secrets],
        parameters: [params],
        allowWrites: true,
        retry: 0,
        onAccess: (e) => events.push(e),
      })
      await attempt(() => manager.get('DB_PASSWORD'))
      await attempt(() => manager.getWithMetadata('APP_JSON#password'))
      await attempt(() => manager.get('PLAIN#field')) // not JSON: the error must not quote it
      await attempt(() => manager.get('OFF_TOKEN'))
      await attempt(() => manager.get('OLD_TOKEN'))
      await attempt(() => manager.getWithMetadata('DB_CONN'))
      await attempt(() => manager.get('BROKEN_REF'))
      await attempt(() => manager.getMany(['DB_PASSWORD', 'DB_CONN', 'BROKEN_REF', 'NOPE']))
      await attempt(() => manager.set('NEW_TOKEN', CANARY, { to: secrets.name }))
      await attempt(() => manager.set('NEW_TOKEN', ROTATED, { createOnly: true, to: secrets.name }))
      await attempt(() => manager.rotate('NEW_TOKEN', { value: ROTATED }))
      await attempt(() => manager.versions('NEW_TOKEN'))
      await attempt(() => manager.set('DB_CONN', CANARY, { to: params.name })) // refused: a reference
      kvFake.faults.errorRate(1, { status: 403, message: `denied ${CANARY}` })
      await attempt(() => manager.get('DB_PASSWORD', { fresh: true }))
      kvFake.faults.clear()
      acFake.faults.errorRate(1, { status: 503, message: `down ${CANARY}` })
      await attempt(() => manager.get('DB_CONN', { fresh: true }))
      acFake.faults.clear()
      canary.see('provider', secrets)
      canary.see('provider', params)
      canary.see('manager', manager)
      canary.see('onAccess', events)
      const everything = canary.text()
      expect(everything).toContain('ACCESS_DENIED')
      expect(everything).toContain('VALIDATION')
      canary.expectNoLeak([CANARY, ROTATED])
      // and the values were really there to be leaked
      expect(((await manager.get('DB_PASSWORD', { fresh: true })) as Secret).reveal()).toBe(CANARY)
      expect(((await manager.get('DB_CONN', { fresh: true })) as Secret).reveal()).toBe(CANARY)
      await manager.close()
    } finally {
      await acFake.stop()
      await kvFake.stop()
    }
  })

  it('never shows the canary through the Kubernetes providers, their ApiExceptions, watch stream and faults', async () => {
    const fake = await startFake('kubernetes', {
      namespaces: ['apps'],
      secrets: {
        'apps/db': {
          data: { DB_PASSWORD: CANARY, app_json: JSON.stringify({ password: CANARY }), PLAIN: CANARY },
        },
      },
      configMaps: { 'apps/cfg': { data: { APP_URL: 'https://x' } } },
    })
    const dir = mkdtempSync(join(tmpdir(), 'polysecret-canary-volume-'))
    writeFileSync(join(dir, 'VOLUME_TOKEN'), CANARY)
    try {
      const secrets = kubernetesSecrets({ namespace: 'apps', name: 'db', kubeconfig: fake.kubeconfig })
      const params = configMaps({ namespace: 'apps', name: 'cfg', kubeconfig: fake.kubeconfig })
      const volume = mountedFiles({ dir, name: 'volume' })
      const manager = new ConfigManager({
        secrets: [secrets, volume],
        parameters: [params],
        allowWrites: true,
        retry: 0,
        onAccess: (e) => events.push(e),
      })
      const watcher = await manager.watch(['DB_PASSWORD'], () => undefined, {
        interval: 3_600_000,
        onError: (e) => canary.see('watch onError', e),
      })
      await attempt(() => manager.get('DB_PASSWORD'))
      await attempt(() => manager.get('VOLUME_TOKEN'))
      await attempt(() => manager.getWithMetadata('app_json#password'))
      await attempt(() => manager.get('PLAIN#field')) // not JSON: the error must not quote it
      await attempt(() => manager.getMany(['DB_PASSWORD', 'app_json#password', 'NOPE']))
      await attempt(() => manager.set('NEW_TOKEN', CANARY, { to: secrets.name }))
      await attempt(() => manager.set('NEW_TOKEN', ROTATED, { createOnly: true, to: secrets.name }))
      await attempt(() => manager.set('BIG_TOKEN', CANARY.repeat(200_000), { to: secrets.name }))
      fake.faults.errorRate(1, { status: 403, message: `denied ${CANARY}` })
      await attempt(() => manager.get('DB_PASSWORD', { fresh: true }))
      fake.faults.clear()
      fake.faults.errorRate(1, { status: 422, message: `invalid ${CANARY}`, operations: ['update secrets'] })
      await attempt(() => manager.set('NEW_TOKEN', ROTATED, { to: secrets.name }))
      fake.faults.clear()
      fake.faults.errorRate(1, { status: 503, message: `down ${CANARY}` })
      fake.closeWatches() // the stream reconnects into the 503s
      await attempt(() => manager.get('NEW_TOKEN', { fresh: true }))
      fake.faults.clear()
      watcher.close()
      canary.see('provider', secrets)
      canary.see('provider', params)
      canary.see('provider', volume)
      canary.see('manager', manager)
      canary.see('onAccess', events)
      const everything = canary.text()
      expect(everything).toContain('ACCESS_DENIED')
      canary.expectNoLeak([CANARY, ROTATED, fake.token])
      // and the values were really there to be leaked
      expect(((await manager.get('DB_PASSWORD', { fresh: true })) as Secret).reveal()).toBe(CANARY)
      expect(((await manager.get('VOLUME_TOKEN', { fresh: true })) as Secret).reveal()).toBe(CANARY)
      await manager.close()
    } finally {
      await fake.stop()
    }
  })

  it('never shows the canary through the Vault provider, node-vault errors, logins and faults', async () => {
    const fake = await startFake('vault', {
      secrets: { 'secret/app/db': { password: CANARY, PLAIN: CANARY }, 'kv1/legacy': { value: CANARY } },
    })
    fake.definePolicy('app', [{ path: 'secret/data/app/*', capabilities: ['read', 'create', 'update'] }])
    const { roleId, secretId } = fake.createAppRole({ policies: ['app'] })
    try {
      const vault = vaultKv({
        endpoint: fake.endpoint,
        mount: 'secret',
        auth: { appRole: { roleId, secretId } },
      })
      const legacy = vaultKv({
        endpoint: fake.endpoint,
        mount: 'kv1',
        version: 1,
        auth: fake.rootToken,
        providerName: 'legacy',
      })
      const wrongLogin = vaultKv({
        endpoint: fake.endpoint,
        mount: 'secret',
        providerName: 'wrong-login',
        auth: { appRole: { roleId, secretId: CANARY } },
      })
      const manager = new ConfigManager({
        secrets: [vault, legacy],
        allowWrites: true,
        retry: 0,
        onAccess: (e) => events.push(e),
      })
      await attempt(() => manager.get('app/db#password'))
      await attempt(() => manager.getWithMetadata('app/db#PLAIN'))
      await attempt(() => manager.get('legacy')) // AccessDenied from the AppRole's policy
      await attempt(() => manager.getMany(['app/db#password', 'app/db#nope', 'NOPE']))
      await attempt(() => manager.set('app/new#token', CANARY, { to: vault.name }))
      await attempt(() => manager.set('app/new#token', ROTATED, { createOnly: true, to: vault.name }))
      await attempt(() => manager.set('app/db#password', ROTATED, { ifVersion: '99', to: vault.name }))
      await attempt(() => manager.set('outside/policy', CANARY, { to: vault.name }))
      await attempt(() => wrongLogin.get('app/db#password'))
      fake.faults.errorRate(1, { status: 400, message: `invalid ${CANARY}`, operations: ['kv2.write'] })
      await attempt(() => manager.set('app/new#token', ROTATED, { to: vault.name }))
      fake.faults.clear()
      fake.faults.errorRate(1, { status: 500, message: `down ${CANARY}` })
      await attempt(() => manager.get('app/db#password', { fresh: true }))
      fake.faults.clear()
      fake.seal()
      await attempt(() => manager.get('app/db#password', { fresh: true }))
      await attempt(() => manager.health())
      fake.unseal()
      canary.see('provider', vault)
      canary.see('provider', legacy)
      canary.see('provider', wrongLogin)
      canary.see('manager', manager)
      canary.see('onAccess', events)
      const everything = canary.text()
      expect(everything).toContain('ACCESS_DENIED')
      canary.expectNoLeak([CANARY, ROTATED, fake.rootToken, secretId])
      // and the values were really there to be leaked
      expect(((await manager.get('app/db#password', { fresh: true })) as Secret).reveal()).toBe(CANARY)
      expect((await legacy.get('legacy'))?.value).toBe(CANARY)
      await manager.close()
    } finally {
      await fake.stop()
    }
  })
})

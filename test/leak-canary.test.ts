/**
 * The leak canary: drive the whole API with a canary secret and capture everything a person or a log
 * pipeline could see — stdout, stderr, every error (message, stack, cause chain, inspect), every access
 * event, every value's inspect/JSON/string form. The canary must appear nowhere.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { format, inspect } from 'node:util'
import { secretsManager } from '@polysecret/aws'
import { appConfiguration, keyVault } from '@polysecret/azure'
import {
  type AccessEvent,
  ConfigManager,
  ConfigValidationError,
  dotenv,
  encryptedFile,
  memory,
  PolysecretError,
  Secret,
  UnavailableError,
} from '@polysecret/core'
import { parameterManager, secretManager } from '@polysecret/gcp'
import { configMaps, kubernetesSecrets, mountedFiles } from '@polysecret/kubernetes'
import { instrument, startFake } from '@polysecret/testing'
import * as v from 'valibot'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'

const CANARY = 'canary-7f3a9c1e-LEAK-ME-NOT'
const ROTATED = 'canary-rotated-2b8d4f6a'

describe('leak canary', () => {
  const seen: string[] = []
  const events: AccessEvent[] = []
  const writes = { out: process.stdout.write, err: process.stderr.write }

  const see = (value: unknown) => {
    seen.push(inspect(value, { depth: 20, showHidden: true, getters: true }))
    try {
      seen.push(JSON.stringify(value) ?? '')
    } catch {
      // circular: inspect above covers it
    }
    seen.push(String(value))
    if (value instanceof Error) {
      let e: unknown = value
      for (let depth = 0; e instanceof Error && depth < 10; depth++, e = e.cause)
        seen.push(e.message, e.stack ?? '', inspect(e, { showHidden: true, depth: 20 }))
    }
  }
  const attempt = async (fn: () => Promise<unknown>) => {
    try {
      const result = await fn()
      see(result)
      console.log(result)
      console.error('result:', result)
    } catch (error) {
      see(error)
      console.error(error)
    }
  }

  beforeEach(() => {
    seen.length = 0
    events.length = 0
    const capture = (chunk: unknown) => {
      seen.push(String(chunk))
      return true
    }
    process.stdout.write = capture as typeof process.stdout.write
    process.stderr.write = capture as typeof process.stderr.write
    // vitest routes console output around process.stdout; capture it as console would format it
    for (const method of ['log', 'error', 'warn', 'info', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void seen.push(format(...args)))
    }
  })
  afterEach(() => {
    process.stdout.write = writes.out
    process.stderr.write = writes.err
    vi.restoreAllMocks()
  })

  it('never shows the canary, whatever the API is asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canary-'))
    writeFileSync(join(dir, '.env'), `API_TOKEN=${CANARY}\nBROKEN_PORT=${CANARY}\n`)
    const file = encryptedFile({
      path: join(dir, 'secrets.enc'),
      passphrase: 'demo-passphrase',
      scrypt: { N: 1024 },
    })
    await file.set!('DB_PASSWORD', CANARY)
    const flaky = instrument(memory({ DB_PASSWORD: CANARY, PRIVATE_KEY: CANARY }, { name: 'flaky' }))
    const manager = new ConfigManager({
      secrets: [flaky.provider, file, dotenv({ path: join(dir, '.env') })],
      parameters: [
        dotenv({ path: join(dir, '.env') }),
        memory({ NUMERIC_LIMIT: CANARY }, { name: 'params' }),
      ],
      allowWrites: true,
      retry: 0,
      onAccess: (e) => events.push(e),
    })

    await attempt(() => manager.get('DB_PASSWORD'))
    await attempt(() => manager.getSecret('API_TOKEN'))
    await attempt(() => manager.getWithMetadata('DB_PASSWORD'))
    await attempt(() => manager.getMany(['DB_PASSWORD', 'API_TOKEN', 'PRIVATE_KEY', 'MISSING_KEY']))
    await attempt(() => manager.getByPrefix('DB_'))
    await attempt(() =>
      manager.load(z.object({ DB_PASSWORD: z.instanceof(Secret), API_TOKEN: z.instanceof(Secret) })),
    )
    // what most users write: plain strings, which the config object prints masked
    await attempt(() => manager.load(z.object({ DB_PASSWORD: z.string(), API_TOKEN: z.string() })))
    // invalid config: the messages must not quote the values
    await attempt(() =>
      manager.load(
        z.object({
          DB_PASSWORD: z.string().email(),
          API_TOKEN: z.number(),
          BROKEN_PORT: z.number(),
          NUMERIC_LIMIT: z.coerce.number().int(),
        }),
      ),
    )
    await attempt(() => manager.load(z.object({ DB_PASSWORD: z.string().refine((v) => v.length > 1000) })))
    // writes, rotation, versions, rollback
    await attempt(() => manager.set('NEW_SECRET', CANARY, { to: ['flaky', 'encrypted-file'] }))
    await attempt(() => manager.set('NEW_SECRET', CANARY, { createOnly: true, to: 'encrypted-file' }))
    await attempt(() => manager.set('NEW_SECRET', CANARY, { ifVersion: 'nope', to: 'encrypted-file' }))
    await attempt(() => manager.rotate('DB_PASSWORD', { value: ROTATED, to: 'encrypted-file' }))
    await attempt(() => manager.versions('DB_PASSWORD', { provider: 'encrypted-file' }))
    await attempt(() => manager.rollback('DB_PASSWORD', '1', { provider: 'encrypted-file' }))
    // the store fails with the value in its error message
    flaky.setFault(() => new Error(`backend said: SecretString=${CANARY} password=${CANARY}`))
    manager.clear()
    await attempt(() => manager.get('PRIVATE_KEY'))
    flaky.setFault(() => new UnavailableError({ provider: 'flaky', cause: new Error(`payload ${CANARY}`) }))
    await attempt(() => manager.get('PRIVATE_KEY', { fresh: true }))
    // watch events
    const changes: unknown[] = []
    flaky.setFault(undefined)
    const watcher = await manager.watch(['NEW_SECRET'], (...args) => changes.push(args), {
      interval: 20,
      onError: see,
    })
    await flaky.provider.set!('NEW_SECRET', ROTATED)
    await new Promise((r) => setTimeout(r, 120))
    watcher.close()
    see(changes)
    await attempt(() => manager.health())
    see(manager)
    see(file)
    see(events)

    expect(events.length).toBeGreaterThan(10)
    expect(changes.length).toBeGreaterThan(0)
    const everything = seen.join('\n')
    expect(everything.length).toBeGreaterThan(1000)
    const at = everything.indexOf(CANARY)
    if (at >= 0)
      writes.err.call(
        process.stderr,
        `\nLEAK CONTEXT: ${everything.slice(Math.max(0, at - 600), at + 100)}\n`,
      )
    expect(everything).not.toContain(CANARY)
    expect(everything).not.toContain(ROTATED)
    expect(everything).not.toContain('demo-passphrase')
    // and the values were really there to be leaked
    expect(((await manager.get('API_TOKEN')) as Secret).reveal()).toBe(CANARY)
    expect(
      seen.some(
        (s) =>
          s.includes('PolysecretError') || s.includes('NotFoundError') || s.includes('ConfigValidationError'),
      ),
    ).toBe(true)
  })

  it('never shows a value it has never read, nor one being written, through any channel', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    // Values this process has never wrapped: nothing can scrub them by value, so no store text may pass.
    const cold = 'cold-canary-3e9d0b71-NEVER-READ'
    const writing = 'write canary/5a1f+c0de=NEW'
    const rejected = 'live-canary-NOT-IN-LIST-42'
    const forms = (v: string) => [
      v,
      encodeURIComponent(v),
      Buffer.from(v).toString('base64'),
      v.toUpperCase(),
      JSON.stringify({ SecretString: v }).replace(/"/g, '\\"'),
    ]
    const quoting = (v: string) => forms(v).join(' | ')
    const store = instrument(memory({ COLD_PASSWORD: cold, LIVE_TOKEN: 'live-1' }, { name: 'vault' }))
    const manager = new ConfigManager({
      secrets: [store.provider],
      allowWrites: true,
      retry: 0,
      cache: { staleIfError: 0 },
      onAccess: (e) => events.push(e),
    })
    const errors: unknown[] = []
    const collect = async (fn: () => Promise<unknown>) => {
      await attempt(() => fn().catch((e) => Promise.reject(errors.push(e) && e)))
    }

    // a store error quoting a value never read, on every read path
    store.setFault(({ operation }) =>
      operation === 'get' || operation === 'getMany'
        ? Object.assign(new Error(`backend dump: ${quoting(cold)}`), { name: `Dump ${cold}` })
        : undefined,
    )
    await collect(() => manager.get('COLD_PASSWORD'))
    await collect(() => manager.getWithMetadata('COLD_PASSWORD'))
    const many = await manager.getMany(['COLD_PASSWORD'])
    see(many)
    errors.push(...Object.values(many.errors))
    await collect(() => manager.load(z.object({ COLD_PASSWORD: z.string() })))
    // a write whose store error quotes the value being written
    store.setFault(({ operation }) =>
      operation === 'set' ? new Error(`rejected value ${quoting(writing)}`) : undefined,
    )
    await collect(() => manager.set('NEW_PASSWORD', writing))
    await collect(() => manager.rotate('NEW_PASSWORD', { value: writing }))
    // list / getByPrefix and health of a failing store
    store.setFault(({ operation }) =>
      operation === 'list' || operation === 'health'
        ? Object.assign(new Error(`listing saw ${quoting(cold)}`), { name: `Odd${cold}` })
        : undefined,
    )
    await collect(() => manager.list('COLD_'))
    await collect(() => manager.getByPrefix('COLD_'))
    const health = await manager.health()
    see(health)
    console.log(health)
    // a live config's onError: a failed poll and a rejected (invalid) new value
    store.setFault(undefined)
    const liveErrors: unknown[] = []
    const live = await manager.load(v.object({ LIVE_TOKEN: v.picklist(['live-1', 'live-2']) }), {
      watch: true,
      interval: 1000,
      onError: (e) => liveErrors.push(e),
    })
    store.setFault(({ operation }) =>
      operation === 'get' ? new Error(`poll read ${quoting(cold)}`) : undefined,
    )
    await vi.advanceTimersByTimeAsync(1200)
    store.setFault(undefined)
    // not in the picklist: rejected, and valibot's default message quotes what it received
    await store.provider.set!('LIVE_TOKEN', rejected)
    await vi.advanceTimersByTimeAsync(1200)
    see(live)
    console.log(live)
    live.close()
    for (const e of [...errors, ...liveErrors]) see(e)
    vi.useRealTimers()

    // get, getWithMetadata, getMany, load, set, rotate, list, getByPrefix: each failed, each was inspected
    expect(errors.length).toBe(8)
    for (const e of errors) expect(e).toBeInstanceOf(PolysecretError)
    expect(liveErrors.some((e) => e instanceof ConfigValidationError)).toBe(true)
    expect(liveErrors.some((e) => e instanceof UnavailableError)).toBe(true)
    expect(health[0]).toMatchObject({ provider: 'vault', ok: false })
    const everything = seen.join('\n')
    for (const leak of [...forms(cold), ...forms(writing), cold.slice(0, 8), writing.slice(0, 8), rejected]) {
      const at = everything.indexOf(leak)
      if (at >= 0)
        writes.err.call(
          process.stderr,
          `\nLEAK CONTEXT: ${everything.slice(Math.max(0, at - 600), at + 100)}\n`,
        )
      expect(everything).not.toContain(leak)
    }
    // and the values were really there to be leaked
    store.setFault(undefined)
    expect(((await manager.get('COLD_PASSWORD', { fresh: true })) as Secret).reveal()).toBe(cold)
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
      see(provider)
      see(manager)
      see(events)
      const everything = seen.join('\n')
      const at = everything.indexOf(CANARY)
      if (at >= 0)
        writes.err.call(
          process.stderr,
          `\nLEAK CONTEXT: ${everything.slice(Math.max(0, at - 800), at + 100)}\n`,
        )
      expect(everything).toContain('AccessDenied')
      expect(everything).not.toContain(CANARY)
      expect(everything).not.toContain(ROTATED)
      expect(everything).not.toContain('fake-secret-access-key')
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
        see(secrets)
        see(params)
        see(manager)
        see(events)
        const everything = seen.join('\n')
        const at = everything.indexOf(CANARY)
        if (at >= 0)
          writes.err.call(
            process.stderr,
            `\nLEAK CONTEXT: ${everything.slice(Math.max(0, at - 800), at + 100)}\n`,
          )
        expect(everything).toContain('ACCESS_DENIED')
        expect(everything).toContain('INTEGRITY')
        expect(everything).not.toContain(CANARY)
        expect(everything).not.toContain(ROTATED)
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
      see(secrets)
      see(params)
      see(manager)
      see(events)
      const everything = seen.join('\n')
      const at = everything.indexOf(CANARY)
      if (at >= 0)
        writes.err.call(
          process.stderr,
          `\nLEAK CONTEXT: ${everything.slice(Math.max(0, at - 800), at + 100)}\n`,
        )
      expect(everything).toContain('ACCESS_DENIED')
      expect(everything).toContain('VALIDATION')
      expect(everything).not.toContain(CANARY)
      expect(everything).not.toContain(ROTATED)
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
        onError: (e) => seen.push(inspect(e, { depth: 10 })),
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
      see(secrets)
      see(params)
      see(volume)
      see(manager)
      see(events)
      const everything = seen.join('\n')
      const at = everything.indexOf(CANARY)
      if (at >= 0)
        writes.err.call(
          process.stderr,
          `\nLEAK CONTEXT: ${everything.slice(Math.max(0, at - 800), at + 100)}\n`,
        )
      expect(everything).toContain('ACCESS_DENIED')
      expect(everything).not.toContain(CANARY)
      expect(everything).not.toContain(ROTATED)
      expect(everything).not.toContain(fake.token)
      // and the values were really there to be leaked
      expect(((await manager.get('DB_PASSWORD', { fresh: true })) as Secret).reveal()).toBe(CANARY)
      expect(((await manager.get('VOLUME_TOKEN', { fresh: true })) as Secret).reveal()).toBe(CANARY)
      await manager.close()
    } finally {
      await fake.stop()
    }
  })
})

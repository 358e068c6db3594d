/**
 * The leak canary: drive the whole API with a canary secret and capture everything a person or a log
 * pipeline could see — stdout, stderr, every error (message, stack, cause chain, inspect), every access
 * event, every value's inspect/JSON/string form. The canary must appear nowhere, in no encoding
 * (test/support/canary.ts). The cloud providers have their own file: leak-canary-clouds.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
import { instrument } from '@polysecret/testing'
import * as v from 'valibot'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { useLeakCanary } from './support/canary.js'

const CANARY = 'canary-7f3a9c1e-LEAK-ME-NOT'
const ROTATED = 'canary-rotated-2b8d4f6a'

describe('leak canary', () => {
  const canary = useLeakCanary()
  const events: AccessEvent[] = []
  const attempt = (fn: () => Promise<unknown>) => canary.attempt(fn)
  beforeEach(() => {
    events.length = 0
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
      onError: (e) => canary.see('watch onError', e),
    })
    await flaky.provider.set!('NEW_SECRET', ROTATED)
    await new Promise((r) => setTimeout(r, 120))
    watcher.close()
    canary.see('watch callback', changes)
    await attempt(() => manager.health())
    canary.see('manager', manager)
    canary.see('provider', file)
    canary.see('onAccess', events)

    expect(events.length).toBeGreaterThan(10)
    expect(changes.length).toBeGreaterThan(0)
    expect(canary.text().length).toBeGreaterThan(1000)
    canary.expectNoLeak([CANARY, ROTATED, 'demo-passphrase'])
    // and the values were really there to be leaked
    expect(((await manager.get('API_TOKEN')) as Secret).reveal()).toBe(CANARY)
    expect(canary.text()).toMatch(/PolysecretError|NotFoundError|ConfigValidationError/)
  })

  it('never shows a value it has never read, nor one being written, through any channel', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    // Values this process has never wrapped: nothing can scrub them by value, so no store text may pass.
    const cold = 'cold-canary-3e9d0b71-NEVER-READ'
    const writing = 'write canary/5a1f+c0de=NEW'
    const rejected = 'live-canary-NOT-IN-LIST-42'
    // what the store's messages quote; the canary searches the plain encodings of each value anyway
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
    canary.see('result', many)
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
    canary.see('health', health)
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
    canary.see('live config', live)
    console.log(live)
    live.close()
    for (const e of errors) canary.see('error', e)
    for (const e of liveErrors) canary.see('live onError', e)
    vi.useRealTimers()

    // get, getWithMetadata, getMany, load, set, rotate, list, getByPrefix: each failed, each was inspected
    expect(errors.length).toBe(8)
    for (const e of errors) expect(e).toBeInstanceOf(PolysecretError)
    expect(liveErrors.some((e) => e instanceof ConfigValidationError)).toBe(true)
    expect(liveErrors.some((e) => e instanceof UnavailableError)).toBe(true)
    expect(health[0]).toMatchObject({ provider: 'vault', ok: false })
    canary.expectNoLeak([cold, writing, rejected], {
      extra: [...forms(cold), ...forms(writing), cold.slice(0, 8), writing.slice(0, 8)],
    })
    // and the values were really there to be leaked
    store.setFault(undefined)
    expect(((await manager.get('COLD_PASSWORD', { fresh: true })) as Secret).reveal()).toBe(cold)
  })
})

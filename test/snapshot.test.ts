/**
 * The offline snapshot over the wire: the real AWS SDK against the Secrets Manager fake, taken down
 * (connections refused) to simulate an outage at startup. A manager that has read its secrets once
 * writes an encrypted snapshot; a new manager started while the store is unreachable serves it,
 * marked stale, and switches to the store's values once it answers.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { secretsManager } from '@polysecret/aws'
import {
  AccessDeniedError,
  type AccessEvent,
  ConfigManager,
  createManager,
  encryptedFile,
  IntegrityError,
  NotFoundError,
  type PolysecretError,
  Secret,
  SnapshotExpiredError,
  type SnapshotOptions,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { FAKE_AWS } from './support/aws.js'
import { stopAfterEach } from './support/cleanup.js'

const defer = stopAfterEach()
const KEY = randomBytes(32).toString('hex')
const VALUES = { DB_PASSWORD: 'pw-from-store-1', API_TOKEN: 'token-from-store-1' }
const schema = z.object({ DB_PASSWORD: z.string(), API_TOKEN: z.string() })

async function store() {
  const sm = await startFake('aws-secrets-manager', { secrets: VALUES })
  defer(() => sm.stop())
  return sm
}

type Fake = Awaited<ReturnType<typeof store>>

function snapshotPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'polysecret-snapshot-')), 'secrets.snapshot')
}

/** A manager over the fake with a snapshot; `events` collects its access events. */
function manager(sm: Fake, snapshot: Partial<SnapshotOptions> & { path: string }, name?: string) {
  const events: AccessEvent[] = []
  const m = new ConfigManager({
    secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1, ...(name && { name }) })],
    retry: { retries: 1, baseDelay: 1 },
    snapshot: { key: KEY, retryInterval: 5, ...snapshot },
    onAccess: (e) => events.push(e),
  })
  defer(() => m.close())
  return { m, events }
}

/** Reads everything once with the store up, and closes (which writes the snapshot). */
async function writeSnapshot(sm: Fake, options: Partial<SnapshotOptions> & { path: string }) {
  const { m } = manager(sm, options)
  await m.load(schema)
  await m.close()
}

describe('offline start from an encrypted snapshot (AWS fake, real SDK)', () => {
  it('an outage at startup with a snapshot: values served stale from it, then replaced by the store', async () => {
    const sm = await store()
    const path = snapshotPath()
    await writeSnapshot(sm, { path })
    // The file: mode 0600, and no value in its bytes.
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const bytes = readFileSync(path)
    for (const value of Object.values(VALUES)) expect(bytes.includes(value)).toBe(false)

    await sm.faults.down()
    const { m, events } = manager(sm, { path })
    const meta = await m.getWithMetadata('DB_PASSWORD')
    expect(meta).toMatchObject({
      stale: true,
      staleReason: 'snapshot',
      cache: 'stale',
      provider: 'aws-secrets-manager',
      kind: 'secret',
    })
    expect(meta.value).toBeInstanceOf(Secret)
    expect((meta.value as Secret).reveal()).toBe(VALUES.DB_PASSWORD)
    expect(meta.error).toBeInstanceOf(UnavailableError)
    expect(meta.tried).toMatchObject([
      { provider: 'aws-secrets-manager', outcome: 'error', code: 'UNAVAILABLE' },
    ])
    expect(events.at(-1)).toMatchObject({
      key: 'DB_PASSWORD',
      outcome: 'stale',
      staleReason: 'snapshot',
      provider: 'aws-secrets-manager',
    })
    // load() works from the snapshot; secret fields stay masked
    const config = await m.load(schema)
    expect(config.API_TOKEN).toBe(VALUES.API_TOKEN)
    expect(JSON.stringify(config)).not.toContain(VALUES.API_TOKEN)

    // The store changes while this manager cannot reach it, then comes back: the background retries
    // put the store's values in place of the snapshot's without anyone reading.
    await sm.faults.up()
    const writer = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint })],
      allowWrites: true,
    })
    await writer.set('DB_PASSWORD', new Secret('pw-from-store-2'))
    await writer.close()
    await vi.waitFor(() =>
      expect(events.some((e) => e.key === 'DB_PASSWORD' && e.outcome === 'miss')).toBe(true),
    )
    const fresh = await m.getWithMetadata('DB_PASSWORD')
    expect(fresh).toMatchObject({ stale: false, cache: 'fresh' })
    expect((fresh.value as Secret).reveal()).toBe('pw-from-store-2')
  })

  it('a live config started from the snapshot follows the store once it answers', async () => {
    const sm = await store()
    const path = snapshotPath()
    await writeSnapshot(sm, { path })
    await sm.faults.down()
    const { m } = manager(sm, { path })
    const live = await m.load(schema, { watch: true, interval: 10 })
    expect(live.current.DB_PASSWORD).toBe(VALUES.DB_PASSWORD)
    await sm.faults.up()
    const writer = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint })],
      allowWrites: true,
    })
    await writer.set('DB_PASSWORD', new Secret('pw-from-store-2'))
    await writer.close()
    await vi.waitFor(() => expect(live.current.DB_PASSWORD).toBe('pw-from-store-2'))
  })

  it('an outage at startup without a snapshot (none configured, or no file yet) is an UnavailableError', async () => {
    const sm = await store()
    await sm.faults.down()
    const plain = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 })],
      retry: { retries: 1, baseDelay: 1 },
    })
    defer(() => plain.close())
    await expect(plain.get('DB_PASSWORD')).rejects.toBeInstanceOf(UnavailableError)
    const { m, events } = manager(sm, { path: snapshotPath() })
    const error = await m.get('DB_PASSWORD').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect(events.at(-1)).toMatchObject({ outcome: 'error', errorCode: 'UNAVAILABLE' })
  })

  it('a tampered snapshot is refused whole with an IntegrityError, and never overwritten', async () => {
    const sm = await store()
    const path = snapshotPath()
    await writeSnapshot(sm, { path })
    const tampered = readFileSync(path)
    tampered[tampered.length - 20]! ^= 0x01
    writeFileSync(path, tampered)
    await sm.faults.down()
    const problems: PolysecretError[] = []
    const { m } = manager(sm, { path, onError: (e) => problems.push(e) })
    const error = await m.get('DB_PASSWORD').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IntegrityError)
    expect((error as Error).message).toMatch(
      /unreachable for "DB_PASSWORD".*wrong passphrase or key, or the file was modified/,
    )
    expect((error as Error).cause).toBeInstanceOf(UnavailableError)
    const many = await m.getMany(['DB_PASSWORD', 'API_TOKEN'])
    expect(many.values).toEqual({})
    expect(Object.values(many.errors).every((e) => e instanceof IntegrityError)).toBe(true)
    // Once the store answers, reads work, and the file nobody can open is left as it was.
    await sm.faults.up()
    await m.load(schema)
    await m.close()
    expect(readFileSync(path).equals(tampered)).toBe(true)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toBeInstanceOf(IntegrityError)
    expect(problems[0]!.message).toMatch(/never overwrites a file it cannot open/)
  })

  it('a foreign snapshot — another key, another manager, an encrypted store — is an IntegrityError', async () => {
    const sm = await store()
    const path = snapshotPath()
    await writeSnapshot(sm, { path })
    await sm.faults.down()
    const otherKey = manager(sm, { path, key: randomBytes(32).toString('hex') }).m
    await expect(otherKey.get('DB_PASSWORD')).rejects.toThrow(IntegrityError)
    const otherPassphrase = manager(sm, {
      path,
      key: undefined,
      passphrase: 'not the one',
      scrypt: { N: 1024 },
    }).m
    await expect(otherPassphrase.get('DB_PASSWORD')).rejects.toThrow(/locked with a raw key/)
    const otherManager = manager(sm, { path }, 'billing-secrets').m
    const error = await otherManager.get('DB_PASSWORD').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IntegrityError)
    expect((error as Error).message).toMatch(/written by another manager/)
    // An encrypted store under the same key at that path is not a snapshot either.
    const storePath = snapshotPath()
    await encryptedFile({ path: storePath, key: KEY }).set('DB_PASSWORD', 'in-the-local-store')
    const onStore = manager(sm, { path: storePath }).m
    await expect(onStore.get('DB_PASSWORD')).rejects.toThrow(
      /encrypted store \(encryptedFile\), not a snapshot/,
    )
  })

  it('a snapshot value older than maxAge is refused with SnapshotExpiredError', async () => {
    const sm = await store()
    const path = snapshotPath()
    let clock = Date.parse('2025-01-01T00:00:00Z')
    const now = () => clock
    await writeSnapshot(sm, { path, now })
    await sm.faults.down()
    clock += 60 * 60_000 // an hour later: within a 2-hour maxAge
    const within = manager(sm, { path, now, maxAge: 2 * 60 * 60_000 }).m
    expect(((await within.get('DB_PASSWORD')) as Secret).reveal()).toBe(VALUES.DB_PASSWORD)
    const tooOld = manager(sm, { path, now, maxAge: 30 * 60_000 }).m
    const error = await tooOld.get('DB_PASSWORD').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SnapshotExpiredError)
    expect(error).toMatchObject({
      key: 'DB_PASSWORD',
      code: 'SNAPSHOT_EXPIRED',
      maxAge: 30 * 60_000,
      readAt: new Date('2025-01-01T00:00:00Z'),
    })
    expect((error as Error).message).toMatch(
      /read from "aws-secrets-manager" 60 min ago\) is older than snapshot.maxAge \(30 min\)/,
    )
  })

  it('a key removed from the store: served while unreachable, gone once the store answers', async () => {
    const sm = await store()
    const path = snapshotPath()
    await writeSnapshot(sm, { path })
    const writer = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: sm.endpoint })],
      allowWrites: true,
    })
    await writer.delete('API_TOKEN', { force: true })
    await writer.close()
    await sm.faults.down()
    const first = manager(sm, { path }).m
    // Unreachable: the manager cannot know the key is gone, and serves the last known good value.
    expect(((await first.get('API_TOKEN')) as Secret).reveal()).toBe(VALUES.API_TOKEN)
    await sm.faults.up()
    await expect(first.get('API_TOKEN', { fresh: true })).rejects.toBeInstanceOf(NotFoundError)
    await first.close() // writes the snapshot without the key
    await sm.faults.down()
    const second = manager(sm, { path }).m
    expect(((await second.get('DB_PASSWORD')) as Secret).reveal()).toBe(VALUES.DB_PASSWORD)
    await expect(second.get('API_TOKEN')).rejects.toBeInstanceOf(UnavailableError)
  })

  it('not served when the store that held the value answers not-found, even if another store is down', async () => {
    const primary = await startFake('aws-secrets-manager', {})
    defer(() => primary.stop())
    const secondary = await store()
    const path = snapshotPath()
    const chain = () => [
      secretsManager({ ...FAKE_AWS, endpoint: primary.endpoint, maxAttempts: 1, name: 'primary' }),
      secretsManager({ ...FAKE_AWS, endpoint: secondary.endpoint, maxAttempts: 1, name: 'secondary' }),
    ]
    const first = new ConfigManager({ secrets: chain(), snapshot: { path, key: KEY } })
    expect(await first.getWithMetadata('DB_PASSWORD')).toMatchObject({ provider: 'secondary' })
    await first.close()
    const writer = new ConfigManager({
      secrets: [secretsManager({ ...FAKE_AWS, endpoint: secondary.endpoint })],
      allowWrites: true,
    })
    await writer.delete('DB_PASSWORD', { force: true })
    await writer.close()
    await primary.faults.down()
    const second = new ConfigManager({
      secrets: chain(),
      retry: { retries: 1, baseDelay: 1 },
      snapshot: { path, key: KEY },
    })
    defer(() => second.close())
    const error = await second.get('DB_PASSWORD').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect((error as UnavailableError).tried).toMatchObject([
      { provider: 'primary', outcome: 'error', code: 'UNAVAILABLE' },
      { provider: 'secondary', outcome: 'not-found' },
    ])
  })

  it('access denied at startup is never answered from the snapshot', async () => {
    const sm = await store()
    const path = snapshotPath()
    await writeSnapshot(sm, { path })
    sm.faults.errorRate(1, { status: 400, type: 'AccessDeniedException', message: 'not allowed' })
    const { m, events } = manager(sm, { path })
    await expect(m.get('DB_PASSWORD')).rejects.toBeInstanceOf(AccessDeniedError)
    expect(events.some((e) => e.staleReason === 'snapshot')).toBe(false)
  })

  it('comes from a config file: credentials by environment variable name, options checked', async () => {
    const sm = await store()
    const path = snapshotPath()
    await writeSnapshot(sm, { path })
    await sm.faults.down()
    const config = {
      secrets: [{ type: 'aws-secrets-manager', ...FAKE_AWS, endpoint: sm.endpoint, maxAttempts: 1 }],
      retry: { retries: 1, baseDelay: 1 },
      snapshot: { path, keyEnv: 'TEST_SNAPSHOT_KEY', maxAge: 3_600_000 },
    }
    await expect(createManager(config)).rejects.toThrow(/Set TEST_SNAPSHOT_KEY in the environment/)
    vi.stubEnv('TEST_SNAPSHOT_KEY', KEY)
    try {
      const m = await createManager(config)
      defer(() => m.close())
      expect(await m.getWithMetadata('DB_PASSWORD')).toMatchObject({ staleReason: 'snapshot' })
      await expect(
        createManager({ ...config, snapshot: { ...config.snapshot, maxAge: -1 } }),
      ).rejects.toThrow(ValidationError)
      // a typo, as a YAML file could hold it
      const typo = { ...config, snapshot: { ...config.snapshot, maxage: 5 } } as Parameters<
        typeof createManager
      >[0]
      await expect(createManager(typo)).rejects.toThrow(/unknown option maxage/)
    } finally {
      vi.unstubAllEnvs()
    }
  })
})

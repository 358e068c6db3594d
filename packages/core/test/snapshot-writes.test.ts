/**
 * When and what the snapshot writes: coalesced so a busy read loop does not rewrite the file, at once
 * after a successful load(), and the document inside (keys, kinds, versions, provider, readAt, values)
 * in the local store's envelope. Writes are counted at the atomic write's rename.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { setBeforeRenameHookForTests } from '../src/fs/atomic-write.js'
import { ConfigManager, memory, ValidationError } from '../src/index.js'
import { decodeHeader, deriveKey, unseal } from '../src/providers/encrypted-file-format.js'
import { tempDirs } from './fixtures/temp-dir.js'

const KEY = randomBytes(32)
const makeDir = tempDirs()
const tick = () => new Promise((resolve) => setImmediate(resolve))

async function decrypt(path: string): Promise<Record<string, unknown>> {
  const file = readFileSync(path)
  const header = decodeHeader(file, path)
  const plain = unseal(await deriveKey({ key: KEY }, header, path), header, file, path)
  return JSON.parse(plain.toString('utf8'))
}

function counting(): { writes: () => number; stop: () => void } {
  let writes = 0
  setBeforeRenameHookForTests(() => {
    writes++
  })
  return { writes: () => writes, stop: () => setBeforeRenameHookForTests(undefined) }
}

describe('snapshot writes', () => {
  it('a busy read loop writes once, changes wait for writeInterval, close() writes what is pending', async () => {
    const path = join(await makeDir(), 'app.snapshot')
    let clock = 1_000_000
    const store = memory(
      { DB_PASSWORD: 'first-password', APP_PORT: '8080' },
      { name: 'vault', writable: true },
    )
    const manager = new ConfigManager({
      secrets: [store],
      parameters: [store],
      cache: false, // every read asks the store, as a tight refresh loop would
      snapshot: { path, key: KEY, writeInterval: 60_000, now: () => clock },
    })
    const count = counting()
    try {
      await manager.get('DB_PASSWORD')
      await vi.waitFor(() => expect(count.writes()).toBe(1)) // the first read is written at once
      for (let i = 0; i < 200; i++) {
        await manager.get('DB_PASSWORD')
        await manager.get('APP_PORT') // a new key: a change, held back by writeInterval
        await tick() // let due timers run between reads
      }
      await store.set('DB_PASSWORD', 'second-password')
      for (let i = 0; i < 50; i++) {
        await manager.get('DB_PASSWORD')
        await tick()
      }
      expect(count.writes()).toBe(1)
      clock += 60_000 // the interval has passed: the next change is written at once
      await store.set('DB_PASSWORD', 'third-password')
      await manager.get('DB_PASSWORD')
      await vi.waitFor(() => expect(count.writes()).toBe(2))
      await manager.get('DB_PASSWORD') // re-read unchanged: only its read time moved
      await manager.close()
      expect(count.writes()).toBe(3)
    } finally {
      count.stop()
    }
    const doc = await decrypt(path)
    expect(doc).toMatchObject({ format: 'polysecret-snapshot', version: 1 })
    expect(doc.manager).toBe('secrets[memory:vault] parameters[memory:vault]')
    const entries = doc.entries as Record<string, unknown>[]
    expect(entries.map((e) => [e.key, e.kind, e.provider, e.value]).sort()).toEqual([
      ['APP_PORT', 'parameter', 'vault', '8080'],
      ['DB_PASSWORD', 'secret', 'vault', 'third-password'],
    ])
    const password = entries.find((e) => e.key === 'DB_PASSWORD')!
    const [current] = await store.versions('DB_PASSWORD')
    expect(password.version).toBe(current!.version)
    expect(password.readAt).toBe(new Date(clock).toISOString())
  })

  it('a successful load() is written at once, inside writeInterval', async () => {
    const path = join(await makeDir(), 'app.snapshot')
    const store = memory({ DB_PASSWORD: 'pw', API_TOKEN: 'tok' }, { name: 'vault' })
    const manager = new ConfigManager({
      secrets: [store],
      snapshot: { path, key: KEY, writeInterval: 3_600_000, now: () => 5 },
    })
    const count = counting()
    try {
      await manager.get('DB_PASSWORD')
      await vi.waitFor(() => expect(count.writes()).toBe(1))
      await manager.load(z.object({ DB_PASSWORD: z.string(), API_TOKEN: z.string() }))
      await vi.waitFor(() => expect(count.writes()).toBe(2))
      const doc = await decrypt(path)
      expect((doc.entries as { key: string }[]).map((e) => e.key).sort()).toEqual([
        'API_TOKEN',
        'DB_PASSWORD',
      ])
      await manager.close()
    } finally {
      count.stop()
    }
  })

  it('bad options fail the constructor with a ValidationError that never shows the key', () => {
    const secretish = 'zz-not-a-key-zz'
    const make = (snapshot: object) => () =>
      new ConfigManager({ secrets: [memory({})], snapshot: snapshot as never })
    expect(make({ key: KEY })).toThrow(/snapshot.path must be a non-empty string/)
    expect(make({ path: 'x', key: KEY, maxAge: 0 })).toThrow(/snapshot.maxAge must be a positive number/)
    expect(make({ path: 'x', key: KEY, writeInterval: '5s' })).toThrow(/writeInterval must be a non-negative/)
    expect(make({ path: 'x', key: KEY, ttl: 5 })).toThrow(/unknown option ttl/)
    const bad = (() => {
      try {
        make({ path: 'x', key: secretish })()
      } catch (error) {
        return error as Error
      }
    })()
    expect(bad).toBeInstanceOf(ValidationError)
    expect(bad!.message).toMatch(/"key" must be 32 bytes/)
    expect(bad!.message).not.toContain(secretish)
  })
})

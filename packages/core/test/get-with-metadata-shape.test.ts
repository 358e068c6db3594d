import {
  ConfigManager,
  type Entry,
  memory,
  type Provider,
  READ_ONLY,
  Secret,
  UnavailableError,
} from '@polysecret/core'
import { describe, expect, it } from 'vitest'

/** Exactly what getWithMetadata documents (docs/api.md) — no cache internals such as a promise. */
const FIELDS = [
  'cache',
  'cached',
  'key',
  'kind',
  'labels',
  'provider',
  'reason',
  'stale',
  'tried',
  'updatedAt',
  'value',
  'version',
]

describe('getWithMetadata returns exactly its documented fields', () => {
  it('on a miss and on a fresh cache hit', async () => {
    const manager = new ConfigManager({ secrets: [memory({ API_KEY: 'k' }, { name: 'vault' })] })
    const miss = await manager.getWithMetadata('API_KEY')
    expect(Object.keys(miss).sort()).toEqual(FIELDS)
    expect(miss).toMatchObject({ cache: 'miss', cached: false, provider: 'vault', labels: ['current'] })
    expect(miss.value).toBeInstanceOf(Secret)

    const hit = await manager.getWithMetadata('API_KEY')
    expect(Object.keys(hit).sort()).toEqual(FIELDS)
    expect(hit.cache).toBe('fresh')
    expect(Object.values(hit).some((v) => v instanceof Promise)).toBe(false)
    expect('resolved' in hit).toBe(false)
    expect('entry' in hit).toBe(false)
  })

  it('adds staleReason and error only when a stale value is served because the providers failed', async () => {
    let now = 0
    let down = false
    // A store that can go down: the stale-if-error path needs a provider failure after a first read.
    const store: Provider = {
      name: 'flaky',
      type: 'test',
      capabilities: READ_ONLY,
      async get(key): Promise<Entry | undefined> {
        if (down) throw new UnavailableError({ provider: 'flaky', key, message: 'down' })
        return key === 'API_KEY' ? { value: 'k', version: '1' } : undefined
      },
      async health() {
        return { ok: !down }
      },
    }
    const manager = new ConfigManager({
      secrets: [store],
      cache: { ttl: 10, staleIfError: 1_000, now: () => now },
      retry: false,
    })
    await manager.getWithMetadata('API_KEY')
    down = true
    now = 20
    const stale = await manager.getWithMetadata('API_KEY')
    expect(Object.keys(stale).sort()).toEqual([...FIELDS, 'error', 'staleReason'].sort())
    expect(stale).toMatchObject({ stale: true, staleReason: 'error', cache: 'stale' })
    expect(stale.error).toBeInstanceOf(UnavailableError)
    expect(Object.values(stale).some((v) => v instanceof Promise)).toBe(false)
  })
})

/**
 * One heap measurement, run by bench/heap.ts in its own `node --expose-gc` process so nothing else in
 * the heap moves the figure. Prints `{ bytes }` as JSON: heapUsed after filling a cache with 100,000
 * entries minus heapUsed before, both after full garbage collections. Values are created while filling
 * (as a store's response would create them), so the figure includes them.
 */
import { ConfigManager, type Entry, type Provider, READ_ONLY } from '@polysecret/core'
import { LRUCache } from 'lru-cache'

const ENTRIES = 100_000
const CHUNK = 1000
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')

/** Half secrets (a `Secret` each in polysecret), half parameters: `API_TOKEN_000000`, `SETTING_000001`… */
const keys = Array.from({ length: ENTRIES }, (_, i) =>
  i % 2 === 0 ? `API_TOKEN_${String(i).padStart(6, '0')}` : `SETTING_${String(i).padStart(6, '0')}`,
)

/** A new 32-character flat string, as a response parser would produce (not shared with the store). */
function freshValue(key: string): string {
  return JSON.parse(`"${key.slice(-6)}-${'v'.repeat(25)}"`)
}

/** A batching store that makes a fresh value per read, like one answering over the wire. */
function wireLikeStore(): Provider {
  const entry = (key: string): Entry => ({ value: freshValue(key) })
  return {
    name: 'wire',
    type: 'bench',
    capabilities: { ...READ_ONLY, batch: true },
    async get(key) {
      return entry(key)
    },
    async getMany(batch) {
      return { entries: new Map(batch.map((k) => [k, entry(k)])), errors: new Map() }
    },
    async health() {
      return { ok: true }
    },
  }
}

function heapUsed(): number {
  for (let i = 0; i < 4; i++) gc!()
  return process.memoryUsage().heapUsed
}

/** Fills the cache through getMany (as load() does), then reads every key once more with get(). */
async function polysecret(): Promise<unknown> {
  const store = wireLikeStore()
  const manager = new ConfigManager({
    secrets: [store],
    parameters: [store],
    cache: { maxEntries: ENTRIES },
  })
  await manager.get('WARM_UP_SETTING').catch(() => {})
  const before = heapUsed()
  for (let i = 0; i < ENTRIES; i += CHUNK) await manager.getMany(keys.slice(i, i + CHUNK))
  for (const key of keys) await manager.get(key)
  return { bytes: heapUsed() - before, keep: manager }
}

/** The floor: lru-cache holding a small `{ value, expiresAt }` record per key, the same fresh values. */
async function lruCacheSmallRecord(): Promise<unknown> {
  const lru = new LRUCache<string, { value: string; expiresAt: number }>({ max: ENTRIES })
  const before = heapUsed()
  for (const key of keys) lru.set(key, { value: freshValue(key), expiresAt: Date.now() + 60_000 })
  return { bytes: heapUsed() - before, keep: lru }
}

/** The values alone, in an array: what any cache of these entries must hold at least. */
async function valuesOnly(): Promise<unknown> {
  const before = heapUsed()
  const values = keys.map(freshValue)
  return { bytes: heapUsed() - before, keep: values }
}

const scenarios: Record<string, () => Promise<unknown>> = { polysecret, lruCacheSmallRecord, valuesOnly }
const scenario = scenarios[process.argv[2] ?? '']
if (!scenario) throw new Error(`scenario must be one of ${Object.keys(scenarios).join(', ')}`)
const { bytes } = (await scenario()) as { bytes: number }
process.stdout.write(`${JSON.stringify({ bytes, entries: ENTRIES })}\n`)

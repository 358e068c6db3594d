/**
 * Heap of 100,000 cached entries: each scenario of bench/heap-child.ts runs in its own
 * `node --expose-gc` process, three times; the median heapUsed delta is reported.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { median } from './lib.js'

const MiB = 1024 * 1024
const exec = promisify(execFile)

async function measure(scenario: string): Promise<{ mib: number; runsMiB: number[]; entries: number }> {
  const runs: number[] = []
  let entries = 0
  for (let i = 0; i < 3; i++) {
    const { stdout } = await exec(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        '--conditions=source',
        join(import.meta.dirname, 'heap-child.ts'),
        scenario,
      ],
      { cwd: join(import.meta.dirname, '..') },
    )
    const out = JSON.parse(stdout) as { bytes: number; entries: number }
    runs.push(out.bytes / MiB)
    entries = out.entries
  }
  return { mib: median(runs), runsMiB: runs.map((r) => Math.round(r * 100) / 100), entries }
}

export async function heap100k() {
  const polysecret = await measure('polysecret')
  const lruCacheSmallRecord = await measure('lruCacheSmallRecord')
  const valuesOnly = await measure('valuesOnly')
  const entries = polysecret.entries
  return {
    entries,
    polysecretMiB: polysecret.mib,
    lruCacheSmallRecordMiB: lruCacheSmallRecord.mib,
    valuesOnlyMiB: valuesOnly.mib,
    polysecretBytesPerEntryOverValues: ((polysecret.mib - valuesOnly.mib) * MiB) / entries,
    runsMiB: {
      polysecret: polysecret.runsMiB,
      lruCacheSmallRecord: lruCacheSmallRecord.runsMiB,
      valuesOnly: valuesOnly.runsMiB,
    },
    target: 'polysecretMiB <= 48 (values included)',
    note: 'heapUsed after − before filling, after full GCs, in a fresh `node --expose-gc` process per run (median of 3). 100,000 keys, half secrets (API_TOKEN_nnnnnn, a Secret each), half parameters (SETTING_nnnnnn); 32-character values created per read by a batching store, as a response parser would. polysecret: getMany in chunks of 1,000, then get() of every key once more (cache maxEntries 100,000). lruCacheSmallRecord: lru-cache (max 100,000) holding { value, expiresAt } per key. valuesOnly: the same fresh values in an array.',
  }
}

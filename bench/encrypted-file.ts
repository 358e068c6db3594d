/**
 * The embedded encrypted store: unlock (scrypt key derivation) time with the default cost, and read
 * and write latency with 1,000 keys in the file. Each write is a locked read-modify-write of the
 * whole file: decrypt, change, encrypt, temp file, fsync, rename.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigManager, encryptedFile } from '@polysecret/core'
import { fmt, median, timed, writeResults } from './lib.js'

const KEYS = 1000
const RAW_KEY = Buffer.alloc(32, 7).toString('base64') // a raw key skips scrypt, to time the file work alone

async function unlock(dir: string) {
  const path = join(dir, 'unlock.enc')
  await encryptedFile({ path, passphrase: 'benchmark passphrase' }).set!('SEED_SECRET', 'x')
  const runs: number[] = []
  for (let i = 0; i < 5; i++) {
    // A fresh provider has no derived key: its first read runs scrypt with the file's parameters.
    const provider = encryptedFile({ path, passphrase: 'benchmark passphrase' })
    runs.push((await timed(() => provider.get('SEED_SECRET'))).ms)
  }
  return { defaultScrypt: { N: 2 ** 15, r: 8, p: 1 }, unlockMs: median(runs), runsMs: runs }
}

async function readWrite(dir: string) {
  const path = join(dir, 'store.enc')
  const provider = encryptedFile({ path, key: RAW_KEY, history: 3 })
  const writes: number[] = []
  for (let i = 0; i < KEYS; i++)
    writes.push((await timed(() => provider.set!(`SECRET_${i}`, `value-${i}-${'x'.repeat(32)}`))).ms)
  const fileBytes = statSync(path).size
  const reads: number[] = []
  for (let i = 0; i < KEYS; i++) reads.push((await timed(() => provider.get(`SECRET_${(i * 7) % KEYS}`))).ms)
  // A fresh provider: the first read decrypts the whole file (with a raw key: no scrypt).
  const cold = await timed(() => encryptedFile({ path, key: RAW_KEY }).get('SECRET_1'))
  const manager = new ConfigManager({ secrets: [encryptedFile({ path, key: RAW_KEY })] })
  const all = await timed(() => manager.getMany(Array.from({ length: KEYS }, (_, i) => `SECRET_${i}`)))
  const sorted = [...writes].sort((a, b) => a - b)
  return {
    keys: KEYS,
    fileBytes,
    writeMsMedian: median(writes),
    writeMsP95: sorted[Math.floor(sorted.length * 0.95)],
    writeMsLast100Median: median(writes.slice(-100)),
    readMsMedian: median(reads),
    coldFirstReadMs: cold.ms,
    getManyAllKeysMs: all.ms,
  }
}

export async function runEncryptedFile() {
  const dir = mkdtempSync(join(tmpdir(), 'polysecret-bench-'))
  try {
    const figures = { unlock: await unlock(dir), readWrite: await readWrite(dir) }
    const file = writeResults('encrypted-file', figures)
    const { unlock: u, readWrite: r } = figures
    console.log(`encrypted-file (${file})
  unlock (scrypt N=2^15, r=8, p=1)  ${fmt(u.unlockMs, 1)} ms median of 5
  write, 1,000 keys in the file     ${fmt(r.writeMsMedian, 2)} ms median, ${fmt(r.writeMsP95!, 2)} ms p95, ${fmt(r.writeMsLast100Median, 2)} ms median of the last 100 (file ${fmt(r.fileBytes / 1024, 1)} KiB)
  read (warm)                       ${fmt(r.readMsMedian, 3)} ms median; first read of a fresh provider ${fmt(r.coldFirstReadMs, 1)} ms; getMany of all 1,000 keys ${fmt(r.getManyAllKeysMs, 1)} ms`)
    return figures
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Real separate Node processes against one encrypted file: concurrent writers and a crash mid-write. */
import { type ChildProcess, fork } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { encryptedFile } from '../../src/providers/encrypted-file.js'
import { RAW_KEY_HEX } from '../fixtures/encrypted.js'
import { collect, tempDirs } from '../fixtures/temp-dir.js'

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))

function start(worker: string, args: string[]): ChildProcess {
  return fork(join(fixtures, worker), args, {
    cwd: repoRoot, // so `--import tsx` resolves from the workspace root
    execArgv: ['--conditions=source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

const nextMessage = (child: ChildProcess) =>
  new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => reject(new Error(`worker exited early with code ${code}`)))
  })

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )

describe('encryptedFile() across processes', () => {
  const makeDir = tempDirs()

  /** Starts two workers per job, lets all of them go at once, and waits until every one exited cleanly. */
  async function runWorkers(jobs: string[][]) {
    const workers = jobs.map((args) => start('write-worker.ts', args))
    const exits = workers.map(exited)
    await Promise.all(workers.map(nextMessage)) // all loaded
    const done = workers.map(nextMessage)
    for (const w of workers) w.send('go')
    expect(await Promise.all(done)).toEqual(workers.map(() => 'done'))
    expect(await Promise.all(exits)).toEqual(workers.map(() => ({ code: 0, signal: null })))
  }

  // Both shapes of "two processes write 200 times each" run side by side (two files, four processes) to
  // keep the suite fast: 200 different keys each, and 200 versions each of one shared key.
  it('two processes writing 200 keys, or 200 versions of one key, each at the same time lose nothing', async () => {
    const dir = await makeDir()
    const keysPath = join(dir, 'shared.enc')
    const versionsPath = join(dir, 'versions.enc')
    await runWorkers([
      [keysPath, 'A', '200'],
      [keysPath, 'B', '200'],
      [versionsPath, 'A', '200', 'SHARED'],
      [versionsPath, 'B', '200', 'SHARED'],
    ])

    const store = encryptedFile({ path: keysPath, key: RAW_KEY_HEX })
    const keys = (await collect(store.list())).map((k) => k.key)
    expect(keys).toHaveLength(400)
    for (let i = 0; i < 200; i++) {
      expect(keys).toContain(`A_${i}`)
      expect(keys).toContain(`B_${i}`)
    }
    expect((await store.get('B_199'))?.value).toBe('value B 199')
    const ids = new Set((await collect(store.list())).map((k) => k.version))
    expect(ids.size).toBe(400) // every write got its own id: no read-modify-write overlapped

    const history = encryptedFile({ path: versionsPath, key: RAW_KEY_HEX, history: 10_000 })
    const versions = await history.versions('SHARED')
    // Ids 400 … 1, newest first, each handed out once; only the newest is current.
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 400 }, (_, i) => String(400 - i)))
    expect(versions.filter((v) => v.current).map((v) => v.version)).toEqual(['400'])
    const values = await Promise.all(
      versions.map(async (v) => (await history.get('SHARED', { version: v.version }))?.value),
    )
    for (const prefix of ['A', 'B']) {
      // Each process's own writes are all there, in the order it made them.
      const mine = values.filter((v) => String(v).startsWith(`value ${prefix} `)).reverse()
      expect(mine).toEqual(Array.from({ length: 200 }, (_, i) => `value ${prefix} ${i}`))
    }
    expect((await readdir(dir)).sort()).toEqual(['shared.enc', 'versions.enc']) // no lock or temp files left
  }, 30_000)

  it('a writer killed between writing the temp file and the rename leaves the old file readable', async () => {
    const path = join(await makeDir(), 'crash.enc')
    const store = encryptedFile({ path, key: RAW_KEY_HEX })
    await store.set('K', 'old value')

    const worker = start('crash-worker.ts', [path, 'K', 'new value'])
    expect(await exited(worker)).toEqual({ code: null, signal: 'SIGKILL' })
    const left = await readdir(join(path, '..'))
    expect(left).toContain('crash.enc.lock') // the dead writer's lock
    expect(left.filter((f) => f.endsWith('.tmp'))).toHaveLength(1) // its complete, encrypted temp file

    const reader = encryptedFile({ path, key: RAW_KEY_HEX })
    expect((await reader.get('K'))?.value).toBe('old value')
    // The next write takes over the dead process's lock at once and removes the stray temp file.
    // With setTimeout faked and never advanced, a writer that waited for the lock to go stale would
    // never finish: finishing proves the takeover needed no wait.
    vi.useFakeTimers({ toFake: ['setTimeout'] })
    try {
      await reader.set('K', 'newer value')
    } finally {
      vi.useRealTimers()
    }
    expect(await readdir(join(path, '..'))).toEqual(['crash.enc'])
    expect((await store.get('K'))?.value).toBe('newer value')
  }, 30_000)
})

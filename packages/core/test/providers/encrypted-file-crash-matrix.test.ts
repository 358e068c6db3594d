/**
 * Crash matrix for the encrypted store: a real child process is SIGKILLed at every file-system step of
 * a write and of a rekey (the worker counts Node's own fs calls; the library is unchanged). After each
 * kill the file opens with the previous content or the new one — never a mix, never unreadable — and
 * the next writer takes over the dead process's lock and finishes.
 */
import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { IntegrityError } from '../../src/errors.js'
import { encryptedFile } from '../../src/providers/encrypted-file.js'
import { FAST_SCRYPT, PASSPHRASE, RAW_KEY_HEX } from '../fixtures/encrypted.js'
import { tempDirs } from '../fixtures/temp-dir.js'

const worker = fileURLToPath(new URL('../fixtures/crash-at-step-worker.ts', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
const run = promisify(execFile)

type Outcome = { killed: true } | { killed: false; steps: number }

async function runUntilStep(path: string, operation: 'write' | 'rekey', step: number): Promise<Outcome> {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', worker, path, operation, String(step)],
      { cwd: repoRoot },
    )
    const steps = Number(/completed (\d+)/.exec(stdout)?.[1])
    return { killed: false, steps }
  } catch (error) {
    const { signal } = error as { signal?: string }
    if (signal !== 'SIGKILL') throw error
    return { killed: true }
  }
}

/** Which of the two allowed states the file is in, or a failure that names what was found. */
async function contentAfterCrash(
  path: string,
): Promise<{ credentials: 'old' | 'new'; values: Record<string, string> }> {
  for (const [credentials, store] of [
    ['old', encryptedFile({ path, key: RAW_KEY_HEX, scrypt: FAST_SCRYPT })],
    ['new', encryptedFile({ path, passphrase: PASSPHRASE, scrypt: FAST_SCRYPT })],
  ] as const) {
    try {
      const values: Record<string, string> = {}
      for (const key of ['K', 'OTHER']) values[key] = String((await store.get(key))?.value)
      return { credentials, values }
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error
    }
  }
  throw new Error('the file opens with neither the old nor the new credentials')
}

describe('encryptedFile() killed at every step', () => {
  const makeDir = tempDirs()

  async function seeded(): Promise<string> {
    const path = join(await makeDir(), 'crash.enc')
    const store = encryptedFile({ path, key: RAW_KEY_HEX, scrypt: FAST_SCRYPT })
    await store.set('K', 'old value')
    await store.set('OTHER', 'untouched')
    return path
  }

  /** Kills one run at `step`, checks the file, and lets the next writer finish. */
  async function checkStep(operation: 'write' | 'rekey', step: number) {
    const path = await seeded()
    const outcome = await runUntilStep(path, operation, step)
    const { credentials, values } = await contentAfterCrash(path)
    expect(values.OTHER).toBe('untouched')
    let state: string
    if (operation === 'write') {
      expect(credentials).toBe('old')
      expect(['old value', 'new value']).toContain(values.K)
      state = values.K!
    } else {
      expect(values.K).toBe('old value') // a rekey changes the credentials, never the content
      state = credentials
    }
    // The next writer (old or new credentials, whichever open the file) takes over and finishes.
    const next =
      credentials === 'old'
        ? encryptedFile({ path, key: RAW_KEY_HEX, scrypt: FAST_SCRYPT })
        : encryptedFile({ path, passphrase: PASSPHRASE, scrypt: FAST_SCRYPT })
    await next.set('K', 'after crash')
    expect((await next.get('K'))?.value).toBe('after crash')
    expect(await readdir(join(path, '..'))).toEqual(['crash.enc']) // no lock or temp file left
    return { outcome, state }
  }

  for (const operation of ['write', 'rekey'] as const) {
    it(`${operation}: every step leaves the previous or the new content, and the next writer finishes`, async () => {
      const seen = new Set<string>()
      let completedAt: number | undefined
      // Steps run four at a time (each in its own folder) until one run completes without being killed.
      for (let first = 1; completedAt === undefined; first += 4) {
        const batch = [first, first + 1, first + 2, first + 3]
        const results = await Promise.all(batch.map((step) => checkStep(operation, step)))
        for (const [i, result] of results.entries()) {
          seen.add(result.state)
          if (!result.outcome.killed && completedAt === undefined) {
            completedAt = batch[i]!
            // The run that completed made exactly the steps the runs before it were killed at.
            expect(result.outcome.steps).toBe(completedAt - 1)
          }
        }
      }
      const step = completedAt
      expect(step).toBeGreaterThan(5) // the write path really has several steps, each crashed once
      // Both sides of the commit point were hit: early crashes keep the old state, late ones the new.
      expect([...seen].sort()).toEqual(operation === 'write' ? ['new value', 'old value'] : ['new', 'old'])
    }, 120_000)
  }
})

import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { UnavailableError } from '../../src/errors.js'
import { atomicWrite, isProcessAlive, removeStrayTemps } from '../../src/fs/atomic-write.js'
import { withFileLock } from '../../src/fs/file-lock.js'
import { tempDirs } from '../fixtures/temp-dir.js'

describe('atomicWrite', () => {
  const makeDir = tempDirs()

  it('replaces the file with the given mode and leaves no temp file', async () => {
    const dir = await makeDir()
    const path = join(dir, 'f')
    await atomicWrite(path, 'one')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    await atomicWrite(path, 'two', { mode: 0o644 })
    expect(await readFile(path, 'utf8')).toBe('two')
    expect((await stat(path)).mode & 0o777).toBe(0o644)
    expect(await readdir(dir)).toEqual(['f'])
  })

  it('removes its temp file and keeps the target when the rename fails', async () => {
    const dir = await makeDir()
    const target = join(dir, 'adir')
    const { mkdir } = await import('node:fs/promises')
    await mkdir(join(target, 'child'), { recursive: true }) // renaming a file over a non-empty dir fails
    await expect(atomicWrite(target, 'x')).rejects.toThrow()
    expect((await readdir(dir)).sort()).toEqual(['adir'])
  })

  it('removeStrayTemps removes only temps of dead processes or old ones', async () => {
    const dir = await makeDir()
    const target = join(dir, 'f')
    const dead = join(dir, '.f.999999999.aaaa.tmp')
    const live = join(dir, `.f.${process.pid}.bbbb.tmp`)
    const old = join(dir, `.f.${process.pid}.cccc.tmp`)
    const unrelated = join(dir, '.g.999999999.dddd.tmp')
    for (const p of [dead, live, old, unrelated]) await writeFile(p, 'x')
    await utimes(old, new Date(0), new Date(0))
    expect(await removeStrayTemps(target)).toBe(2)
    expect((await readdir(dir)).sort()).toEqual(
      [`.f.${process.pid}.bbbb.tmp`, '.g.999999999.dddd.tmp'].sort(),
    )
    expect(isProcessAlive(process.pid)).toBe(true)
    expect(isProcessAlive(999_999_999)).toBe(false)
  })

  it("removeStrayTemps never touches another target's temp file that shares the name prefix", async () => {
    const dir = await makeDir()
    // A live writer of "config.json" (another lock) while "config" is written: ".config." prefixes both.
    const other = join(dir, `.config.json.${process.pid}.abcdef012345.tmp`)
    const otherDead = join(dir, '.config.json.999999999.abcdef012345.tmp')
    const mine = join(dir, '.config.999999999.abcdef012345.tmp')
    for (const p of [other, otherDead, mine]) await writeFile(p, 'x')
    expect(await removeStrayTemps(join(dir, 'config'))).toBe(1)
    expect((await readdir(dir)).sort()).toEqual(
      ['.config.json.999999999.abcdef012345.tmp', `.config.json.${process.pid}.abcdef012345.tmp`].sort(),
    )
    expect(await removeStrayTemps(join(dir, 'config.json'))).toBe(1) // its own dead writer's, only
  })
})

describe('withFileLock', () => {
  const makeDir = tempDirs()

  it('serialises critical sections and removes the lock afterwards', async () => {
    const target = join(await makeDir(), 'f')
    let inside = 0
    let maxInside = 0
    await Promise.all(
      Array.from({ length: 10 }, () =>
        withFileLock(target, async () => {
          inside++
          maxInside = Math.max(maxInside, inside)
          await new Promise((r) => setTimeout(r, 2))
          inside--
        }),
      ),
    )
    expect(maxInside).toBe(1)
    expect(await readdir(join(target, '..'))).toEqual([])
  })

  it('times out with UnavailableError while a live process holds the lock', async () => {
    const target = join(await makeDir(), 'f')
    await writeFile(
      `${target}.lock`,
      JSON.stringify({
        pid: process.pid,
        host: (await import('node:os')).hostname(),
        token: 'other',
        createdAt: Date.now(),
      }),
    )
    const error = await withFileLock(target, async () => 'ran', { timeoutMs: 150 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect((error as Error).message).toMatch(/held by pid \d+/)
    expect(await readFile(`${target}.lock`, 'utf8')).toContain('other') // not stolen
  })

  it('takes over a lock whose owner is dead, or that was not refreshed for staleMs', async () => {
    const target = join(await makeDir(), 'f')
    const host = (await import('node:os')).hostname()
    await writeFile(`${target}.lock`, JSON.stringify({ pid: 999_999_999, host, token: 'dead', createdAt: 0 }))
    expect(await withFileLock(target, async () => 'ran', { timeoutMs: 1000 })).toBe('ran')
    // A live owner on another host that stopped refreshing: stale by age.
    await writeFile(
      `${target}.lock`,
      JSON.stringify({ pid: process.pid, host: 'elsewhere', token: 'old', createdAt: 0 }),
    )
    await utimes(`${target}.lock`, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000))
    expect(await withFileLock(target, async () => 'ran', { staleMs: 10_000, timeoutMs: 1000 })).toBe('ran')
    expect(await readdir(join(target, '..'))).toEqual([])
  })

  it('takes over at once a lock of a dead process written as a bare pid or JSON without a token', async () => {
    const target = join(await makeDir(), 'f')
    for (const content of ['999999999\n', JSON.stringify({ pid: 999_999_999 })]) {
      await writeFile(`${target}.lock`, content)
      // timeoutMs 0: the first attempt must succeed, so the lock is taken over without waiting.
      expect(await withFileLock(target, async () => 'ran', { staleMs: 60_000, timeoutMs: 0 })).toBe('ran')
    }
    // A lock naming a live process (this one) on this host is respected until it is stale.
    await writeFile(`${target}.lock`, String(process.pid))
    await expect(
      withFileLock(target, async () => 'ran', { staleMs: 60_000, timeoutMs: 100 }),
    ).rejects.toBeInstanceOf(UnavailableError)
    expect(await readFile(`${target}.lock`, 'utf8')).toBe(String(process.pid))
  })

  it('keeps refreshing the lock while a slow holder works, so it is not taken over', async () => {
    const target = join(await makeDir(), 'f')
    const lockPath = `${target}.lock`
    let finish!: () => void
    const working = new Promise<void>((resolve) => {
      finish = resolve
    })
    const staleMs = 900 // refreshed every 300 ms: a loaded machine has 600 ms of slack
    const holder = withFileLock(target, () => working, { staleMs })
    // Hold the lock for longer than staleMs, and see its mtime move while it is held.
    const acquiredAt = Date.now()
    const mtimes = new Set<number>()
    const held = () => Date.now() - acquiredAt
    while (held() <= staleMs * 1.5 || (mtimes.size < 3 && held() < staleMs * 5)) {
      const info = await stat(lockPath).catch(() => undefined)
      if (info) mtimes.add(info.mtimeMs)
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(mtimes.size).toBeGreaterThanOrEqual(3)
    // A second "process" (an equivalent path bypasses the in-process queue) that will not wait: the
    // lock is older than staleMs but was refreshed, so it is not taken over.
    const other = `${join(target, '..')}/./f`
    await expect(withFileLock(other, async () => 'robbed', { staleMs, timeoutMs: 0 })).rejects.toBeInstanceOf(
      UnavailableError,
    )
    finish()
    await holder
    expect(await withFileLock(other, async () => 'after', { staleMs, timeoutMs: 0 })).toBe('after')
  })

  it('releases the lock when the critical section throws', async () => {
    const target = join(await makeDir(), 'f')
    await expect(withFileLock(target, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await withFileLock(target, async () => 'again')).toBe('again')
  })
})

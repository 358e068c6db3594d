/**
 * A cross-process advisory lock for read-modify-write of one file, without a dependency: a lock file
 * `<target>.lock` created with `O_CREAT | O_EXCL` (`'wx'`), which only one process can win. It holds the
 * owner's pid, host and a random token. Waiters retry with capped, jittered exponential backoff. A lock
 * is taken over when its owner is dead (same host, pid gone) or when it has not been refreshed for
 * `staleMs` — the holder refreshes its mtime while it works, so a slow but live holder is not robbed.
 */
import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { UnavailableError } from '../errors.js'
import { isProcessAlive } from './atomic-write.js'

/** Options for {@link withFileLock}. */
export interface FileLockOptions {
  /**
   * A lock not refreshed for this long is considered abandoned and taken over.
   * @default 10_000
   */
  readonly staleMs?: number
  /**
   * Give up waiting after this long with an `UnavailableError`.
   * @default 30_000
   */
  readonly timeoutMs?: number
  /** Provider name, for the error when the lock cannot be acquired. */
  readonly provider?: string
  /** Key being written, for the error. */
  readonly key?: string
}

interface LockInfo {
  pid: number
  host: string
  token: string
  createdAt: number
}

/** In-process queue per lock path: callers in one process wait on a promise instead of polling the file. */
const queues = new Map<string, Promise<unknown>>()

/**
 * Runs `fn` while holding the lock for `target`. Safe across processes on one machine (and across
 * machines on a shared file system that honours `O_EXCL`, minus the dead-pid check).
 */
export async function withFileLock<T>(
  target: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const lockPath = `${target}.lock`
  const previous = queues.get(lockPath) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(() => holdLock(lockPath, fn, options))
  const tail = run.catch(() => undefined)
  queues.set(lockPath, tail)
  try {
    return await run
  } finally {
    if (queues.get(lockPath) === tail) queues.delete(lockPath)
  }
}

async function holdLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions): Promise<T> {
  const staleMs = options.staleMs ?? 10_000
  const info = await acquire(lockPath, staleMs, options.timeoutMs ?? 30_000, options)
  // Refresh the mtime so waiters see a live holder even when fn runs longer than staleMs (e.g. a rekey).
  const refresh = setInterval(
    () => {
      const now = new Date()
      utimes(lockPath, now, now).catch(() => undefined)
    },
    Math.max(50, Math.floor(staleMs / 3)),
  )
  refresh.unref()
  try {
    return await fn()
  } finally {
    clearInterval(refresh)
    await release(lockPath, info.token)
  }
}

async function acquire(
  lockPath: string,
  staleMs: number,
  timeoutMs: number,
  options: FileLockOptions,
): Promise<LockInfo> {
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(12).toString('hex'),
    createdAt: Date.now(),
  }
  const deadline = Date.now() + timeoutMs
  let delay = 2
  let madeDir = false
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600)
      try {
        await handle.writeFile(JSON.stringify(info))
      } finally {
        await handle.close()
      }
      return info
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' && !madeDir) {
        // First write into a directory that does not exist yet (e.g. `.polysecret/`): private to the user.
        await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 })
        madeDir = true
        continue
      }
      if (code !== 'EEXIST') throw error
    }
    if (await takeOverIfStale(lockPath, staleMs)) continue
    if (Date.now() >= deadline) {
      const holder = await readLock(lockPath)
      throw new UnavailableError({
        message: `Could not lock ${lockPath} within ${timeoutMs} ms${holder ? ` (held by pid ${holder.pid} on ${holder.host})` : ''}.`,
        hint: 'Another process is writing this file; retry later, or remove the lock file if that process is gone.',
        provider: options.provider,
        key: options.key,
      })
    }
    await sleep(delay / 2 + Math.random() * delay)
    delay = Math.min(delay * 1.6, 100)
  }
}

async function readLock(lockPath: string): Promise<LockInfo | undefined> {
  const parsed = parseLock(await readRaw(lockPath))
  return typeof parsed?.pid === 'number' && typeof parsed.token === 'string'
    ? (parsed as LockInfo)
    : undefined
}

async function readRaw(lockPath: string): Promise<string | undefined> {
  return readFile(lockPath, 'utf8').catch(() => undefined)
}

/**
 * What a lock file says about its owner. Besides our own JSON, a bare pid (`12345`, the classic pidfile)
 * or JSON without host/token is understood, so a lock left by another tool or an older writer whose
 * process is dead is taken over at once instead of after `staleMs`.
 */
function parseLock(text: string | undefined): Partial<LockInfo> | undefined {
  if (text === undefined) return undefined
  const trimmed = text.trim()
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) }
  try {
    const parsed = JSON.parse(trimmed) as unknown
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const { pid, host, token } = parsed as Record<string, unknown>
    return {
      ...(typeof pid === 'number' ? { pid } : {}),
      ...(typeof host === 'string' ? { host } : {}),
      ...(typeof token === 'string' ? { token } : {}),
    }
  } catch {
    return undefined
  }
}

/**
 * Removes an abandoned lock. The lock is first renamed to a unique tombstone — only one waiter can win
 * that rename — and then checked to still be the lock judged stale (same inode); if a fresh lock was
 * caught instead (another waiter took over in between), it is put back with `link`, which cannot
 * overwrite.
 */
async function takeOverIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  const [text, info] = await Promise.all([readRaw(lockPath), stat(lockPath).catch(() => undefined)])
  if (!info) return true // released meanwhile: try again at once
  const holder = parseLock(text)
  const ownerDead =
    holder?.pid !== undefined &&
    (holder.host === undefined || holder.host === hostname()) &&
    !isProcessAlive(holder.pid)
  const abandoned = Date.now() - info.mtimeMs > staleMs
  if (!ownerDead && !abandoned) return false
  const tombstone = `${lockPath}.stale.${randomBytes(6).toString('hex')}`
  try {
    await rename(lockPath, tombstone)
  } catch {
    return true // someone else removed it first
  }
  // Same inode (rename keeps it) = the very lock file judged stale; anything else is a fresh lock.
  const caught = await stat(tombstone).catch(() => undefined)
  if (caught !== undefined && caught.ino !== info.ino) await link(tombstone, lockPath).catch(() => undefined)
  await unlink(tombstone).catch(() => undefined)
  return true
}

async function release(lockPath: string, token: string): Promise<void> {
  // Only remove our own lock: if it was taken over (we stalled past staleMs), the new owner keeps it.
  const current = await readLock(lockPath)
  if (current?.token === token) await unlink(lockPath).catch(() => undefined)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Crash-safe file replacement: the new content goes to a temp file in the same directory, is flushed to
 * disk, and only then renamed over the target. A reader (or a crash) sees the old file or the new one,
 * never a half-written one. The temp file is in the same directory because `rename` is only atomic
 * within one file system.
 */
import { randomBytes } from 'node:crypto'
import { lstat, open, readdir, readlink, realpath, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'

/** Options for {@link atomicWrite}. */
export interface AtomicWriteOptions {
  /**
   * Permission bits of the written file. Set explicitly with `chmod` (not only through `open`) so the
   * process umask cannot widen or narrow them.
   * @default 0o600
   */
  readonly mode?: number
}

type BeforeRenameHook = (tempPath: string) => void | Promise<void>
let beforeRenameHook: BeforeRenameHook | undefined

/**
 * Test hook, not part of the public API: called after the temp file is written and synced, right before
 * the rename. Tests use it to inspect the temp file or to kill the process mid-write.
 * @internal
 */
export function setBeforeRenameHookForTests(hook: BeforeRenameHook | undefined): void {
  beforeRenameHook = hook
}

const TEMP_SUFFIX = '.tmp'

/** The temp-file name prefix for a target: `.<name>.` — hidden, and recognisable for cleanup. */
function tempPrefix(target: string): string {
  return `.${basename(target)}.`
}

/**
 * Replaces `target` with `data` atomically: write temp file → fsync → rename → fsync the directory (so
 * the rename itself survives a power loss). On failure the temp file is removed and the target is
 * untouched.
 */
export async function atomicWrite(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600
  const dir = dirname(target)
  const temp = join(
    dir,
    `${tempPrefix(target)}${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
  )
  // 'wx': never follow or reuse an existing file at the temp name.
  const handle = await open(temp, 'wx', mode)
  try {
    try {
      await handle.chmod(mode)
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (beforeRenameHook) await beforeRenameHook(temp)
    await rename(temp, target)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  }
  await syncDirectory(dir)
}

/**
 * The path a write to `path` must replace (and lock): the real file when `path` is a symlink — even a
 * dangling one, whose target the first write creates — so the link survives and writers using the link
 * and the real path share one lock. `path` itself when it is not a link or cannot be resolved.
 */
export async function resolveWriteTarget(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch {
    // Missing file: follow a (chain of) dangling link(s) by hand; give up after a few hops (a loop).
    let current = path
    for (let hop = 0; hop < 8; hop++) {
      const info = await lstat(current).catch(() => undefined)
      if (!info?.isSymbolicLink()) return current
      current = resolve(dirname(current), await readlink(current))
    }
    return path
  }
}

/** fsyncs a directory so a rename in it is durable. Some platforms cannot open directories; that is not fatal. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // Windows and some network file systems refuse to open or fsync a directory; the rename still happened.
  } finally {
    await handle?.close().catch(() => undefined)
  }
}

/** Whether a process with this id exists on this machine (EPERM means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes temp files left by writers that crashed between writing the temp file and renaming it: those
 * whose process is gone, or older than `maxAgeMs`. Call it while holding the target's lock, so no live
 * writer's temp file is touched. Returns how many were removed.
 */
export async function removeStrayTemps(target: string, maxAgeMs = 60 * 60 * 1000): Promise<number> {
  const dir = dirname(target)
  const prefix = tempPrefix(target)
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return 0
  }
  let removed = 0
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue
    // Exactly `<prefix><pid>.<random>.tmp`: the temp file of `config.json` also starts with the prefix
    // of `config` (".config."), and must never be taken for a dead writer's file of `config`.
    const match = /^(\d+)\.[A-Za-z0-9]+\.tmp$/.exec(name.slice(prefix.length))
    if (!match) continue
    const pid = Number(match[1])
    const path = join(dir, name)
    let stale = pid !== process.pid && !isProcessAlive(pid)
    if (!stale) {
      const info = await stat(path).catch(() => undefined)
      stale = info !== undefined && Date.now() - info.mtimeMs > maxAgeMs
    }
    if (
      stale &&
      (await unlink(path).then(
        () => true,
        () => false,
      ))
    )
      removed++
  }
  return removed
}

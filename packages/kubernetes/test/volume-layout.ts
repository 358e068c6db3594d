import { mkdir, mkdtemp, readdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Builds a Secret/ConfigMap volume in a temp dir exactly as the kubelet's AtomicWriter does:
 * `..<timestamp>/` holding the files, `..data -> ..<timestamp>`, and `key -> ..data/key` per key.
 * `update` follows the AtomicWriter's steps: write a new timestamped dir, point `..data_tmp` at it,
 * rename it over `..data` (the atomic swap), fix the per-key links, remove the old dir.
 */
export async function kubeletVolume(files: Record<string, string | Uint8Array>) {
  const dir = await mkdtemp(join(tmpdir(), 'polysecret-volume-'))
  let n = 0
  let current = ''
  const stamp = () => `..2025_01_01_00_00_00.${String(++n).padStart(9, '0')}`

  /** Writes a new timestamped dir (not yet visible); `files` may be written one by one by the caller. */
  const stage = async (next: Record<string, string | Uint8Array>) => {
    const ts = stamp()
    await mkdir(join(dir, ts))
    for (const [key, value] of Object.entries(next)) await writeFile(join(dir, ts, key), value)
    return ts
  }
  /** The atomic swap: `..data_tmp -> ts`, renamed over `..data`; then per-key links and cleanup. */
  const swap = async (ts: string) => {
    await symlink(ts, join(dir, '..data_tmp'))
    await rename(join(dir, '..data_tmp'), join(dir, '..data'))
    const keys = (await readdir(join(dir, ts))).filter((k) => !k.startsWith('.'))
    for (const entry of await readdir(dir)) {
      if (!entry.startsWith('.') && !keys.includes(entry)) await unlink(join(dir, entry))
    }
    for (const key of keys) await symlink(join('..data', key), join(dir, key)).catch(() => undefined)
    if (current !== '') await rm(join(dir, current), { recursive: true })
    current = ts
  }
  await swap(await stage(files))
  return {
    dir,
    /** A complete update, as the kubelet makes it. */
    update: async (next: Record<string, string | Uint8Array>) => swap(await stage(next)),
    /** The first half of an update: the new dir exists with some files, `..data` not swapped yet. */
    stage,
    swap,
    /** The current `..<timestamp>` dir. */
    generation: () => current,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

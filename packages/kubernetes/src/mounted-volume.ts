import { createHash } from 'node:crypto'
import { readdir, readFile, readlink, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * The kubelet's layout of a Secret / ConfigMap volume (AtomicWriter): every update is written to a
 * fresh `..<timestamp>` directory, then the `..data` symlink is swapped to it with one rename, and the
 * old directory is removed. Each key is a symlink `key -> ..data/key`. Reading through one resolved
 * `..data` target therefore sees one complete update, never a mix of two.
 */
export const DATA_LINK = '..data'

/** One consistent read of a volume. */
export interface VolumeSnapshot {
  /** The `..data` target it was read from (`..2024_05_01_10_00_00.123456789`), or `''` for a plain directory. */
  readonly generation: string
  /** Key → bytes, for every regular file not starting with `.`. */
  readonly files: ReadonlyMap<string, Uint8Array>
  /** Key → content hash (the entry's version: it changes exactly when the bytes do). */
  readonly versions: ReadonlyMap<string, string>
}

/** The current `..data` target, or `''` when the directory has no `..data` link (a plain directory). */
export async function currentGeneration(dir: string): Promise<string> {
  try {
    return await readlink(join(dir, DATA_LINK))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw error
  }
}

/**
 * Reads every key of the volume through one resolved `..data` target. If the kubelet swaps and
 * removes that target mid-read (ENOENT), the read starts over from the new target.
 */
export async function readVolume(dir: string, attempts = 5): Promise<VolumeSnapshot> {
  for (let attempt = 1; ; attempt++) {
    const generation = await currentGeneration(dir)
    const base = generation === '' ? dir : join(dir, generation)
    try {
      const files = new Map<string, Uint8Array>()
      const versions = new Map<string, string>()
      for (const name of (await readdir(base)).sort()) {
        if (name.startsWith('.')) continue
        const path = join(base, name)
        // A plain directory's key may itself be a symlink; the timestamped one holds regular files.
        if (!(await stat(path)).isFile()) continue
        const bytes = new Uint8Array(await readFile(path))
        files.set(name, bytes)
        versions.set(name, createHash('sha256').update(bytes).digest('hex').slice(0, 16))
      }
      if (generation !== '' && (await currentGeneration(dir)) !== generation) {
        if (attempt < attempts) continue // swapped while we read: take the new one whole
      }
      return { generation, files, versions }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && generation !== '' && attempt < attempts)
        continue
      throw error
    }
  }
}

/** The keys whose bytes differ between two snapshots (added, changed or removed). */
export function changedKeys(before: VolumeSnapshot, after: VolumeSnapshot): string[] {
  const keys = new Set([...before.versions.keys(), ...after.versions.keys()])
  return [...keys].filter((key) => before.versions.get(key) !== after.versions.get(key))
}

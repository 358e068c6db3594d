/**
 * Finds a provider package (e.g. `@polysecret/aws`) installed in the APPLICATION and imports it. Core
 * depends on none of our packages, so a bare `import('@polysecret/aws')` from core's own folder finds it
 * only when a package manager happens to hoist it (npm) and never under pnpm's isolated layout.
 * Resolving from the app also means core stays free of a dependency cycle with every provider package.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ValidationError } from './errors.js'

/** Where provider packages are looked up, in order. */
export function packageSearchDirs(resolveFrom: string | undefined): string[] {
  if (resolveFrom !== undefined) return [resolve(resolveFrom)]
  // The working directory is the app's root in almost every setup; the main script's folder covers a
  // service started from elsewhere (`node /srv/app/server.js` by a supervisor with cwd `/`).
  const dirs = [process.cwd()]
  const main = process.argv[1]
  if (main && !dirs.includes(dirname(resolve(main)))) dirs.push(dirname(resolve(main)))
  return dirs
}

/** Conditions an `import` from the app would use, plus any given to node with `--conditions`/`-C`. */
function importConditions(): Set<string> {
  const conditions = new Set(['node', 'import', 'default'])
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
  for (const [i, arg] of args.entries()) {
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg)
    if (inline) conditions.add(inline[1]!)
    else if ((arg === '--conditions' || arg === '-C') && args[i + 1]) conditions.add(args[i + 1]!)
  }
  return conditions
}

/** The target of a package.json `exports` entry under the given conditions (Node's matching rules). */
function exportTarget(entry: unknown, conditions: Set<string>): string | undefined {
  if (typeof entry === 'string') return entry
  if (Array.isArray(entry)) {
    for (const item of entry) {
      const target = exportTarget(item, conditions)
      if (target !== undefined) return target
    }
    return undefined
  }
  if (entry && typeof entry === 'object') {
    for (const [condition, value] of Object.entries(entry)) {
      if (!conditions.has(condition)) continue
      const target = exportTarget(value, conditions)
      if (target !== undefined) return target
    }
  }
  return undefined
}

/** The file an `import` of the package's main entry loads. */
function entryFile(packageDir: string, name: string): string {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports?: unknown
    main?: string
  }
  const { exports } = manifest
  if (exports === undefined) return join(packageDir, manifest.main ?? 'index.js')
  const subpaths =
    exports !== null && typeof exports === 'object' && !Array.isArray(exports)
      ? Object.keys(exports).some((k) => k.startsWith('.'))
      : false
  const root = subpaths ? (exports as Record<string, unknown>)['.'] : exports
  const target = exportTarget(root, importConditions())
  if (target === undefined) {
    throw new ValidationError(`Package ${name} (${packageDir}) has no entry point for import.`, {
      hint: `Reinstall or update ${name}.`,
    })
  }
  return join(packageDir, target)
}

/**
 * The folder of the package as installed for an app rooted at `dir`, or `undefined`: the first
 * `node_modules/<name>` from `dir` up to the file system root — what an ESM `import` searches, which
 * (unlike `require`) ignores NODE_PATH and the global folders.
 */
function findPackageDir(name: string, dir: string): string | undefined {
  for (let at = resolve(dir); ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(at) === at) return undefined
  }
}

/**
 * Imports a package installed in the app (the first of `dirs` that has it), as an ESM `import` there
 * would. Returns `undefined` when no folder has it installed.
 */
export async function importFromApp(name: string, dirs: readonly string[]): Promise<unknown> {
  for (const dir of dirs) {
    const packageDir = findPackageDir(name, dir)
    if (!packageDir) continue
    const entry = entryFile(packageDir, name)
    try {
      return await import(pathToFileURL(entry).href)
    } catch (error) {
      throw new ValidationError(`Package ${name} is installed (${packageDir}) but failed to load.`, {
        hint: `Reinstall ${name} and its dependencies in your app (npm install ${name}).`,
        cause: error,
      })
    }
  }
  return undefined
}

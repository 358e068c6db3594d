/**
 * Our packages as a user gets them: packed with `pnpm pack` (which rewrites `workspace:` ranges and
 * builds through `prepack`), installed with npm into an empty project, and run by plain node.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const REPO = join(import.meta.dirname, '..', '..')

/** Packs every package of packages/* into a new folder; returns the tarball paths. */
export async function packAll(): Promise<string[]> {
  const into = await mkdtemp(join(tmpdir(), 'polysecret-packs-'))
  // The repo's pack script (what `pnpm release` publishes): pnpm rewrites workspace:* to the version.
  await run('npx', ['-y', 'pnpm@10', 'run', 'pack:packages', '--pack-destination', into], {
    cwd: REPO,
    maxBuffer: 64 * 1024 * 1024,
  })
  return (await readdir(into)).filter((f) => f.endsWith('.tgz')).map((f) => join(into, f))
}

/** An empty npm project with the tarballs (and third-party `extra` packages) installed. */
export async function installApp(tarballs: readonly string[], extra: readonly string[]): Promise<string> {
  const app = await mkdtemp(join(tmpdir(), 'polysecret-app-'))
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }))
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...extra], {
    cwd: app,
    maxBuffer: 64 * 1024 * 1024,
  })
  return app
}

/** Runs a script with the node running the tests; resolves with its output whatever the exit code. */
export async function runNode(
  script: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script], {
      cwd,
      env: { PATH: process.env.PATH, METADATA_SERVER_DETECTION: 'none', ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }
  }
}

/** The usage example of README.md (the first TypeScript block that builds a ConfigManager). */
export async function readmeExample(): Promise<string> {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8')
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((code) => code.includes('new ConfigManager('))
  if (!block) throw new Error('README.md has no ```ts block with new ConfigManager(')
  return block
}

/** The same program as CommonJS: `require()` for each import, the body in an async function. */
export function asCommonJs(esm: string): string {
  const imports: string[] = []
  const body = esm.replace(/^import (\{[^}]*\}) from ('[^']+')\n/gm, (_, names: string, from: string) => {
    imports.push(`const ${names} = require(${from})`)
    return ''
  })
  if (/^import /m.test(body)) throw new Error('asCommonJs handles only `import { … } from "…"` lines')
  return `${imports.join('\n')}\n;(async () => {\n${body}\n})().catch((error) => {\n  console.error(error)\n  process.exitCode = 1\n})\n`
}

/** Writes files (relative path → text) under a folder. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
}

/**
 * @polysecret/vault startup cost: importing the built package (and creating a provider) before first
 * use, over importing @polysecret/core alone — `node-vault` (and axios under it) must not load until
 * the first Vault call. For scale: node-vault's own import, paid once on that first call.
 */
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { builtPackage, fmt, median, writeResults } from './lib.js'

/** Runs `code` in a fresh node; it prints one number (ms), measured inside the child. */
function childMs(code: string): number {
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }).trim(),
  )
}

/** Medians of 21 fresh children, each timing its step with `performance.now()` (see bench/kubernetes.ts). */
function importCost() {
  const core = builtPackage('@polysecret/core')
  const vault = builtPackage('@polysecret/vault')
  const sdk = pathToFileURL(
    createRequire(join(import.meta.dirname, '../packages/vault/package.json')).resolve('node-vault'),
  ).href
  const step = (before: string, measured: string) =>
    `${before}; const t = performance.now(); ${measured}; console.log(performance.now() - t)`
  const programs = {
    // @polysecret/vault on top of an already loaded core, and creating a provider (no call yet).
    packageOverCore: step(
      `await import(${JSON.stringify(core)})`,
      `const v = await import(${JSON.stringify(vault)}); v.vaultKv({ endpoint: 'http://127.0.0.1:8200', mount: 'secret', auth: { appRole: { roleId: 'r', secretId: 's' } } })`,
    ),
    // What the first Vault call pays once: node-vault's own import.
    sdk: step('0', `await import(${JSON.stringify(sdk)})`),
  }
  const times: Record<keyof typeof programs, number[]> = { packageOverCore: [], sdk: [] }
  for (const code of Object.values(programs)) childMs(code) // warm the file system cache
  for (let i = 0; i < 21; i++) {
    for (const [name, code] of Object.entries(programs))
      times[name as keyof typeof programs].push(childMs(code))
  }
  const range = (v: number[]) => [Math.min(...v), Math.max(...v)]
  return {
    packageOverCoreMs: median(times.packageOverCore),
    sdkImportMs: median(times.sdk),
    ranges: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, range(v)])),
    target: 'packageOverCoreMs <= 5',
  }
}

export async function runVault() {
  const figures = { importCost: importCost() }
  const file = writeResults('vault', figures)
  const i = figures.importCost
  console.log(`vault (${file})
  import @polysecret/vault + create a provider  ${fmt(i.packageOverCoreMs, 2)} ms with core loaded (target ≤ 5)
  import node-vault itself                      ${fmt(i.sdkImportMs, 1)} ms (paid on the first Vault call)`)
  return figures
}

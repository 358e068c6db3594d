/**
 * @polysecret/kubernetes startup cost: importing the built package (and creating providers) before
 * first use, over importing @polysecret/core alone — the SDK (`@kubernetes/client-node`, the heaviest
 * of all) must not load until a Kubernetes API call. For scale: the SDK's own import, and import +
 * one mountedFiles read (which never loads the SDK).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { builtPackage, fmt, median, writeResults } from './lib.js'

/** Runs `code` in a fresh node; it prints one number (ms), measured inside the child. */
function childMs(code: string): number {
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }).trim(),
  )
}

/**
 * Each figure is measured inside a fresh child process with `performance.now()` around the step, so
 * process start-up noise (several ms on a shared machine) stays out of it; medians of 21 children.
 */
function importCost() {
  const core = builtPackage('@polysecret/core')
  const k8s = builtPackage('@polysecret/kubernetes')
  const sdk = pathToFileURL(
    createRequire(join(import.meta.dirname, '../packages/kubernetes/package.json')).resolve(
      '@kubernetes/client-node',
    ),
  ).href
  const dir = mkdtempSync(join(tmpdir(), 'polysecret-bench-volume-'))
  writeFileSync(join(dir, 'TOKEN'), 't')
  const step = (before: string, measured: string) =>
    `${before}; const t = performance.now(); ${measured}; console.log(performance.now() - t)`
  const programs = {
    // @polysecret/kubernetes on top of an already loaded core, and creating both API providers.
    packageOverCore: step(
      `await import(${JSON.stringify(core)})`,
      `const k = await import(${JSON.stringify(k8s)}); k.kubernetesSecrets({ namespace: 'a', kubeconfig: '/x' }); k.configMaps({ namespace: 'a', kubeconfig: '/x' })`,
    ),
    // The same, plus a first mountedFiles read (never loads the SDK).
    mountedReadOverCore: step(
      `await import(${JSON.stringify(core)})`,
      `const k = await import(${JSON.stringify(k8s)}); await k.mountedFiles({ dir: ${JSON.stringify(dir)} }).get('TOKEN')`,
    ),
    // What a provider's first API call pays once: the SDK's own import.
    sdk: step('0', `await import(${JSON.stringify(sdk)})`),
  }
  const times: Record<keyof typeof programs, number[]> = {
    packageOverCore: [],
    mountedReadOverCore: [],
    sdk: [],
  }
  for (const code of Object.values(programs)) childMs(code) // warm the file system cache
  for (let i = 0; i < 21; i++) {
    for (const [name, code] of Object.entries(programs))
      times[name as keyof typeof programs].push(childMs(code))
  }
  rmSync(dir, { recursive: true, force: true })
  const range = (v: number[]) => [Math.min(...v), Math.max(...v)]
  return {
    packageOverCoreMs: median(times.packageOverCore),
    mountedReadOverCoreMs: median(times.mountedReadOverCore),
    sdkImportMs: median(times.sdk),
    ranges: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, range(v)])),
    target: 'packageOverCoreMs <= 5',
  }
}

export async function runKubernetes() {
  const figures = { importCost: importCost() }
  const file = writeResults('kubernetes', figures)
  const i = figures.importCost
  console.log(`kubernetes (${file})
  import @polysecret/kubernetes + create 2 providers  ${fmt(i.packageOverCoreMs, 2)} ms with core loaded (target ≤ 5)
  import + one mountedFiles read                     ${fmt(i.mountedReadOverCoreMs, 2)} ms with core loaded (no SDK)
  import @kubernetes/client-node itself              ${fmt(i.sdkImportMs, 1)} ms (paid on the first API call)`)
  return figures
}

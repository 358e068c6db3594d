import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'

export const RESULTS_DIR = join(import.meta.dirname, 'results')

/** Runs `fn` in batches for about `ms` milliseconds, three rounds, and returns the best rate (ops/s). */
export async function opsPerSecond(
  fn: () => unknown,
  { ms = 700, batch = 10_000, rounds = 3 } = {},
): Promise<number> {
  let best = 0
  for (let round = 0; round < rounds; round++) {
    let ops = 0
    const started = performance.now()
    while (performance.now() - started < ms) {
      for (let i = 0; i < batch; i++) fn()
      ops += batch
    }
    best = Math.max(best, ops / ((performance.now() - started) / 1000))
  }
  return best
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now()
  const result = await fn()
  return { ms: performance.now() - started, result }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Writes one suite's figures to bench/results/<name>.json, with the machine they were measured on. */
export function writeResults(name: string, figures: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, `${name}.json`)
  const os = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: availableParallelism(),
  }
  writeFileSync(
    file,
    `${JSON.stringify({ suite: name, measuredAt: new Date().toISOString(), ...os, figures }, null, 2)}\n`,
  )
  return file
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

const built = new Set<string>()

/**
 * The built entry of a workspace package (`dist/index.js`), rebuilt once per bench run so import
 * costs are measured on the current sources, never on a stale dist.
 */
export function builtPackage(
  pkg:
    | '@polysecret/core'
    | '@polysecret/aws'
    | '@polysecret/gcp'
    | '@polysecret/azure'
    | '@polysecret/kubernetes'
    | '@polysecret/vault',
): string {
  if (!built.has(pkg)) {
    execFileSync('pnpm', ['--filter', pkg, 'build'], {
      stdio: 'ignore',
      cwd: join(import.meta.dirname, '..'),
    })
    built.add(pkg)
  }
  return join(import.meta.dirname, '../packages', pkg.split('/')[1]!, 'dist/index.js')
}

/** Rates of several async loops measured side by side (see {@link interleavedAsyncRates}). */
export interface InterleavedRates<L extends string> {
  /** ops/s of each loop in its fastest batch: the machine's least disturbed moment for that loop. */
  readonly best: Record<L, number>
  /** ops/s of each loop over all its batches. */
  readonly overall: Record<L, number>
  readonly batches: number
}

/**
 * Runs several async loops in alternating batches (`batch` awaited calls of one loop, then of the next)
 * for about `ms` in all, so a busy moment of a shared machine falls on every loop alike, and reports
 * each loop's fastest batch and its overall rate. Batches of a few milliseconds are short enough that
 * some of them run undisturbed even when other processes compete for the CPU.
 */
export async function interleavedAsyncRates<L extends string>(
  loops: Record<L, () => Promise<unknown>>,
  { ms = 3000, batch = 2000 } = {},
): Promise<InterleavedRates<L>> {
  const labels = Object.keys(loops) as L[]
  const bestMs = Object.fromEntries(labels.map((l) => [l, Number.POSITIVE_INFINITY])) as Record<L, number>
  const totalMs = Object.fromEntries(labels.map((l) => [l, 0])) as Record<L, number>
  let batches = 0
  const started = performance.now()
  while (performance.now() - started < ms) {
    for (const label of labels) {
      const fn = loops[label]
      const t = performance.now()
      for (let i = 0; i < batch; i++) await fn()
      const elapsed = performance.now() - t
      bestMs[label] = Math.min(bestMs[label], elapsed)
      totalMs[label] += elapsed
    }
    batches++
  }
  const rate = (elapsedMs: number, n: number) => (n * batch) / (elapsedMs / 1000)
  return {
    best: Object.fromEntries(labels.map((l) => [l, rate(bestMs[l], 1)])) as Record<L, number>,
    overall: Object.fromEntries(labels.map((l) => [l, rate(totalMs[l], batches)])) as Record<L, number>,
    batches,
  }
}

/**
 * `pnpm bench sync`: the namespace sync at scale — 500 namespaces × 10 keys (each key its own Secret,
 * so 5,000 Secrets: 7 Opaque, a dockerconfigjson, a basic-auth and an Argo CD repository) — against
 * the Kubernetes API fake in its own process (bench/fake-process.ts), so the fake's CPU and memory are
 * not counted as the sync's. Figures: time, API calls and peak heap of the first pass (5,000 creates),
 * of a pass with nothing to do, and of a pass after one key changed (500 updates); then watch mode's
 * reaction to a new namespace (from the namespace's creation to its 10 Secrets written), target
 * under a second.
 */
import { ConfigManager, memory } from '@polysecret/core'
import { type NamespaceSyncResult, namespaceSync, type SyncedSecret } from '@polysecret/kubernetes'
import { type FakeProcess, startFakeProcess } from './fake-process.js'
import { fmt, median, writeResults } from './lib.js'

const NAMESPACES = 500
const MiB = 1024 * 1024

const secrets: SyncedSecret[] = [
  ...Array.from({ length: 7 }, (_, i) => ({ name: `app-${i}`, data: { value: `APP_KEY_${i}` } })),
  {
    name: 'pull',
    format: 'dockerconfigjson',
    registry: { value: 'ghcr.io' },
    username: 'REG_USER',
    password: 'REG_PASSWORD',
  },
  { name: 'db', format: 'basic-auth', data: { username: 'DB_USER', password: 'DB_PASSWORD' } },
  {
    name: 'repo',
    format: 'argocd-repository',
    url: { value: 'https://github.com/org/app.git' },
    username: 'REG_USER',
    password: 'GIT_TOKEN',
  },
]
const values: Record<string, string> = {
  ...Object.fromEntries(
    Array.from({ length: 7 }, (_, i) => [`APP_KEY_${i}`, `value-${i}-${'x'.repeat(40)}`]),
  ),
  REG_USER: 'robot',
  REG_PASSWORD: 'registry-password',
  DB_USER: 'app',
  DB_PASSWORD: 'db-password',
  GIT_TOKEN: 'git-token',
}

/** Peak heapUsed above the baseline while `fn` runs, sampled every 5 ms. */
async function peakHeap<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; peakHeapMiB: number }> {
  global.gc?.()
  const base = process.memoryUsage().heapUsed
  let peak = base
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed)
  }, 5)
  const started = performance.now()
  const result = await fn()
  const ms = performance.now() - started
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().heapUsed)
  return { result, ms, peakHeapMiB: (peak - base) / MiB }
}

const calls = async (fake: FakeProcess) => {
  const byOp = await fake.requestsByOperation()
  await fake.resetRequests()
  return byOp
}

export async function runSync() {
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => ({
    name: `team-${i}`,
    labels: { pull: 'yes' },
  }))
  await using fake = await startFakeProcess('kubernetes', { namespaces, watchHistory: 20_000 })
  const store = memory(values)
  const manager = new ConfigManager({ secrets: [store], cache: false })
  const target = namespaceSync({
    name: 'bench',
    kubeconfig: fake.kubeconfig!,
    namespaceSelector: { matchLabels: { pull: 'yes' } },
    secrets,
    sourceInterval: 50,
  })
  const check = (r: NamespaceSyncResult, what: string) => {
    if (!r.ok) throw new Error(`${what}: ${r.errors.length} errors, first: ${r.errors[0]?.error.message}`)
  }

  await fake.resetRequests()
  const first = await peakHeap(() => manager.sync(target))
  check(first.result, 'first pass')
  const firstCalls = await calls(fake)
  const steady = await peakHeap(() => manager.sync(target))
  check(steady.result, 'steady pass')
  const steadyCalls = await calls(fake)
  await store.set('REG_PASSWORD', 'rotated-registry-password')
  const changed = await peakHeap(() => manager.sync(target))
  check(changed.result, 'changed pass')
  const changedCalls = await calls(fake)

  // Watch mode: a new namespace, from its creation to its 10 Secrets written.
  const running = await manager.sync(target, { watch: true })
  const reactions: number[] = []
  for (let i = 0; i < 7; i++) {
    const name = `new-${i}`
    const started = performance.now()
    await fake.seed({ namespaces: [{ name, labels: { pull: 'yes' } }] })
    for (;;) {
      const r = await running.nextPass()
      if (r.changes.filter((c) => c.namespace === name && c.outcome === 'ok').length === secrets.length) break
    }
    reactions.push(performance.now() - started)
  }
  const stats = running.stats()
  await running.close()
  await manager.close()

  const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d
  const pass = (
    p: { ms: number; peakHeapMiB: number; result: NamespaceSyncResult },
    byOp: Record<string, number>,
  ) => ({
    ms: round(p.ms),
    apiCalls: Object.values(byOp).reduce((a, b) => a + b, 0),
    apiCallsByOperation: byOp,
    peakHeapMiB: round(p.peakHeapMiB),
    changes: p.result.changes.length,
    unchanged: p.result.unchanged,
  })
  const figures = {
    namespaces: NAMESPACES,
    secretsPerNamespace: secrets.length,
    concurrency: 16,
    firstPass: pass(first, firstCalls),
    steadyPass: pass(steady, steadyCalls),
    oneKeyChangedPass: pass(changed, changedCalls),
    watchNewNamespace: {
      medianMs: round(median(reactions)),
      maxMs: round(Math.max(...reactions)),
      runsMs: reactions.map((r) => round(r)),
      namespaceLagMsFromStats: stats.namespaceLagMs,
      target: 'medianMs < 1000',
    },
  }
  const file = writeResults('sync', figures)
  const f = figures
  console.log(`sync (${file})
  first pass, ${NAMESPACES} namespaces × ${secrets.length} Secrets   ${fmt(f.firstPass.ms)} ms, ${f.firstPass.apiCalls} API calls, peak heap +${fmt(f.firstPass.peakHeapMiB, 1)} MiB
  pass with nothing to change          ${fmt(f.steadyPass.ms)} ms, ${f.steadyPass.apiCalls} API calls, peak heap +${fmt(f.steadyPass.peakHeapMiB, 1)} MiB
  pass after one key changed           ${fmt(f.oneKeyChangedPass.ms)} ms, ${f.oneKeyChangedPass.apiCalls} API calls (${f.oneKeyChangedPass.changes} updates)
  watch: new namespace → 10 Secrets    median ${fmt(f.watchNewNamespace.medianMs)} ms, max ${fmt(f.watchNewNamespace.maxMs)} ms (target < 1000)`)
  return figures
}

/**
 * `pnpm bench fleet`: a fleet of replicas against AWS Secrets Manager (the wire fake, in another
 * process, enforcing the store's quotas), through a deploy — every replica starts within a few
 * seconds — and a ttl-driven steady state, on virtual time (fleet-sim.ts). Two modes:
 *
 * - naive: per-key GetSecretValue reads with a plain ttl (what a cache without batching does);
 * - polysecret: native batches, ttl jitter, refresh-ahead, patient retries (and, once merged, the
 *   per-provider rate limit).
 *
 * Figures: calls/s to the store (mean and peak, deploy and steady state), throttles, read errors,
 * p99 staleness and p99 read latency; a chart of calls/s over time (docs/fleet-calls.svg).
 * Scale with FLEET_REPLICAS, FLEET_SECRETS, FLEET_MINUTES (defaults 1000, 100, 11); FLEET_MODES picks modes.
 */
import '@polysecret/testing/loopback-guard'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeProcess } from './fake-process.js'
import { type FleetMode, type FleetScenario, simulate } from './fleet-sim.js'
import { callsChart } from './fleet-svg.js'
import { fmt, RESULTS_DIR, writeResults } from './lib.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

/** AWS Secrets Manager's per-region quotas (docs: "AWS Secrets Manager quotas"; GetSecretValue raised to 10,000 in March 2025). */
const QUOTAS = { GetSecretValue: 10_000, BatchGetSecretValue: 100 } as const
const READS = ['GetSecretValue', 'BatchGetSecretValue'] as const

function scenario(): FleetScenario {
  const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
  return {
    replicas: num('FLEET_REPLICAS', 1000),
    secrets: num('FLEET_SECRETS', 100),
    ttlMs: 300_000,
    deployWindowMs: 3_000,
    durationMs: num('FLEET_MINUTES', 11) * 60_000,
    readEveryMs: 30_000,
    rotateEveryMs: 600_000,
    start: Date.UTC(2026, 0, 1),
  }
}

/** Calls per virtual second from t = 0, for the read operations. */
function perSecond(timeline: Record<string, Record<string, number>>, s: FleetScenario) {
  const seconds = Math.ceil(s.durationMs / 1000)
  const base = Math.floor(s.start / 1000)
  const total = new Array<number>(seconds).fill(0)
  const byOp: Record<string, number[]> = {}
  for (const op of READS) {
    const row = new Array<number>(seconds).fill(0)
    byOp[op] = row
    for (const [second, n] of Object.entries(timeline[op] ?? {})) {
      const t = Number(second) - base
      if (t >= 0 && t < seconds) {
        row[t]! += n
        total[t]! += n
      }
    }
  }
  return { total, byOp }
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)
const peak = (xs: readonly number[]) => Math.max(0, ...xs)

async function runMode(mode: FleetMode, s: FleetScenario) {
  await using fake = await startFakeProcess(
    'aws-secrets-manager',
    { quotas: READS.map((op) => ({ operations: [op], rate: QUOTAS[op] })) },
    s.start,
  )
  const wall = performance.now()
  const run = await simulate(mode, s, fake)
  const { total, byOp } = perSecond(await fake.timeline(), s)
  const injected = await fake.injected()
  // Deploy: the first minute; steady state: the rest (ttl-driven refreshes, expiries and rotations).
  const deploy = total.slice(0, 60)
  const steady = total.slice(60)
  return {
    mode,
    wallSeconds: Math.round((performance.now() - wall) / 100) / 10,
    callsPerSecond: {
      deploy: { mean: mean(deploy), peak: peak(deploy) },
      steady: { mean: mean(steady), peak: peak(steady) },
      peakByOperation: Object.fromEntries(READS.map((op) => [op, peak(byOp[op]!)])),
    },
    totalCalls: Object.fromEntries(READS.map((op) => [op, byOp[op]!.reduce((a, b) => a + b, 0)])),
    throttles: injected.throttle ?? 0,
    ...run,
    perSecond: total,
  }
}

/** Draws calls/s over time for each mode to docs/fleet-calls.svg. */
function writeChart(s: FleetScenario, results: readonly { mode: FleetMode; perSecond: readonly number[] }[]) {
  const svg = callsChart(
    `${fmt(s.replicas)} replicas × ${s.secrets} secrets, ttl ${s.ttlMs / 60_000} min: calls/s to Secrets Manager`,
    results.map((r) => ({
      label:
        r.mode === 'naive'
          ? 'naive: per-key reads, plain ttl'
          : 'polysecret: batches + jitter + refresh-ahead',
      color: r.mode === 'naive' ? '#d62728' : '#1f77b4',
      perSecond: r.perSecond,
    })),
    [
      { label: 'GetSecretValue quota 10,000/s', value: QUOTAS.GetSecretValue },
      { label: 'BatchGetSecretValue quota 100/s', value: QUOTAS.BatchGetSecretValue },
    ],
  )
  const svgFile = join(import.meta.dirname, '../docs/fleet-calls.svg')
  writeFileSync(svgFile, svg)
  return svgFile
}

function previousModes(): { mode: FleetMode; callsPerSecondOverTime: number[] }[] {
  try {
    const saved = JSON.parse(readFileSync(join(RESULTS_DIR, 'fleet.json'), 'utf8')).figures
    return Object.values(saved.modes) as { mode: FleetMode; callsPerSecondOverTime: number[] }[]
  } catch {
    return []
  }
}

export async function runFleet() {
  const s = scenario()
  if (process.env.FLEET_CHART_ONLY) {
    // Redraws the chart from the last results (bench/results/fleet.json) without running anything.
    const saved = JSON.parse(readFileSync(join(RESULTS_DIR, 'fleet.json'), 'utf8')).figures
    const modes = Object.values(saved.modes) as { mode: FleetMode; callsPerSecondOverTime: number[] }[]
    const scenarioSaved = { ...s, ...saved.scenario, start: Date.parse(saved.scenario.start) }
    console.log(
      writeChart(
        scenarioSaved,
        modes.map((m) => ({ mode: m.mode, perSecond: m.callsPerSecondOverTime })),
      ),
    )
    return modes
  }
  const modes = (process.env.FLEET_MODES ?? 'polysecret,naive').split(',') as FleetMode[]
  const results = []
  for (const mode of modes) {
    const r = await runMode(mode, s)
    results.push(r)
    const c = r.callsPerSecond
    console.log(
      `fleet ${mode}: deploy peak ${fmt(c.deploy.peak)} calls/s, steady mean ${fmt(c.steady.mean, 1)} / peak ${fmt(c.steady.peak)} calls/s, throttles ${fmt(r.throttles)}, read errors ${JSON.stringify(r.readErrors)}, p99 staleness ${fmt(r.stalenessMs.p99 / 1000, 1)} s, p99 latency ${fmt(r.latencyMs.p99)} ms (${r.wallSeconds} s wall)`,
    )
  }
  // A mode not run this time (FLEET_MODES) keeps its figures from the last run, so re-measuring one
  // mode (the naive one takes half an hour) does not drop the other from the results and the chart.
  const kept = previousModes().filter((m) => !modes.includes(m.mode))
  const svgFile = writeChart(s, [
    ...results,
    ...kept.map((m) => ({ ...m, perSecond: m.callsPerSecondOverTime })),
  ] as never)
  const file = writeResults('fleet', {
    scenario: { ...s, start: new Date(s.start).toISOString(), quotas: QUOTAS },
    modes: Object.fromEntries([
      ...results.map(({ perSecond, ...r }) => [r.mode, { ...r, callsPerSecondOverTime: perSecond }]),
      ...kept.map((m) => [m.mode, { ...m, keptFromPreviousRun: true }]),
    ]),
    targets: {
      steadyMeanCallsPerSecond: '≤ 20',
      deployPeak: 'within the store quota, no throttle errors reaching callers',
    },
    note: 'Virtual time (fleet-sim.ts): time stands still while requests are in flight, so latencies are time spent waiting on retries and backoff; a store answer costs 0 ms. Deploy = first 60 s (all replicas start within 3 s); steady state = the rest. Calls counted at the fake, throttled ones included. Staleness = how long the value a read got had already been replaced in the store (each secret rotates every 10 min).',
  })
  console.log(`fleet: ${file}, ${svgFile}`)
  return results
}

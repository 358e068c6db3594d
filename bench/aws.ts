/**
 * AWS benchmarks: polysecret (`ConfigManager` over `secretsManager()` / `parameterStore()` from
 * @polysecret/aws) side by side with Powertools for AWS Lambda Parameters, against the same wire-level
 * fakes from @polysecret/testing, in one run:
 *
 * 1. cached get throughput (value already cached), Secrets Manager and SSM, against Powertools with
 *    the same `maxAge` passed per call and against Powertools' defaults;
 * 2. 100 SSM parameters at startup with 20 ms added latency per request;
 * 3. import cost in a child node process, and import + first get.
 *
 * The fakes run in a child process (bench/fake-process.ts), so the CPU they spend answering is not
 * counted as client time. Everything stays on loopback: every client gets the fake's endpoint, a region
 * and fake credentials, and the loopback guard refuses anything else.
 */
import '@polysecret/testing/loopback-guard'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets'
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { SSMClient } from '@aws-sdk/client-ssm'
import { parameterStore, secretsManager } from '@polysecret/aws'
import { ConfigManager } from '@polysecret/core'
import { z } from 'zod'
import { startFakeProcess } from './fake-process.js'
import { builtPackage, fmt, interleavedAsyncRates, median, timed, writeResults } from './lib.js'

// Powertools' default clients (and any SDK client we forgot to configure) must not look for real
// credentials or an instance metadata service.
process.env.METADATA_SERVER_DETECTION = 'none'
process.env.AWS_EC2_METADATA_DISABLED = 'true'
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDFAKE'
process.env.AWS_SECRET_ACCESS_KEY ??= 'fake'
process.env.AWS_REGION ??= 'us-east-1'
// The SDK's "Node 20 support ends in 2027" notice would interleave with the figures; silence it here only.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const LATENCY = 20
const REGION = 'us-east-1'
/** Connection options for a client pointed at a fake (a fresh object each time: the SDK annotates credentials). */
const conn = (endpoint: string) => ({
  region: REGION,
  credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
  endpoint,
})

/** ttl of polysecret's cache by default, and the `maxAge` passed to Powertools for an equal window. */
const MAX_AGE_SECONDS = 60

/**
 * Cached-get throughput of one store: polysecret, Powertools with the same `maxAge` passed per call,
 * and Powertools' defaults (5 s, read from its environment variable on every call), in alternating
 * batches so a slow patch of a shared machine hits all three alike.
 */
async function cachedGetRow(gets: {
  polysecret: () => Promise<unknown>
  powertoolsEqualMaxAge: () => Promise<unknown>
  powertoolsDefaults: () => Promise<unknown>
}) {
  let sink = 0
  for (const get of Object.values(gets)) sink += (await get()) ? 1 : 0 // one store request each
  const consume = (get: () => Promise<unknown>) => async () => (sink += (await get()) ? 1 : 0)
  const rates = await interleavedAsyncRates(
    {
      polysecret: consume(gets.polysecret),
      powertoolsEqualMaxAge: consume(gets.powertoolsEqualMaxAge),
      powertoolsDefaults: consume(gets.powertoolsDefaults),
    },
    { ms: 4000 },
  )
  if (sink === 0) throw new Error('unreachable: keeps sink alive')
  const { best, overall } = rates
  return {
    polysecretOpsPerSec: Math.round(best.polysecret),
    powertoolsEqualMaxAgeOpsPerSec: Math.round(best.powertoolsEqualMaxAge),
    powertoolsDefaultsOpsPerSec: Math.round(best.powertoolsDefaults),
    ratioEqualMaxAge: best.polysecret / best.powertoolsEqualMaxAge,
    ratioDefaults: best.polysecret / best.powertoolsDefaults,
    ratioEqualMaxAgeOverall: overall.polysecret / overall.powertoolsEqualMaxAge,
    ratioDefaultsOverall: overall.polysecret / overall.powertoolsDefaults,
    batches: rates.batches,
  }
}

async function cachedGet() {
  await using sm = await startFakeProcess('aws-secrets-manager', {
    secrets: { DB_PASSWORD: 'hunter2-bench' },
  })
  await using ssm = await startFakeProcess('aws-ssm', { parameters: { '/app/API_URL': 'https://api.test' } })

  const manager = new ConfigManager({
    secrets: [secretsManager(conn(sm.endpoint))],
    parameters: [parameterStore({ ...conn(ssm.endpoint), prefix: '/app/' })],
  })
  const secrets = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(conn(sm.endpoint)) })
  const ssmProvider = new SSMProvider({ awsSdkV3Client: new SSMClient(conn(ssm.endpoint)) })
  const secretsDefaults = new SecretsProvider({
    awsSdkV3Client: new SecretsManagerClient(conn(sm.endpoint)),
  })
  const ssmDefaults = new SSMProvider({ awsSdkV3Client: new SSMClient(conn(ssm.endpoint)) })

  const secretsManagerFigures = await cachedGetRow({
    polysecret: () => manager.get('DB_PASSWORD'),
    powertoolsEqualMaxAge: async () =>
      (await secrets.get('DB_PASSWORD', { maxAge: MAX_AGE_SECONDS })) as string,
    powertoolsDefaults: async () => (await secretsDefaults.get('DB_PASSWORD')) as string,
  })
  const ssmFigures = await cachedGetRow({
    polysecret: () => manager.get('API_URL'),
    powertoolsEqualMaxAge: async () =>
      (await ssmProvider.get('/app/API_URL', { maxAge: MAX_AGE_SECONDS })) as string,
    powertoolsDefaults: async () => (await ssmDefaults.get('/app/API_URL')) as string,
  })
  const requests = {
    secretsManager: await sm.requestsByOperation(),
    ssm: await ssm.requestsByOperation(),
  }
  await manager.close()
  return {
    secretsManager: secretsManagerFigures,
    ssm: ssmFigures,
    storeRequests: requests,
    note: `ops/s of an awaited get of a cached value, in the fastest of many alternating batches of 2,000 calls per loop (~4 s per store); ratio = polysecret / powertools (*Overall: over all batches instead of the fastest). polysecret: manager.get(key) (Secret for secrets, string for parameters; default ttl ${MAX_AGE_SECONDS} s); Powertools equal maxAge: provider.get(name, { maxAge: ${MAX_AGE_SECONDS} }); Powertools defaults: provider.get(name) (maxAge 5 s; a loop running past it re-fetches, and storeRequests counts every request the fakes saw).`,
  }
}

async function load100() {
  const keys = Array.from({ length: 100 }, (_, i) => `SETTING_${String(i).padStart(3, '0')}`)
  const names = keys.map((k) => `/app/${k}`)
  await using ssm = await startFakeProcess('aws-ssm', {
    parameters: Object.fromEntries(names.map((n, i) => [n, String(i)])),
  })
  const schema = z.object(Object.fromEntries(keys.map((k) => [k, z.coerce.number()])))

  const manager = () =>
    new ConfigManager({ parameters: [parameterStore({ ...conn(ssm.endpoint), prefix: '/app/' })] })
  const variants = {
    polysecretLoad: async () => {
      const m = manager()
      const config = await m.load(schema)
      await m.close()
      return Object.keys(config).length
    },
    polysecretGetMany: async () => {
      const m = manager()
      const { values } = await m.getMany(keys)
      await m.close()
      return Object.keys(values).length
    },
    powertoolsGetParametersByName: async () => {
      const client = new SSMClient(conn(ssm.endpoint))
      const provider = new SSMProvider({ awsSdkV3Client: client })
      const values = await provider.getParametersByName(Object.fromEntries(names.map((n) => [n, {}])), {
        decrypt: false,
      })
      client.destroy()
      return Object.keys(values).length
    },
  }
  type Label = keyof typeof variants

  /** Median of 5 cold runs (after one discarded warm-up run), with the requests of the last run. */
  async function measure(label: Label) {
    const run = variants[label]
    if ((await run()) !== 100) throw new Error(`${label} did not read all 100 parameters`)
    const runs: number[] = []
    let requests: Record<string, number> = {}
    for (let i = 0; i < 5; i++) {
      await ssm.resetRequests()
      const { ms, result } = await timed(run)
      if (result !== 100) throw new Error(`${label} did not read all 100 parameters`)
      runs.push(ms)
      requests = await ssm.requestsByOperation()
    }
    return { ms: median(runs), runs, requests }
  }

  const labels = Object.keys(variants) as Label[]
  // The same runs without added latency: what the SDK, signing and the library cost in CPU on this
  // machine, plus the fake's answer time. What is left over is time spent waiting on the store.
  const noLatency = {} as Record<Label, number>
  for (const label of labels) noLatency[label] = (await measure(label)).ms
  await ssm.latency(LATENCY)
  const out = {} as Record<
    Label,
    {
      wallMs: number
      wallMsWithoutLatency: number
      roundTrips: number
      waitedRoundTrips: number
      requests: Record<string, number>
      runsMs: number[]
    }
  >
  for (const label of labels) {
    const { ms, runs, requests } = await measure(label)
    out[label] = {
      wallMs: ms,
      wallMsWithoutLatency: noLatency[label],
      roundTrips: ms / LATENCY,
      waitedRoundTrips: (ms - noLatency[label]) / LATENCY,
      requests,
      runsMs: runs.map((r) => Math.round(r * 10) / 10),
    }
  }
  await ssm.clearFaults()
  const p = out.powertoolsGetParametersByName
  return {
    latencyMs: LATENCY,
    keys: 100,
    ...out,
    wallTimeRatio: {
      loadOverPowertools: out.polysecretLoad.wallMs / p.wallMs,
      getManyOverPowertools: out.polysecretGetMany.wallMs / p.wallMs,
    },
    target: 'polysecretLoad.roundTrips <= 1.5',
    note: 'median wall time of 5 cold runs (fresh manager/provider and SDK client each run, after one discarded warm-up run); roundTrips = wallMs / latencyMs; waitedRoundTrips = (wallMs - wallMsWithoutLatency) / latencyMs, i.e. without the CPU cost of SDK + in-process fake; requests = what the fake received in the last run. The fake runs in a child process, so its CPU is not client time. polysecret defaults: parameterStore concurrency 10 (10 GetParameters of 10 names in one wave); Powertools getParametersByName sends its GetParameters chunks one after another.',
  }
}

/** Import cost in child node processes (the built packages, no tsx), measured from this process. */
async function importCost() {
  // Built output only: the child runs plain node, without the `source` condition.
  const coreDist = builtPackage('@polysecret/core')
  const awsDist = builtPackage('@polysecret/aws')

  const ptSecrets = import.meta.resolve('@aws-lambda-powertools/parameters/secrets')
  const ptSsm = import.meta.resolve('@aws-lambda-powertools/parameters/ssm')
  const sdkSecrets = import.meta.resolve('@aws-sdk/client-secrets-manager')
  const core = JSON.stringify(coreDist)
  const aws = JSON.stringify(awsDist)

  // The child's first get talks to a fake in a process of its own (the children run one at a time).
  await using sm = await startFakeProcess('aws-secrets-manager', {
    secrets: { DB_PASSWORD: 'hunter2-bench' },
  })
  const opts = JSON.stringify(conn(sm.endpoint))

  const programs = {
    bare: '0',
    polysecretAws: `await import(${core}); await import(${aws})`,
    polysecretAwsFirstGet: `const { ConfigManager } = await import(${core}); const { secretsManager } = await import(${aws})
      const m = new ConfigManager({ secrets: [secretsManager(${opts})] })
      if ((await m.get('DB_PASSWORD')).reveal().length !== 13) process.exit(1)`,
    powertools: `await import(${JSON.stringify(ptSecrets)}); await import(${JSON.stringify(ptSsm)})`,
    powertoolsFirstGet: `const { SecretsProvider } = await import(${JSON.stringify(ptSecrets)}); await import(${JSON.stringify(ptSsm)})
      const { SecretsManagerClient } = await import(${JSON.stringify(sdkSecrets)})
      const p = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(${opts}) })
      if ((await p.get('DB_PASSWORD')).length !== 13) process.exit(1)`,
  }
  const env = { ...process.env, METADATA_SERVER_DETECTION: 'none', AWS_EC2_METADATA_DISABLED: 'true' }
  const exec = promisify(execFile)
  const run = async (code: string) => {
    const started = process.hrtime.bigint()
    await exec(process.execPath, ['--input-type=module', '-e', code], { env })
    return Number(process.hrtime.bigint() - started) / 1e6
  }
  const times: Record<keyof typeof programs, number[]> = {
    bare: [],
    polysecretAws: [],
    polysecretAwsFirstGet: [],
    powertools: [],
    powertoolsFirstGet: [],
  }
  const entries = Object.entries(programs) as [keyof typeof programs, string][]
  for (const [, code] of entries) await run(code) // warm the file system cache
  for (let i = 0; i < 9; i++) for (const [label, code] of entries) times[label].push(await run(code))
  const m = Object.fromEntries(entries.map(([label]) => [label, median(times[label])])) as Record<
    keyof typeof programs,
    number
  >
  return {
    bareNodeMs: m.bare,
    polysecretAws: { nodeMs: m.polysecretAws, importCostMs: m.polysecretAws - m.bare },
    polysecretAwsFirstGet: { nodeMs: m.polysecretAwsFirstGet, costMs: m.polysecretAwsFirstGet - m.bare },
    powertools: { nodeMs: m.powertools, importCostMs: m.powertools - m.bare },
    powertoolsFirstGet: { nodeMs: m.powertoolsFirstGet, costMs: m.powertoolsFirstGet - m.bare },
    note: 'median of 9 child `node` processes each, minus bare node. polysecretAws = @polysecret/core + @polysecret/aws (built dist; the AWS SDK is imported on first use); powertools = @aws-lambda-powertools/parameters/secrets + /ssm (which import both SDK clients eagerly). *FirstGet = the import plus one Secrets Manager read against a local fake (SDK load, client creation, one request).',
  }
}

function versionOf(pkg: string): string | undefined {
  try {
    const file = join(import.meta.dirname, 'node_modules', pkg, 'package.json')
    return JSON.parse(readFileSync(file, 'utf8')).version
  } catch {
    return undefined
  }
}

export async function runAws() {
  const figures = {
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model },
    versions: {
      '@aws-lambda-powertools/parameters': versionOf('@aws-lambda-powertools/parameters'),
      '@aws-sdk/client-secrets-manager': versionOf('@aws-sdk/client-secrets-manager'),
      '@aws-sdk/client-ssm': versionOf('@aws-sdk/client-ssm'),
    },
    cachedGet: await cachedGet(),
    load100: await load100(),
    importCost: await importCost(),
  }
  const file = writeResults('aws', figures)
  const { cachedGet: c, load100: l, importCost: i } = figures
  const req = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([op, n]) => `${n} ${op}`)
      .join(', ')
  const trips = (v: (typeof l)['polysecretLoad']) =>
    `${fmt(v.wallMs, 1)} ms = ${fmt(v.roundTrips, 2)} × 20 ms (${fmt(v.wallMsWithoutLatency, 1)} ms without latency → ${fmt(v.waitedRoundTrips, 2)} round trips waited); ${req(v.requests)}`
  const row = (r: (typeof c)['ssm']) =>
    `polysecret ${fmt(r.polysecretOpsPerSec)} ops/s; Powertools, equal maxAge ${fmt(r.powertoolsEqualMaxAgeOpsPerSec)} ops/s → ${fmt(r.ratioEqualMaxAge, 2)}× (target ≥ 3); Powertools defaults ${fmt(r.powertoolsDefaultsOpsPerSec)} ops/s → ${fmt(r.ratioDefaults, 2)}×`
  console.log(`aws vs Powertools Parameters ${figures.versions['@aws-lambda-powertools/parameters']} (${file})
  cached get, Secrets Manager  ${row(c.secretsManager)}
  cached get, SSM              ${row(c.ssm)}
  100 SSM parameters (20 ms)   load(): ${trips(l.polysecretLoad)} (target ≤ 1.5 round trips)
                               getMany(): ${trips(l.polysecretGetMany)}
                               Powertools getParametersByName: ${trips(l.powertoolsGetParametersByName)}
                               wall-time ratio polysecret/Powertools: load ${fmt(l.wallTimeRatio.loadOverPowertools, 2)}, getMany ${fmt(l.wallTimeRatio.getManyOverPowertools, 2)}
  import (over bare node ${fmt(i.bareNodeMs, 1)} ms)  @polysecret/core+aws ${fmt(i.polysecretAws.importCostMs, 1)} ms; Powertools secrets+ssm ${fmt(i.powertools.importCostMs, 1)} ms
  import + first get           polysecret ${fmt(i.polysecretAwsFirstGet.costMs, 1)} ms; Powertools ${fmt(i.powertoolsFirstGet.costMs, 1)} ms`)
  return figures
}

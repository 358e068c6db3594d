/**
 * Azure benchmarks: polysecret (`ConfigManager.load()` over `appConfiguration()` with a `keyVault()`
 * provider for references, from @polysecret/azure) side by side with the official
 * `@azure/app-configuration-provider`'s `load()`, on the same App Configuration and Key Vault fakes:
 *
 * 1. 100 settings at startup, 10 of them Key Vault references, with 20 ms added latency per request:
 *    wall time in round trips and requests per operation, for both;
 * 2. import cost before first use, timed inside child node processes (built dist), against the official
 *    provider's import.
 *
 * Each fake runs in a child process (bench/fake-process.ts), so the CPU it spends answering is not
 * counted as client time. Everything stays on loopback over TLS: the clients trust the fakes' CA and
 * authenticate with the fakes' HMAC access key (App Configuration) and tokens (Key Vault).
 */
import '@polysecret/testing/loopback-guard'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { load as officialLoad } from '@azure/app-configuration-provider'
import { appConfiguration, keyVault } from '@polysecret/azure'
import { ConfigManager } from '@polysecret/core'
import { fakeTokenCredential, KEY_VAULT_REF_CONTENT_TYPE } from '@polysecret/testing'
import { z } from 'zod'
import { startFakeProcess } from './fake-process.js'
import { builtPackage, fmt, median, timed, writeResults } from './lib.js'

const LATENCY = 20
const SETTINGS = 100
const REFERENCES = 10
const PREFIX = 'app:'

/** The two fakes, sharing one token key so one credential in this process works for both. */
async function startFakes(tokenKey: string) {
  const keys = Array.from({ length: SETTINGS }, (_, i) => `SETTING_${String(i).padStart(3, '0')}`)
  const isReference = (i: number) => i % (SETTINGS / REFERENCES) === 0
  const kv = await startFakeProcess('azure-key-vault', {
    tokenKey,
    secrets: Object.fromEntries(
      Array.from({ length: REFERENCES }, (_, i) => [`secret-${i}`, `secret-value-${i}`]),
    ),
  })
  let ref = 0
  const ac = await startFakeProcess('azure-app-configuration', {
    tokenKey,
    settings: keys.map((key, i) =>
      isReference(i)
        ? { key: `${PREFIX}${key}`, keyVaultRef: { vault: kv.endpoint, name: `secret-${ref++}` } }
        : { key: `${PREFIX}${key}`, value: `value-${i}` },
    ),
  })
  return { kv, ac, keys }
}

async function load100() {
  const tokenKey = randomBytes(16).toString('hex')
  const credential = fakeTokenCredential({ tokenKey })
  const { kv, ac, keys } = await startFakes(tokenKey)
  await using _kv = kv
  await using _ac = ac
  const connectionString = ac.azure!.connectionString!
  const schema = z.object(Object.fromEntries(keys.map((k) => [k, z.string().min(1)])))

  const official = (parallelSecretResolutionEnabled: boolean) => async () => {
    const settings = await officialLoad(connectionString, {
      selectors: [{ keyFilter: `${PREFIX}*` }],
      trimKeyPrefixes: [PREFIX],
      clientOptions: ac.azure!.clientOptions as never,
      keyVaultOptions: {
        credential,
        clientOptions: kv.azure!.clientOptions as never,
        parallelSecretResolutionEnabled,
      },
      replicaDiscoveryEnabled: false,
      loadBalancingEnabled: false,
    })
    return { count: settings.size, references: settings.get(keys[0]!) === 'secret-value-0' ? 1 : 0 }
  }
  /** One cold load: a fresh manager, providers and clients. */
  const variants = {
    polysecretLoad: async () => {
      const m = new ConfigManager({
        parameters: [
          appConfiguration({
            connectionString,
            clientOptions: ac.azure!.clientOptions as never,
            trimPrefix: PREFIX,
            keyVault: keyVault({
              vaultUrl: kv.endpoint,
              credential,
              clientOptions: kv.azure!.clientOptions as never,
              keyMapping: 'identity',
            }),
          }),
        ],
      })
      const config = (await m.load(schema)) as Record<string, unknown>
      const first = config[keys[0]!]
      const count = Object.keys(config).length
      const references = String(first) === 'secret-value-0' ? 1 : 0
      await m.close()
      return { count, references }
    },
    officialLoad: official(false),
    officialLoadParallelSecrets: official(true),
  }
  type Label = keyof typeof variants
  const labels = Object.keys(variants) as Label[]

  /** Median and best of 9 cold runs (after one discarded warm-up run), with the requests of the last run. */
  async function measure(label: Label) {
    const check = (r: { count: number; references: number }) => {
      if (r.count !== SETTINGS || r.references !== 1)
        throw new Error(`${label} did not load all ${SETTINGS} settings with their references`)
    }
    check(await variants[label]())
    const runs: number[] = []
    let requests: Record<string, number> = {}
    for (let i = 0; i < 9; i++) {
      await Promise.all([ac.resetRequests(), kv.resetRequests()])
      const { ms, result } = await timed(variants[label])
      check(result)
      runs.push(ms)
      const [a, k] = await Promise.all([ac.requestsByOperation(), kv.requestsByOperation()])
      requests = { ...prefixed('appConfig', a), ...prefixed('keyVault', k) }
    }
    return { ms: median(runs), bestMs: Math.min(...runs), runs, requests }
  }

  const noLatency = {} as Record<Label, number>
  for (const label of labels) noLatency[label] = (await measure(label)).ms
  await Promise.all([ac.latency(LATENCY), kv.latency(LATENCY)])
  const out = {} as Record<Label, ReturnType<typeof row>>
  function row(label: Label, m: Awaited<ReturnType<typeof measure>>) {
    const total = Object.values(m.requests).reduce((a, b) => a + b, 0)
    return {
      wallMs: m.ms,
      wallMsWithoutLatency: noLatency[label],
      roundTrips: m.ms / LATENCY,
      waitedRoundTrips: (m.ms - noLatency[label]) / LATENCY,
      bestWallMs: m.bestMs,
      bestRoundTrips: m.bestMs / LATENCY,
      requests: m.requests,
      totalRequests: total,
      runsMs: m.runs,
    }
  }
  for (const label of labels) out[label] = row(label, await measure(label))
  return {
    ...out,
    target:
      'polysecretLoad.roundTrips <= 2 (one page of settings, then the references in parallel); polysecretLoad.totalRequests <= officialLoad.totalRequests',
    note: `median of 9 cold loads (fresh manager / provider / clients each, after one warm-up), ${LATENCY} ms added to every request on both fakes; ${SETTINGS} settings under "${PREFIX}", ${REFERENCES} of them Key Vault references (content type ${KEY_VAULT_REF_CONTENT_TYPE}). wallMsWithoutLatency: the same loads without added latency (client + fake CPU); waitedRoundTrips = (wallMs - wallMsWithoutLatency) / ${LATENCY}. Requests per operation of the last run, as the fakes log them ("Challenge" = Key Vault's unauthenticated first request per client). officialLoad = load(connectionString, { selectors: [{ keyFilter }], trimKeyPrefixes, keyVaultOptions: { credential }, replicaDiscoveryEnabled: false, loadBalancingEnabled: false }); officialLoadParallelSecrets adds keyVaultOptions.parallelSecretResolutionEnabled: true.`,
  }
}

function prefixed(prefix: string, requests: Record<string, number>) {
  return Object.fromEntries(Object.entries(requests).map(([op, n]) => [`${prefix}.${op}`, n]))
}

/** Import cost, timed inside child node processes with performance.now(): median of 9 children. */
async function importCost() {
  const core = JSON.stringify(builtPackage('@polysecret/core'))
  const azure = JSON.stringify(builtPackage('@polysecret/azure'))
  const official = JSON.stringify(import.meta.resolve('@azure/app-configuration-provider'))
  const exec = promisify(execFile)
  const inChild = async (code: string): Promise<number[]> => {
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', code])
    return JSON.parse(stdout)
  }
  const polysecret = `const t0 = performance.now(); await import(${core}); const t1 = performance.now()
    await import(${azure}); console.log(JSON.stringify([t1 - t0, performance.now() - t1]))`
  const provider = `const t0 = performance.now(); await import(${official})
    console.log(JSON.stringify([performance.now() - t0]))`
  await inChild(polysecret) // warm the file system cache
  await inChild(provider)
  const split: number[][] = []
  const officialMs: number[] = []
  for (let i = 0; i < 9; i++) {
    split.push(await inChild(polysecret))
    officialMs.push((await inChild(provider))[0]!)
  }
  return {
    polysecretCoreMs: median(split.map(([c]) => c!)),
    polysecretAzureOverCoreMs: median(split.map(([, a]) => a!)),
    officialProviderMs: median(officialMs),
    target:
      'polysecretAzureOverCoreMs <= 5 (what @polysecret/azure adds to an app that imports @polysecret/core)',
    note: 'import() timed with performance.now() inside one child node process each (median of 9 children, after one warm-up), free of process start-up. polysecretCoreMs: @polysecret/core (built dist); polysecretAzureOverCoreMs: @polysecret/azure after it (the Azure SDK is imported on first use); officialProviderMs: @azure/app-configuration-provider (which imports @azure/app-configuration, @azure/keyvault-secrets and @azure/identity).',
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

export async function runAzure() {
  const figures = {
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model },
    versions: {
      '@azure/app-configuration-provider': versionOf('@azure/app-configuration-provider'),
      '@azure/app-configuration': versionOf('@azure/app-configuration'),
      '@azure/keyvault-secrets': versionOf('@azure/keyvault-secrets'),
    },
    load100: await load100(),
    importCost: await importCost(),
  }
  const file = writeResults('azure', figures)
  const { load100: l, importCost: i } = figures
  const req = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([op, n]) => `${n} ${op}`)
      .join(', ')
  const trips = (v: (typeof l)['polysecretLoad']) =>
    `median ${fmt(v.wallMs, 1)} ms = ${fmt(v.roundTrips, 2)} × 20 ms (${fmt(v.wallMsWithoutLatency, 1)} ms without latency → ${fmt(v.waitedRoundTrips, 2)} waited), best ${fmt(v.bestWallMs, 1)} ms; ${v.totalRequests} requests: ${req(v.requests)}`
  console.log(`azure vs @azure/app-configuration-provider ${figures.versions['@azure/app-configuration-provider']} (${file})
  100 settings, 10 references (20 ms)  load(): ${trips(l.polysecretLoad)} (target ≤ 2 round trips)
                                       official load(): ${trips(l.officialLoad)}
                                       official, parallel secrets: ${trips(l.officialLoadParallelSecrets)}
  import, timed in the child           core ${fmt(i.polysecretCoreMs, 1)} ms, then @polysecret/azure ${fmt(i.polysecretAzureOverCoreMs, 1)} ms (target ≤ 5); @azure/app-configuration-provider ${fmt(i.officialProviderMs, 1)} ms`)
  return figures
}

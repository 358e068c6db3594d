/**
 * `pnpm bench`: runs every benchmark suite (or those named on the command line), writes
 * bench/results/<suite>.json and prints a summary. Benchmarks, not tests: nothing here fails a build.
 */
import { runAws } from './aws.js'
import { runAzure } from './azure.js'
import { runCli } from './cli.js'
import { runCore } from './core.js'
import { runEncryptedFile } from './encrypted-file.js'
import { runFleet } from './fleet.js'
import { runGate } from './gate.js'
import { runGcp } from './gcp.js'
import { runKubernetes } from './kubernetes.js'
import { runServer } from './server.js'
import { runSync } from './sync.js'
import { runVault } from './vault.js'

const suites: Record<string, () => Promise<unknown>> = {
  core: runCore,
  'encrypted-file': runEncryptedFile,
  gate: runGate,
  aws: runAws,
  kubernetes: runKubernetes,
  gcp: runGcp,
  azure: runAzure,
  vault: runVault,
  sync: runSync,
  server: runServer,
  cli: runCli,
  fleet: runFleet,
}
/** Suites too long for a plain `pnpm bench`: they run only when named. */
const onlyWhenNamed = new Set(['fleet'])
const wanted = process.argv.slice(2)
for (const [name, run] of Object.entries(suites)) {
  if (wanted.length ? !wanted.includes(name) : onlyWhenNamed.has(name)) continue
  await run()
}
